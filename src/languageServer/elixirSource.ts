// Just enough reading of Elixir source for hovers: the `def` heads of a document (name, parameters,
// guard, module), the aliases in force, and what stands under the cursor (a word, a call). Not a
// parser: it reads the lines people write in practice and says "don't know" for the rest.

export interface DefHead {
  kind: "def" | "defp" | "defmacro" | "defmacrop";
  name: string;
  /** The module the head is in, as written in `defmodule` (`CinemaDemo.TicketOffice`), if any. */
  module?: string;
  /** 0-based line of the `def`. */
  line: number;
  /** Offsets of the function name in the text. */
  nameStart: number;
  nameEnd: number;
  /** The parameters' source texts, with their offsets (empty for `def foo do`). */
  params: Array<{ text: string; start: number }>;
  /** Count of parameters with a `\\` default (the head stands for several arities). */
  defaults: number;
  hasGuard: boolean;
  /** Offset just past the head (the closing parenthesis, or the name). */
  headEnd: number;
}

export interface SourceFacts {
  defs: DefHead[];
  /** Alias → full module name (`TicketOffice` → `CinemaDemo.TicketOffice`). */
  aliases: Map<string, string>;
  /** Offset of the start of each line. */
  lineStarts: number[];
}

const DEF = /^[ \t]*(defp|defmacrop|defmacro|def)[ \t]+([a-z_][A-Za-z0-9_]*[?!]?)/gm;
const MODULE = /^[ \t]*defmodule[ \t]+([A-Z][A-Za-z0-9_.]*)/gm;
const ALIAS =
  /^[ \t]*alias[ \t]+([A-Z][A-Za-z0-9_]*(?:\.[A-Z][A-Za-z0-9_]*)*)(?:\.\{([^}]*)\})?(?:[ \t]*,[ \t]*as:[ \t]*([A-Z][A-Za-z0-9_]*))?/gm;

export function readSource(text: string): SourceFacts {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineOf = (offset: number): number => upperBound(lineStarts, offset) - 1;

  const modules: Array<{ offset: number; name: string }> = [];
  for (const m of text.matchAll(MODULE)) modules.push({ offset: m.index, name: m[1] });
  const aliases = new Map<string, string>();
  for (const m of text.matchAll(ALIAS)) {
    const base = m[1];
    if (m[2] === undefined) aliases.set(m[3] ?? base.split(".").pop()!, base);
    else
      for (const part of m[2].split(",").map((x) => x.trim()))
        if (part) aliases.set(part.split(".").pop()!, `${base}.${part}`);
  }
  // `__MODULE__` and the module's own last segment name the module itself.
  for (const mod of modules) aliases.set(mod.name.split(".").pop()!, mod.name);

  const defs: DefHead[] = [];
  for (const m of text.matchAll(DEF)) {
    const nameStart = m.index + m[0].length - m[2].length;
    const nameEnd = nameStart + m[2].length;
    const params: DefHead["params"] = [];
    let headEnd = nameEnd;
    if (text[nameEnd] === "(") {
      const close = matching(text, nameEnd);
      if (close < 0) continue;
      for (const p of splitTopLevel(text, nameEnd + 1, close)) params.push(p);
      headEnd = close + 1;
    }
    const module = [...modules].reverse().find((x) => x.offset < m.index)?.name;
    defs.push({
      kind: m[1] as DefHead["kind"],
      name: m[2],
      module,
      line: lineOf(m.index),
      nameStart,
      nameEnd,
      params,
      defaults: params.filter((p) => /\\\\/.test(p.text)).length,
      hasGuard: /^\s+when\s/.test(text.slice(headEnd, headEnd + 200)),
      headEnd,
    });
  }
  return { defs, aliases, lineStarts };
}

/** The arities a head stands for (one per number of defaults used). */
export function aritiesOf(d: DefHead): number[] {
  const out: number[] = [];
  for (let k = 0; k <= d.defaults; k++) out.push(d.params.length - k);
  return out;
}

/** The identifier (`foo`, `foo?`, `Foo.Bar`) covering `offset`, with its range. */
export function wordAt(
  text: string,
  offset: number,
): { word: string; start: number; end: number } | undefined {
  const isWord = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);
  let s = offset;
  if (/[?!]/.test(text[s] ?? "") && isWord(text[s - 1])) s--;
  while (s > 0 && isWord(text[s - 1])) s--;
  let e = Math.max(s, offset);
  while (isWord(text[e])) e++;
  // `?`/`!` only end a name.
  if (e > s && /[?!]/.test(text[e] ?? "")) e++;
  if (e === s || /[0-9]/.test(text[s])) return undefined;
  return { word: text.slice(s, e), start: s, end: e };
}

/** A call under the cursor: `Mod.fun(`, `fun(`, `|> fun(`, with the module as written and the arity when countable. */
export function callAt(
  text: string,
  offset: number,
): { module?: string; fun: string; arity?: number; start: number } | undefined {
  const w = wordAt(text, offset);
  if (!w || !/^[a-z_]/.test(w.word)) return undefined;
  let i = w.end;
  while (text[i] === " ") i++;
  const paren = text[i] === "(";
  let module: string | undefined;
  if (text[w.start - 1] === ".") {
    const m = /([A-Z][A-Za-z0-9_.]*|__MODULE__|:[a-z_][A-Za-z0-9_]*)\.$/.exec(
      text.slice(Math.max(0, w.start - 200), w.start),
    );
    if (!m) return undefined;
    module = m[1];
  } else if (!paren) return undefined;
  let arity: number | undefined;
  if (paren) {
    const close = matching(text, i);
    if (close >= 0) arity = splitTopLevel(text, i + 1, close).length;
  } else arity = 0;
  const before = text.slice(Math.max(0, w.start - 40), module ? w.start - module.length - 1 : w.start);
  if (arity !== undefined && /\|>\s*$/.test(before)) arity++;
  return { module, fun: w.word, arity, start: w.start };
}

/** The offset of the bracket closing the one at `open`, skipping strings; -1 when unbalanced. */
export function matching(text: string, open: number): number {
  const pairs: Record<string, string> = { "(": ")", "[": "]", "{": "}" };
  const stack: string[] = [];
  for (let i = open; i < text.length && i < open + 20_000; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      i = skipString(text, i);
      continue;
    }
    if (c === "?" && i + 1 < text.length) {
      i++; // a character literal like ?( is not a bracket
      continue;
    }
    if (c in pairs) stack.push(pairs[c]);
    else if (c === ")" || c === "]" || c === "}") {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

function skipString(text: string, i: number): number {
  const q = text[i];
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === "\\") j++;
    else if (text[j] === q) return j;
  }
  return text.length;
}

/** Comma-separated items between `from` and `to` at bracket depth 0. */
export function splitTopLevel(
  text: string,
  from: number,
  to: number,
): Array<{ text: string; start: number }> {
  const out: Array<{ text: string; start: number }> = [];
  let depth = 0;
  let itemStart = from;
  const push = (end: number): void => {
    const raw = text.slice(itemStart, end);
    const lead = raw.length - raw.trimStart().length;
    if (raw.trim() !== "") out.push({ text: raw.trim(), start: itemStart + lead });
  };
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === '"' || c === "'") i = skipString(text, i);
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (c === "," && depth === 0) {
      push(i);
      itemStart = i + 1;
    }
  }
  push(to);
  return out;
}

function upperBound(xs: number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
