// One event as the CLI prints it: a fixed-width line for people, an object for `--json`.

import { describeEvent, processLabeler } from "../core/describe";
import { Replay } from "../core/replay";
import { mfaLabel } from "../core/store/eventDecode";
import { termToJson } from "../core/terms/json";
import { type TraceEvent } from "../core/types";

export function eventJson(r: Replay, e: TraceEvent): Record<string, unknown> {
  return {
    seq: e.seq,
    index: e.index,
    time_ns: e.time,
    pid: r.process(e.pid).pid,
    process: r.process(e.pid).label,
    kind: e.kind,
    ...(e.mfa ? { function: mfaLabel(e.mfa) } : {}),
    summary: describeEvent(e, { processLabel: processLabeler(r.processes()) }),
    ...(e.peer !== undefined ? { peer: r.process(e.peer).pid } : {}),
    position: r.positionOf(e.index),
    raw: termToJson(e.raw),
  };
}

/** `printLimit` (from `--print-limit`) lifts the line's width cut: the user asked for that much. */
export function eventLine(r: Replay, e: TraceEvent, printLimit?: number): string {
  const label = processLabeler(r.processes());
  const limits =
    printLimit === undefined ? {} : { limit: printLimit, width: Infinity, printableLimit: Infinity };
  return `${String(e.seq).padStart(6)}  ${r.timeLabel(e.index).padStart(13)}  ${label(e.pid).padEnd(34)}  ${e.kind.padEnd(9)}  ${describeEvent(e, { processLabel: label, ...limits })}`;
}
