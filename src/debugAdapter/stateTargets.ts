// What a data breakpoint or `elixirscope/lastChange` watches: a path inside one process's GenServer
// state, named from a variable under Process state, from a `state...` expression at a moment, or from
// a pid and a path (text like `state.seats[12]`, or a list of keys in the tagged JSON of terms).

import type { Replay } from "../core/replay";
import { inspect } from "../core/terms/inspect";
import { jsonToTerm } from "../core/terms/json";
import type { Term } from "../core/terms/term";
import { accessPath, parseExpr } from "./condition";
import { AdapterError } from "./errors";
import { CHANGED_MARK, type VariableStore } from "./variables";

export interface StateTarget {
  pid: number;
  path: Term[];
  /** `#PID<0.187.0> CinemaDemo.TicketOffice state.seats[12]` */
  text: string;
}

function describe(r: Replay, pid: number, path: string): string {
  return `${r.process(pid).label} ${path}`;
}

/** A variable under Process state (the `state` variable itself or anything inside it); else undefined. */
export function targetOfVariable(
  r: Replay,
  vars: VariableStore,
  ref: number,
  name: string,
): StateTarget | undefined {
  const c = vars.get(ref);
  if (c?.kind === "term" && c.state) {
    const child = vars.child(c, name);
    if (!child || child.key.length === 0) return undefined;
    const text = child.evaluateName ?? `${c.evaluateName ?? "state"}[${name}]`;
    return { pid: c.state.pid, path: [...c.state.path, ...child.key], text: describe(r, c.state.pid, text) };
  }
  if (c?.kind === "list") {
    const bare = name.replace(CHANGED_MARK, "");
    const v = c.variables.find((x) => x.name.replace(CHANGED_MARK, "") === bare);
    const place = v?.variablesReference ? vars.get(v.variablesReference) : undefined;
    if (v?.evaluateName === "state" && place?.kind === "term" && place.state)
      return { pid: place.state.pid, path: [], text: describe(r, place.state.pid, "state") };
  }
  return undefined;
}

/** `state.seats[12]` in the process of the event at `at`; undefined when it is no path in a state. */
export function targetOfExpression(r: Replay, expression: string, at: number): StateTarget | undefined {
  const p = accessPath(parseExpr(expression));
  if (p?.root !== "state") return undefined;
  const pid = r.pidOf(at);
  // A process that has a state at some moment can be watched from any moment, even before its init.
  if (r.stateHistory(pid).length === 0) return undefined;
  return { pid, path: p.path, text: describe(r, pid, expression.trim()) };
}

/** `{pid, path}` as a client sends them; throws an AdapterError naming what is wrong. */
export function targetOfPidPath(r: Replay, pid: unknown, path: unknown, what: string): StateTarget {
  if (typeof pid !== "string" && typeof pid !== "number")
    throw new AdapterError(`${what}: pid must be a pid text, a name or a process id`);
  const id = r.findProcess(pid).id;
  const p = pathArg(path, what);
  return { pid: id, path: p.terms, text: describe(r, id, p.text) };
}

function pathArg(path: unknown, what: string): { terms: Term[]; text: string } {
  if (Array.isArray(path)) {
    try {
      const terms = path.map((p, i) => jsonToTerm(p, `path[${i}]`));
      return { terms, text: `state${terms.map((t) => `[${inspect(t)}]`).join("")}` };
    } catch (e) {
      throw new AdapterError(`${what}: ${(e as Error).message}`);
    }
  }
  if (typeof path !== "string")
    throw new AdapterError(`${what}: path must be text like "state.seats[12]" or a list of keys`);
  const t = path.trim();
  const text = t.startsWith("state") ? t : `state${/^[.[]/.test(t) ? "" : "."}${t}`;
  const p = accessPath(parseExpr(text));
  if (!p || p.root !== "state") throw new AdapterError(`${what}: "${path}" is not a path in a state`);
  return { terms: p.path, text };
}
