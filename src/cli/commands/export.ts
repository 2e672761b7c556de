// `elixirscope export`: one trace file as JSON Lines (header, module table, events, footer), the form
// `import` reads back.

import { closeSync, openSync, statSync } from "node:fs";
import { ReplayError } from "../../core/errors";
import { parallelEventLines } from "../../core/exportParallel";
import { ExportPool } from "../../core/exportPool";
import { frameToJsonLine, jsonLinesOut } from "../../core/jsonl";
import { appendExportLine, type FrameFailure, frameFailureMessage } from "../../core/jsonlChunk";
import { Replay } from "../../core/replay";
import { atom, bin, tuple } from "../../core/terms/build";
import { one, type Parsed, UsageError } from "../args";
import { OutputFile } from "../io";
import { type Out } from "../options";
import { setWholeForms, wholeFormsSpec } from "../../core/wholeForms";

/** How the export splits its work; tests force the parallel path on small traces. */
export interface ExportTuning {
  /** Fewer events than this are transcoded on the main thread (a worker costs ~0.1 s of CPU to start). */
  parallelFrom: number;
  /** Traces of at least this many bytes start the workers before the trace is opened. */
  earlyFrom: number;
  workers: number;
  /** Rows and bytes of frames per chunk sent to a worker. */
  chunkRows: number;
  chunkBytes: number;
  /** Bytes of frames of each thread's first chunk (doubled per chunk up to `chunkBytes`). */
  firstChunkBytes: number;
  /** Chunks sent and not yet written: with the chunk size, what bounds the memory. */
  inFlight: number;
  /** Whether the main thread transcodes chunks too (it has little else to do meanwhile). */
  alsoHere: boolean;
}

let cores: number | undefined;

export const EXPORT_TUNING: ExportTuning = {
  parallelFrom: 50_000,
  // ~50k events of the synthetic bench trace.
  earlyFrom: 8 << 20,
  // The main thread transcodes too: on 2 cores, one worker (each costs ~0.1 s of CPU to start).
  // Asked when an export runs: `node:os` is not loaded by the other commands of this bundle.
  get workers() {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cores ??= (require("node:os") as typeof import("node:os")).availableParallelism();
    return Math.min(2, cores - 1);
  },
  chunkRows: 32_768,
  // 1 MiB of frames (~1.7 MB of lines): buffers that stay in cache; with 4 MiB chunks the process
  // spent ~0.3 s more in the kernel on the 1M trace.
  chunkBytes: 1 << 20,
  // ~300 events of the bench trace: cold, ~8 ms.
  firstChunkBytes: 64 << 10,
  inFlight: 8,
  alsoHere: true,
};

/**
 * A pool of export workers. No V8 flags are set for them (an earlier `--min-semi-space-size=16` and
 * `--always-sparkplug`): any flag set at run time changes V8's flag hash, so a worker then rejects
 * Node's built-in code cache and compiles Node's internal modules from source (~70-80 ms more CPU
 * and latency per worker boot on this VM), and the code cache the CLI writes at exit would not fit
 * later runs (bench/README, "The export's warm-up and its worker's start").
 */
function startWorkers(size: number): ExportPool {
  return new ExportPool(size);
}

/**
 * The export's workers, started before the trace is opened when the export will likely use them
 * (a large trace written to a file): they boot (~0.1 s each) while this thread reads the index.
 */
export function earlyExportWorkers(
  p: Parsed,
  traces: string[],
  tuning: ExportTuning = EXPORT_TUNING,
): ExportPool | undefined {
  if (traces.length !== 1 || tuning.workers < 1 || (one(p, "format") ?? "jsonl") !== "jsonl")
    return undefined;
  if ((one(p, "o") ?? one(p, "out")) === undefined) return undefined;
  try {
    if (statSync(traces[0]).size < tuning.earlyFrom) return undefined;
  } catch {
    return undefined; // the open says what is wrong with it
  }
  return startWorkers(tuning.workers);
}

export async function exportJsonl(
  r: Replay,
  p: Parsed,
  out: Out,
  tuning: ExportTuning = EXPORT_TUNING,
  early?: ExportPool,
): Promise<number> {
  // Format 3's numbered pids, functions and call sites are written whole (the workers get the same).
  setWholeForms(wholeFormsSpec(r));
  try {
    return await exportWith(r, p, out, tuning, early);
  } finally {
    setWholeForms(undefined);
    // Not used, or used and done: stopped before its files are closed.
    await early?.close();
  }
}

async function exportWith(
  r: Replay,
  p: Parsed,
  out: Out,
  tuning: ExportTuning,
  early: ExportPool | undefined,
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
  // References are written resolved (format 1 has none); format 3's numbered fields whole (wholeForms.ts).
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
              // Without them an imported trace would show tail calls at the lines they return to.
              (f.tailCalls ?? []).map((t) =>
                tuple(t.line, atom(t.callee.module), atom(t.callee.fun), t.callee.arity),
              ),
            ),
          ),
        ),
      ),
    );
  const fail = (f: FrameFailure): never => {
    throw new ReplayError(frameFailureMessage(r.files[0].path, f));
  };
  const footer =
    r.files[0].footer !== undefined ? frameToJsonLine(tuple(atom("footer"), r.files[0].footer)) : undefined;
  // By workers that write the file at known offsets: a regular file, with no damaged frames (whose
  // bytes lie between events: the workers walk the frames between known offsets).
  const fd = file?.positioned();
  if (
    file !== undefined &&
    fd !== undefined &&
    tuning.workers > 0 &&
    r.eventCount > 0 &&
    r.eventCount >= tuning.parallelFrom &&
    r.problems.length === 0
  ) {
    flush();
    let done: { end: number; failure?: FrameFailure };
    const pool = early ?? startWorkers(tuning.workers);
    const traceFd = openSync(r.files[0].path, "r");
    try {
      done = await parallelEventLines(
        r,
        pool,
        traceFd,
        {
          fd,
          at: file.position,
          writeAt: (b, at) => file.writeAt(b, at),
          writeError: (e) => file.failure(e),
        },
        tuning,
      );
    } catch (e) {
      await pool.close();
      file.close();
      throw e;
    } finally {
      await pool.close();
      closeSync(traceFd);
    }
    if (done.failure) {
      file.close();
      fail(done.failure);
    }
    if (footer !== undefined) file.writeAt(Buffer.from(`${footer}\n`), done.end);
    file.close();
    return 0;
  }
  await early?.close();
  // In file order by large reads, each frame transcoded from its bytes (no terms built, no cache). A
  // receive that names its send, or a call, return or state that names an earlier large term (trace
  // format 2), is written with that term, as every other view shows it: read through the replay.
  const refs = r.hasReferences();
  let failure: FrameFailure | undefined;
  r.scanFrames((buf, start, end, index) => {
    if (failure) return;
    failure = appendExportLine(r, refs, buf, start, end, index);
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
  if (footer !== undefined) write(footer);
  flush();
  file?.close();
  return 0;
}
