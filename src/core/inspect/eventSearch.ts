// Finding events from one line of text, for a "Go to Event" quick pick: a seq, a moment (`first
// crash`, `time:1.5ms`, a position), a function pattern, console filters (`pid=TicketOffice
// kind=call`), or else words that the event's description contains. Word searches read at most
// SCAN_LIMIT events, so that a query on a huge recording answers in bounded time.

import { describeEvent } from "../describe";
import type { Replay } from "../replay";
import { eventFilter } from "./console";
import { InspectError } from "./errors";
import type { EventScopes } from "./eventScope";
import { parseMoment, resolveMoment } from "../moment";

export const SCAN_LIMIT = 200_000;
export const MAX_RESULTS = 500;

export interface FoundEvent {
  index: number;
  seq: number;
  /** `seq 120 +1.500ms`: for the first column of a quick pick. */
  label: string;
  /** The process and what happened. */
  description: string;
  position: string;
}

export function searchEvents(
  r: Replay,
  scopes: EventScopes,
  query: string,
  limit: number,
  processLabel: (pid: number) => string,
): { events: FoundEvent[]; more: boolean } {
  const q = query.trim();
  if (q === "") throw new InspectError("the search is empty: type a seq, a function, or words");
  const n = Math.max(1, Math.min(MAX_RESULTS, Math.floor(limit)));
  const found = indicesOf(r, scopes, q, n + 1, processLabel);
  const show = (i: number): FoundEvent => {
    const e = r.event(i);
    return {
      index: i,
      seq: e.seq,
      label: `seq ${e.seq} ${r.timeLabel(i)}`,
      description: `${processLabel(e.pid)} ${e.kind} ${describeEvent(e, { processLabel, width: 120, termStyle: r.termStyle() })}`,
      position: r.positionOf(i),
    };
  };
  return { events: found.slice(0, n).map(show), more: found.length > n };
}

function indicesOf(
  r: Replay,
  scopes: EventScopes,
  q: string,
  want: number,
  processLabel: (pid: number) => string,
): number[] {
  if (/^\d+$/.test(q)) {
    const seq = Number(q);
    const out: number[] = [];
    for (let file = 0; file < r.files.length && out.length < want; file++)
      try {
        out.push(r.resolveMoment({ seq, file }));
      } catch {
        // No such seq in this file.
      }
    return out;
  }
  if (/(^|\s)\w+=/.test(q)) return r.getEventIndices({ ...eventFilter(r, scopes, q), limit: want });
  if (/^(first|last|start$|end$|time:|index:|seq:|\+\d|[0-9a-f]{8}@\d+$)/.test(q)) {
    try {
      return [resolveMoment(r, parseMoment(q, "the search"))];
    } catch {
      // Not a moment after all (or none in this recording): search its words.
    }
  }
  if (/^[A-Z:][\w.:]*[./][\w*?!/]*$/.test(q)) {
    const calls = r.getEventIndices({ functions: [q], kinds: ["call"], limit: want });
    if (calls.length) return calls;
  }
  const words = q.toLowerCase().split(/\s+/);
  const out: number[] = [];
  const end = Math.min(r.eventCount, SCAN_LIMIT);
  const termStyle = r.termStyle();
  for (let i = 0; i < end && out.length < want; i++) {
    const e = r.event(i);
    const text =
      `${e.seq} ${e.kind} ${processLabel(e.pid)} ${describeEvent(e, { processLabel, width: 200, termStyle })}`.toLowerCase();
    if (words.every((w) => text.includes(w))) out.push(i);
  }
  return out;
}
