// `elixirscope state`: a GenServer's state at a moment, or its history of changes with what each changed.

import { Replay } from "../../core/replay";
import { inspect } from "../../core/terms/inspect";
import { termToJson } from "../../core/terms/json";
import { duration, int, type Parsed, UsageError } from "../args";
import { type Out } from "../options";

export function state(r: Replay, p: Parsed, args: string[], json: boolean, out: Out): number {
  const spec = args[0];
  if (!spec) throw new UsageError("state: which process? (usage: elixirscope state TRACE PID [--at SEQ])");
  const proc = r.findProcess(spec);
  const at = int(p, "at");
  const time = duration(p, "time");
  if (at !== undefined || time !== undefined) {
    const moment = at !== undefined ? r.resolveMoment({ seq: at }) : r.resolveMoment({ time: time! });
    const s = r.getStateAt(proc.id, moment);
    if (json)
      out(
        JSON.stringify(
          s ? { seq: r.event(s.index).seq, callback: s.callback, state: termToJson(s.state) } : null,
          null,
          2,
        ),
      );
    else
      out(
        s
          ? `${proc.label} at seq ${r.event(moment).seq} (state set at seq ${r.event(s.index).seq} by ${s.callback}):\n${inspect(s.state, { limit: 50 })}`
          : `${proc.label} has no recorded state at that moment`,
      );
    return 0;
  }
  const history = r.stateHistory(proc.id);
  if (json) {
    out(
      JSON.stringify(
        history.map((h) => ({
          seq: r.event(h.index).seq,
          time_ns: h.time,
          callback: h.callback,
          state: termToJson(r.getStateAt(proc.id, h.index)!.state),
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  if (history.length === 0) {
    out(`${proc.label} has no recorded GenServer state`);
    return 0;
  }
  out(`state history of ${proc.label}: ${history.length} changes`);
  let prev: ReturnType<Replay["getStateAt"]>;
  for (const h of history) {
    const s = r.getStateAt(proc.id, h.index);
    if (!s) continue;
    const head = `${String(r.event(h.index).seq).padStart(6)}  ${r.timeLabel(h.index).padStart(13)}  ${(h.callback ?? "").padEnd(16)}`;
    if (!prev) out(`${head}  ${inspect(s.state, { limit: 20 })}`);
    else {
      const d = r.diffStates(prev.state, s.state);
      out(
        `${head}  ${d.length === 0 ? "(unchanged)" : d.map((x) => `${x.pathText || "state"} ${x.change === "added" ? "+" : x.change === "removed" ? "-" : ""}${x.change === "removed" ? inspect(x.before!, { limit: 5 }) : inspect(x.after!, { limit: 5 })}`).join(", ")}`,
      );
    }
    prev = s;
  }
  return 0;
}
