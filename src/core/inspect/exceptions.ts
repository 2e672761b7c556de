// What a debugger shows about an exception or a crash at a moment: a one-line summary, and the
// details with the stacktrace printed as Elixir prints one (a crashed GenServer's exit
// reason `{reason, stacktrace}` carries the stack the error unwound through).

import type { Replay } from "../replay";
import { mfaLabel } from "../store/eventDecode";
import { inspect } from "../terms/inspect";
import { Atom, Bin, type Term, Tuple } from "../terms/term";
import { InspectError } from "./errors";

export function exceptionSummary(r: Replay, index: number, label: (pid: number) => string): string {
  const e = r.event(index);
  if (e.exception) return `${e.exception.class}: ${inspect(e.exception.reason, { limit: 8 })}`;
  return `${label(e.pid)} exited: ${inspect(e.detail ?? e.raw, { limit: 8 })}`;
}

export interface ExceptionDetails {
  /** `error`, `throw`, `exit`. */
  exceptionId: string;
  description: string;
  details: { message: string; typeName: string; stackTrace?: string };
}

/** The exception or exit at an event; an InspectError when the event is neither. */
export function exceptionInfo(
  r: Replay,
  index: number | undefined,
  label: (pid: number) => string,
): ExceptionDetails {
  const e = index === undefined ? undefined : r.event(index);
  if (!e || (e.kind !== "exception" && e.kind !== "exit"))
    throw new InspectError("this thread is not stopped at an exception or an exit");
  const reason = e.exception?.reason ?? e.detail ?? e.raw;
  // The exception's stacktrace is often empty in the trace; its process's exit may carry it.
  const stack = r.exceptionStack(e.index);
  return {
    exceptionId: e.exception ? e.exception.class : "exit",
    description: exceptionSummary(r, e.index, label),
    details: {
      message: inspect(reason, { limit: 50 }),
      typeName: e.exception ? `${e.exception.class} in ${e.mfa ? mfaLabel(e.mfa) : "?"}` : "process exit",
      stackTrace: stack === undefined ? undefined : formatStacktrace(stack),
    },
  };
}

/** An Erlang stacktrace as Elixir prints one (`    lib/x.ex:12: Mod.fun/2`); undefined when it is not one. */
export function formatStacktrace(t: Term): string | undefined {
  if (!Array.isArray(t) || t.length === 0) return undefined;
  const lines: string[] = [];
  for (const entry of t) {
    if (!(entry instanceof Tuple) || entry.elements.length !== 4) return undefined;
    const [m, f, a, loc] = entry.elements;
    if (!(m instanceof Atom) || !(f instanceof Atom)) return undefined;
    const arity = typeof a === "number" ? a : Array.isArray(a) ? a.length : 0;
    const kw = Array.isArray(loc) ? loc : [];
    const get = (k: string): Term | undefined =>
      kw.find((x): x is Tuple => x instanceof Tuple && x.elements[0] === Atom.of(k))?.elements[1];
    const file = get("file");
    const line = get("line");
    const where = Array.isArray(file)
      ? String.fromCodePoint(...(file as number[]))
      : file instanceof Bin
        ? Buffer.from(file.bytes).toString()
        : "";
    const at = where ? `${where}${typeof line === "number" ? `:${line}` : ""}: ` : "";
    lines.push(`    ${at}${mfaLabel({ module: m.name, fun: f.name, arity })}`);
  }
  return lines.join("\n");
}
