// The serial export's line of one event frame, and the message of a frame the decoder refuses: what
// the main thread writes, for a whole export or for a chunk a worker gave back (exportChunk.ts).

import { frameToJsonLine, jsonLinesOut } from "./jsonl";
import type { Replay } from "./replay";
import { decodeEtf } from "./terms/decode";
import { EtfError } from "./terms/errors";
import { wholeEvent } from "./wholeForms";

/** Where a chunk stopped: the event (by index) whose frame the decoder refused, and why. */
export interface FrameFailure {
  index: number;
  /** The decoder's message for the frame on its own (byte offsets within the frame). */
  reason: string;
}

/**
 * Appends the line of event `index`'s frame `buf[start, end)` to `jsonLinesOut`; a frame the decoder
 * refuses gives a FrameFailure (nothing appended), any other error goes on up.
 */
export function appendEventLine(
  buf: Uint8Array,
  start: number,
  end: number,
  index: number,
): FrameFailure | undefined {
  try {
    jsonLinesOut.event(buf, start, end);
    return undefined;
  } catch (e) {
    if (!(e instanceof EtfError)) throw e;
    // Decoded again on its own, so that offsets count from the frame, not from whatever buffer held it.
    try {
      decodeEtf(buf.subarray(start, end));
    } catch (again) {
      if (again instanceof EtfError) return { index, reason: again.message };
    }
    return { index, reason: e.message };
  }
}

/** The one-line error of a refused frame. */
export function frameFailureMessage(file: string, f: FrameFailure): string {
  return `export: ${file}: event ${f.index} cannot be read: ${f.reason}`;
}

/**
 * The serial export's line of event `index` (frame `buf[start, end)`) appended to `jsonLinesOut`: an
 * event naming an earlier one (trace format 2, when `refs`) as the replay resolves it, any other
 * transcoded from its bytes; a refused frame gives its FrameFailure.
 */
export function appendExportLine(
  r: Replay,
  refs: boolean,
  buf: Uint8Array,
  start: number,
  end: number,
  index: number,
): FrameFailure | undefined {
  if (refs && r.refersToEarlier(index)) {
    jsonLinesOut.line(frameToJsonLine(wholeEvent(r.event(index).raw)));
    return undefined;
  }
  return appendEventLine(buf, start, end, index);
}
