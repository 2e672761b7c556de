// Prints terms as Elixir's `inspect/1` does (checked against Elixir 1.14 on OTP 25), so that values in
// the debugger look exactly like what the user sees in IEx.
//
// Charlists print in the 1.15+ form `~c"abc"` unless `charlistStyle: "quotes"` (1.14's 'abc'); a
// struct prints as its module's `Inspect` does when `structs` gives its layout (fields in definition
// order, a derived `#Mod<...>` hiding fields), else as `%Mod{...}` with every field in map order
// (the raw view; Elixir without the module would print `%{__struct__: Mod, ...}`); funs lack the defining function
// (`#Function<0.123/1 in Mod>`: ETF does not carry it); pids, refs and ports of other nodes show
// node number 0 (node numbers are local to a running VM); nesting beyond 1000 levels prints as `...`.

import {
  Atom,
  Bin,
  ErlFloat,
  ErlMap,
  ExportFun,
  Fun,
  ImproperList,
  Pid,
  Port,
  Ref,
  type Term,
  TRUNCATED,
  Tuple,
} from "./term";
import { MAX_DEPTH } from "./tags";

export interface InspectOptions {
  /** Elements shown per collection (nested collections get what is left, as in Elixir). Default 50. */
  limit?: number;
  /** Characters of a string or charlist shown before ` <> ...`. Default 4096. */
  printableLimit?: number;
  /** Collections nested deeper than this print as `[...]`, `%{...}`, ... Default (and maximum) 1000. */
  depth?: number;
  /** `infer` (default) prints printable lists of integers as charlists. */
  charlists?: "as_lists" | "infer";
  /** The recorded node: pids, refs and ports of any other node get `@node` appended. */
  localNode?: string | Atom;
  /** Break the output over lines of at most this width, indenting by 2 (for hovers). */
  maxWidth?: number;
  /** `sigil` (default): `~c"abc"` as Elixir 1.15+; `quotes`: `'abc'` as Elixir 1.14 and before. */
  charlistStyle?: "sigil" | "quotes";
  /** How the recorded modules' structs print (`Replay.termStyle`); without it every field shows. */
  structs?: (module: string) => StructLayout | undefined;
  /**
   * The text the recorded program's `inspect/1` gave a struct value whose `Inspect` is its own (the
   * recorder's footer, `Replay.termStyle`); without it the struct prints raw.
   */
  inspected?: (struct: ErlMap, module: string) => string | undefined;
}

/** A struct's fields in definition order and how its `Inspect` prints it (from the recorder). */
export interface StructLayout {
  fields: string[];
  /** `all`: `%Mod{...}`; a list: a derived `#Mod<...>` showing those fields; `custom`: its own impl. */
  inspect: "all" | "custom" | string[];
}

interface Opts {
  quotes: boolean;
  structs?: (module: string) => StructLayout | undefined;
  inspected?: (struct: ErlMap, module: string) => string | undefined;
  limit: number;
  printableLimit: number;
  depth: number;
  charlists: "as_lists" | "infer";
  localNode: Atom | undefined;
}

/** A document: text, a bracketed group of items (which may break over lines), or a concatenation. */
type Doc = string | Group | Concat;
interface Group {
  open: string;
  items: Doc[];
  close: string;
  flat?: string;
}
interface Concat {
  parts: Doc[];
  flat?: string;
}

/** Collections nested deeper than this always print as `[...]`, `%{...}`, ... */
export const MAX_INSPECT_DEPTH = MAX_DEPTH;

/** How the recorded program's Elixir printed terms (`Replay.termStyle()`): its charlists and structs. */
export type TermStyle = Pick<InspectOptions, "charlistStyle" | "structs" | "inspected">;

