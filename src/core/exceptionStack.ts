// Where an exception happened. The BEAM's exception trace gives a class and a reason but no
// stacktrace; when the error went on to end its process, the exit reason `{reason, stacktrace}`
// carries the stack it unwound through. An exception event gets that stack when its process then
// exited with the same reason, and the line that raised is the stack's entry for its function.

import { termEquals } from "./terms/equal";
import { Atom, type Term, Tuple } from "./terms/term";
import type { Mfa, TraceEvent } from "./types";

/** An Erlang stacktrace: a non-empty list of `{m, f, arity | args, location}`. */
export function isStacktrace(t: Term | undefined): t is Tuple[] {
  return (
    Array.isArray(t) &&
    t.length > 0 &&
    t.every((x) => x instanceof Tuple && x.elements.length === 4 && x.elements[0] instanceof Atom)
  );
}

/** The stacktrace an exit reason `{reason, stacktrace}` carries. */
export function stackOfExit(reason: Term | undefined): Tuple[] | undefined {
  if (reason instanceof Tuple && reason.elements.length === 2 && isStacktrace(reason.elements[1]))
    return reason.elements[1];
  return undefined;
}

/**
 * The stacktrace of an exception event: its own when the recorder gave one, else the one its
 * process's exit carried when that exit's reason is this exception's.
 */
export function stackOfException(e: TraceEvent, exit: TraceEvent | undefined): Tuple[] | undefined {
  if (!e.exception) return undefined;
  if (isStacktrace(e.exception.stacktrace)) return e.exception.stacktrace;
  if (!exit || exit.kind !== "exit") return undefined;
  const reason = exit.detail;
  if (!(reason instanceof Tuple) || reason.elements.length !== 2) return undefined;
  return termEquals(reason.elements[0], e.exception.reason) ? stackOfExit(reason) : undefined;
}

/** The line a stacktrace gives for `mfa` (the first entry of that function). */
export function lineIn(stack: Tuple[], mfa: Mfa): number | undefined {
  for (const entry of stack) {
    const [m, f, a, loc] = entry.elements;
    const arity = typeof a === "number" ? a : Array.isArray(a) ? a.length : -1;
    if (!(m instanceof Atom) || m.name !== mfa.module || !(f instanceof Atom) || f.name !== mfa.fun) continue;
    if (arity !== mfa.arity) continue;
    const line = Array.isArray(loc)
      ? loc.find((x): x is Tuple => x instanceof Tuple && x.elements[0] === Atom.of("line"))?.elements[1]
      : undefined;
    return typeof line === "number" ? line : undefined;
  }
  return undefined;
}
