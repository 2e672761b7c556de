// A small Elixir-like expression language over an event's terms, for conditional breakpoints,
// logpoint interpolation, data-breakpoint paths and the Debug Console: `args[0] == 12`,
// `state.seats[12] == {:sold, "ann"}`, `length(args) > 1 and not (msg == :ping)`.

import { compareTerms, termEquals } from "../core/terms/equal";
import {
  Atom,
  Bin,
  ErlFloat,
  ErlMap,
  FALSE,
  ImproperList,
  NIL,
  type Term,
  TRUE,
  Tuple,
} from "../core/terms/term";
import { atom, bin, tuple } from "../core/terms/build";

export class ExprError extends Error {}

/** Names an expression can use, bound per event (`args`, `state`, `msg`, ...). */
export type Scope = Record<string, Term | undefined>;

export type Expr =
  | { t: "lit"; v: Term }
  | { t: "var"; name: string }
  | { t: "dot"; of: Expr; key: string }
  | { t: "index"; of: Expr; key: Expr }
  | { t: "call"; fn: string; args: Expr[] }
  | { t: "tuple"; items: Expr[] }
  | { t: "list"; items: Expr[] }
  | { t: "not"; e: Expr }
  | { t: "bin"; op: string; l: Expr; r: Expr };

const TOKEN =
  /\s*(?:(-?\d+\.\d+(?:e-?\d+)?)|(-?\d+)|("(?:[^"\\]|\\.)*")|(:"(?:[^"\\]|\\.)*"|:[A-Za-z_][A-Za-z0-9_@]*[?!]?)|([A-Za-z_][A-Za-z0-9_.]*[?!]?)|(===|!==|==|!=|<=|>=|&&|\|\||[<>!()[\]{},.]))/y;

type Tok = { k: "num" | "float" | "str" | "atom" | "id" | "op"; v: string; at: number };

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (!m) throw new ExprError(`unexpected "${src.slice(pos).trim()[0]}" at column ${pos + 1}`);
    const at = m.index + (m[0].length - m[0].trimStart().length);
    if (m[1]) out.push({ k: "float", v: m[1], at });
    else if (m[2]) out.push({ k: "num", v: m[2], at });
    else if (m[3]) out.push({ k: "str", v: m[3], at });
    else if (m[4]) out.push({ k: "atom", v: m[4], at });
    else if (m[5]) {
      // `state.seats` lexes as one identifier; split it into accesses.
      const parts = m[5].split(".");
      parts.forEach((p, i) => {
        if (i > 0) out.push({ k: "op", v: ".", at });
        if (p) out.push({ k: "id", v: p, at });
      });
    } else out.push({ k: "op", v: m[6], at });
    pos = TOKEN.lastIndex;
  }
  return out;
}

const PREC: Record<string, number> = {
  or: 1,
  "||": 1,
  and: 2,
  "&&": 2,
  "==": 3,
  "!=": 3,
  "===": 3,
  "!==": 3,
  "<": 4,
  ">": 4,
  "<=": 4,
  ">=": 4,
};

