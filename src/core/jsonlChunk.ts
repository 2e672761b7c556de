// Event frames read together into one buffer, transcoded to their JSON Lines: what an export worker
// does with each chunk and what the serial export does, so that both give the same bytes and, for a
// frame the decoder refuses, the same message.

import { decodeEtf } from "./terms/decode";
import { EtfError } from "./terms/errors";
import { swapOutput } from "./terms/etfJson";
import { jsonLinesOut } from "./jsonl";

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

const NONE = Buffer.alloc(0);

/**
 * The JSON Lines of the frames in `bytes` (frame k is `bytes[bounds[2k], bounds[2k + 1])`), event
 * indexes from `first`, written into `into` (or a larger buffer if it fills up): the lines before any
 * refused frame, and that frame's failure.
 */
export function transcodeChunk(
  bytes: Uint8Array,
  bounds: Uint32Array,
  first: number,
  into: Buffer,
): { out: Buffer; failure?: FrameFailure } {
  swapOutput(into);
  const frames = bounds.length >> 1;
  for (
    let k = jsonLinesOut.events(bytes, bounds, 0);
    k < frames;
    k = jsonLinesOut.events(bytes, bounds, k + 1)
  ) {
    // A frame of a shape the transcoder leaves alone: the decoding path, which may refuse it.
    const failure = appendEventLine(bytes, bounds[2 * k], bounds[2 * k + 1], first + k);
    if (failure) return { out: swapOutput(NONE), failure };
  }
  return { out: swapOutput(NONE) };
}
