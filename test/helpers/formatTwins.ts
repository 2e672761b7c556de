// Checks shared by the tests of trace format 2's references (a receive naming its send, a large term
// naming its earlier copy): a trace written with references must export and reopen from its index
// exactly as the same recording written whole.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXPORT_TUNING, exportJsonl } from "../../src/cli/commands/export";
import { viewStack } from "../../src/core/inspect/frames";
import { FRAME_MARK, MAGIC } from "../../src/core/reader/readTrace";
import { Replay } from "../../src/core/replay";
import { decodeEtf } from "../../src/core/terms/decode";
import { encodeTerm } from "../../src/core/terms/encode";
import type { Term } from "../../src/core/terms/term";
import { canonical } from "./canonical";

/** `bytes` written as `name` in a fresh temporary folder. */
export function writeTrace(bytes: Buffer, name: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "elixirscope-twins-")), name);
  writeFileSync(path, bytes);
  return path;
}

/** The JSON Lines export of `path` but its header line (which says the file's own version). */
export async function exportedLines(path: string, parallelFrom: number): Promise<string[]> {
  const r = await Replay.open(path, { index: false });
  const out = `${path}.${parallelFrom}.jsonl`;
  const p = { positional: [path], flags: new Set<string>(), values: new Map([["o", [out]]]) };
  try {
    // Workers alone: each chunk with a reference is given back to this thread.
    await exportJsonl(r, p, () => undefined, { ...EXPORT_TUNING, workers: 2, alsoHere: false, parallelFrom });
  } finally {
    r.close();
  }
  return readFileSync(out, "utf8").trimEnd().split("\n").slice(1);
}

/** Opens `path` twice, building its index then reusing it, and asserts the same `answers` from both. */
export async function assertSameFromIndex(path: string, answers: (r: Replay) => string): Promise<void> {
  const built = await Replay.open(path);
  await built.indexSaved();
  const want = answers(built);
  built.close();
  const reused = await Replay.open(path);
  try {
    assert.equal(reused.indexStatus.state, "reused");
    assert.equal(answers(reused), want);
  } finally {
    reused.close();
  }
}

/** The terms of a whole trace's frames (header first), in file order. */
export function frameTerms(bytes: Buffer): Term[] {
  const out: Term[] = [];
  for (let at = MAGIC.length; at < bytes.length; at += 5 + bytes.readUInt32BE(at + 1))
    out.push(decodeEtf(bytes.subarray(at + 5, at + 5 + bytes.readUInt32BE(at + 1))));
  return out;
}

/**
 * `bytes` (a whole trace) with each frame's term passed through `f`, to write the same recording in
 * another form; a frame `f` leaves undefined keeps its bytes.
 */
export function mapFrames(bytes: Buffer, f: (t: Term) => Term | undefined): Buffer {
  const out: Uint8Array[] = [bytes.subarray(0, MAGIC.length)];
  for (let at = MAGIC.length; at < bytes.length;) {
    const size = bytes.readUInt32BE(at + 1);
    const etf = bytes.subarray(at + 5, at + 5 + size);
    const now = f(decodeEtf(etf));
    const body = now === undefined ? etf : encodeTerm(now);
    const head = Buffer.alloc(5);
    head[0] = FRAME_MARK;
    head.writeUInt32BE(body.length, 1);
    out.push(head, body);
    at += 5 + size;
  }
  return Buffer.concat(out);
}

/**
 * What the engine shows of a recording, per event (the event but its raw term, the stack, the frames a
 * debugger shows, the location), per source line, per process (its state history) and in the message
 * flow, as one text: two forms of one recording must give the same.
 */
export function engineViews(r: Replay): string {
  const perEvent = Array.from({ length: r.eventCount }, (_, i) => {
    const { raw: _raw, ...ev } = r.event(i);
    return { ev, stack: r.stackAt(i), view: viewStack(r, i, "(outside)"), at: r.locationOf(i) };
  });
  const perFile = r.sourceFiles().map((file) => ({
    file,
    lines: r.linesWithEvents(file),
    counts: r.lineCounts(file),
    calls: r
      .recordedLines(file)
      .map((line) => ({ line, at: r.eventsAt(file, line), calls: r.callsAt(file, line) })),
  }));
  return canonical({
    perEvent,
    perFile,
    recorded: r.recordedFiles(),
    problems: r.problems.map((p) => p.message),
  });
}