export function inspect(term: Term, options: InspectOptions = {}): string {
  const opts: Opts = {
    quotes: options.charlistStyle === "quotes",
    structs: options.structs,
    inspected: options.inspected,
    limit: options.limit ?? 50,
    printableLimit: options.printableLimit ?? 4096,
    // Elixir has no depth limit; ours stops runaway recursion on terms nested thousands deep.
    depth: Math.min(options.depth ?? Infinity, MAX_INSPECT_DEPTH),
    charlists: options.charlists ?? "infer",
    localNode: typeof options.localNode === "string" ? Atom.of(options.localNode) : options.localNode,
  };
  const doc = toDoc(term, opts, opts.limit, 0);
  return options.maxWidth === undefined ? flat(doc) : pretty(doc, 0, options.maxWidth);
}

/** `inspect` with line breaks for values wider than `width` (default 80). */
export function inspectPretty(term: Term, width = 80, options: InspectOptions = {}): string {
  return inspect(term, { ...options, maxWidth: width });
}

/** `Elixir.Foo.Bar` → `Foo.Bar`; other module names (`lists`) are returned unchanged. */
export function moduleName(module: Atom | string): string {
  const name = typeof module === "string" ? module : module.name;
  return name.startsWith("Elixir.") ? name.slice(7) : name;
}

// ---- layout ----

function flat(doc: Doc): string {
  if (typeof doc === "string") return doc;
  if (doc.flat !== undefined) return doc.flat;
  doc.flat =
    "parts" in doc ? doc.parts.map(flat).join("") : doc.open + doc.items.map(flat).join(", ") + doc.close;
  return doc.flat;
}

function pretty(doc: Doc, indent: number, width: number): string {
  const f = flat(doc);
  if (typeof doc === "string" || indent + f.length <= width) return f;
  if ("parts" in doc) {
    // Only the last part that is not plain text (the value after `key: `, or the list in
    // `MapSet.new([...])`) may break; the rest stays on this line.
    let last = doc.parts.length - 1;
    while (last > 0 && typeof doc.parts[last] === "string") last--;
    return doc.parts.map((part, i) => (i === last ? pretty(part, indent, width) : flat(part))).join("");
  }
  if (doc.items.length === 0) return f;
  const pad = " ".repeat(indent + 2);
  const lines = doc.items.map(
    (item, i) => pad + pretty(item, indent + 2, width) + (i < doc.items.length - 1 ? "," : ""),
  );
  return `${doc.open}\n${lines.join("\n")}\n${" ".repeat(indent)}${doc.close}`;
}

// ---- terms ----

function toDoc(t: Term, opts: Opts, limit: number, depth: number): Doc {
  if (typeof t === "number" || typeof t === "bigint") return t.toString();
  if (t instanceof Atom) return atomLiteral(t.name);
  if (t instanceof ErlFloat) return formatFloat(t.value);
  if (t instanceof Bin) return binary(t, opts, limit, depth);
  if (t instanceof Tuple) {
    const marker = truncation(t, opts, limit, depth);
    if (marker !== undefined) return marker;
    if (depth >= opts.depth && t.elements.length > 0) return "{...}";
    return container("{", t.elements, "}", opts, limit, depth, item);
  }
  if (Array.isArray(t)) return list(t, undefined, opts, limit, depth, 0);
  if (t instanceof ImproperList) return list(t.elements, t.tail, opts, limit, depth, 0);
  if (t instanceof ErlMap) return mapDoc(t, opts, limit, depth);
  if (t instanceof Pid) return `#PID<0.${t.id}.${t.serial}>${nodeNote(t.node, opts)}`;
  if (t instanceof Ref) return `#Reference<0.${t.ids.slice().reverse().join(".")}>${nodeNote(t.node, opts)}`;
  if (t instanceof Port) return `#Port<0.${t.id}>${nodeNote(t.node, opts)}`;
  if (t instanceof ExportFun) return `&${atomLiteral(t.module.name)}.${remoteName(t.fun.name)}/${t.arity}`;
  if (t instanceof Fun)
    return `#Function<${t.index}.${t.oldUniq}/${t.arity} in ${atomLiteral(t.module.name)}>`;
  return String(t);
}

function nodeNote(node: Atom, opts: Opts): string {
  return opts.localNode !== undefined && node !== opts.localNode ? `@${node.name}` : "";
}

type ItemFn<T> = (x: T, opts: Opts, limit: number, depth: number) => Doc;

