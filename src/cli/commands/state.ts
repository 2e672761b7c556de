// `elixirscope state`: a GenServer's state at a moment, or its history of changes with what each changed.

import { Replay } from "../../core/replay";
import { inspect } from "../../core/terms/inspect";
import { termToJson } from "../../core/terms/json";
import { duration, int, type Parsed, printLimit, UsageError } from "../args";
import { type Out } from "../options";

export function state(r: Replay, p: Parsed, args: string[], json: boolean, out: Out): number {
  const spec = args[0];
  if (!spec) throw new UsageError("state: which process? (usage: elixirscope state TRACE PID [--at SEQ])");
  const proc = r.findProcess(spec);
  const given = printLimit(p);
  const lim = (n: number) =>
    given === undefined ? { limit: n } : { limit: given, printableLimit: Infinity };
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
          ? `${proc.label} at seq ${r.event(moment).seq} (state set at seq ${r.event(s.index).seq} by ${s.callback}):\n${inspect(s.state, lim(50))}`
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
  // A callback that left the state as it was is listed, but is not a change.
  const lines: string[] = [];
  let changes = 0;
  let prev: ReturnType<Replay["getStateAt"]>;
  for (const h of history) {
    const s = r.getStateAt(proc.id, h.index);
    if (!s) continue;
    const head = `${String(r.event(h.index).seq).padStart(6)}  ${r.timeLabel(h.index).padStart(13)}  ${(h.callback ?? "").padEnd(16)}`;
    if (!prev) {
      lines.push(`${head}  ${inspect(s.state, lim(20))}`);
      changes++;
    } else {
      const d = r.diffStates(prev.state, s.state);
      if (d.length > 0) changes++;
      lines.push(
        `${head}  ${d.length === 0 ? "(unchanged)" : d.map((x) => `${x.pathText || "state"} ${x.change === "added" ? "+" : x.change === "removed" ? "-" : ""}${x.change === "removed" ? inspect(x.before!, lim(5)) : inspect(x.after!, lim(5))}`).join(", ")}`,
      );
    }
    prev = s;
  }
  const same = lines.length - changes;
  out(
    `state history of ${proc.label}: ${plural(changes, "change")}${same ? ` (and ${plural(same, "callback")} that left it unchanged)` : ""}`,
  );
  for (const l of lines) out(l);
  return 0;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