export function parseExpr(src: string): Expr {
  const toks = lex(src);
  let i = 0;
  const peek = (): Tok | undefined => toks[i];
  const expect = (v: string): void => {
    const t = toks[i++];
    if (!t || t.v !== v)
      throw new ExprError(`expected "${v}"${t ? ` at column ${t.at + 1}, found "${t.v}"` : " at the end"}`);
  };
  const binary = (min: number): Expr => {
    let left = unary();
    while (true) {
      const t = peek();
      const op = t && (t.k === "op" || t.k === "id") ? t.v : undefined;
      const p = op !== undefined ? PREC[op] : undefined;
      if (p === undefined || p < min) return left;
      i++;
      left = { t: "bin", op: op === "&&" ? "and" : op === "||" ? "or" : op!, l: left, r: binary(p + 1) };
    }
  };
  const unary = (): Expr => {
    const t = peek();
    if (t && (t.v === "not" || t.v === "!") && (t.k === "id" || t.k === "op")) {
      i++;
      return { t: "not", e: unary() };
    }
    return postfix(primary());
  };
  const list = (close: string): Expr[] => {
    const items: Expr[] = [];
    if (peek()?.v === close) {
      i++;
      return items;
    }
    while (true) {
      items.push(binary(1));
      const t = toks[i++];
      if (t?.v === close) return items;
      if (t?.v !== ",")
        throw new ExprError(`expected "," or "${close}"${t ? ` at column ${t.at + 1}` : " at the end"}`);
    }
  };
  const primary = (): Expr => {
    const t = toks[i++];
    if (!t) throw new ExprError("the expression ends too early");
    switch (t.k) {
      case "num":
        return { t: "lit", v: Number.isSafeInteger(Number(t.v)) ? Number(t.v) : BigInt(t.v) };
      case "float":
        return { t: "lit", v: new ErlFloat(Number(t.v)) };
      case "str":
        return { t: "lit", v: bin(JSON.parse(t.v) as string) };
      case "atom":
        return {
          t: "lit",
          v: atom(t.v.startsWith(':"') ? (JSON.parse(t.v.slice(1)) as string) : t.v.slice(1)),
        };
      case "id":
        if (t.v === "true" || t.v === "false" || t.v === "nil") return { t: "lit", v: atom(t.v) };
        if (/^[A-Z]/.test(t.v)) return { t: "lit", v: atom(`Elixir.${t.v}`) };
        if (peek()?.v === "(") {
          i++;
          return { t: "call", fn: t.v, args: list(")") };
        }
        return { t: "var", name: t.v };
      case "op":
        if (t.v === "(") {
          const e = binary(1);
          expect(")");
          return e;
        }
        if (t.v === "{") return { t: "tuple", items: list("}") };
        if (t.v === "[") return { t: "list", items: list("]") };
    }
    throw new ExprError(`unexpected "${t.v}" at column ${t.at + 1}`);
  };
  const postfix = (e: Expr): Expr => {
    while (true) {
      const t = peek();
      if (t?.v === "." && toks[i + 1]?.k === "id") {
        e = { t: "dot", of: e, key: toks[i + 1].v };
        i += 2;
      } else if (t?.v === "[") {
        i++;
        const key = binary(1);
        expect("]");
        e = { t: "index", of: e, key };
      } else return e;
    }
  };
  const e = binary(1);
  if (i < toks.length) throw new ExprError(`unexpected "${toks[i].v}" at column ${toks[i].at + 1}`);
  return e;
}

/** Evaluates to a term; a missing key or index gives `nil`, as Elixir's Access does. */
export function evalExpr(e: Expr, scope: Scope): Term {
  switch (e.t) {
    case "lit":
      return e.v;
    case "var": {
      if (!(e.name in scope))
        throw new ExprError(`unknown name "${e.name}" (known here: ${Object.keys(scope).join(", ")})`);
      return scope[e.name] ?? NIL;
    }
    case "dot":
      return access(evalExpr(e.of, scope), atom(e.key));
    case "index":
      return access(evalExpr(e.of, scope), evalExpr(e.key, scope));
    case "tuple":
      return tuple(...e.items.map((x) => evalExpr(x, scope)));
    case "list":
      return e.items.map((x) => evalExpr(x, scope));
    case "not":
      return truthy(evalExpr(e.e, scope)) ? FALSE : TRUE;
    case "call":
      return call(
        e.fn,
        e.args.map((x) => evalExpr(x, scope)),
      );
    case "bin": {
      if (e.op === "and") return truthy(evalExpr(e.l, scope)) ? bool(truthy(evalExpr(e.r, scope))) : FALSE;
      if (e.op === "or") return truthy(evalExpr(e.l, scope)) ? TRUE : bool(truthy(evalExpr(e.r, scope)));
      const l = evalExpr(e.l, scope);
      const r = evalExpr(e.r, scope);
      switch (e.op) {
        case "==":
        case "===":
          return bool(looseEquals(l, r, e.op === "==="));
        case "!=":
        case "!==":
          return bool(!looseEquals(l, r, e.op === "!=="));
        case "<":
          return bool(compareTerms(l, r) < 0);
        case ">":
          return bool(compareTerms(l, r) > 0);
        case "<=":
          return bool(compareTerms(l, r) <= 0);
        default:
          return bool(compareTerms(l, r) >= 0);
      }
    }
  }
}