const item: ItemFn<Term> = (x, opts, limit, depth) => toDoc(x, opts, limit, depth + 1);

/**
 * Elixir's `container_doc`: each element is inspected with the limit left after it, and once the
 * limit is spent the rest is `...`. `hidden` elements (cut by the recorder) add a note instead.
 */
function container<T>(
  open: string,
  xs: T[],
  close: string,
  opts: Opts,
  limit: number,
  depth: number,
  fn: ItemFn<T>,
  hidden = 0,
): Group {
  const items: Doc[] = [];
  let left = limit;
  let i = 0;
  for (; i < xs.length && left > 0; i++) {
    left--;
    items.push(fn(xs[i], opts, left, depth));
  }
  const cut = xs.length - i + hidden;
  if (hidden > 0) items.push(`…(${cut} ${cut === 1 ? "entry" : "entries"} truncated)`);
  else if (cut > 0) items.push("...");
  return { open, items, close };
}

function list(
  xs: Term[],
  tail: Term | undefined,
  opts: Opts,
  limit: number,
  depth: number,
  hidden: number,
): Doc {
  if (xs.length === 0 && tail === undefined && hidden === 0) return "[]";
  if (depth >= opts.depth) return "[...]";
  if (tail === undefined && hidden === 0 && opts.charlists === "infer") {
    const s = charlist(xs, opts.printableLimit, opts.quotes);
    if (s !== undefined) return s;
  }
  if (tail === undefined && isKeyword(xs))
    return container("[", xs, "]", opts, limit, depth, keywordItem, hidden);
  const g = container("[", xs, "]", opts, limit, depth, item, hidden);
  if (tail !== undefined && g.items.length === xs.length) {
    // `[1, 2 | :tail]`: the tail joins the last element.
    const last = g.items.length - 1;
    g.items[last] = { parts: [g.items[last], " | ", toDoc(tail, opts, limit, depth + 1)] };
  }
  return g;
}

const keywordItem: ItemFn<Term> = (x, opts, limit, depth) => {
  const [k, v] = (x as Tuple).elements;
  return { parts: [atomKey((k as Atom).name), " ", toDoc(v, opts, limit, depth + 1)] };
};

/** Elixir's `Inspect.List.keyword?/1`: 2-tuples with atom keys that are not module aliases. */
function isKeyword(xs: Term[]): boolean {
  for (const x of xs) {
    if (!(x instanceof Tuple) || x.elements.length !== 2) return false;
    const k = x.elements[0];
    if (!(k instanceof Atom) || k.name.startsWith("Elixir.")) return false;
  }
  return true;
}

function mapDoc(m: ErlMap, opts: Opts, limit: number, depth: number, hidden = 0): Doc {
  if (m.entries.length === 0 && hidden === 0) return "%{}";
  const struct = hidden === 0 ? structName(m) : undefined;
  if (struct !== undefined) {
    const special = specialStruct(struct, m, opts, limit, depth);
    if (special !== undefined) return special;
    const text = opts.inspected?.(m, struct);
    if (text !== undefined) return text;
  }
  if (depth >= opts.depth) return struct === undefined ? "%{...}" : `%${atomLiteral(struct)}{...}`;
  let entries = m.entries;
  if (struct !== undefined)
    entries = entries.filter(
      ([k, v]) =>
        !(
          k instanceof Atom &&
          (k.name === "__struct__" || (k.name === "__exception__" && v instanceof Atom && v.name === "true"))
        ),
    );
  const layout = struct === undefined ? undefined : opts.structs?.(struct);
  if (layout && layout.inspect !== "custom") {
    // As the module's own Inspect prints it: definition order; a derived impl shows only its fields.
    const rank = new Map(layout.fields.map((f, i) => [f, i]));
    const at = ([k]: [Term, Term]) => (k instanceof Atom ? (rank.get(k.name) ?? Infinity) : Infinity);
    entries = [...entries].sort((a, b) => at(a) - at(b));
    if (Array.isArray(layout.inspect)) {
      const shown = new Set(layout.inspect);
      const kept = entries.filter(([k]) => k instanceof Atom && shown.has(k.name));
      const g = container(`#${atomLiteral(struct!)}<`, kept, ">", opts, limit, depth, fieldItem, 0);
      if (kept.length < entries.length) g.items.push("...");
      return g;
    }
  }
  const open = struct === undefined ? "%{" : `%${atomLiteral(struct)}{`;
  const keyword = entries.every(([k]) => k instanceof Atom && !k.name.startsWith("Elixir."));
  const fn: ItemFn<[Term, Term]> = keyword
    ? ([k, v], o, l, d) => ({ parts: [atomKey((k as Atom).name), " ", toDoc(v, o, l, d + 1)] })
    : ([k, v], o, l, d) => ({ parts: [toDoc(k, o, l, d + 1), " => ", toDoc(v, o, l, d + 1)] });
  return container(open, entries, "}", opts, limit, depth, fn, hidden);
}

