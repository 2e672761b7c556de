// What a data breakpoint or `elixirscope/lastChange` names through the Variables view: a variable
// under Process state (the `state` variable itself, or anything inside it), found by its reference
// and name. Expressions and `{pid, path}` are resolved by the core's state targets.

import { describeTarget, type StateTarget } from "../core/inspect/stateTargets";
import type { Replay } from "../core/replay";
import type { VariableStore } from "./variables";

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
    return {
      pid: c.state.pid,
      path: [...c.state.path, ...child.key],
      text: describeTarget(r, c.state.pid, text),
    };
  }
  // "Break on Value Change" on the `state` variable itself (whatever its shape, a counter too).
  if (c?.kind === "list" && c.statePid !== undefined && name === "state")
    return { pid: c.statePid, path: [], text: describeTarget(r, c.statePid, "state") };
  return undefined;
}
