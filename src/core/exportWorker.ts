// Worker-thread entry of the parallel export: transcodes each chunk of event frames it is sent to
// JSON Lines and posts the bytes back (transferred, not copied), with the chunk's input buffer, so
// that the main thread can use both buffers again.

import { parentPort } from "node:worker_threads";
import { transcodeChunk } from "./jsonlChunk";

export interface ChunkRequest {
  id: number;
  bytes: Uint8Array;
  bounds: Uint32Array;
  first: number;
  /** An output buffer written before and handed back, to be written into again. */
  spare?: ArrayBuffer;
}

parentPort!.on("message", (m: ChunkRequest) => {
  try {
    const into = m.spare ? Buffer.from(m.spare) : Buffer.allocUnsafeSlow(2 * m.bytes.length + (64 << 10));
    const { out, failure } = transcodeChunk(m.bytes, m.bounds, m.first, into);
    const ab = out.buffer as ArrayBuffer;
    const input = m.bytes.buffer as ArrayBuffer;
    parentPort!.postMessage(
      { id: m.id, buffer: ab, offset: out.byteOffset, length: out.length, failure, input },
      ab === input ? [ab] : [ab, input],
    );
  } catch (e) {
    // A bug, not bad input: the main thread rethrows it as such.
    parentPort!.postMessage({ id: m.id, bug: (e as Error).stack ?? String(e) });
  }
});