const fieldItem: ItemFn<[Term, Term]> = ([k, v], o, l, d) => ({
  parts: [atomKey((k as Atom).name), " ", toDoc(v, o, l, d + 1)],
});

function structName(m: ErlMap): string | undefined {
  for (const [k, v] of m.entries)
    if (k instanceof Atom && k.name === "__struct__") return v instanceof Atom ? v.name : undefined;
  return undefined;
}

/** The recorder's `{:"$truncated", type, size, preview}`, shown as the preview plus a note. */
function truncation(t: Tuple, opts: Opts, limit: number, depth: number): Doc | undefined {
  const [tag, type, size, preview] = t.elements;
  if (
    t.elements.length !== 4 ||
    tag !== TRUNCATED ||
    !(type instanceof Atom) ||
    typeof size !== "number" ||
    size < 0
  )
    return undefined;
  switch (type.name) {
    case "binary":
      if (!(preview instanceof Bin)) return undefined;
      return { parts: [binary(preview, opts, limit, depth), note(size - preview.bytes.length, "bytes")] };
    case "list":
      if (!Array.isArray(preview)) return undefined;
      return list(preview, undefined, opts, limit, depth, Math.max(1, size - preview.length));
    case "map":
      if (!(preview instanceof ErlMap)) return undefined;
      return mapDoc(preview, opts, limit, depth, Math.max(1, size - preview.entries.length));
    case "tuple":
      if (!(preview instanceof Tuple)) return undefined;
      return container(
        "{",
        preview.elements,
        "}",
        opts,
        limit,
        depth,
        item,
        Math.max(1, size - preview.elements.length),
      );
    case "term":
      return `…(term of ${size} bytes truncated)`;
    default:
      return undefined;
  }
}

function note(n: number, unit: "bytes"): string {
  return `…(${Math.max(0, n)} ${n === 1 ? unit.slice(0, -1) : unit} truncated)`;
}

// ---- binaries and strings ----

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function binary(b: Bin, opts: Opts, limit: number, depth: number): Doc {
  if (b.bits === 8 || b.bytes.length === 0) {
    if (b.bytes.length === 0) return '""';
    const s = printableString(b.bytes, opts.printableLimit);
    if (s !== undefined) return s;
  }
  if (depth >= opts.depth) return "<<...>>";
  const n = b.bytes.length;
  const whole = b.bits === 8 ? n : n - 1;
  const items: Doc[] = [];
  let left = limit;
  for (let i = 0; i < whole; i++) {
    if (left === 0) {
      items.push("...");
      return { open: "<<", items, close: ">>" };
    }
    left--;
    items.push(String(b.bytes[i]));
  }
  if (whole < n) {
    if (left === 0) items.push("...");
    else items.push(`${b.bytes[n - 1] >> (8 - b.bits)}::size(${b.bits})`);
  }
  return { open: "<<", items, close: ">>" };
}

