// What an export worker does with one chunk of the trace: the byte range of a run of events (module
// frames in between included), walked frame by frame and transcoded to JSON Lines. Anything it cannot
// write exactly as the serial export would (an event naming an earlier one, a frame the decoder
// refuses, bytes that are not the frames the index counted) makes it give the chunk back whole.

import { readSync } from "node:fs";
import { frameToJsonLine, jsonLinesOut } from "./jsonl";
import { decodeEtf } from "./terms/decode";
import {
  appendByte,
  appendText,
  deferReferences,
  referringArity,
  swapOutput,
  wasDeferred,
} from "./terms/etfJson";
import { Atom, Tuple } from "./terms/term";
import * as T from "./terms/tags";
import { wholeEvent } from "./wholeForms";

/** A frame's head: the 0xE5 marker and the term's size (docs/trace-format.md). */
export const FRAME_HEAD = 5;
const MARKER = 0xe5;

const NOT_EVENTS = ["estrace", "module", "footer"].map((s) => Buffer.from(s, "latin1"));

/**
 * The event frames of `buf[0, length)`, a run of whole frames: frame k's term is
 * `buf[bounds[2k], bounds[2k + 1])`. The header, module-table and footer frames are passed over, as
 * the parse does. False unless the bytes are exactly whole frames holding `events` events.
 */
export function eventBounds(buf: Uint8Array, length: number, events: number, bounds: Uint32Array): boolean {
  let k = 0;
  let at = 0;
  while (at < length) {
    if (length - at < FRAME_HEAD || buf[at] !== MARKER) return false;
    const size = ((buf[at + 1] << 24) | (buf[at + 2] << 16) | (buf[at + 3] << 8) | buf[at + 4]) >>> 0;
    const start = at + FRAME_HEAD;
    const end = start + size;
    if (end > length) return false;
    if (isEvent(buf, start, end)) {
      if (k === events) return false;
      bounds[2 * k] = start;
      bounds[2 * k + 1] = end;
      k++;
    }
    at = end;
  }
  return k === events;
}

/** Whether a frame is not the header, a module-table entry or the footer (a tuple tagged so). */
function isEvent(b: Uint8Array, start: number, end: number): boolean {
  if (end - start < 3 || b[start] !== T.VERSION) return true;
  let a: number;
  if (b[start + 1] === T.SMALL_TUPLE_EXT) a = start + 3;
  else if (b[start + 1] === T.LARGE_TUPLE_EXT) a = start + 6;
  else return true;
  let name: number;
  let len: number;
  const tag = b[a];
  if (tag === T.SMALL_ATOM_UTF8_EXT || tag === T.SMALL_ATOM_EXT) {
    len = b[a + 1];
    name = a + 2;
  } else if (tag === T.ATOM_UTF8_EXT || tag === T.ATOM_EXT) {
    len = (b[a + 1] << 8) | b[a + 2];
    name = a + 3;
  } else return true;
  if (name + len > end) return true;
  for (const x of NOT_EVENTS) {
    if (x.length !== len) continue;
    let i = 0;
    while (i < len && b[name + i] === x[i]) i++;
    if (i === len) return false;
  }
  return true;
}

/**
 * The JSON Lines of the event frames `bytes[bounds[2k], bounds[2k + 1])`, k < `frames`, written into
 * `into` (or a larger buffer if it fills up); undefined when a frame must be written by the main
 * thread: it may name an earlier event (which only the replay resolves) or the decoder refuses it
 * (the serial export's message names the event and stops there).
 */
export function transcodeFrames(
  bytes: Uint8Array,
  bounds: Uint32Array,
  frames: number,
  into: Buffer,
): Buffer | undefined {
  swapOutput(into);
  deferReferences(true);
  const these = bounds.subarray(0, 2 * frames);
  try {
    for (let k = 0; k < frames; k++) {
      k = jsonLinesOut.events(bytes, these, k);
      if (k === frames) break;
      if (wasDeferred()) return undefined;
      // A shape the transcoder leaves alone: the decoding path, as `jsonLinesOut.event` takes it.
      let term;
      try {
        term = decodeEtf(bytes, bounds[2 * k], bounds[2 * k + 1]);
      } catch {
        return undefined;
      }
      const kind = term instanceof Tuple ? term.elements[0] : undefined;
      if (kind instanceof Atom && (term as Tuple).elements.length >= referringArity(kind.name))
        return undefined;
      appendText(frameToJsonLine(wholeEvent(term)));
      appendByte(0x0a);
    }
    return swapOutput(NONE);
  } finally {
    deferReferences(false);
    swapOutput(NONE);
  }
}

const NONE = Buffer.alloc(0);

/**
 * The least room a new output buffer has: that of the largest chunk exportParallel.ts cuts at its
 * usual 1 MiB (up to twice that in frames, ×3 and 1 MiB of margin), so that a spare is never let go
 * for being too small: with 4 MiB the 1M export allocated 26 buffers (104 MB), with this 9 (72 MB of
 * address space; only the pages written are touched).
 */
const OUT_MIN = 8 << 20;

/**
 * Reads and transcodes chunks of one trace, its buffers kept from chunk to chunk (a fresh large
 * buffer costs page faults and an unmap): what each worker runs, and the main thread in between.
 */
export class ChunkTranscoder {
  private input = Buffer.allocUnsafeSlow(0);
  private bounds = new Uint32Array(0);
  /** Output buffers written, for the next chunks' lines. */
  private readonly spare: Buffer[] = [];

  constructor(private readonly traceFd: number) {}

  /**
   * The lines of the `events` events whose frames are bytes [start, end) of the trace; undefined when
   * the main thread must write them as the serial export does (see `transcodeFrames`, `eventBounds`).
   * The result is a view of a buffer to hand back with `written` once it is written.
   */
  lines(events: number, start: number, end: number): Buffer | undefined {
    const length = end - start;
    if (this.bounds.length < 2 * events)
      this.bounds = new Uint32Array(Math.max(2 * events, 2 * this.bounds.length));
    if (!(length >= 0 && this.read(start, length) && eventBounds(this.input, length, events, this.bounds)))
      return undefined;
    // Room for the 1.7× a chunk usually grows by, and for the 16× of a large frame near its end. A
    // spare too small for this chunk (a thread's first chunks are smaller, exportParallel.ts) is let
    // go: growing it while transcoding copies it, and that path, first taken once TurboFan had
    // compiled the transcoder, made V8 throw the code away. New buffers have room for a full chunk
    // (pages never written are never touched).
    const need = 3 * length + (1 << 20);
    let into = this.spare.pop();
    if (into === undefined || into.length < need) into = Buffer.allocUnsafeSlow(Math.max(need, OUT_MIN));
    const out = transcodeFrames(this.input, this.bounds, events, into);
    if (out === undefined) this.spare.push(into);
    return out;
  }

  /** Takes back the buffer of lines `lines` returned, once written. */
  written(out: Buffer): void {
    if (this.spare.length < 4) this.spare.push(Buffer.from(out.buffer, 0, out.buffer.byteLength));
  }

  /** Reads `length` bytes of the trace at `at` into `input`; false if the file ends first. */
  private read(at: number, length: number): boolean {
    if (this.input.length < length)
      this.input = Buffer.allocUnsafeSlow(Math.max(length, 2 * this.input.length));
    for (let got = 0; got < length;) {
      const k = readSync(this.traceFd, this.input, got, length - got, at + got);
      if (k <= 0) return false;
      got += k;
    }
    return true;
  }
}
