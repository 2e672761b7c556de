// Faults the parse's fresh memory in on another thread, ahead of the rows the parse writes. On a VM
// the first write to each 4 KiB page of a new array costs 20-70 µs (the kernel zeroes it and the
// hypervisor maps it): a third of a big parse. A small worker walks the columns' shared buffers in row
// order and touches one byte per page with an atomic add of 0, which never changes a value the parse
// has written, so the two threads need no other coordination.

import type { Worker } from "node:worker_threads";

export const prefaultSettings = {
  /** Below this many rows, starting a thread costs more than the faults it takes over (tests lower it). */
  minRows: 200_000,
  /** Threads started, so that tests can see the path taken. */
  started: 0,
};

// Plain JavaScript, run with `eval`: the same from the sources (tests) and from every bundle.
const TOUCHER = `
const { workerData } = require("node:worker_threads");
for (const { arrays, from, to } of workerData) {
  const views = arrays.map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  const width = arrays.map((a) => a.BYTES_PER_ELEMENT);
  const BLOCK = 16384;
  for (let r = from; r < to; r += BLOCK) {
    for (let k = 0; k < views.length; k++) {
      const v = views[k];
      const s = Math.min(r * width[k], v.length);
      const e = Math.min((r + BLOCK) * width[k], v.length);
      for (let p = s; p < e; p += 4096) Atomics.add(v, p, 0);
      if (e > s) Atomics.add(v, e - 1, 0);
    }
  }
}
`;

type Shared = Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float64Array;

/** Rows [from, to) of `arrays` (views of SharedArrayBuffers, all indexed by row). */
export interface PrefaultJob {
  arrays: Shared[];
  from: number;
  to: number;
}

/**
 * Starts touching the jobs' rows, in order, on a worker thread. Never keeps the process alive; where
 * no thread can start, nothing happens and the parse faults its pages in itself.
 */
export function prefault(jobs: PrefaultJob[]): Prefault {
  let worker: Worker | undefined;
  try {
    // Required here: a process that never parses a big trace never loads worker_threads for this.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker: W } = require("node:worker_threads") as typeof import("node:worker_threads");
    worker = new W(TOUCHER, { eval: true, workerData: jobs });
    worker.unref();
    prefaultSettings.started++;
  } catch {
    return { stop: () => undefined, done: Promise.resolve() };
  }
  const w = worker;
  // Best effort: a thread that fails leaves the faults to the parse.
  const done = new Promise<void>((resolve) => {
    w.on("error", () => resolve());
    w.on("exit", () => resolve());
  });
  return { stop: () => void w.terminate(), done };
}

export interface Prefault {
  stop: () => void;
  /** Settles when the thread has ended, done or stopped. */
  done: Promise<void>;
}

/** A typed array of `n` zeroed elements on shared memory, so that `prefault`'s thread can touch it. */
export function sharedArray<T extends Shared>(
  Ctor: { new (b: SharedArrayBuffer, o: number, n: number): T; BYTES_PER_ELEMENT: number },
  n: number,
): T {
  return new Ctor(new SharedArrayBuffer(n * Ctor.BYTES_PER_ELEMENT), 0, n);
}

/**
 * The index build's row-sized Int32 arrays (by process, by kind, position, nesting, pairs), allocated
 * once the parse knows about how many rows to expect so that the prefault thread touches them while
 * the parse runs. `take` hands one out per request; past the reserve, or too small, a fresh array.
 */
export class IndexArena {
  private spare: Int32Array[] = [];

  /** Reserves `count` arrays of `capacity` rows; returns them for `prefault`. */
  reserve(count: number, capacity: number): Int32Array[] {
    this.spare = Array.from({ length: count }, () => sharedArray(Int32Array, capacity));
    return this.spare.slice();
  }

  /** `n` zeroed Int32 elements. */
  take(n: number): Int32Array {
    const a = this.spare.pop();
    return a && a.length >= n ? a.subarray(0, n) : new Int32Array(n);
  }
}

/** How many arrays the index build takes from an arena (store.ts). */
export const ARENA_ARRAYS = 7;
