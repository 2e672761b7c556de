// `elixirscope flow`: messages between processes, each send paired with its receive and latency.

import { processLabeler } from "../../core/describe";
import { Replay } from "../../core/replay";
import { inspect } from "../../core/terms/inspect";
import { termToJson } from "../../core/terms/json";
import { duration, int, one, type Parsed, printLimit } from "../args";
import { flowDiagram } from "../flowDiagram";
import { type Out } from "../options";

export function flow(r: Replay, p: Parsed, args: string[], json: boolean, out: Out): number {
  if (p.flags.has("diagram") || one(p, "svg") !== undefined) return flowDiagram(r, p, args, out);
  const [from, to] = args.map((a) => (a === "*" || a === "_" ? undefined : a));
  const limit = int(p, "limit") ?? 100;
  const timeRange = { from: duration(p, "from-time"), to: duration(p, "to-time") };
  const entries = r.getMessageFlow(from, to, { limit, timeRange });
  const more = entries.length === limit ? r.getMessageFlow(from, to, { timeRange }).length - limit : 0;
  const label = processLabeler(r.processes());
  const given = printLimit(p);
  if (json) {
    out(
      JSON.stringify(
        entries.map((e) => ({
          ...e,
          from: e.from === undefined ? undefined : r.process(e.from).pid,
          to: e.to === undefined ? e.toName : r.process(e.to).pid,
          send_seq: e.send === undefined ? undefined : r.event(e.send).seq,
          receive_seq: e.receive === undefined ? undefined : r.event(e.receive).seq,
          message: termToJson((e.send !== undefined ? r.event(e.send) : r.event(e.receive!)).message!),
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  out(
    `${entries.length} messages${from ? ` from ${r.findProcess(from).label}` : ""}${to ? ` to ${r.findProcess(to).label}` : ""}`,
  );
  for (const e of entries) {
    const ev = r.event(e.send ?? e.receive!);
    const lat =
      e.latencyNs !== undefined
        ? `${(e.latencyNs / 1e3).toFixed(1)}µs`
        : e.status === "queued_at_end"
          ? "still queued at the end"
          : e.status.replace(/_/g, " ");
    out(
      `${String(ev.seq).padStart(6)}  ${r.timeLabel(ev.index).padStart(13)}  ${(e.from !== undefined ? label(e.from) : "?").padEnd(30)} → ${(e.to !== undefined ? label(e.to) : (e.toName ?? "?")).padEnd(30)}  ${lat.padStart(12)}  ${inspect(ev.message!, given === undefined ? { limit: 6 } : { limit: given, printableLimit: Infinity })}`,
    );
  }
  if (more > 0) out(`… ${more} more (a larger --limit shows them)`);
  return 0;
}
