// `elixirscope export`: one trace file as JSON Lines (header, module table, events, footer), the form
// `import` reads back.

import { availableParallelism } from "node:os";
import { ReplayError } from "../../core/errors";
import { ExportPool } from "../../core/exportPool";
import { frameToJsonLine, jsonLinesOut } from "../../core/jsonl";
import { appendEventLine, type FrameFailure, frameFailureMessage } from "../../core/jsonlChunk";
import { Replay } from "../../core/replay";
import { atom, bin, tuple } from "../../core/terms/build";
import { one, type Parsed, UsageError } from "../args";
import { OutputFile } from "../io";
import { type Out } from "../options";

/** How the export splits its work; tests force the parallel path on small traces. */
export interface ExportTuning {
  /** Fewer events than this are transcoded on the main thread (a worker costs ~0.1 s of CPU to start). */
  parallelFrom: number;
  workers: number;
  /** Rows and bytes of frames per chunk sent to a worker. */
  chunkRows: number;
  chunkBytes: number;
  /** Chunks sent and not yet written: with the chunk size, what bounds the memory. */
  inFlight: number;
}

export const EXPORT_TUNING: ExportTuning = {
  parallelFrom: 50_000,
  workers: Math.max(1, Math.min(2, availableParallelism())),
  chunkRows: 32_768,
  // 1 MiB of frames (~1.7 MB of lines): buffers that stay in cache; with 4 MiB chunks the process
  // spent ~0.3 s more in the kernel on the 1M trace.
  chunkBytes: 1 << 20,
  inFlight: 6,
};

export async function exportJsonl(
  r: Replay,
  p: Parsed,
  out: Out,
  tuning: ExportTuning = EXPORT_TUNING,
): Promise<number> {
  const format = one(p, "format") ?? "jsonl";
  if (format !== "jsonl") throw new UsageError(`export: unknown format "${format}" (supported: jsonl)`);
  if (r.files.length !== 1) throw new UsageError("export: give one trace file at a time");
  const path = one(p, "o") ?? one(p, "out");
  // Written synchronously in batches, so the file is complete when the command returns.
  const file = path ? new OutputFile(path, "export") : undefined;
  // Lines gathered as bytes, ~1 MiB per write call: a write per line would cost more than the line.
  jsonLinesOut.clear();
  const flush = (): void => {
    if (file !== undefined && jsonLinesOut.size) file.write(jsonLinesOut.take());
    jsonLinesOut.clear();
  };
  const write = (s: string): void => {
    if (file === undefined) out(s);
    else jsonLinesOut.line(s);
  };
  // References are written resolved (format 1 has none); format 3's event pids stay process numbers.
  const version = r.files[0].formatVersion >= 3 ? 3 : 1;
  write(frameToJsonLine(tuple(atom("estrace"), version, r.files[0].header)));
  for (const m of r.modules())
    write(
      frameToJsonLine(
        tuple(
          atom("module"),
          atom(m.module),
          bin(m.source),
          m.functions.map((f) =>
            tuple(
              atom(f.name),
              f.arity,
              f.line,
              f.clauseLines,
              (f.clauses ?? []).map((c) => c.params.map((n) => atom(n ?? "nil"))),
            ),
          ),
        ),
      ),
    );
  const fail = (f: FrameFailure): never => {
    throw new ReplayError(frameFailureMessage(r.files[0].path, f));
  };
  // A receive that names its send, or a call, return or state that names an earlier large term (trace
  // format 2), is written with that term, as every other view shows it: read through the replay, so
  // such a trace is transcoded on this thread.
  const refs = r.hasReferences();
  if (file !== undefined && tuning.workers > 1 && r.eventCount >= tuning.parallelFrom && !refs) {
    flush();
    try {
      await parallelEvents(r, tuning, (bytes) => file.write(bytes), fail);
    } catch (e) {
      file.close();
      throw e;
    }
  } else {
    // In file order by large reads, each frame transcoded from its bytes (no terms built, no cache).
    let failure: FrameFailure | undefined;
    r.scanFrames((buf, start, end, index) => {
      if (failure) return;
      if (refs && r.refersToEarlier(index)) jsonLinesOut.line(frameToJsonLine(r.event(index).raw));
      else failure = appendEventLine(buf, start, end, index);
      if (file === undefined) {
        const line = jsonLinesOut.take();
        if (line.length) out(line.toString("utf8", 0, line.length - 1));
        jsonLinesOut.clear();
      } else if (jsonLinesOut.size >= 1 << 20) flush();
    });
    if (failure) {
      // The lines before the refused frame are written, as the parallel path writes them.
      flush();
      file?.close();
      fail(failure);
    }
  }
  if (r.files[0].footer !== undefined) write(frameToJsonLine(tuple(atom("footer"), r.files[0].footer)));
  flush();
  file?.close();
  return 0;
}

const WRITE_PIECE = 1 << 20;

/**
 * The events' lines transcoded by worker threads, chunk by chunk, and written in order by this thread
 * as they come back, at most `inFlight` chunks out at a time.
 */
async function parallelEvents(
  r: Replay,
  tuning: ExportTuning,
  write: (bytes: Uint8Array) => void,
  fail: (f: FrameFailure) => never,
): Promise<void> {
  const pool = new ExportPool(tuning.workers);
  const queue: Array<Promise<{ out: Uint8Array; failure?: FrameFailure }>> = [];
  const writeOldest = async (): Promise<void> => {
    const done = await queue.shift()!;
    // In pieces of 1 MiB, as the serial path writes: one write of a larger chunk (~7 MB) cost the
    // kernel several times more per byte (strace on the 1M trace: 0.62 s of writes against 0.13 s).
    for (let at = 0; at < done.out.length; at += WRITE_PIECE)
      write(done.out.subarray(at, Math.min(at + WRITE_PIECE, done.out.length)));
    if (done.failure) fail(done.failure);
    pool.written(done);
  };
  try {
    for (let from = 0; from < r.eventCount;) {
      const { bytes, bounds, to } = r.frameChunk(
        from,
        tuning.chunkRows,
        tuning.chunkBytes,
        pool.spareInput(),
      );
      const done = pool.chunk(bytes, bounds, from);
      // Settled later in order; a worker's crash meanwhile must not count as unhandled.
      done.catch(() => undefined);
      queue.push(done);
      from = to;
      if (queue.length >= tuning.inFlight) await writeOldest();
    }
    while (queue.length) await writeOldest();
  } finally {
    await pool.close();
  }
}
