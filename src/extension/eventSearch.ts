// What "Go to Event…" finds for what a person types: a seq (`612`), an event kind (`receive`,
// `exception`), a function (`TicketOffice.hold`, `hold/3`), a process (`TicketOffice`, `<0.130.0>`),
// or any words of the event's one-line description. No `vscode` here: the quick pick is in gotoEvent.ts.

import { describeEvent, processLabeler } from "../core/describe";
import type { Replay } from "../core/replay";
import { mfaLabel } from "../core/store/eventDecode";
import { EVENT_KINDS, type EventKind } from "../core/types";

export interface EventHit {
  index: number;
  seq: number;
  time: number;
  kind: EventKind;
  process: string;
  text: string;
}

/** How much of a term a one-line description shows (settings `elixirscope.print.*`). */
export interface PrintLimits {
  limit: number;
  width: number;
}
export const DEFAULT_PRINT: PrintLimits = { limit: 8, width: 160 };

export function describeIndex(
  r: Replay,
  index: number,
  label = processLabeler(r.processes()),
  print: PrintLimits = DEFAULT_PRINT,
): EventHit {
  const e = r.event(index);
  return {
    index,
    seq: e.seq,
    time: e.time,
    kind: e.kind,
    process: label(e.pid),
    text: describeEvent(e, { processLabel: label, limit: print.limit, width: print.width }),
  };
}

/** Up to `limit` events matching `query`, in recording order; an empty query lists from `from`. */
export function searchEvents(
  r: Replay,
  query: string,
  limit = 200,
  from = 0,
  print: PrintLimits = DEFAULT_PRINT,
): EventHit[] {
  const label = processLabeler(r.processes());
  const q = query.trim();
  let indices: number[];
  if (q === "") {
    indices = r.getEventIndices({ indexRange: { from: Math.max(0, from) }, limit });
  } else if (/^(seq:?\s*)?\d+$/.test(q)) {
    const seq = Number(q.replace(/\D/g, ""));
    indices = r.getEventIndices({ predicate: (e) => e.seq === seq, limit });
  } else if ((EVENT_KINDS as readonly string[]).includes(q)) {
    indices = r.getEventIndices({ kinds: [q as EventKind], limit });
  } else {
    const words = q.toLowerCase().split(/\s+/);
    indices = r.getEventIndices({
      predicate: (e) => {
        const hay = [
          e.kind,
          label(e.pid),
          r.process(e.pid).pid,
          e.mfa ? mfaLabel(e.mfa) : "",
          describeEvent(e, { processLabel: label, width: 400 }),
        ]
          .join(" ")
          .toLowerCase();
        return words.every((w) => hay.includes(w));
      },
      limit,
    });
  }
  return indices.map((i) => describeIndex(r, i, label, print));
}

/** `+25.7 ms` from the recording's start, as the status bar shows it. */
export function shortTime(ns: number): string {
  if (ns < 1e6) return `+${(ns / 1e3).toFixed(1)} µs`;
  if (ns < 1e9) return `+${(ns / 1e6).toFixed(1)} ms`;
  return `+${(ns / 1e9).toFixed(2)} s`;
}
