// Function patterns as people write them: `CinemaDemo.TicketOffice.reserve/3`, `TicketOffice.reserve`,
// `TicketOffice.*`, `*.handle_call/3`, `:lists.map/2`. A module may be given by its last segments
// (`TicketOffice` matches `CinemaDemo.TicketOffice`); `*` matches anything within a part.
// Patterns come from users and from DAP clients, so matching is a glob walk, never a regular
// expression: no input can make it backtrack exponentially.

import { ReplayError } from "./errors";
import type { Mfa } from "./types";

/** Longest pattern accepted (characters); longer ones are refused before any parsing. */
export const MAX_PATTERN_LENGTH = 4096;

export interface FunctionPattern {
  text: string;
  /** Glob over the module's atom name; `undefined` matches every module. */
  module?: string;
  /** Erlang-style `:mod`: the glob must match the whole atom, no `Elixir.` prefix or suffix segments. */
  exactModule: boolean;
  fun?: string;
  arity?: number;
}

// Linear in the input: each part is a plain character class, no nested quantifiers.
const MODULE_PART = /^:?[A-Za-z0-9_.*$@]+$/;
const FUN_PART = /^(?:[a-z_*][A-Za-z0-9_?!*]*|"[^"]+")$/;
const LONE_FUN = /^[a-z_][A-Za-z0-9_?!]*$/;

export function parseFunctionPattern(text: string): FunctionPattern {
  if (text.length > MAX_PATTERN_LENGTH)
    throw new ReplayError(
      `bad function pattern: ${text.length} characters, the limit is ${MAX_PATTERN_LENGTH}`,
    );
  const src = text.trim();
  const bad = (): never => {
    throw new ReplayError(
      `bad function pattern "${src.length > 80 ? `${src.slice(0, 80)}…` : src}": expected Module.fun/arity (e.g. TicketOffice.reserve/3, Mod.*, :lists.map/2)`,
    );
  };
  const anon = anonymousFunction(src);
  if (anon === null) bad();
  if (anon) return anon;
  // Split off `/arity`, then the function: the last `.` outside a quoted name (`Mod."odd.name"`).
  let rest = src;
  let arity: number | undefined;
  const slash = rest.lastIndexOf("/");
  if (slash >= 0 && !rest.slice(slash).includes('"')) {
    const a = rest.slice(slash + 1);
    if (a !== "*" && !/^\d{1,9}$/.test(a)) bad();
    arity = a === "*" ? undefined : Number(a);
    rest = rest.slice(0, slash);
  }
  let mod: string;
  let fun: string | undefined;
  if (rest.endsWith('"')) {
    const open = rest.lastIndexOf('."', rest.length - 2);
    if (open < 0) bad();
    mod = rest.slice(0, open);
    fun = rest.slice(open + 1);
  } else {
    const dot = rest.lastIndexOf(".");
    const tail = dot >= 0 ? rest.slice(dot + 1) : "";
    // `Mod.fun` when the last segment is lowercase or a star; `CinemaDemo.TicketOffice` stays a module.
    if (dot > 0 && FUN_PART.test(tail)) {
      mod = rest.slice(0, dot);
      fun = tail;
    } else mod = rest;
  }
  if (!MODULE_PART.test(mod) || (fun !== undefined && !FUN_PART.test(fun))) bad();
  // A lone lowercase name (`handle_call/3`) is a function of any module; Erlang modules take a colon.
  if (fun === undefined && LONE_FUN.test(mod)) {
    fun = mod;
    mod = "*";
  }
  const exactModule = mod.startsWith(":");
  const modGlob = exactModule ? mod.slice(1) : mod;
  const funGlob = fun === undefined ? undefined : fun.replace(/^"|"$/g, "");
  return {
    text: src,
    module: modGlob === "*" ? undefined : collapseStars(modGlob),
    exactModule,
    fun: funGlob === undefined || funGlob === "*" ? undefined : collapseStars(funGlob),
    arity,
  };
}

/**
 * A compiler-named function as `events` prints it, unquoted: `Scenarios.-run/4-fun-0-/4` (the name
 * holds a `/`, so the usual split would cut it). `undefined`: not of that form; `null`: malformed.
 */
function anonymousFunction(src: string): FunctionPattern | undefined | null {
  const at = src.indexOf(".-");
  if (at <= 0 || src.includes('"')) return undefined;
  const end = src.lastIndexOf("-");
  if (end <= at + 1) return undefined;
  const mod = src.slice(0, at);
  const fun = src.slice(at + 1, end + 1);
  const tail = src.slice(end + 1);
  if (tail !== "" && !/^\/(?:\d{1,9}|\*)$/.test(tail)) return null;
  if (!MODULE_PART.test(mod)) return null;
  const exactModule = mod.startsWith(":");
  const modGlob = exactModule ? mod.slice(1) : mod;
  return {
    text: src,
    module: modGlob === "*" ? undefined : collapseStars(modGlob),
    exactModule,
    fun: collapseStars(fun),
    arity: tail === "" || tail === "/*" ? undefined : Number(tail.slice(1)),
  };
}

export function matchesFunction(p: FunctionPattern, mfa: Mfa): boolean {
  return (
    (p.arity === undefined || p.arity === mfa.arity) &&
    (p.fun === undefined || globMatch(p.fun, mfa.fun, 0)) &&
    (p.module === undefined || moduleMatches(p.module, p.exactModule, mfa.module))
  );
}

/**
 * An Elixir module pattern matches the atom name with or without `Elixir.`, and may name only its
 * last segments: `TicketOffice` matches `Elixir.CinemaDemo.TicketOffice`.
 */
function moduleMatches(glob: string, exact: boolean, name: string): boolean {
  if (exact || globMatch(glob, name, 0)) return exact ? globMatch(glob, name, 0) : true;
  const base = name.startsWith("Elixir.") ? 7 : 0;
  if (base > 0 && globMatch(glob, name, base)) return true;
  // Leading segments may be dropped only where they are plain `Name.` segments.
  for (let i = base; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 46 /* . */) {
      if (i === base || name.charCodeAt(i - 1) === 46) return false;
      if (globMatch(glob, name, i + 1)) return true;
    } else if (!isWordChar(c)) return false;
  }
  return false;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** `a**b` is `a*b`: fewer stars, same language. */
function collapseStars(glob: string): string {
  return glob.replace(/\*+/g, "*");
}

/**
 * Whether `glob` (`*` = any run of characters) matches `s` from `from` to its end. The classic
 * two-pointer walk: on a mismatch it retries only from the last star, so the cost is at most
 * |glob| × |s| steps, whatever the stars.
 */
export function globMatch(glob: string, s: string, from: number): boolean {
  let g = 0;
  let i = from;
  let star = -1;
  let mark = 0;
  while (i < s.length) {
    if (g < glob.length && glob[g] !== "*" && glob[g] === s[i]) {
      g++;
      i++;
    } else if (g < glob.length && glob[g] === "*") {
      star = g++;
      mark = i;
    } else if (star >= 0) {
      g = star + 1;
      i = ++mark;
    } else return false;
  }
  while (g < glob.length && glob[g] === "*") g++;
  return g === glob.length;
}