/** `"..."` when the first `limit` characters are printable (`String.printable?/2`), else undefined. */
function printableString(bytes: Uint8Array, limit: number): string | undefined {
  let s: string;
  let cut = false;
  try {
    s = utf8.decode(bytes);
  } catch {
    // Elixir only looks at the first `limit` characters: invalid UTF-8 after them still prints.
    const prefix = validPrefix(bytes, limit);
    if (prefix === undefined) return undefined;
    s = prefix;
    cut = true;
  }
  let count = 0;
  for (const ch of s) {
    if (count >= limit) break;
    if (!isPrintable(ch.codePointAt(0)!)) return undefined;
    count++;
  }
  const [escaped, more] = escape(s, '"', limit);
  return `"${escaped}"${more || cut ? " <> ..." : ""}`;
}

/** The first `limit` characters of `bytes` when they are valid UTF-8 (and more bytes follow). */
function validPrefix(bytes: Uint8Array, limit: number): string | undefined {
  let i = 0;
  for (let n = 0; n < limit; n++) {
    if (i >= bytes.length) return undefined;
    const b = bytes[i];
    const len =
      b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) return undefined;
    i += len;
  }
  try {
    return utf8.decode(bytes.subarray(0, i));
  } catch {
    return undefined;
  }
}

function isPrintable(c: number): boolean {
  return (
    (c >= 0x20 && c <= 0x7e) ||
    (c >= 7 && c <= 13) ||
    c === 27 ||
    c === 127 ||
    (c >= 0xa0 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0x10ffff)
  );
}

/** `~c"..."` when the list is a printable ASCII charlist (`List.ascii_printable?/2`), else undefined. */
function charlist(xs: Term[], limit: number, quotes: boolean): string | undefined {
  if (xs.length === 0) return undefined;
  let s = "";
  for (let i = 0; i < xs.length; i++) {
    const c = xs[i];
    if (typeof c !== "number") return undefined;
    if (i < limit ? !((c >= 32 && c <= 126) || (c >= 7 && c <= 13) || c === 27) : !(c >= 0 && c <= 0x10ffff))
      return undefined;
    if (i <= limit) s += String.fromCodePoint(c);
  }
  if (quotes) {
    const [q, qmore] = escape(s, "'", limit);
    return `'${q}'${qmore ? " ++ ..." : ""}`;
  }
  const [escaped, more] = escape(s, '"', limit);
  return `~c"${escaped}"${more ? " ++ ..." : ""}`;
}

const ESCAPES: Record<number, string> = {
  7: "\\a",
  8: "\\b",
  9: "\\t",
  10: "\\n",
  11: "\\v",
  12: "\\f",
  13: "\\r",
  27: "\\e",
  92: "\\\\",
  127: "\\d",
};

/** `Code.Identifier.escape/3`: escapes `quote`, `#{`, controls; stops after `limit` characters. */
function escape(s: string, quote: string, limit = Infinity): [string, boolean] {
  let out = "";
  let count = 0;
  const chars = Array.from(s);
  for (let i = 0; i < chars.length; i++) {
    if (count >= limit) return [out, true];
    count++;
    const ch = chars[i];
    const c = ch.codePointAt(0)!;
    if (ch === quote) out += "\\" + ch;
    else if (ch === "#" && chars[i + 1] === "{") {
      out += "\\#{";
      i++;
    } else if (ESCAPES[c] !== undefined) out += ESCAPES[c];
    else if (c === 0xfeff) out += "\\uFEFF";
    else if (c === 0) out += "\\0";
    else if (
      (c >= 0x20 && c <= 0x7e) ||
      (c >= 0xa0 && c <= 0xd7ff) ||
      (c >= 0xe000 && c <= 0xfffd) ||
      c >= 0x10000
    )
      out += ch;
    else if (c < 0x100) out += "\\x" + hex(c, 2);
    else out += "\\x{" + hex(c, 4) + "}";
  }
  return [out, false];
}

function hex(c: number, width: number): string {
  return c.toString(16).toUpperCase().padStart(width, "0");
}

// ---- atoms ----

