// What a data breakpoint or `elixirscope/lastChange` watches: a path inside one process's GenServer
// state, named from a variable under Process state, from a `state...` expression at a moment, or from
// a pid and a path (text like `state.seats[12]`, or a list of keys in the tagged JSON of terms).

import type { Replay } from "../replay";
import { inspect } from "../terms/inspect";
import { jsonToTerm } from "../terms/json";
import type { Term } from "../terms/term";
import { accessPath, parseExpr } from "./expression";
import { InspectError } from "./errors";

export interface StateTarget {
  pid: number;
  path: Term[];
  /** `#PID<0.187.0> CinemaDemo.TicketOffice state.seats[12]` */
  text: string;
}

export function describeTarget(r: Replay, pid: number, path: string): string {
  return `${r.process(pid).label} ${path}`;
}

/** `state.seats[12]` in the process of the event at `at`; undefined when it is no path in a state. */
export function targetOfExpression(r: Replay, expression: string, at: number): StateTarget | undefined {
  const p = accessPath(parseExpr(expression));
  if (p?.root !== "state") return undefined;
  const pid = r.pidOf(at);
  // A process that has a state at some moment can be watched from any moment, even before its init.
  if (r.stateHistory(pid).length === 0) return undefined;
  return { pid, path: p.path, text: describeTarget(r, pid, expression.trim()) };
}

/** `{pid, path}` as a client sends them; throws an AdapterError naming what is wrong. */
export function targetOfPidPath(r: Replay, pid: unknown, path: unknown, what: string): StateTarget {
  if (typeof pid !== "string" && typeof pid !== "number")
    throw new InspectError(`${what}: pid must be a pid text, a name or a process id`);
  const id = r.findProcess(pid).id;
  const p = pathArg(path, what);
  return { pid: id, path: p.terms, text: describeTarget(r, id, p.text) };
}

function pathArg(path: unknown, what: string): { terms: Term[]; text: string } {
  if (Array.isArray(path)) {
    try {
      const terms = path.map((p, i) => jsonToTerm(p, `path[${i}]`));
      return { terms, text: `state${terms.map((t) => `[${inspect(t)}]`).join("")}` };
    } catch (e) {
      throw new InspectError(`${what}: ${(e as Error).message}`);
    }
  }
  if (typeof path !== "string")
    throw new InspectError(`${what}: path must be text like "state.seats[12]" or a list of keys`);
  const t = path.trim();
  const text = t.startsWith("state") ? t : `state${/^[.[]/.test(t) ? "" : "."}${t}`;
  const p = accessPath(parseExpr(text));
  if (!p || p.root !== "state") throw new InspectError(`${what}: "${path}" is not a path in a state`);
  return { terms: p.path, text };
}
