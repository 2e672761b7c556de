// The export's worker threads: chunks of event frames go out round-robin, their JSON Lines come back
// as transferred buffers, each chunk's promise settling with its own result so the caller can write
// them in order. Buffers go round: a written output and a transcoded input are sent out again (a
// fresh large buffer costs page faults and an unmap shared by every thread). From source (tests, tsx)
// the worker runs `exportWorker.ts` through tsx; bundled, the `exportWorker.js` beside this file.

import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import type { FrameFailure } from "./jsonlChunk";

export interface ChunkResult {
  out: Uint8Array;
  failure?: FrameFailure;
}

interface Reply {
  id: number;
  buffer?: ArrayBuffer;
  offset?: number;
  length?: number;
  failure?: FrameFailure;
  input?: ArrayBuffer;
  bug?: string;
}

export class ExportPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<
    number,
    { resolve: (r: ChunkResult) => void; reject: (e: Error) => void }
  >();
  private next = 0;
  private closed = false;
  /** Input buffers back from the workers, for the next chunks' frames. */
  private readonly inputs: Buffer[] = [];
  /** Output buffers already written, for the next chunks' lines. */
  private readonly outputs: ArrayBuffer[] = [];

  constructor(size: number) {
    // Required here, not at import: `info`, `events`… share this bundle and start no worker (~5 ms).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker } = require("node:worker_threads") as typeof import("node:worker_threads");
    const bundled = join(__dirname, "exportWorker.js");
    const fromSource = join(__dirname, "exportWorker.ts");
    for (let i = 0; i < size; i++) {
      const w = existsSync(bundled)
        ? new Worker(bundled)
        : new Worker(`require("tsx/cjs/api").register(); require(${JSON.stringify(fromSource)});`, {
            eval: true,
          });
      w.on("message", (m: Reply) => this.settle(m));
      w.on("error", (e) => this.failAll(e));
      w.on("exit", (code) => {
        if (!this.closed) this.failAll(new Error(`export worker exited with code ${code}`));
      });
      this.workers.push(w);
    }
  }

  /** A buffer for the next chunk's frames, if one has come back. */
  spareInput(): Buffer | undefined {
    return this.inputs.pop();
  }

  /** Gives back a result's output once it is written. */
  written(r: ChunkResult): void {
    this.outputs.push(r.out.buffer as ArrayBuffer);
  }

  /** Transcodes the frames in `bytes` (frame k is `bytes[bounds[2k], bounds[2k + 1])`); both are transferred. */
  chunk(bytes: Uint8Array, bounds: Uint32Array, first: number): Promise<ChunkResult> {
    const id = this.next++;
    const w = this.workers[id % this.workers.length];
    const spare = this.outputs.pop();
    const transfer = [bytes.buffer as ArrayBuffer, bounds.buffer as ArrayBuffer];
    if (spare) transfer.push(spare);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      w.postMessage({ id, bytes, bounds, first, spare }, transfer);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private settle(m: Reply): void {
    const p = this.waiting.get(m.id);
    if (!p) return;
    this.waiting.delete(m.id);
    if (m.input && m.input !== m.buffer) this.inputs.push(Buffer.from(m.input));
    if (m.bug !== undefined) p.reject(new Error(`export worker: ${m.bug}`));
    else p.resolve({ out: new Uint8Array(m.buffer!, m.offset, m.length), failure: m.failure });
  }

  private failAll(e: Error): void {
    for (const p of this.waiting.values()) p.reject(e);
    this.waiting.clear();
  }
}
