// The parallel export's main thread: cuts the events into chunks of about `chunkBytes` by their
// frames' offsets (a cell of the index per chunk, not whole columns; each thread's first chunks
// smaller, while its code is cold), hands them to the workers, and places each chunk's lines in the
// output once every earlier chunk's size is known — the worker holding them writes them there. A
// chunk a worker gives back is written by this thread, as the serial export writes it; the first
// refused frame ends the export, every line before it written.

import type { ExportPool, FromWorker } from "./exportPool";
import { ChunkTranscoder, FRAME_HEAD } from "./exportChunk";
import { appendExportLine, type FrameFailure } from "./jsonlChunk";
import { jsonLinesOut } from "./jsonl";
import type { Replay } from "./replay";
import { wholeFormsInUse } from "./wholeForms";

export interface ChunkTuning {
  /** At most so many events and (unless one frame is larger) bytes of frames per chunk. */
  chunkRows: number;
  chunkBytes: number;
  /**
   * Bytes of frames of each thread's first chunk; each next chunk of that thread twice its last, up
   * to `chunkBytes`. A thread's first ~100 ms run before V8 has optimized the transcoder, ~20-30×
   * slower than later: a 1 MiB chunk then held up the placing of every chunk after it, so that this
   * thread sat idle at the in-flight bound, or a booted worker waited for this thread's first chunk.
   */
  firstChunkBytes: number;
  /** Chunks handed out and not yet written: with the chunk size, what bounds the memory. */
  inFlight: number;
  /** Whether this thread transcodes chunks too, between the workers' messages. */
  alsoHere: boolean;
}

/** Where the lines go: the output at `at` onwards, by positioned writes. */
export interface PositionedOutput {
  fd: number;
  at: number;
  /** Writes bytes at an offset (this thread's writes: chunks given back). */
  writeAt(bytes: Uint8Array, at: number): void;
  /** Turns a worker's failed write into the error to throw. */
  writeError(e: { code?: string; message: string }): Error;
}

export interface Chunk {
  from: number;
  to: number;
  /** The byte range of its frames in the trace, module frames in between included. */
  start: number;
  end: number;
  /** The worker holding its lines, or -1: this thread, `lines`. */
  worker: number;
  /** Its lines are a buffer of `local`'s, handed back once written. */
  local?: boolean;
  size?: number;
  lines?: Buffer[];
  failure?: FrameFailure;
}

/** Chunks handed to one worker and not yet done: one being transcoded, one waiting. */
const DEPTH = 2;

/**
 * Writes the lines of every event through `pool` (which it takes over, `use`d on `traceFd` and
 * `out.fd`); returns the output offset after the last line, the refused frame that ended the export
 * early, if one did, and how many chunks this thread transcoded in its turns.
 */
