// The floor under a trace's first open on this machine, as a whole process: Node's start, reading the
// trace through one reused buffer, touching as many bytes of new memory as the store holds (one
// allocation, as the parse's columns are), and writing them to a new file — no parsing at all.
// Memory is touched on this thread while the thread pool writes what is already touched (two writes
// in flight), the most overlap two cores allow.
// Usage: node bench/firstOpenFloor.mjs TRACE STORE_BYTES

import { Buffer } from "node:buffer";
import { closeSync, openSync, readSync, renameSync, rmSync, write } from "node:fs";

const [trace, storeBytes] = [process.argv[2], Number(process.argv[3])];
const CHUNK = 1 << 20;

const fd = openSync(trace, "r");
const buf = Buffer.allocUnsafe(CHUNK);
for (let at = 0, n; (n = readSync(fd, buf, 0, CHUNK, at)) > 0;) at += n;
closeSync(fd);

const tmp = `${trace}.floor.${process.pid}.tmp`;
const out = openSync(tmp, "w");
let inFlight = 0;
let wake = null;
const written = (err) => {
  if (err) throw err;
  inFlight--;
  wake?.();
};
// One allocation, as the parse's columns are one buffer (columns.ts `ensureCapacity`).
const store = new Uint8Array(storeBytes);
for (let at = 0; at < storeBytes; at += CHUNK) {
  const chunk = store.subarray(at, Math.min(at + CHUNK, storeBytes));
  for (let i = 0; i < chunk.length; i += 4096) chunk[i] = 1;
  while (inFlight >= 2) await new Promise((r) => (wake = r));
  inFlight++;
  write(out, chunk, 0, chunk.length, at, written);
}
while (inFlight > 0) await new Promise((r) => (wake = r));
closeSync(out);
renameSync(tmp, `${tmp}.done`);
rmSync(`${tmp}.done`);
