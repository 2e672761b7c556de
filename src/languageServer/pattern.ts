// Elixir parameter patterns, read from a def head and matched against recorded arguments: which clause
// a call took (when the heads tell), and what each parameter variable was bound to. Anything this does
// not understand (pins, binaries, guards) makes the answer "maybe" rather than a guess.

import { termEquals } from "../core/terms/equal";
import { Atom, Bin, ErlFloat, ErlMap, ImproperList, type Term, Tuple } from "../core/terms/term";

export type Pattern =
  | { t: "var"; name: string; offset: number }
  | { t: "any" }
  | { t: "lit"; term: Term }
  | { t: "tuple"; items: Pattern[] }
  | { t: "list"; items: Pattern[]; tail?: Pattern }
  | { t: "map"; struct?: string; entries: Array<[Term, Pattern]> }
  | { t: "both"; left: Pattern; right: Pattern }
  | { t: "opaque"; vars: Array<{ name: string; offset: number }> };

export type MatchResult = "yes" | "no" | "maybe";

interface Tok {
  k: "id" | "alias" | "atom" | "key" | "num" | "str" | "punct" | "other";
  v: string;
  offset: number;
  term?: Term;
}

const encoder = new TextEncoder();

function tokenize(src: string, base: number): Tok[] {
  const out: Tok[] = [];
  const re =
    /\s+|(:"(?:[^"\\]|\\.)*")|(:[A-Za-z_][A-Za-z0-9_@]*[?!]?)|([a-z_][A-Za-z0-9_]*[?!]?):(?!:)|("(?:[^"\\]|\\.)*")|('(?:[^'\\]|\\.)*')|(-?\d[\d_]*\.\d+(?:e-?\d+)?)|(-?0x[0-9a-fA-F]+|-?\d[\d_]*)|([a-z_][A-Za-z0-9_]*[?!]?)|([A-Z][A-Za-z0-9_]*(?:\.[A-Z][A-Za-z0-9_]*)*)|(=>|<>|\\\\|::|[{}[\]|,%=^().])|(.)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(src)) !== null) {
    const offset = base + m.index;
    if (m[1]) out.push({ k: "atom", v: m[1], offset, term: Atom.of(unescape(m[1].slice(2, -1))) });
    else if (m[2]) out.push({ k: "atom", v: m[2], offset, term: Atom.of(m[2].slice(1)) });
    else if (m[3]) out.push({ k: "key", v: m[3], offset, term: Atom.of(m[3]) });
    else if (m[4])
      out.push(
        m[4].includes("#{")
          ? { k: "other", v: m[4], offset }
          : { k: "str", v: m[4], offset, term: new Bin(encoder.encode(unescape(m[4].slice(1, -1)))) },
      );
    else if (m[5])
      out.push({
        k: "str",
        v: m[5],
        offset,
        term: [...unescape(m[5].slice(1, -1))].map((c) => c.codePointAt(0)!),
      });
    else if (m[6])
      out.push({ k: "num", v: m[6], offset, term: new ErlFloat(Number(m[6].replace(/_/g, ""))) });
    else if (m[7]) out.push({ k: "num", v: m[7], offset, term: integer(m[7].replace(/_/g, "")) });
    else if (m[8]) {
      const lit = m[8] === "true" || m[8] === "false" || m[8] === "nil";
      out.push(lit ? { k: "atom", v: m[8], offset, term: Atom.of(m[8]) } : { k: "id", v: m[8], offset });
    } else if (m[9]) out.push({ k: "alias", v: m[9], offset });
    else if (m[10]) out.push({ k: "punct", v: m[10], offset });
    else if (m[11]) out.push({ k: "other", v: m[11], offset });
  }
  return out;
}

function integer(s: string): number | bigint {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : BigInt(s);
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => ({ n: "\n", t: "\t", r: "\r", "0": "\0" })[c] ?? c);
}

