// Worker-thread entry of the parallel export: for each chunk it is sent (a byte range of the trace and
// how many events it holds) it reads the frames itself, transcodes them and keeps the lines until the
// main thread, which places the chunks in order, says at which offset of the output to write them.
// No buffer crosses threads: a transferred (detached) one makes V8 throw away the optimized code of
// every function that reads typed arrays, and compile it again.

import { writeSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { ChunkTranscoder } from "./exportChunk";
import type { ToWorker } from "./exportPool";
import { setWholeForms } from "./wholeForms";

let transcoder: ChunkTranscoder | undefined;
let outFd = -1;
/** Lines transcoded and not yet written, by chunk id. */
const held = new Map<number, Buffer>();

function chunk(id: number, events: number, start: number, end: number): void {
  const out = transcoder!.lines(events, start, end);
  if (out === undefined) return void parentPort!.postMessage({ t: "redo", id });
  held.set(id, out);
  parentPort!.postMessage({ t: "done", id, size: out.length });
}

function write(id: number, at: number): void {
  const out = held.get(id)!;
  held.delete(id);
  try {
    for (let done = 0; done < out.length;) done += writeSync(outFd, out, done, out.length - done, at + done);
  } catch (e) {
    const { code, message } = e as NodeJS.ErrnoException;
    return void parentPort!.postMessage({ t: "written", id, error: { code, message } });
  }
  transcoder!.written(out);
  parentPort!.postMessage({ t: "written", id });
}

parentPort!.on("message", (m: ToWorker) => {
  try {
    if (m.t === "files") {
      transcoder = new ChunkTranscoder(m.trace);
      outFd = m.out;
      setWholeForms(m.whole);
    } else if (m.t === "chunk") chunk(m.id, m.events, m.start, m.end);
    else write(m.id, m.at);
  } catch (e) {
    // A bug, not bad input: the main thread rethrows it as such.
    parentPort!.postMessage({ t: "bug", stack: (e as Error).stack ?? String(e) });
  }
});
parentPort!.postMessage({ t: "ready" });
