// Cheap event reads: many events at once are read with one read call per run of nearby frames (not
// one per event) into one buffer per batch, then decoded; long sequential walks (export, logpoints)
// go by windows of rows and bypass the decoded-event cache so that they do not churn it.

import { decodeEtf } from "../terms/decode";
import type { TraceEvent } from "../types";
import {
  decodeEvent,
  resolveSame,
  resolveSent,
  sameRefs,
  sameRow,
  sentRef,
  type SameRef,
} from "./eventDecode";
import type { FrameSource } from "./frames";
import type { EventColumns } from "./columns";
import { rowFields } from "./rowFields";
import type { StoreData } from "./store";

/** Frames closer than this are read in one call, gap included: a read call costs more than the bytes. */
const MAX_GAP = 16 * 1024;
/** One read call never spans more than this. */
const MAX_SPAN = 1 << 20;
/** One read of a frame scan: near the page cache's copy speed, small enough to stay in cache. */
const SCAN_SPAN = 4 << 20;
/** Rows per window of a sequential stream. */
const WINDOW = 4096;

export class EventReader {
  private scratch = Buffer.allocUnsafeSlow(64 * 1024);

  constructor(
    private readonly store: StoreData,
    private readonly source: FrameSource,
  ) {}

  /** The decoded events of `rows` (any order, no repeats needed), in the same order. */
  read(rows: ArrayLike<number>): TraceEvent[] {
    // From an index whose columns are not in memory: the rows' own fields, each read with its page.
    const fields = rowFields(this.store, rows);
    const out = fields ? this.decode(fields, identity(rows.length)) : this.decode(this.store, rows);
    if (fields) for (let i = 0; i < out.length; i++) out[i].index = rows[i];
    this.resolveSent(rows, out);
    this.resolveSame(rows, out);
    return out;
  }

