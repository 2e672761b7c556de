// Starts the load worker and turns its messages back into a store, progress callbacks and errors.
// From source (tests, tsx) it runs `loadWorker.ts` through tsx; bundled, the `loadWorker.js` beside it.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { LoadCancelledError, TraceLoadError } from "./errors";
import type { StoreData } from "./store/store";
import { type PackedStore, unpackStore } from "./storeTransfer";
import type { LoadProgress } from "./types";

export function loadInWorker(
  paths: string[],
  onProgress?: (p: LoadProgress) => void,
  index?: boolean,
  signal?: AbortSignal,
): Promise<StoreData> {
  if (signal?.aborted) return Promise.reject(new LoadCancelledError(paths));
  // Required here, not at import: a process that opens an index (most) never starts a worker (~5 ms).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Worker } = require("node:worker_threads") as typeof import("node:worker_threads");
  const bundled = join(__dirname, "loadWorker.js");
  const fromSource = join(__dirname, "loadWorker.ts");
  const worker = existsSync(bundled)
    ? new Worker(bundled, { workerData: { paths, index } })
    : // Running from TypeScript sources (tests): register tsx inside the worker, then load the entry.
      new Worker(`require("tsx/cjs/api").register(); require(${JSON.stringify(fromSource)});`, {
        eval: true,
        workerData: { paths, index },
      });
  return new Promise((resolve, reject) => {
    let settled = false;
    // Cancel: the worker stops wherever it is parsing; nothing it built comes back.
    const onAbort = (): void => {
      if (settled) return;
      settled = true;
      reject(new LoadCancelledError(paths));
      void worker.terminate();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.once("exit", () => signal?.removeEventListener("abort", onAbort));
    worker.on(
      "message",
      (m: {
        type: string;
        progress?: LoadProgress;
        store?: PackedStore["data"];
        name?: string;
        message?: string;
        file?: string;
      }) => {
        if (m.type === "progress" && m.progress) onProgress?.(m.progress);
        else if (m.type === "done" && m.store) {
          settled = true;
          resolve(unpackStore(m.store));
          void worker.terminate();
        } else if (m.type === "error") {
          settled = true;
          const msg = m.message ?? "load failed";
          reject(
            m.name === "TraceLoadError" && m.file
              ? new TraceLoadError(m.file, msg.replace(`${m.file}: `, ""))
              : new Error(msg),
          );
          void worker.terminate();
        }
      },
    );
    worker.on("error", (e) => {
      if (!settled) reject(e);
      settled = true;
    });
    worker.on("exit", (code) => {
      if (!settled) reject(new Error(`the trace loading worker exited with code ${code}`));
      settled = true;
    });
  });
}
