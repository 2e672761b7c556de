// The names an expression sees at an event: `args`, `value` (a return), `msg` (send/receive),
// `state` (the process's GenServer state in force then), `reason`, `kind`, `fun`, `seq`, `pid`.

import type { Replay } from "../core/replay";
import { atom, bin } from "../core/terms/build";
import type { TraceEvent } from "../core/types";
import type { Scope } from "./condition";

export function eventScope(replay: Replay, e: TraceEvent): Scope {
  return {
    args: e.args,
    value: e.value,
    msg: e.message,
    state: replay.getStateAt(e.pid, e.index)?.state,
    reason: e.exception?.reason ?? (e.kind === "exit" ? e.detail : undefined),
    kind: atom(e.kind),
    fun: e.mfa ? bin(`${e.mfa.module.replace(/^Elixir\./, "")}.${e.mfa.fun}/${e.mfa.arity}`) : undefined,
    seq: e.seq,
    pid: bin(replay.process(e.pid).pid),
  };
}
