// Faults the parse's fresh memory in on another thread, a little ahead of the rows the parse writes.
// On a VM the first write to each 4 KiB page of a new array costs 20-70 µs (the kernel zeroes it and
// the hypervisor maps it): a third of a big parse. A small worker walks the columns' shared buffers in
// row order and touches one byte per page with an atomic add of 0, which never changes a value the
// parse has written, so the two threads need no other coordination than a row count.

import type { Worker } from "node:worker_threads";
import { bufferSlab } from "./columns";

/** Whether a thread faulting pages in would find a free core (see `prefaultSettings.maxLoad`). */
export function coreToSpare(): boolean {
  // Required here, as worker_threads below: only a big parse needs it (an indexed open never does).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const os = require("node:os") as typeof import("node:os");
  return os.loadavg()[0] < (prefaultSettings.maxLoad ?? os.availableParallelism() + 1);
}

export const prefaultSettings = {
  /** Below this many rows, starting a thread costs more than the faults it takes over (tests lower it). */
  minRows: 200_000,
  /**
   * Above this load average no core is free for the thread, which then competes with the parse
   * instead of running beside it (measured: slower at load 8 on 2 cores). Unset: the cores + 1 (the
   * parse itself is one). Tests raise it.
   */
  maxLoad: undefined as number | undefined,
  /** Threads started, so that tests can see the path taken. */
  started: 0,
};

// Plain JavaScript, run with `eval`: the same from the sources (tests) and from every bundle. It keeps
// each job at most `ahead` rows past the rows the parse has written (`progress[0]`), so that it never
// touches pages no row will use (the parse's estimate of a file's rows can be high), and sleeps on
// the counter when it has caught up; `progress[1]` = 1 says the count is final.
const TOUCHER = `
const { jobs, progress } = workerData;
const BLOCK = 16384;
const state = jobs.map((j) => ({
  views: j.arrays.map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength)),
  width: j.arrays.map((a) => a.BYTES_PER_ELEMENT),
  at: j.from,
  to: j.to,
  ahead: j.ahead,
}));
for (;;) {
  const rows = Atomics.load(progress, 0);
  const final = Atomics.load(progress, 1) === 1;
  const j = state.find((x) => x.at < Math.min(x.to, rows + (final ? 0 : x.ahead)));
  if (!j) {
    if (final) break;
    Atomics.wait(progress, 0, rows, 200);
    continue;
  }
  const r = j.at;
  const end = Math.min(r + BLOCK, j.to, rows + (final ? 0 : j.ahead));
  for (let k = 0; k < j.views.length; k++) {
    const v = j.views[k];
    const s = Math.min(r * j.width[k], v.length);
    const e = Math.min(end * j.width[k], v.length);
    for (let p = s; p < e; p += 4096) Atomics.add(v, p, 0);
    if (e > s) Atomics.add(v, e - 1, 0);
  }
  j.at = end;
}
`;

type Shared = Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float64Array;

/** Rows [from, to) of `arrays` (views of SharedArrayBuffers, all indexed by row), touched in order. */
export interface PrefaultJob {
  arrays: Shared[];
  from: number;
  to: number;
  /** How many rows past those written so far may be touched (0: only written rows' pages). */
  ahead: number;
}

/**
 * Starts touching the jobs' rows on a worker thread, the first job with rows to touch first. Never
 * keeps the process alive; where no thread can start, nothing happens and the parse faults its pages
 * in itself.
 */
export function prefault(jobs: PrefaultJob[]): Prefault {
  const progress = new Int32Array(new SharedArrayBuffer(8));
  let worker: Worker | undefined;
  try {
    // Required here: a process that never parses a big trace never loads worker_threads for this.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker: W } = require("node:worker_threads") as typeof import("node:worker_threads");
    worker = new W(`const { workerData } = require("node:worker_threads");${TOUCHER}`, {
      eval: true,
      workerData: { jobs, progress },
    });
    worker.unref();
    prefaultSettings.started++;
  } catch {
    return { stop: () => undefined, done: Promise.resolve(), written: () => undefined };
  }
  const w = worker;
  // Best effort: a thread that fails leaves the faults to the parse.
  const done = new Promise<void>((resolve) => {
    w.on("error", () => resolve());
    w.on("exit", () => resolve());
  });
  return {
    stop: () => void w.terminate(),
    done,
    written: (rows, final = false) => {
      Atomics.store(progress, 0, rows);
      if (final) Atomics.store(progress, 1, 1);
      Atomics.notify(progress, 0);
    },
  };
}

export interface Prefault {
  stop: () => void;
  /** Settles when the thread has ended, done or stopped. */
  done: Promise<void>;
  /** Tells the thread how many rows are written; `final` when no more will be. */
  written: (rows: number, final?: boolean) => void;
}

/**
 * The index build's row-sized arrays (by process, nesting, partners; the depth in 16 bits), allocated
 * once the parse knows about how many rows to expect so that the prefault thread touches them while
 * the parse runs. `take` hands one out per request; past the reserve, or too small, a fresh array.
 */
export class IndexArena {
  private spare: Int32Array[] = [];

  private spare16: Int16Array | undefined;

  private reserved = false;

  /** Reserves `count` Int32 arrays and one Int16 array of `capacity` rows, once; returns them for `prefault`. */
  reserve(count: number, capacity: number): Shared[] {
    if (this.reserved) return [];
    this.reserved = true;
    // One buffer for them all, as the columns are (columns.ts `ensureCapacity`).
    const slab = bufferSlab([...Array<number>(count).fill(capacity * 4), capacity * 2], true);
    this.spare = Array.from(
      { length: count },
      (_, k) => new Int32Array(slab.buffer, slab.offsets[k], capacity),
    );
    this.spare16 = new Int16Array(slab.buffer, slab.offsets[count], capacity);
    return [...this.spare, this.spare16];
  }

  /** `n` zeroed Int32 elements. */
  take(n: number): Int32Array {
    const a = this.spare.pop();
    return a && a.length >= n ? a.subarray(0, n) : new Int32Array(n);
  }

  /** `n` zeroed Int16 elements. */
  take16(n: number): Int16Array {
    const a = this.spare16;
    this.spare16 = undefined;
    return a && a.length >= n ? a.subarray(0, n) : new Int16Array(n);
  }
}

/** How many Int32 arrays the index build takes from an arena (store.ts): by process, link, partner. */
export const ARENA_ARRAYS = 3;
