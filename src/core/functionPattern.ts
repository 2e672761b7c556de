// Function patterns as people write them: `CinemaDemo.TicketOffice.reserve/3`, `TicketOffice.reserve`,
// `TicketOffice.*`, `*.handle_call/3`, `:lists.map/2`. A module may be given by its last segments
// (`TicketOffice` matches `CinemaDemo.TicketOffice`); `*` matches anything within a part.

import { ReplayError } from "./errors";
import type { Mfa } from "./types";

export interface FunctionPattern {
  text: string;
  module: RegExp;
  fun: RegExp;
  arity?: number;
}

const PATTERN = /^(:?[A-Za-z0-9_.*$@]+?)(?:\.([a-z_*][A-Za-z0-9_?!*]*|"[^"]+"))?(?:\/(\d+|\*))?$/;

export function parseFunctionPattern(text: string): FunctionPattern {
  const src = text.trim();
  const m = PATTERN.exec(src);
  if (!m || src === "")
    throw new ReplayError(
      `bad function pattern "${text}": expected Module.fun/arity (e.g. TicketOffice.reserve/3, Mod.*, :lists.map/2)`,
    );
  let [, mod, fun] = m;
  const arity = m[3];
  // A lone lowercase name (`handle_call/3`) is a function of any module; Erlang modules take a colon.
  if (fun === undefined && /^[a-z_][A-Za-z0-9_?!]*$/.test(mod)) {
    fun = mod;
    mod = "*";
  }
  const moduleRe = mod.startsWith(":")
    ? new RegExp(`^${wild(mod.slice(1))}$`)
    : mod === "*"
      ? /^/
      : new RegExp(`^(?:Elixir\\.)?(?:[A-Za-z0-9_]+\\.)*${wild(mod)}$`);
  const funRe = fun === undefined || fun === "*" ? /^/ : new RegExp(`^${wild(fun.replace(/^"|"$/g, ""))}$`);
  return {
    text: src,
    module: moduleRe,
    fun: funRe,
    arity: arity === undefined || arity === "*" ? undefined : Number(arity),
  };
}

export function matchesFunction(p: FunctionPattern, mfa: Mfa): boolean {
  return (p.arity === undefined || p.arity === mfa.arity) && p.fun.test(mfa.fun) && p.module.test(mfa.module);
}

function wild(s: string): string {
  return s
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
}