/** Operators and punctuation atoms that Elixir prints without quotes (`:+`, `[<>: 1]`). */
const UNQUOTED_OPERATORS = new Set([
  "!", "%", "&", "*", "+", "-", ".", "/", "<", "=", ">", "@", "^", "|", "!=", "&&", "**", "++", "--", "->", "..",
  "<-", "<=", "<>", "<~", "==", "=~", ">=", "\\\\", "|>", "||", "~>", "!==", "&&&", "+++", "---", "...", "<<<",
  "<<~", "<~>", "===", ">>>", "|||", "~>>", "..//", "%{}", "{}", "<<>>",
]); // prettier-ignore
/** Of those, the ones that cannot be called as `Mod.op`. */
const NOT_CALLABLE = new Set(["%", "%{}", "{}", "<<>>", "...", "..", ".", "..//", "->"]);
/** Operators quoted as atoms (`:"::"`) but not as remote calls (`&Kernel.::/2`). */
const CALLABLE_QUOTED = new Set(["::", "<|>", "^^^", "~~~"]);

const ALIAS = /^Elixir(\.[A-Z][A-Za-z0-9_]*)*$/;
// Built on first use: creating a regular expression with Unicode property classes builds their
// character ranges (these took ~7.6M instructions, ~4 % of a whole `elixirscope info` run, at every
// start, though only a non-alias atom's inspection needs them).
let identifier: RegExp | undefined;

type AtomKind = "alias" | "lower" | "upper" | "operator" | "quoted";

const kinds = new Map<string, AtomKind>();

function atomKind(name: string): AtomKind {
  let k = kinds.get(name);
  if (k === undefined) {
    k = classify(name);
    if (kinds.size < 100000) kinds.set(name, k);
  }
  return k;
}

function classify(name: string): AtomKind {
  if (UNQUOTED_OPERATORS.has(name)) return "operator";
  if (ALIAS.test(name)) return "alias";
  identifier ??= /^[\p{L}\p{Nl}_][\p{ID_Continue}@]*[?!]?$/u;
  if (!identifier.test(name) || name.normalize("NFKC") !== name) return "quoted";
  const first = name.codePointAt(0)!;
  if (/\p{Lt}/u.test(String.fromCodePoint(first))) return "quoted";
  if (!singleScript(name)) return "quoted";
  return /[A-Z\p{Lu}]/u.test(String.fromCodePoint(first)) ? "upper" : "lower";
}

let scripts: Array<[string, RegExp]> | undefined;
const scriptTable = (): Array<[string, RegExp]> =>
  (scripts ??= [
    ["Latin", /\p{Script=Latin}/u],
    ["Greek", /\p{Script=Greek}/u],
    ["Cyrillic", /\p{Script=Cyrillic}/u],
    ["Han", /\p{Script=Han}/u],
    ["Hiragana", /\p{Script=Hiragana}/u],
    ["Katakana", /\p{Script=Katakana}/u],
    ["Hangul", /\p{Script=Hangul}/u],
    ["Bopomofo", /\p{Script=Bopomofo}/u],
    ["Armenian", /\p{Script=Armenian}/u],
    ["Hebrew", /\p{Script=Hebrew}/u],
    ["Arabic", /\p{Script=Arabic}/u],
    ["Georgian", /\p{Script=Georgian}/u],
  ]);
const CJK_MIXES = [
  new Set(["Latin", "Han", "Hiragana", "Katakana"]),
  new Set(["Latin", "Han", "Bopomofo"]),
  new Set(["Latin", "Han", "Hangul"]),
];

/** Elixir rejects identifiers that mix scripts (UTS 39), except Latin with CJK. An approximation. */
function singleScript(name: string): boolean {
  let ascii = true;
  for (let i = 0; i < name.length && ascii; i++) ascii = name.charCodeAt(i) < 0x80;
  if (ascii) return true;
  const seen = new Set<string>();
  for (const ch of name) {
    if (/[\p{Script=Common}\p{Script=Inherited}]/u.test(ch)) continue;
    const s = scriptTable().find(([, re]) => re.test(ch));
    seen.add(s === undefined ? "Other" : s[0]);
  }
  if (seen.size <= 1) return true;
  return CJK_MIXES.some((mix) => [...seen].every((s) => mix.has(s)));
}

