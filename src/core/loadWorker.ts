// Worker-thread entry: loads and indexes trace files off the host's main thread, posting progress as
// it goes and the finished store (its typed arrays transferred, not copied) at the end.

import { parentPort, workerData } from "node:worker_threads";
import { loadStore } from "./store/store";
import { packStore } from "./storeTransfer";

const { paths, index } = workerData as { paths: string[]; index?: boolean };

loadStore(paths, {
  index,
  onProgress: (p) => parentPort!.postMessage({ type: "progress", progress: p }),
}).then(
  async (store) => {
    // The index is written from the arrays that are about to be transferred (and so detached).
    await store.indexSaved;
    const packed = packStore(store);
    parentPort!.postMessage({ type: "done", store: packed.data }, packed.transfer);
  },
  (e: unknown) => {
    const err = e as Error & { file?: string };
    parentPort!.postMessage({ type: "error", name: err.name, message: err.message, file: err.file });
  },
);
