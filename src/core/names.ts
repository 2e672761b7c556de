// What a process is called, from the terms a recording holds: a registered atom, a `Registry`
// via-name (`{:via, Registry, {Reg, "ann"}}`), a `:global` name or a `:pg` group; and what it runs,
// from its spawn (`proc_lib`, `gen` and `Task` starts translated the way `proc_lib` sets
// `$initial_call`), so that an unnamed process reads as its module, not `:proc_lib.init_p/5`.

import { inspect } from "./terms/inspect";
import { Atom, ExportFun, Fun, type Term, Tuple } from "./terms/term";
import type { Mfa } from "./types";

/**
 * The text a name term is shown and found by: an atom's name (`Elixir.Foo` stays whole, as before),
 * a via or `:global` key as `inspect` prints it (`"ann"`), a `:pg` group as `pg "riders"`.
 */
export function nameText(t: Term | undefined): string | undefined {
  if (t instanceof Atom) return t.name;
  if (!(t instanceof Tuple)) return undefined;
  const [tag, a, b] = t.elements;
  if (tag === Atom.of("via") && t.elements.length === 3) {
    // {:via, Registry, {Reg, key}}: the key; any other via module: its whole name term.
    if (b instanceof Tuple && b.elements.length === 2) return inspect(b.elements[1], { limit: 8 });
    return b === undefined ? undefined : inspect(b, { limit: 8 });
  }
  if (tag === Atom.of("global") && t.elements.length === 2)
    return a instanceof Atom ? a.name : inspect(a, { limit: 8 });
  if (tag === Atom.of("pg") && t.elements.length === 2) return `pg ${inspect(a, { limit: 8 })}`;
  return undefined;
}

/**
 * The function a spawned process runs, from the spawn's `{m, f, args}`: `proc_lib` starts are
 * unwrapped, `gen` starts give the callback module's `init/1` (a supervisor's own module), a `Task`
 * the function it was given, `spawn(fn)` the module the fun was defined in (`fn/0`: the BEAM's fun
 * term carries no name). Undefined when the spawn says nothing more than its `{m, f, arity}`.
 */
export function initialCallOf(init: Term | undefined): Mfa | undefined {
  if (!(init instanceof Tuple) || init.elements.length !== 3) return undefined;
  const [m, f, args] = init.elements;
  if (!(m instanceof Atom) || !(f instanceof Atom) || !Array.isArray(args)) return undefined;
  if (m.name === "proc_lib" && (f.name === "init_p" || f.name === "init_it") && args.length === 5) {
    const inner = new Tuple([args[2], args[3], args[4]]);
    return initialCallOf(inner) ?? plainMfa(inner);
  }
  if (m.name === "gen" && f.name === "init_it" && (args.length === 6 || args.length === 7)) {
    const mod = args[args.length - 3];
    const modArgs = args[args.length - 2];
    // A supervisor runs `supervisor` with `{name, SupMod, args}`: the module is SupMod.
    if (mod === Atom.of("supervisor") && modArgs instanceof Tuple && modArgs.elements[1] instanceof Atom)
      return { module: modArgs.elements[1].name, fun: "init", arity: 1 };
    return mod instanceof Atom ? { module: mod.name, fun: "init", arity: 1 } : undefined;
  }
  if (m.name === "Elixir.Task.Supervised" && args.length > 0) {
    const last = args[args.length - 1];
    if (last instanceof Tuple && last.elements.length === 3) return initialCallOf(last) ?? plainMfa(last);
  }
  if (m.name === "erlang" && f.name === "apply" && args.length === 2) return funMfa(args[0], args[1]);
  return undefined;
}

function funMfa(fun: Term, args: Term): Mfa | undefined {
  const n = Array.isArray(args) ? args.length : 0;
  if (fun instanceof ExportFun) return { module: fun.module.name, fun: fun.fun.name, arity: fun.arity };
  if (fun instanceof Fun) return { module: fun.module.name, fun: "fn", arity: n };
  return undefined;
}

function plainMfa(t: Tuple): Mfa | undefined {
  const [m, f, a] = t.elements;
  if (
    m instanceof Atom &&
    m.name === "erlang" &&
    f === Atom.of("apply") &&
    Array.isArray(a) &&
    a.length === 2
  )
    return funMfa(a[0], a[1]);
  if (!(m instanceof Atom) || !(f instanceof Atom)) return undefined;
  const n = Array.isArray(a) ? a.length : typeof a === "number" ? a : -1;
  return n >= 0 ? { module: m.name, fun: f.name, arity: n } : undefined;
}
