// The export's worker threads and the messages they take: the two open files, chunks to transcode
// (byte ranges of the trace the workers read themselves) and where to write each chunk's lines. The
// workers start before the trace is opened (`unref`'d, so that an export that does not use them does
// not wait for them); from source (tests, tsx) they run `exportWorker.ts` through tsx, bundled the
// `exportWorker.js` beside this file.

import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import type { WholeFormsSpec } from "./wholeForms";

export type ToWorker =
  /** The two files, and format 3's tables for writing numbered fields whole (wholeForms.ts). */
  | { t: "files"; trace: number; out: number; whole?: WholeFormsSpec }
  | { t: "chunk"; id: number; events: number; start: number; end: number }
  | { t: "write"; id: number; at: number };

export type FromWorker =
  /** Booted: chunks sent before would wait for it while the main thread could do them. */
  | { t: "ready" }
  | { t: "done"; id: number; size: number }
  /** The chunk must be written by the main thread (exportChunk.ts says when). */
  | { t: "redo"; id: number }
  | { t: "written"; id: number; error?: { code?: string; message: string } }
  | { t: "bug"; stack: string };

export class ExportPool {
  private readonly workers: Worker[] = [];
  private closed = false;
  /** Which workers have booted. */
  readonly ready: boolean[] = [];
  /** Where replies and failures go; set by the run that uses the pool. */
  onReply: (worker: number, m: FromWorker) => void = () => undefined;
  onFailure: (e: Error) => void = () => undefined;

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
      this.ready.push(false);
      w.on("message", (m: FromWorker) => {
        if (m.t === "ready") this.ready[i] = true;
        if (m.t === "bug") this.onFailure(new Error(`export worker: ${m.stack}`));
        else this.onReply(i, m);
      });
      w.on("error", (e) => this.onFailure(e));
      w.on("exit", (code) => {
        if (!this.closed) this.onFailure(new Error(`export worker exited with code ${code}`));
      });
      w.unref();
      this.workers.push(w);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** The pool is used: its workers keep the process alive until `close`. */
  use(trace: number, out: number, whole?: WholeFormsSpec): void {
    for (const w of this.workers) {
      w.ref();
      this.post(w, { t: "files", trace, out, whole });
    }
  }

  send(worker: number, m: ToWorker): void {
    this.post(this.workers[worker], m);
  }

  private post(w: Worker, m: ToWorker): void {
    w.postMessage(m);
  }

  /** Stops the workers; once it settles none of them reads or writes a file any more. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
