// A small Elixir-like expression language over an event's terms, for conditional breakpoints,
// logpoint interpolation, data-breakpoint paths and the Debug Console: `args[0] == 12`,
// `state.seats[12].status == :reserved`, `msg == {:reserve, 3}`, `length(args) > 1 and not is_nil(msg)`,
// `args[0] in [1, 2]`, `Map.get(state.seats, 12) == %{status: :sold}`. Errors are one line with a column.

import { atom, bin, map, tuple } from "../terms/build";
import { compareTerms, termEquals } from "../terms/equal";
import {
  Atom,
  Bin,
  ErlFloat,
  ErlMap,
  FALSE,
  ImproperList,
  NIL,
  Pid,
  type Term,
  TRUE,
  TRUNCATED,
  Tuple,
} from "../terms/term";
import { InspectError } from "./errors";

/** A bad expression, or one that cannot be evaluated on these terms. */
export class ExprError extends InspectError {}

/** Names an expression can use, bound per event (`args`, `state`, `msg`, ...); undefined: not at this event. */
export type Scope = Record<string, Term | undefined>;

export type Expr =
  | { t: "lit"; v: Term }
  | { t: "var"; name: string; at: number }
  | { t: "dot"; of: Expr; key: string }
  | { t: "index"; of: Expr; key: Expr }
  | { t: "call"; fn: string; args: Expr[]; at: number }
  | { t: "tuple"; items: Expr[] }
  | { t: "list"; items: Expr[] }
  | { t: "map"; entries: Array<[Expr, Expr]> }
  | { t: "not"; e: Expr }
  | { t: "neg"; e: Expr; at: number }
  | { t: "bin"; op: string; l: Expr; r: Expr; at: number };

type TokKind = "int" | "float" | "str" | "atom" | "alias" | "id" | "key" | "op";
interface Tok {
  k: TokKind;
  v: string;
  at: number;
}

// Order matters: floats before integers, `key:` (keyword shorthand) before identifiers, longer
// operators before their prefixes.
const TOKEN = new RegExp(
  [
    /(\d[\d_]*\.\d[\d_]*(?:[eE][-+]?\d+)?)/.source,
    /(\d[\d_]*)/.source,
    /("(?:[^"\\]|\\.)*")/.source,
    /(:"(?:[^"\\]|\\.)*"|:[A-Za-z_][A-Za-z0-9_@]*[?!]?)/.source,
    /([A-Z][A-Za-z0-9_]*(?:\.[A-Z][A-Za-z0-9_]*)*)/.source,
    /([a-z_][A-Za-z0-9_]*[?!]?:)(?=\s)/.source,
    /([a-z_][A-Za-z0-9_]*[?!]?)/.source,
    /(===|!==|==|!=|<=|>=|=>|&&|\|\||%\{|[<>!()[\]{},.+\-*/])/.source,
  ].join("|"),
  "y",
);
const KINDS: TokKind[] = ["float", "int", "str", "atom", "alias", "key", "id", "op"];

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let pos = 0;
  for (;;) {
    while (pos < src.length && /\s/.test(src[pos])) pos++;
    if (pos >= src.length) return out;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (!m) throw new ExprError(`unexpected "${src[pos]}" at column ${pos + 1}`);
    const g = m.findIndex((x, i) => i > 0 && x !== undefined);
    out.push({ k: KINDS[g - 1], v: m[g], at: pos });
    pos = TOKEN.lastIndex;
  }
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
  in: 5,
  "not in": 5,
  "+": 6,
  "-": 6,
  "*": 7,
  "/": 7,
};
const CANONICAL: Record<string, string> = { "&&": "and", "||": "or" };

/** Bounds that keep parsing and evaluation far from the stack's limit, whatever is typed. */
export const MAX_EXPRESSION_CHARS = 10_000;
export const MAX_EXPRESSION_TOKENS = 2_000;
export const MAX_EXPRESSION_DEPTH = 100;