/** How an atom prints as a value: `:ok`, `nil`, `Foo.Bar`, `:"with space"`. */
function atomLiteral(name: string): string {
  if (name === "nil" || name === "true" || name === "false") return name;
  switch (atomKind(name)) {
    case "alias":
      return name === "Elixir" || name === "Elixir.Elixir" || name.startsWith("Elixir.Elixir.")
        ? name
        : name.slice(7);
    case "quoted":
      return `:"${escape(name, '"')[0]}"`;
    default:
      return ":" + name;
  }
}

/** How an atom prints as a keyword key: `ok: `, `"my key": `. */
function atomKey(name: string): string {
  const k = atomKind(name);
  return k === "alias" || k === "quoted" ? `"${escape(name, '"')[0]}":` : name + ":";
}

/** How a function name prints after `Mod.`: `upcase`, `+`, `"my fun"`. */
function remoteName(name: string): string {
  const k = atomKind(name);
  const bare =
    (k === "lower" && !name.includes("@")) ||
    (k === "operator" && !NOT_CALLABLE.has(name)) ||
    CALLABLE_QUOTED.has(name);
  return bare ? name : `"${escape(name, '"')[0]}"`;
}

// ---- floats ----

/**
 * Elixir 1.14's `Inspect.Float`: whole floats below 1.0e16 print as `123.0`; others as OTP's shortest
 * round-trip form (`float_to_binary(f, [:short])`, Ryu plus OTP's fixed/scientific switch).
 */
export function formatFloat(x: number): string {
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(x);
  const sign = x < 0 ? "-" : "";
  if (abs >= 1 && abs < 1e16 && Number.isInteger(abs)) return `${sign}${abs}.0`;
  // JavaScript's shortest round-trip digits are Ryu's (both pick the closest shortest string).
  const [m, e] = abs.toExponential().split("e");
  const digits = m.replace(".", "");
  const sciExp = Number(e);
  const len = digits.length;
  const exp = sciExp - len + 1; // value = digits × 10^exp
  const lower = len === 1 ? -4 : -(len + 2);
  const upper = len === 1 || sciExp >= 10 ? 2 : 1;
  let fixed = lower <= exp && exp <= upper;
  if (fixed) {
    // OTP switches to scientific where fixed notation would print digits beyond 2^53.
    const out = BigInt(digits);
    if (
      (exp === 0 && out >= 1n << 53n) ||
      (exp === 1 && out > (1n << 52n) / 5n) ||
      (exp === 2 && out > (1n << 51n) / 25n)
    )
      fixed = false;
  }
  if (!fixed) return `${sign}${digits[0]}.${digits.slice(1) || "0"}e${sciExp}`;
  const whole = len + exp;
  if (exp >= 0) return `${sign}${digits}${"0".repeat(exp)}.0`;
  if (whole > 0) return `${sign}${digits.slice(0, whole)}.${digits.slice(whole)}`;
  return `${sign}0.${"0".repeat(-whole)}${digits}`;
}

// ---- structs with their own Inspect implementation ----

function field(m: ErlMap, name: string): Term | undefined {
  const key = Atom.of(name);
  for (const [k, v] of m.entries) if (k === key) return v;
  return undefined;
}

function int(t: Term | undefined): number | undefined {
  return typeof t === "number" ? t : undefined;
}