/** The path of map keys / positions an access expression walks, for data breakpoints: `state.seats[12]`. */
export function accessPath(e: Expr, scope: Scope): { root: string; path: Term[] } | undefined {
  if (e.t === "var") return { root: e.name, path: [] };
  if (e.t === "dot" || e.t === "index") {
    const inner = accessPath(e.of, scope);
    if (!inner) return undefined;
    return { root: inner.root, path: [...inner.path, e.t === "dot" ? atom(e.key) : evalExpr(e.key, scope)] };
  }
  return undefined;
}

export function truthy(t: Term): boolean {
  return t !== FALSE && t !== NIL;
}

function bool(b: boolean): Atom {
  return b ? TRUE : FALSE;
}

/** `==` compares 1 and 1.0 equal, as in Elixir; `===` does not. */
function looseEquals(a: Term, b: Term, strict: boolean): boolean {
  if (!strict) {
    const na = a instanceof ErlFloat ? a.value : typeof a === "number" ? a : undefined;
    const nb = b instanceof ErlFloat ? b.value : typeof b === "number" ? b : undefined;
    if (na !== undefined && nb !== undefined) return na === nb;
  }
  return termEquals(a, b);
}

function access(t: Term, key: Term): Term {
  if (t instanceof ErlMap) return t.get(key, termEquals) ?? NIL;
  if (Array.isArray(t)) {
    if (typeof key === "number") return t[key < 0 ? t.length + key : key] ?? NIL;
    if (key instanceof Atom) {
      // A keyword list: `opts[:timeout]`.
      for (const x of t)
        if (x instanceof Tuple && x.elements.length === 2 && x.elements[0] === key) return x.elements[1];
    }
    return NIL;
  }
  if (t instanceof Tuple && typeof key === "number") return t.elements[key] ?? NIL;
  return NIL;
}

function call(fn: string, args: Term[]): Term {
  const [a, b] = args;
  switch (fn) {
    case "length":
      if (Array.isArray(a)) return a.length;
      if (a instanceof ImproperList) return a.elements.length;
      throw new ExprError("length/1 needs a list");
    case "map_size":
      if (a instanceof ErlMap) return a.entries.length;
      throw new ExprError("map_size/1 needs a map");
    case "tuple_size":
      if (a instanceof Tuple) return a.elements.length;
      throw new ExprError("tuple_size/1 needs a tuple");
    case "byte_size":
      if (a instanceof Bin) return a.bytes.length;
      throw new ExprError("byte_size/1 needs a binary");
    case "elem":
      if (a instanceof Tuple && typeof b === "number") return a.elements[b] ?? NIL;
      throw new ExprError("elem/2 needs a tuple and an index");
    case "hd":
      if (Array.isArray(a) && a.length) return a[0];
      throw new ExprError("hd/1 needs a non-empty list");
    case "is_nil":
      return bool(a === NIL);
    case "is_map":
      return bool(a instanceof ErlMap);
    case "is_list":
      return bool(Array.isArray(a));
    case "is_tuple":
      return bool(a instanceof Tuple);
    case "is_atom":
      return bool(a instanceof Atom);
    case "is_binary":
      return bool(a instanceof Bin);
    case "is_integer":
      return bool(typeof a === "number" || typeof a === "bigint");
    case "contains":
      if (a instanceof Bin && b instanceof Bin)
        return bool(Buffer.from(a.bytes).includes(Buffer.from(b.bytes)));
      if (Array.isArray(a)) return bool(a.some((x) => termEquals(x, b)));
      throw new ExprError("contains/2 needs a binary or a list");
    case "keys":
      if (a instanceof ErlMap) return a.entries.map(([k]) => k);
      throw new ExprError("keys/1 needs a map");
    default:
      throw new ExprError(
        `unknown function ${fn}/${args.length} (known: length, map_size, tuple_size, byte_size, elem, hd, is_nil, is_map, is_list, is_tuple, is_atom, is_binary, is_integer, contains, keys)`,
      );
  }
}
