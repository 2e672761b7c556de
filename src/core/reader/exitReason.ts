// Which exit reasons are normal: `:normal`, `:shutdown` and `{:shutdown, _}` end a process on purpose;
// anything else is a crash (and is what "process crash" breakpoints stop at).

import { Atom, type Term, Tuple } from "../terms/term";

export function isNormalExit(reason: Term): boolean {
  if (reason instanceof Atom) return reason.name === "normal" || reason.name === "shutdown";
  return (
    reason instanceof Tuple && reason.elements.length === 2 && reason.elements[0] === Atom.of("shutdown")
  );
}
