// Worker-thread entry of the parallel export: for each chunk it is sent (a byte range of the trace and
// how many events it holds) it reads the frames itself, transcodes them and keeps the lines until the
// main thread, which places the chunks in order, says at which offset of the output to write them.
// No buffer crosses threads: a transferred (detached) one makes V8 throw away the optimized code of
// every function that reads typed arrays, and compile it again.

import { readSync, writeSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { eventBounds, transcodeFrames } from "./exportChunk";
import type { ToWorker } from "./exportPool";

let traceFd = -1;
let outFd = -1;
let input = Buffer.allocUnsafeSlow(0);
let bounds = new Uint32Array(0);
/** Lines transcoded and not yet written, by chunk id. */
const held = new Map<number, Buffer>();
/** Output buffers written, for the next chunks' lines (a fresh one costs page faults). */
const spare: Buffer[] = [];

/** Reads `length` bytes of the trace at `at` into `input`; false if the file ends first. */
function readRange(at: number, length: number): boolean {
  if (input.length < length) input = Buffer.allocUnsafeSlow(Math.max(length, 2 * input.length));
  for (let got = 0; got < length;) {
    const k = readSync(traceFd, input, got, length - got, at + got);
    if (k <= 0) return false;
    got += k;
  }
  return true;
}

function chunk(id: number, events: number, start: number, end: number): void {
  const length = end - start;
  if (bounds.length < 2 * events) bounds = new Uint32Array(Math.max(2 * events, 2 * bounds.length));
  if (!(length >= 0 && readRange(start, length) && eventBounds(input, length, events, bounds)))
    return void parentPort!.postMessage({ t: "redo", id });
  // Room for the 1.7× a chunk usually grows by, and for the 16× of a large frame near its end.
  const into = spare.pop() ?? Buffer.allocUnsafeSlow(3 * length + (1 << 20));
  const out = transcodeFrames(input, bounds, events, into);
  if (out === undefined) {
    spare.push(into);
    return void parentPort!.postMessage({ t: "redo", id });
  }
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
  if (spare.length < 4) spare.push(Buffer.from(out.buffer, 0, out.buffer.byteLength));
  parentPort!.postMessage({ t: "written", id });
}

parentPort!.on("message", (m: ToWorker) => {
  try {
    if (m.t === "files") {
      traceFd = m.trace;
      outFd = m.out;
    } else if (m.t === "chunk") chunk(m.id, m.events, m.start, m.end);
    else write(m.id, m.at);
  } catch (e) {
    // A bug, not bad input: the main thread rethrows it as such.
    parentPort!.postMessage({ t: "bug", stack: (e as Error).stack ?? String(e) });
  }
});