export function parseExpr(src: string): Expr {
  if (src.trim() === "") throw new ExprError("the expression is empty");
  if (src.length > MAX_EXPRESSION_CHARS)
    throw new ExprError(
      `the expression is too long (${src.length} characters; at most ${MAX_EXPRESSION_CHARS})`,
    );
  const toks = lex(src);
  if (toks.length > MAX_EXPRESSION_TOKENS)
    throw new ExprError(
      `the expression is too long (${toks.length} tokens; at most ${MAX_EXPRESSION_TOKENS})`,
    );
  let i = 0;
  let depth = 0;
  /** Every nesting (parentheses, operands, collections) counts; past the limit the expression is refused. */
  const nested = <T>(f: () => T): T => {
    if (++depth > MAX_EXPRESSION_DEPTH)
      throw new ExprError(`the expression is too deep (more than ${MAX_EXPRESSION_DEPTH} levels)`);
    try {
      return f();
    } finally {
      depth--;
    }
  };
  const peek = (k = 0): Tok | undefined => toks[i + k];
  const where = (t: Tok | undefined): string => (t ? `at column ${t.at + 1}` : "at the end");
  const expect = (v: string): void => {
    const t = toks[i++];
    if (!t || t.v !== v) throw new ExprError(`expected "${v}" ${where(t)}${t ? `, found "${t.v}"` : ""}`);
  };
  /** The binary operator at the current token, if any (`not in` is two tokens). */
  const operator = (): { op: string; width: number } | undefined => {
    const t = peek();
    if (!t || (t.k !== "op" && t.k !== "id")) return undefined;
    if (t.v === "not" && peek(1)?.v === "in") return { op: "not in", width: 2 };
    return PREC[t.v] !== undefined ? { op: CANONICAL[t.v] ?? t.v, width: 1 } : undefined;
  };
  const binary = (min: number): Expr =>
    nested(() => {
      let left = unary();
      for (let chain = 0; ; chain++) {
        const o = operator();
        if (!o || PREC[o.op] < min) return left;
        // A left-leaning chain (`1 + 1 + ...`) evaluates recursively too: it counts as depth.
        if (chain >= MAX_EXPRESSION_DEPTH)
          throw new ExprError(`the expression is too deep (more than ${MAX_EXPRESSION_DEPTH} levels)`);
        const at = peek()!.at;
        i += o.width;
        left = { t: "bin", op: o.op, l: left, r: binary(PREC[o.op] + 1), at };
      }
    });
  const unary = (): Expr => nested(() => unaryInner());
  const unaryInner = (): Expr => {
    const t = peek();
    if (t && (t.v === "not" || t.v === "!") && (t.k === "id" || t.k === "op")) {
      i++;
      return { t: "not", e: unary() };
    }
    if (t?.k === "op" && t.v === "-") {
      i++;
      return { t: "neg", e: unary(), at: t.at };
    }
    return postfix(primary());
  };
  const items = (close: string): Expr[] => {
    const out: Expr[] = [];
    if (peek()?.v === close) {
      i++;
      return out;
    }
    for (;;) {
      out.push(binary(1));
      const t = toks[i++];
      if (t?.v === close) return out;
      if (t?.v !== ",") throw new ExprError(`expected "," or "${close}" ${where(t)}`);
    }
  };
  /** `[a: 1, b: 2]` and `%{a: 1}`: keyword shorthand entries. */
  const keywordEntries = (close: string): Array<[Expr, Expr]> => {
    const out: Array<[Expr, Expr]> = [];
    for (;;) {
      const k = toks[i++];
      if (k?.k !== "key") throw new ExprError(`expected a key like "name:" ${where(k)}`);
      out.push([{ t: "lit", v: atom(k.v.slice(0, -1)) }, binary(1)]);
      const t = toks[i++];
      if (t?.v === close) return out;
      if (t?.v !== ",") throw new ExprError(`expected "," or "${close}" ${where(t)}`);
    }
  };
  const mapEntries = (): Array<[Expr, Expr]> => {
    if (peek()?.v === "}") {
      i++;
      return [];
    }
    if (peek()?.k === "key") return keywordEntries("}");
    const out: Array<[Expr, Expr]> = [];
    for (;;) {
      const k = binary(1);
      expect("=>");
      out.push([k, binary(1)]);
      const t = toks[i++];
      if (t?.v === "}") return out;
      if (t?.v !== ",") throw new ExprError(`expected "," or "}" ${where(t)}`);
      if (peek()?.k === "key") return [...out, ...keywordEntries("}")];
    }
  };
  const primary = (): Expr => {
    const t = toks[i++];
    if (!t) throw new ExprError("the expression ends too early");
    switch (t.k) {
      case "int": {
        const digits = t.v.replace(/_/g, "");
        const n = Number(digits);
        return { t: "lit", v: Number.isSafeInteger(n) ? n : BigInt(digits) };
      }
      case "float":
        return { t: "lit", v: new ErlFloat(Number(t.v.replace(/_/g, ""))) };
      case "str":
        return { t: "lit", v: bin(unescape(t.v, t.at)) };
      case "atom":
        return { t: "lit", v: atom(t.v.startsWith(':"') ? unescape(t.v.slice(1), t.at) : t.v.slice(1)) };
      case "alias":
        return { t: "lit", v: atom(`Elixir.${t.v}`) };
      case "key":
        throw new ExprError(`"${t.v}" at column ${t.at + 1} belongs inside [...] or %{...}`);
      case "id":
        if (t.v === "true" || t.v === "false" || t.v === "nil") return { t: "lit", v: atom(t.v) };
        if (peek()?.v === "(") {
          i++;
          return { t: "call", fn: t.v, args: items(")"), at: t.at };
        }
        return { t: "var", name: t.v, at: t.at };
      case "op":
        if (t.v === "(") {
          const e = binary(1);
          expect(")");
          return e;
        }
        if (t.v === "{") return { t: "tuple", items: items("}") };
        if (t.v === "[") {
          if (peek()?.k === "key") {
            const kw = keywordEntries("]");
            return { t: "list", items: kw.map(([k, v]) => ({ t: "tuple", items: [k, v] })) };
          }
          return { t: "list", items: items("]") };
        }
        if (t.v === "%{") return { t: "map", entries: mapEntries() };
    }
    throw new ExprError(`unexpected "${t.v}" at column ${t.at + 1}`);
  };
  const postfix = (e: Expr): Expr => {
    for (;;) {
      const t = peek();
      if (t?.v === "." && peek(1)?.k === "id") {
        const name = peek(1)!;
        i += 2;
        // `Map.get(...)`: a module alias followed by a call is a qualified call, not an access.
        if (e.t === "lit" && e.v instanceof Atom && e.v.name.startsWith("Elixir.") && peek()?.v === "(") {
          i++;
          e = { t: "call", fn: `${e.v.name.slice(7)}.${name.v}`, args: items(")"), at: name.at };
        } else e = { t: "dot", of: e, key: name.v };
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

function unescape(quoted: string, at: number): string {
  try {
    return JSON.parse(quoted.replace(/\\([^"\\/bfnrtu])/g, "$1")) as string;
  } catch {
    throw new ExprError(`bad string ${quoted} at column ${at + 1}`);
  }
}

export interface EvalOptions {
  /** A name that is known but has no value at this event is an error (the console) instead of nil (conditions). */
  strict?: boolean;
}

/** Evaluates to a term; a missing key or index gives `nil`, as Elixir's Access does. */
/** The names an expression reads from its scope (so that a scope of just those can be built). */
export function namesOf(e: Expr, out: Set<string> = new Set()): Set<string> {
  switch (e.t) {
    case "lit":
      break;
    case "var":
      out.add(e.name);
      break;
    case "dot":
      namesOf(e.of, out);
      break;
    case "index":
      namesOf(e.of, out);
      namesOf(e.key, out);
      break;
    case "call":
    case "tuple":
    case "list":
      for (const x of e.t === "call" ? e.args : e.items) namesOf(x, out);
      break;
    case "map":
      for (const [k, v] of e.entries) namesOf(v, namesOf(k, out));
      break;
    case "not":
    case "neg":
      namesOf(e.e, out);
      break;
    case "bin":
      namesOf(e.r, namesOf(e.l, out));
      break;
  }
  return out;
}

export function evalExpr(e: Expr, scope: Scope, opts: EvalOptions = {}): Term {
  const ev = (x: Expr): Term => evalExpr(x, scope, opts);
  switch (e.t) {
    case "lit":
      return e.v;
    case "var": {
      // Own names only: `constructor` or `__proto__` are no names of a recording.
      if (!Object.prototype.hasOwnProperty.call(scope, e.name))
        throw new ExprError(
          `unknown name "${e.name}" at column ${e.at + 1} (known here: ${Object.keys(scope).join(", ")})`,
        );
      const v = scope[e.name];
      if (v === undefined && opts.strict) throw new ExprError(`"${e.name}" has no value at this event`);
      return v ?? NIL;
    }
    case "dot":
      return access(ev(e.of), atom(e.key));
    case "index":
      return access(ev(e.of), ev(e.key));
    case "tuple":
      return tuple(...e.items.map(ev));
    case "list":
      return e.items.map(ev);
    case "map":
      return map(e.entries.map(([k, v]) => [ev(k), ev(v)]));
    case "not":
      return truthy(ev(e.e)) ? FALSE : TRUE;
    case "neg":
      return arith("-", 0, ev(e.e), e.at);
    case "call":
      return call(e.fn, e.args.map(ev), e.at);
    case "bin": {
      if (e.op === "and") return truthy(ev(e.l)) ? bool(truthy(ev(e.r))) : FALSE;
      if (e.op === "or") return truthy(ev(e.l)) ? TRUE : bool(truthy(ev(e.r)));
      const l = ev(e.l);
      const r = ev(e.r);
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
        case ">=":
          return bool(compareTerms(l, r) >= 0);
        case "in":
        case "not in": {
          if (!Array.isArray(r))
            throw new ExprError(`the right side of "${e.op}" at column ${e.at + 1} must be a list`);
          const found = r.some((x) => termEquals(x, l));
          return bool(e.op === "in" ? found : !found);
        }
        default:
          return arith(e.op, l, r, e.at);
      }
    }
  }
}

/** The path of map keys / positions an access expression walks, for data breakpoints: `state.seats[12]`. */
export function accessPath(e: Expr, scope: Scope = {}): { root: string; path: Term[] } | undefined {
  if (e.t === "var") return { root: e.name, path: [] };
  if (e.t === "dot" || e.t === "index") {
    const inner = accessPath(e.of, scope);
    if (!inner) return undefined;
    return { root: inner.root, path: [...inner.path, e.t === "dot" ? atom(e.key) : evalExpr(e.key, scope)] };
  }
  if (e.t === "call" && e.fn === "elem" && e.args.length === 2) {
    const inner = accessPath(e.args[0], scope);
    const pos = evalExpr(e.args[1], scope);
    if (!inner || typeof pos !== "number") return undefined;
    return { root: inner.root, path: [...inner.path, pos] };
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
    const na = num(a);
    const nb = num(b);
    if (na !== undefined && nb !== undefined) return Number(na) === Number(nb);
  }
  return termEquals(a, b);
}

function num(t: Term): number | bigint | undefined {
  if (typeof t === "number" || typeof t === "bigint") return t;
  if (t instanceof ErlFloat) return t.value;
  return undefined;
}

function arith(op: string, l: Term, r: Term, at: number): Term {
  const a = num(l);
  const b = num(r);
  if (a === undefined || b === undefined) throw new ExprError(`"${op}" at column ${at + 1} needs numbers`);
  const float = l instanceof ErlFloat || r instanceof ErlFloat || op === "/";
  if (float) {
    if (op === "/" && Number(b) === 0) throw new ExprError(`division by zero at column ${at + 1}`);
    const x = Number(a);
    const y = Number(b);
    return new ErlFloat(op === "+" ? x + y : op === "-" ? x - y : op === "*" ? x * y : x / y);
  }
  const x = BigInt(a);
  const y = BigInt(b);
  const z = op === "+" ? x + y : op === "-" ? x - y : x * y;
  return z >= BigInt(Number.MIN_SAFE_INTEGER) && z <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(z) : z;
}

/** The preview a truncated term kept: `{:"$truncated", type, size, preview}`. */
export function untruncate(t: Term): Term {
  return t instanceof Tuple && t.elements.length === 4 && t.elements[0] === TRUNCATED ? t.elements[3] : t;
}

function access(container: Term, key: Term): Term {
  const t = untruncate(container);
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

const FUNCTIONS = [
  "length/1",
  "map_size/1",
  "tuple_size/1",
  "byte_size/1",
  "elem/2",
  "hd/1",
  "tl/1",
  "abs/1",
  "div/2",
  "rem/2",
  "is_nil/1",
  "is_map/1",
  "is_list/1",
  "is_tuple/1",
  "is_atom/1",
  "is_binary/1",
  "is_integer/1",
  "is_float/1",
  "is_number/1",
  "is_boolean/1",
  "is_pid/1",
  "Map.get/2",
  "Map.get/3",
  "Map.has_key?/2",
  "Map.keys/1",
  "Map.values/1",
  "Keyword.get/2",
  "Keyword.get/3",
  "Enum.count/1",
  "Enum.member?/2",
  "Enum.at/2",
  "List.first/1",
  "List.last/1",
  "String.contains?/2",
  "String.starts_with?/2",
  "String.length/1",
];

/** Function names the language knows, for completions. */
export const KNOWN_FUNCTIONS: readonly string[] = FUNCTIONS;

function call(fn: string, args: Term[], at: number): Term {
  const name = `${fn}/${args.length}`;
  const bad = (what: string): never => {
    throw new ExprError(`${name} at column ${at + 1} needs ${what}`);
  };
  const [a0, b] = args;
  const a = a0 === undefined ? a0 : untruncate(a0);
  const list = (t: Term | undefined): Term[] =>
    Array.isArray(t) ? t : t instanceof ImproperList ? t.elements : bad("a list");
  const text = (t: Term | undefined): string =>
    t instanceof Bin ? Buffer.from(t.bytes).toString("utf8") : bad("strings");
  switch (name) {
    case "length/1":
    case "Enum.count/1":
      if (a instanceof ErlMap && name === "Enum.count/1") return a.entries.length;
      return list(a).length;
    case "map_size/1":
      return a instanceof ErlMap ? a.entries.length : bad("a map");
    case "tuple_size/1":
      return a instanceof Tuple ? a.elements.length : bad("a tuple");
    case "byte_size/1":
      return a instanceof Bin ? a.bytes.length : bad("a binary");
    case "elem/2":
      return a instanceof Tuple && typeof b === "number"
        ? (a.elements[b] ?? NIL)
        : bad("a tuple and an index");
    case "hd/1":
    case "List.first/1": {
      const l = list(a);
      if (l.length === 0) return name === "hd/1" ? bad("a non-empty list") : NIL;
      return l[0];
    }
    case "List.last/1": {
      const l = list(a);
      return l.length ? l[l.length - 1] : NIL;
    }
    case "tl/1": {
      // An improper list's tail is its last cell's: tl([1 | 2]) is 2, tl([1, 2 | 3]) is [2 | 3].
      if (a instanceof ImproperList)
        return a.elements.length > 1 ? new ImproperList(a.elements.slice(1), a.tail) : a.tail;
      const l = list(a);
      return l.length ? l.slice(1) : bad("a non-empty list");
    }
    case "Enum.at/2":
      return typeof b === "number" ? access(list(a), b) : bad("a list and an index");
    case "abs/1":
      return num(a!) !== undefined ? (compareTerms(a!, 0) < 0 ? arith("-", 0, a!, at) : a!) : bad("a number");
    case "div/2":
    case "rem/2": {
      if (typeof a !== "number" && typeof a !== "bigint") return bad("integers");
      if (typeof b !== "number" && typeof b !== "bigint") return bad("integers");
      if (BigInt(b) === 0n) throw new ExprError(`${name} at column ${at + 1}: division by zero`);
      const q = name === "div/2" ? BigInt(a) / BigInt(b) : BigInt(a) % BigInt(b);
      return Number.isSafeInteger(Number(q)) ? Number(q) : q;
    }
    case "is_nil/1":
      return bool(a === NIL);
    case "is_map/1":
      return bool(a instanceof ErlMap);
    case "is_list/1":
      return bool(Array.isArray(a) || a instanceof ImproperList);
    case "is_tuple/1":
      return bool(a instanceof Tuple);
    case "is_atom/1":
      return bool(a instanceof Atom);
    case "is_binary/1":
      return bool(a instanceof Bin && a.bits === 8);
    case "is_integer/1":
      return bool(typeof a === "number" || typeof a === "bigint");
    case "is_float/1":
      return bool(a instanceof ErlFloat);
    case "is_number/1":
      return bool(num(a!) !== undefined);
    case "is_boolean/1":
      return bool(a === TRUE || a === FALSE);
    case "is_pid/1":
      return bool(a instanceof Pid);
    case "Map.get/2":
    case "Map.get/3":
      return a instanceof ErlMap ? (a.get(b, termEquals) ?? args[2] ?? NIL) : bad("a map");
    case "Map.has_key?/2":
      return a instanceof ErlMap ? bool(a.get(b, termEquals) !== undefined) : bad("a map");
    case "Map.keys/1":
      return a instanceof ErlMap ? a.entries.map(([k]) => k) : bad("a map");
    case "Map.values/1":
      return a instanceof ErlMap ? a.entries.map(([, v]) => v) : bad("a map");
    case "Keyword.get/2":
    case "Keyword.get/3": {
      if (!(b instanceof Atom)) return bad("a keyword list and an atom");
      const v = access(list(a), b);
      return v === NIL && args[2] !== undefined ? args[2] : v;
    }
    case "Enum.member?/2":
      return bool(list(a).some((x) => termEquals(x, b)));
    case "String.contains?/2":
      return bool(text(a).includes(text(b)));
    case "String.starts_with?/2":
      return bool(text(a).startsWith(text(b)));
    case "String.length/1":
      return [...text(a)].length;
    default:
      throw new ExprError(`unknown function ${name} at column ${at + 1} (known: ${FUNCTIONS.join(", ")})`);
  }
}