function specialStruct(name: string, m: ErlMap, opts: Opts, limit: number, depth: number): Doc | undefined {
  switch (name) {
    case "Elixir.Range": {
      const first = field(m, "first");
      const last = field(m, "last");
      const step = field(m, "step");
      if (typeof first !== "number" && typeof first !== "bigint") return undefined;
      if (typeof last !== "number" && typeof last !== "bigint") return undefined;
      // As Elixir: `first..last` only for an increasing range of step 1 (`0..-1//1` is empty).
      if (step === undefined || (step === 1 && last >= first)) return `${first}..${last}`;
      return typeof step === "number" || typeof step === "bigint" ? `${first}..${last}//${step}` : undefined;
    }
    case "Elixir.MapSet": {
      const inner = field(m, "map");
      if (!(inner instanceof ErlMap)) return undefined;
      const elems = inner.entries.map(([k]) => k);
      return { parts: ["MapSet.new(", list(elems, undefined, opts, limit, depth, 0), ")"] };
    }
    case "Elixir.Date":
      return isoCalendar(m) ? dateText(m).map((d) => `~D[${d}]`)[0] : undefined;
    case "Elixir.Time":
      return isoCalendar(m) ? timeText(m).map((t) => `~T[${t}]`)[0] : undefined;
    case "Elixir.NaiveDateTime": {
      if (!isoCalendar(m)) return undefined;
      const d = dateText(m)[0];
      const t = timeText(m)[0];
      return d !== undefined && t !== undefined ? `~N[${d} ${t}]` : undefined;
    }
    case "Elixir.DateTime": {
      if (!isoCalendar(m)) return undefined;
      const d = dateText(m)[0];
      const t = timeText(m)[0];
      const zone = field(m, "time_zone");
      const abbr = field(m, "zone_abbr");
      const utc = int(field(m, "utc_offset"));
      const std = int(field(m, "std_offset"));
      if (d === undefined || t === undefined || !(zone instanceof Bin) || !(abbr instanceof Bin))
        return undefined;
      if (utc === undefined || std === undefined) return undefined;
      const zoneName = new TextDecoder().decode(zone.bytes);
      if (zoneName === "Etc/UTC" && utc === 0 && std === 0) return `~U[${d} ${t}Z]`;
      const off = utc + std;
      const hh = String(Math.floor(Math.abs(off) / 3600)).padStart(2, "0");
      const mm = String(Math.floor((Math.abs(off) % 3600) / 60)).padStart(2, "0");
      return `#DateTime<${d} ${t}${off < 0 ? "-" : "+"}${hh}:${mm} ${new TextDecoder().decode(abbr.bytes)} ${zoneName}>`;
    }
    case "Elixir.Regex": {
      const source = field(m, "source");
      const ropts = field(m, "opts");
      if (!(source instanceof Bin)) return undefined;
      let flags = "";
      if (ropts instanceof Bin) flags = new TextDecoder().decode(ropts.bytes);
      else if (Array.isArray(ropts))
        flags = ropts
          .map((o) =>
            o instanceof Atom ? (Object.hasOwn(REGEX_FLAGS, o.name) ? REGEX_FLAGS[o.name] : "") : "",
          )
          .join("");
      return `~r/${regexEscape(new TextDecoder().decode(source.bytes))}/${flags}`;
    }
    default:
      return undefined;
  }
}

const REGEX_FLAGS: Record<string, string> = {
  caseless: "i",
  multiline: "m",
  extended: "x",
  dotall: "s",
  unicode: "u",
  ungreedy: "U",
  firstline: "f",
};

function regexEscape(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\" && s[i + 1] === "/") {
      out += "\\/";
      i++;
    } else if (c === "/") out += "\\/";
    else if (c === "\n") out += "\\n";
    else if (c === "\t") out += "\\t";
    else if (c === "\r") out += "\\r";
    else out += c;
  }
  return out;
}

function isoCalendar(m: ErlMap): boolean {
  const cal = field(m, "calendar");
  return cal === undefined || (cal instanceof Atom && cal.name === "Elixir.Calendar.ISO");
}

function pad(n: number, width: number): string {
  return (n < 0 ? "-" : "") + String(Math.abs(n)).padStart(width, "0");
}

function dateText(m: ErlMap): string[] {
  const y = int(field(m, "year"));
  const mo = int(field(m, "month"));
  const d = int(field(m, "day"));
  return y === undefined || mo === undefined || d === undefined
    ? []
    : [`${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}`];
}

function timeText(m: ErlMap): string[] {
  const h = int(field(m, "hour"));
  const mi = int(field(m, "minute"));
  const s = int(field(m, "second"));
  const us = field(m, "microsecond");
  if (h === undefined || mi === undefined || s === undefined) return [];
  let frac = "";
  if (us instanceof Tuple && us.elements.length === 2) {
    const [v, p] = us.elements;
    if (typeof v !== "number" || typeof p !== "number") return [];
    if (p > 0) frac = "." + String(v).padStart(6, "0").slice(0, p);
  }
  return [`${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${frac}`];
}