/** Parses one parameter's text (`{:hold, seat, customer}`, `state`, `x \\ 5`) starting at `offset`. */
export function parsePattern(text: string, offset = 0): Pattern {
  const toks = tokenize(text, offset);
  let i = 0;
  const vars = (): Array<{ name: string; offset: number }> =>
    toks.filter((t) => t.k === "id" && !t.v.startsWith("_")).map((t) => ({ name: t.v, offset: t.offset }));
  const opaque = (): Pattern => ({ t: "opaque", vars: vars() });
  const peek = (v: string): boolean => toks[i]?.k === "punct" && toks[i].v === v;
  const expect = (v: string): void => {
    if (!peek(v)) throw new Error(`expected ${v}`);
    i++;
  };
  const items = (close: string): Pattern[] => {
    const out: Pattern[] = [];
    while (!peek(close)) {
      if (toks[i]?.k === "key") {
        throw new Error("keyword list");
      }
      out.push(one());
      if (!peek(close)) {
        if (peek("|") && close === "]") return out;
        expect(",");
      }
    }
    return out;
  };
  const mapEntries = (): Array<[Term, Pattern]> => {
    const out: Array<[Term, Pattern]> = [];
    while (!peek("}")) {
      const t = toks[i];
      if (t?.k === "key") {
        i++;
        out.push([t.term!, one()]);
      } else {
        const key = one();
        if (key.t !== "lit") throw new Error("map key");
        expect("=>");
        out.push([key.term, one()]);
      }
      if (!peek("}")) expect(",");
    }
    return out;
  };
  const one = (): Pattern => {
    const left = primary();
    if (peek("=")) {
      i++;
      return { t: "both", left, right: one() };
    }
    if (peek("\\\\")) {
      i = toks.length; // the default value is not part of the pattern
      return left;
    }
    return left;
  };
  const primary = (): Pattern => {
    const t = toks[i++];
    if (!t) throw new Error("end");
    if (t.k === "id") return t.v.startsWith("_") ? { t: "any" } : { t: "var", name: t.v, offset: t.offset };
    if (t.term !== undefined && t.k !== "key") return { t: "lit", term: t.term };
    if (t.k === "punct" && t.v === "{") {
      const xs = items("}");
      expect("}");
      return { t: "tuple", items: xs };
    }
    if (t.k === "punct" && t.v === "[") {
      const xs = items("]");
      let tail: Pattern | undefined;
      if (peek("|")) {
        i++;
        tail = one();
      }
      expect("]");
      return { t: "list", items: xs, tail };
    }
    if (t.k === "punct" && t.v === "%") {
      let struct: string | undefined;
      if (toks[i]?.k === "alias") struct = toks[i++].v;
      expect("{");
      const entries = mapEntries();
      expect("}");
      return { t: "map", struct, entries };
    }
    throw new Error("unsupported");
  };
  try {
    const p = one();
    return i >= toks.length ? p : opaque();
  } catch {
    return opaque();
  }
}

/** Matches a pattern against a value, collecting variable bindings. */
export function matchPattern(p: Pattern, v: Term, bind: Map<string, Term>): MatchResult {
  switch (p.t) {
    case "any":
      return "yes";
    case "var": {
      const had = bind.get(p.name);
      if (had !== undefined) return termEquals(had, v) ? "yes" : "no";
      bind.set(p.name, v);
      return "yes";
    }
    case "lit":
      return termEquals(p.term, v) ? "yes" : "no";
    case "opaque":
      return "maybe";
    case "both":
      return and(matchPattern(p.left, v, bind), () => matchPattern(p.right, v, bind));
    case "tuple":
      if (!(v instanceof Tuple) || v.elements.length !== p.items.length) return "no";
      return all(p.items.map((q, k) => () => matchPattern(q, v.elements[k], bind)));
    case "list": {
      const elems = Array.isArray(v) ? v : v instanceof ImproperList ? v.elements : undefined;
      if (!elems) return "no";
      if (p.tail === undefined) {
        if (!Array.isArray(v) || v.length !== p.items.length) return "no";
      } else if (elems.length < p.items.length) return "no";
      const rest: Term =
        elems.length === p.items.length && v instanceof ImproperList
          ? v.tail
          : v instanceof ImproperList
            ? new ImproperList(elems.slice(p.items.length), v.tail)
            : elems.slice(p.items.length);
      const checks = p.items.map((q, k) => () => matchPattern(q, elems[k], bind));
      if (p.tail) checks.push(() => matchPattern(p.tail!, rest, bind));
      return all(checks);
    }
    case "map": {
      if (!(v instanceof ErlMap)) return "no";
      const checks: Array<() => MatchResult> = [];
      if (p.struct !== undefined) {
        const s = v.get(Atom.of("__struct__"), termEquals);
        if (!(s instanceof Atom) || !(s.name === `Elixir.${p.struct}` || s.name.endsWith(`.${p.struct}`)))
          return "no";
      }
      for (const [k, q] of p.entries) {
        const got = v.get(k, termEquals);
        if (got === undefined) return "no";
        checks.push(() => matchPattern(q, got, bind));
      }
      return all(checks);
    }
  }
}

function and(a: MatchResult, b: () => MatchResult): MatchResult {
  if (a === "no") return "no";
  const r = b();
  return r === "no" ? "no" : a === "maybe" || r === "maybe" ? "maybe" : "yes";
}

function all(checks: Array<() => MatchResult>): MatchResult {
  let out: MatchResult = "yes";
  for (const c of checks) {
    const r = c();
    if (r === "no") return "no";
    if (r === "maybe") out = "maybe";
  }
  return out;
}

/** Every variable a pattern binds, with its offset in the source. */
export function patternVars(p: Pattern): Array<{ name: string; offset: number }> {
  switch (p.t) {
    case "var":
      return [{ name: p.name, offset: p.offset }];
    case "opaque":
      return p.vars;
    case "both":
      return [...patternVars(p.left), ...patternVars(p.right)];
    case "tuple":
      return p.items.flatMap(patternVars);
    case "list":
      return [...p.items.flatMap(patternVars), ...(p.tail ? patternVars(p.tail) : [])];
    case "map":
      return p.entries.flatMap(([, q]) => patternVars(q));
    default:
      return [];
  }
}

/** True when the pattern matches every value (a variable or `_`), so no decoding is needed to pick it. */
export function irrefutable(p: Pattern): boolean {
  return p.t === "any" || p.t === "var" || (p.t === "both" && irrefutable(p.left) && irrefutable(p.right));
}