export function parallelEventLines(
  r: Replay,
  pool: ExportPool,
  traceFd: number,
  out: PositionedOutput,
  tuning: ChunkTuning,
): Promise<{ end: number; failure?: FrameFailure; here: number }> {
  const planner = new Planner(r, tuning);
  const chunks: Chunk[] = [];
  pool.use(traceFd, out.fd, wholeFormsInUse());
  const busy = new Array<number>(pool.size).fill(0);
  /** The next chunk's bytes of frames, per worker and (last) for this thread. */
  const sizes = new Array<number>(pool.size + 1).fill(Math.min(tuning.firstChunkBytes, tuning.chunkBytes));
  const nextOf = (who: number): Chunk => {
    const c = planner.next(sizes[who]);
    sizes[who] = Math.min(2 * sizes[who], tuning.chunkBytes);
    return c;
  };
  const local = new ChunkTranscoder(traceFd);
  let localBusy = !tuning.alsoHere;
  let placed = 0;
  let cursor = out.at;
  /** Chunks handed out (to a worker or done here) and not yet written. */
  let open = 0;
  let writing = 0;
  let stopped: FrameFailure | undefined;
  return new Promise((resolve, reject) => {
    let over = false;
    const fail = (e: Error): void => {
      if (over) return;
      over = true;
      reject(e);
    };
    const finished = (): void => {
      if (over || writing > 0 || (stopped === undefined && (placed < chunks.length || !planner.done))) return;
      over = true;
      resolve({ end: cursor, failure: stopped, here: chunks.filter((c) => c.local).length });
    };
    /** The chunk's lines as the serial export writes them, here. */
    const serially = (c: Chunk): void => {
      const lines: Buffer[] = [];
      const take = (): void => {
        if (jsonLinesOut.size) lines.push(Buffer.from(jsonLinesOut.take()));
        jsonLinesOut.clear();
      };
      jsonLinesOut.clear();
      let failure: FrameFailure | undefined;
      r.scanFrames(
        (buf, start, end, index) => {
          if (failure) return;
          failure = appendExportLine(r, true, buf, start, end, index);
          if (jsonLinesOut.size >= 1 << 20) take();
        },
        c.from,
        c.to,
      );
      take();
      c.worker = -1;
      c.lines = lines;
      c.failure = failure;
      c.size = lines.reduce((n, b) => n + b.length, 0);
    };
    /** Gives every chunk whose predecessors are all sized its offset, and has it written. */
    const place = (): void => {
      while (stopped === undefined && placed < chunks.length && chunks[placed].size !== undefined) {
        const c = chunks[placed++];
        const at = cursor;
        cursor += c.size!;
        if (c.worker < 0) {
          let to = at;
          for (const b of c.lines!) {
            out.writeAt(b, to);
            to += b.length;
          }
          if (c.local) local.written(c.lines![0]);
          c.lines = undefined;
          open--;
        } else {
          writing++;
          pool.send(c.worker, { t: "write", id: placed - 1, at });
        }
        stopped = c.failure;
      }
    };
    const handOut = (): void => {
      while (stopped === undefined && !planner.done && open < tuning.inFlight) {
        // The least busy worker that has booted (this thread does the first chunks meanwhile).
        let w = -1;
        for (let i = 0; i < busy.length; i++) if (pool.ready[i] && (w < 0 || busy[i] < busy[w])) w = i;
        if (w < 0 || busy[w] >= DEPTH) break;
        const id = chunks.length;
        const c = nextOf(w);
        chunks.push(c);
        open++;
        c.worker = w;
        busy[w]++;
        pool.send(w, { t: "chunk", id, events: c.to - c.from, start: c.start, end: c.end });
      }
      if (!localBusy && stopped === undefined && !planner.done && open < tuning.inFlight) {
        // After the messages already waiting: a chunk here holds them up for its few milliseconds.
        localBusy = true;
        setImmediate(here);
      }
    };
    /** One chunk transcoded on this thread (the workers' lines are meanwhile written in order). */
    const here = (): void => {
      localBusy = false;
      if (over || stopped !== undefined || planner.done || open >= tuning.inFlight) return;
      try {
        const c = nextOf(pool.size);
        chunks.push(c);
        open++;
        const lines = local.lines(c.to - c.from, c.start, c.end);
        if (lines === undefined) serially(c);
        else {
          c.lines = [lines];
          c.local = true;
          c.size = lines.length;
        }
        place();
        handOut();
        finished();
      } catch (e) {
        fail(e as Error);
      }
    };
    pool.onFailure = fail;
    pool.onReply = (w: number, m: FromWorker): void => {
      if (over) return;
      try {
        if (m.t === "written") {
          if (m.error) throw out.writeError(m.error);
          writing--;
          open--;
        } else if (m.t === "done" || m.t === "redo") {
          busy[w]--;
          const c = chunks[m.id];
          if (m.t === "done") c.size = m.size;
          else serially(c);
          place();
        }
        handOut();
        finished();
      } catch (e) {
        fail(e as Error);
      }
    };
    handOut();
    finished();
  });
}

/**
 * The chunks, cut as they are handed out: about the bytes of frames asked for, by the trace's mean
 * frame size, halved while one holds more than twice that. One frame offset is read per chunk (a page
 * of the index), not the whole column.
 */
export class Planner {
  private readonly n: number;
  private readonly mean: number;
  private readonly last: number;
  private from = 0;
  private start: number;

  constructor(
    private readonly r: Replay,
    private readonly t: ChunkTuning,
  ) {
    this.n = r.eventCount;
    const end = r.frameAt(this.n - 1);
    this.last = end.offset + end.length;
    this.start = this.startOf(0);
    this.mean = Math.max(1, (this.last - this.start) / this.n);
  }

  get done(): boolean {
    return this.from >= this.n;
  }

  /** The next chunk, of about `bytes` bytes of frames. */
  next(bytes: number): Chunk {
    const from = this.from;
    const rows = Math.max(1, Math.min(this.t.chunkRows, Math.floor(bytes / this.mean)));
    let to = Math.min(this.n, from + rows);
    let end = this.startOf(to);
    while (to - from > 1 && end - this.start > 2 * bytes) {
      to = from + ((to - from) >> 1);
      end = this.startOf(to);
    }
    const c: Chunk = { from, to, start: this.start, end, worker: -1 };
    this.from = to;
    this.start = end;
    return c;
  }

  /** Where event `row`'s frame head is; the end of the last frame for `row` = n. */
  private startOf(row: number): number {
    return row < this.n ? this.r.frameOffset(row) - FRAME_HEAD : this.last;
  }
}