  /** The events of `rows` of `store`, decoded from their frames read in runs of nearby ones. */
  private decode(store: StoreData, rows: ArrayLike<number>): TraceEvent[] {
    const c = store.cols;
    const n = rows.length;
    const out = new Array<TraceEvent>(n);
    if (n === 0) return out;
    const { order, runs } = this.runs(c, rows);
    let total = 0;
    for (let i = 0; i < n; i++) total += c.frameLen[rows[i]];
    // Every frame's bytes end up packed in one buffer that the decoded terms may keep views of.
    const packed = Buffer.allocUnsafe(total);
    const at = new Int32Array(n);
    let fill = 0;
    for (const { file, start, end, k, j } of runs) {
      if (j === k + 1) {
        this.source.readInto(file, packed, fill, start, end - start);
        at[order[k]] = fill;
        fill += end - start;
      } else {
        const span = this.span(end - start);
        this.source.readInto(file, span, 0, start, end - start);
        for (let m = k; m < j; m++) {
          const r = rows[order[m]];
          const len = c.frameLen[r];
          span.copy(packed, fill, c.frameOff[r] - start, c.frameOff[r] - start + len);
          at[order[m]] = fill;
          fill += len;
        }
      }
    }
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      out[i] = decodeEvent(store, r, decodeEtf(packed.subarray(at[i], at[i] + c.frameLen[r])));
    }
    return out;
  }

  /** Calls, returns and states that name an earlier event's term (trace format 2) get it: read as one batch. */
  private resolveSame(rows: ArrayLike<number>, out: TraceEvent[]): void {
    let refs: Array<[number, SameRef[]]> | undefined;
    for (let i = 0; i < out.length; i++) {
      const k = out[i].kind;
      if (k !== "call" && k !== "return" && k !== "state") continue;
      const same = sameRefs(out[i].raw);
      if (same) (refs ??= []).push([i, same]);
    }
    if (!refs) return;
    const named = refs.map(([i, same]) => same.map((r) => sameRow(this.store, rows[i], r.seq)));
    const wanted = [...new Set(named.flat().filter((r) => r >= 0))];
    const got = new Map<number, TraceEvent>();
    this.read(wanted).forEach((e, k) => got.set(wanted[k], e));
    refs.forEach(([i, same], j) => {
      const bySeq = new Map(same.map((r, m) => [r.seq, got.get(named[j][m])]));
      resolveSame(out[i], same, (seq) => bySeq.get(seq));
    });
  }

  /** Receives that name their send (trace format 2) get its message: the sends are read as one batch. */
  private resolveSent(rows: ArrayLike<number>, out: TraceEvent[]): void {
    let refs: number[] | undefined;
    for (let i = 0; i < out.length; i++)
      if (out[i].kind === "receive" && sentRef(out[i].raw) !== undefined) (refs ??= []).push(i);
    if (!refs) return;
    const pair = this.store.ix.pair;
    const sendRows = refs.map((i) => pair[rows[i]]).filter((r) => r >= 0);
    const sends = new Map<number, TraceEvent>();
    this.read(sendRows).forEach((e, k) => sends.set(sendRows[k], e));
    for (const i of refs) resolveSent(out[i], sentRef(out[i].raw)!, sends.get(pair[rows[i]]));
  }

  /** Events `from` to `to - 1` in order, read window by window. */
  *stream(from: number, to: number): Generator<TraceEvent> {
    for (let w = from; w < to; w += WINDOW) {
      const rows = new Int32Array(Math.min(WINDOW, to - w));
      for (let i = 0; i < rows.length; i++) rows[i] = w + i;
      yield* this.read(rows);
    }
  }

  /**
   * Visits the raw frames of `rows` (any order) in file order, nearby frames read together into one
   * reused buffer: `buf[start, end)` is the frame of `rows[k]`, valid only during the call.
   */
  visitFrames(
    rows: ArrayLike<number>,
    visit: (buf: Buffer, start: number, end: number, k: number) => void,
  ): void {
    const c = this.store.cols;
    const { order, runs } = this.runs(c, rows);
    for (const { file, start, end, k, j } of runs) {
      const span = this.span(end - start);
      this.source.readInto(file, span, 0, start, end - start);
      for (let m = k; m < j; m++) {
        const r = rows[order[m]];
        const off = c.frameOff[r] - start;
        visit(span, off, off + c.frameLen[r], order[m]);
      }
    }
  }

  /**
   * `rows` in file order (`order[i]` is a position in `rows`) cut into runs of nearby frames, each
   * read in one call: the run `order[k..j)` spans bytes `[start, end)` of file `file`.
   */
  private runs(
    c: EventColumns,
    rows: ArrayLike<number>,
  ): {
    order: number[];
    runs: Array<{ file: number; start: number; end: number; k: number; j: number }>;
  } {
    const n = rows.length;
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => c.file[rows[a]] - c.file[rows[b]] || c.frameOff[rows[a]] - c.frameOff[rows[b]]);
    const runs: Array<{ file: number; start: number; end: number; k: number; j: number }> = [];
    let k = 0;
    while (k < n) {
      const first = rows[order[k]];
      const file = c.file[first];
      const start = c.frameOff[first];
      let end = start + c.frameLen[first];
      let j = k + 1;
      while (j < n) {
        const r = rows[order[j]];
        const off = c.frameOff[r];
        if (c.file[r] !== file || off - end > MAX_GAP || off + c.frameLen[r] - start > MAX_SPAN) break;
        end = Math.max(end, off + c.frameLen[r]);
        j++;
      }
      runs.push({ file, start, end, k, j });
      k = j;
    }
    return { order, runs };
  }

  /**
   * Visits the raw frames of rows `from` to `to - 1` in order, read a few MiB at a time into one
   * reused buffer: `buf[start, end)` is the frame (version byte first), valid only during the call.
   */
  scanFrames(
    from: number,
    to: number,
    visit: (buf: Buffer, start: number, end: number, row: number) => void,
  ): void {
    const c = this.store.cols;
    let i = from;
    while (i < to) {
      const file = c.file[i];
      const start = c.frameOff[i];
      let end = start + c.frameLen[i];
      let j = i + 1;
      // Extend the read while the next frames follow in the same file, within the span limit.
      while (j < to && c.file[j] === file) {
        const off = c.frameOff[j];
        const e = off + c.frameLen[j];
        if (off < end || off - end > MAX_GAP || e - start > SCAN_SPAN) break;
        end = e;
        j++;
      }
      const span = this.span(end - start);
      this.source.readInto(file, span, 0, start, end - start);
      for (let k = i; k < j; k++) {
        const off = c.frameOff[k] - start;
        visit(span, off, off + c.frameLen[k], k);
      }
      i = j;
    }
  }

  /**
   * The frames of rows `from` onwards, as many as one read of at most `maxBytes` holds (at least one
   * frame, at most `maxRows`, nearby frames of one file), in `into` when it is large enough (else a
   * fresh buffer): row `from + k` is `bytes[bounds[2k], bounds[2k + 1])`. What the parallel export
   * hands to a worker thread.
   */
  frameChunk(
    from: number,
    to: number,
    maxRows: number,
    maxBytes: number,
    into?: Buffer,
  ): { bytes: Buffer; bounds: Uint32Array; to: number } {
    // The columns in locals: each `c.x` is a property load per row otherwise (some are lazy getters).
    const c = this.store.cols;
    const files = c.file;
    const offs = c.frameOff;
    const lens = c.frameLen;
    const file = files[from];
    const start = offs[from];
    let stop = start + lens[from];
    let end = from + 1;
    const last = Math.min(to, from + maxRows);
    for (; end < last && files[end] === file; end++) {
      const off = offs[end];
      const e = off + lens[end];
      if (off < stop || off - stop > MAX_GAP || e - start > maxBytes) break;
      stop = e;
    }
    // Buffers are passed back and used again: a fresh large one costs page faults and an unmap each.
    const bytes =
      into && into.length >= stop - start ? into : Buffer.allocUnsafeSlow(Math.max(stop - start, maxBytes));
    this.source.readInto(file, bytes, 0, start, stop - start);
    const bounds = new Uint32Array(2 * (end - from));
    for (let k = from, q = 0; k < end; k++, q += 2) {
      const at = offs[k] - start;
      bounds[q] = at;
      bounds[q + 1] = at + lens[k];
    }
    return { bytes, bounds, to: end };
  }

  private span(size: number): Buffer {
    if (this.scratch.length < size)
      this.scratch = Buffer.allocUnsafeSlow(Math.max(size, this.scratch.length * 2));
    return this.scratch;
  }
}

/** 0, 1, …, n - 1. */
function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}
