// The export's worker threads write the very bytes the serial export writes — over a generated trace
// and a recorded example cut into many small chunks — and stop at a damaged frame in the middle with
// the serial export's message, the lines before it written.

import assert from "node:assert/strict";
import { closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "../../bench/gen";
import {
  earlyExportWorkers,
  EXPORT_TUNING,
  type ExportTuning,
  exportJsonl,
} from "../../src/cli/commands/export";
import { ReplayError } from "../../src/core/errors";
import { parallelEventLines, Planner } from "../../src/core/exportParallel";
import { ExportPool } from "../../src/core/exportPool";
import { Replay } from "../../src/core/replay";

const dir = mkdtempSync(join(tmpdir(), "elixirscope-export-par-"));
const SERIAL: ExportTuning = { ...EXPORT_TUNING, parallelFrom: Infinity };
// Small chunks, so that a few thousand events make dozens of them and the in-flight bound is reached.
const PARALLEL: ExportTuning = {
  parallelFrom: 0,
  earlyFrom: Infinity,
  workers: 2,
  chunkRows: 97,
  chunkBytes: 16 << 10,
  // Each thread's chunks grow 2 -> 4 -> 8 -> 16 KiB: sizes differ between threads and over time.
  firstChunkBytes: 2 << 10,
  inFlight: 3,
  // The workers do every chunk: with this thread too, it may do them all before they boot.
  alsoHere: false,
};

/** Runs the export of the open replay into a file; returns its bytes and the error it stopped with. */
async function exportTo(
  r: Replay,
  name: string,
  tuning: ExportTuning,
): Promise<{ bytes: Buffer; error?: Error }> {
  const out = join(dir, name);
  const p = { positional: [r.files[0].path], flags: new Set<string>(), values: new Map([["o", [out]]]) };
  let error: Error | undefined;
  try {
    assert.equal(await exportJsonl(r, p, () => undefined, tuning), 0);
  } catch (e) {
    error = e as Error;
  }
  return { bytes: readFileSync(out), error };
}

describe("export: worker threads", function () {
  this.timeout(120_000);

  const generated = join(dir, "gen.estrace");
  before(() => generate({ events: 5000, seed: 9, out: generated, servers: 4, workers: 20 }));

  for (const [name, path] of [
    ["a generated trace", generated],
    [
      "a recorded example (some frames on the decoding path)",
      join(__dirname, "../../examples/traces/rush_hour.estrace"),
    ],
  ]) {
    it(`write the serial export's bytes for ${name}`, async () => {
      const r = await Replay.open(path);
      try {
        const serial = await exportTo(r, "serial.jsonl", SERIAL);
        assert.equal(serial.error, undefined);
        assert.equal(serial.bytes.toString().split("\n").length - 1 > r.eventCount, true);
        // Workers alone, workers and this thread, one worker and this thread.
        for (const tuning of [
          PARALLEL,
          { ...PARALLEL, alsoHere: true },
          { ...PARALLEL, workers: 1, alsoHere: true },
        ]) {
          const parallel = await exportTo(r, "parallel.jsonl", tuning);
          assert.equal(parallel.error, undefined);
          assert.ok(
            parallel.bytes.equals(serial.bytes),
            `parallel output differs from serial output: ${JSON.stringify(tuning)}`,
          );
        }
        // Printed to stdout (no -o) it is the same text, line by line.
        const lines: string[] = [];
        const p = { positional: [path], flags: new Set<string>(), values: new Map<string, string[]>() };
        await exportJsonl(r, p, (s) => lines.push(s), PARALLEL);
        assert.equal(`${lines.join("\n")}\n`, serial.bytes.toString());
      } finally {
        r.close();
      }
    });
  }

  it("started before the trace is opened, write the same bytes; unused, let the export end", async () => {
    const out = join(dir, "early.jsonl");
    const p = { positional: [generated], flags: new Set<string>(), values: new Map([["o", [out]]]) };
    const early = earlyExportWorkers(p, [generated], { ...PARALLEL, earlyFrom: 0 });
    assert.ok(early);
    const r = await Replay.open(generated);
    try {
      const serial = await exportTo(r, "serial-early.jsonl", SERIAL);
      assert.equal(await exportJsonl(r, p, () => undefined, PARALLEL, early), 0);
      assert.ok(readFileSync(out).equals(serial.bytes));
      // Not used (the serial path): closed, the export still ends.
      const unused = earlyExportWorkers(p, [generated], { ...PARALLEL, earlyFrom: 0 });
      assert.equal(await exportJsonl(r, p, () => undefined, SERIAL, unused), 0);
      assert.ok(readFileSync(out).equals(serial.bytes));
    } finally {
      r.close();
    }
  });

  it("place the chunks of this thread and of the workers in order, each where its lines go", async () => {
    const r = await Replay.open(generated);
    const serial = (await exportTo(r, "serial-direct.jsonl", SERIAL)).bytes.toString();
    // The event lines alone: after the header and module lines, before the footer's.
    const lines = serial.split("\n").filter((l) => l.startsWith('{"kind":'));
    const path = join(dir, "direct.jsonl");
    for (const [workers, alsoHere] of [
      [1, true],
      [2, false],
    ] as const) {
      const pool = new ExportPool(workers);
      const traceFd = openSync(generated, "r");
      const fd = openSync(path, "w");
      const base = 7; // lines placed after some bytes already written
      writeSync(fd, "header\n");
      try {
        const done = await parallelEventLines(
          r,
          pool,
          traceFd,
          {
            fd,
            at: base,
            writeAt: (b, at) => void writeSync(fd, b, 0, b.length, at),
            writeError: (e) => new Error(e.message),
          },
          { ...PARALLEL, alsoHere },
        );
        const got = readFileSync(path, "utf8");
        assert.equal(got, `header\n${lines.join("\n")}\n`);
        assert.equal(done.end, Buffer.byteLength(got));
        assert.equal(done.failure, undefined);
        // This thread takes chunks while the workers boot, or none when told not to.
        if (alsoHere) assert.ok(done.here > 0, "this thread transcoded no chunk");
        else assert.equal(done.here, 0);
      } finally {
        await pool.close();
        closeSync(traceFd);
        closeSync(fd);
      }
    }
    r.close();
  });

  it("cut the events into contiguous chunks of about the bytes asked for, each thread's growing", async () => {
    const r = await Replay.open(generated);
    try {
      const frameStart = (row: number): number => r.frameOffset(row) - 5;
      const planner = new Planner(r, PARALLEL);
      let row = 0;
      let start = frameStart(0);
      let bytes = PARALLEL.firstChunkBytes;
      const rows: number[] = [];
      while (!planner.done) {
        const c = planner.next(bytes);
        assert.equal(c.from, row);
        assert.equal(c.start, start);
        assert.ok(c.to > c.from);
        // Within twice the bytes asked for unless a single event, and at most chunkRows events.
        assert.ok(c.to - c.from === 1 || c.end - c.start <= 2 * bytes, JSON.stringify(c));
        assert.ok(c.to - c.from <= PARALLEL.chunkRows);
        if (c.to < r.eventCount) assert.equal(c.end, frameStart(c.to));
        rows.push(c.to - c.from);
        row = c.to;
        start = c.end;
        bytes = Math.min(2 * bytes, PARALLEL.chunkBytes);
      }
      assert.equal(row, r.eventCount);
      // The first chunks (2 and 4 KiB of frames) hold fewer events than the later ones (16 KiB).
      assert.ok(rows[0] < rows[1] && rows[1] < rows[3], String(rows.slice(0, 5)));
    } finally {
      r.close();
    }
  });

  it("stop at a damaged frame in the middle with the serial export's message", async () => {
    const path = join(dir, "damaged.estrace");
    copyFileSync(generated, path);
    const r = await Replay.open(path);
    try {
      // Damaged after loading (the file changed under the open replay): the export meets it first.
      const victim = 2345;
      const { bytes, bounds } = r.frameChunk(victim, 1, 1 << 20);
      const frame = bytes.subarray(bounds[0], bounds[1]);
      const at = readFileSync(path).indexOf(frame);
      assert.ok(at > 0);
      const fd = openSync(path, "r+");
      // An unknown tag where the seq is: after the version, the tuple's head and the kind atom.
      assert.deepEqual([frame[0], frame[1], frame[3]], [131, 104, 119]);
      writeSync(fd, Buffer.from([0xee]), 0, 1, at + 5 + frame[4]);
      closeSync(fd);
      const serial = await exportTo(r, "serial-bad.jsonl", SERIAL);
      const parallel = await exportTo(r, "parallel-bad.jsonl", PARALLEL);
      assert.ok(serial.error instanceof ReplayError, String(serial.error?.stack));
      assert.match(
        serial.error.message,
        /^export: .*damaged\.estrace: event 2345 cannot be read: .*\(at byte \d+\)$/,
      );
      assert.equal(parallel.error?.message, serial.error.message);
      assert.ok(parallel.bytes.equals(serial.bytes), "the lines before the damaged frame differ");
      const lines = serial.bytes.toString().split("\n");
      assert.match(lines[lines.length - 2], /"seq":2344,/);
    } finally {
      r.close();
    }
  });
});
