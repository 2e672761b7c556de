// Argument fingerprints only ever spare reading bytes: a condition on arguments answers the same with
// and without them (random conditions over generated, example and hand-encoded traces, including
// literals whose value has another encoding), and an index of the format before them is rebuilt.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "../../bench/gen";
import { type ColumnSource, compileColumnFilter } from "../../src/core/columnFilter";
import { parseExpr } from "../../src/core/inspect/expression";
import { ARG_FP_COUNT, FP_NONE, skipArgs } from "../../src/core/reader/argFingerprint";
import { Scan } from "../../src/core/reader/scan";
import { Replay } from "../../src/core/replay";
import { atom, float, pid, tuple } from "../../src/core/terms/build";
import { encodeTerm } from "../../src/core/terms/encode";
import type { Term } from "../../src/core/terms/term";
import { INDEX_FORMAT } from "../../src/core/store/indexFile";

/** A small deterministic generator, so that a failure names a reproducible condition. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const LITERALS = [
  "-1",
  "0",
  "1",
  "5",
  "12",
  "255",
  "256",
  "70000",
  "-2147483648",
  "2147483647",
  "2147483648",
  "1099511627776",
  ":ok",
  ":state",
  ":error",
  ':"héllo"',
  ":nil",
  "true",
];
const OPS = ["==", "===", "!=", "!=="];

function randomCondition(next: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)];
  const test = (): string =>
    `args[${Math.floor(next() * (ARG_FP_COUNT + 1))}] ${pick(OPS)} ${pick(LITERALS)}`;
  const r = next();
  if (r < 0.6) return test();
  if (r < 0.8) return `${test()} ${pick(["and", "or"])} ${test()}`;
  return `not (${test()})`;
}

/** Every row's answer to `cond` with fingerprints, and without them (bytes only). */
function compare(src: ColumnSource, rows: number, cond: string): number {
  const expr = parseExpr(cond);
  const withFp = compileColumnFilter(expr, src);
  const without = compileColumnFilter(expr, { ...src, argFingerprints: undefined });
  assert.equal(withFp === undefined, without === undefined, cond);
  if (!withFp || !without) return 0;
  for (let i = rows - 1; i >= 0; i--) assert.equal(withFp(i), without(i), `${cond}, row ${i}`);
  return rows;
}

describe("argument fingerprints", () => {
  const dir = mkdtempSync(join(tmpdir(), "elixirscope-argfp-"));

  it("answer random argument conditions as the bytes do on a generated trace, parsed and from its index", async () => {
    const path = join(dir, "gen.estrace");
    generate({ events: 4000, seed: 23, out: path, servers: 3, workers: 8 });
    const built = await Replay.open(path);
    await built.indexSaved();
    built.close();
    for (const index of [false, true]) {
      const r = await Replay.open(path, { index });
      if (index) assert.equal(r.indexStatus.state, "reused");
      const next = rng(index ? 7 : 5);
      let asked = 0;
      for (let n = 0; n < 60; n++) asked += compare(r.columnSource(), r.eventCount, randomCondition(next));
      assert.ok(asked > 0);
      // And they spare reading: a never-true test reads next to no call's bytes.
      const reads = (fp: boolean): number => {
        let n = 0;
        const src = r.columnSource();
        const counted: ColumnSource = {
          ...src,
          memo: undefined,
          argFingerprints: fp ? src.argFingerprints : undefined,
          frameBytes: (i) => (n++, src.frameBytes(i)),
          frameRange: (i, at) => (n++, src.frameRange!(i, at)),
        };
        const f = compileColumnFilter(parseExpr("args[1] == -1"), counted)!;
        for (let i = 0; i < r.eventCount; i++) f(i);
        return n;
      };
      const plain = reads(false);
      assert.ok(plain > 500, `${plain} reads without fingerprints`);
      assert.ok(reads(true) < plain / 20, "fingerprints spared no reads");
      r.close();
    }
  });

  it("answer random argument conditions as the bytes do on the example traces", async () => {
    const next = rng(3);
    for (const name of ["happy_path", "payment_crash", "double_booking", "hold_expiry", "rush_hour"]) {
      const r = await Replay.open(join("examples", "traces", `${name}.estrace`), { index: false });
      for (let n = 0; n < 25; n++) compare(r.columnSource(), r.eventCount, randomCondition(next));
      r.close();
    }
  });

  it("do not decide values that have another encoding than the literal's", () => {
    const head = [atom("call"), 1, 2, pid("n@h", 1, 0), tuple(atom("M"), atom("f"), 2)];
    const call = (args: Term): Uint8Array => encodeTerm(tuple(...head, args, atom("undefined")));
    const body = (t: Term): number[] => [...encodeTerm(t).subarray(1)];
    // The same values as literals would be encoded, spelled otherwise: an argument list written by hand.
    const raw = (...args: number[][]): Uint8Array =>
      Uint8Array.from([
        131,
        104,
        7,
        ...head.flatMap(body),
        ...[108, 0, 0, 0, args.length, ...args.flat(), 106],
        ...body(atom("undefined")),
      ]);
    const frames: Uint8Array[] = [
      raw([98, 0, 0, 0, 12]), // 12 as INTEGER_EXT
      raw([110, 1, 0, 12]), // 12 as a big
      raw([110, 1, 1, 1]), // -1 as a big
      raw([110, 2, 0, 12, 0]), // 12 as a big with a zero digit
      raw([100, 0, 2, 111, 107]), // :ok as ATOM_EXT
      raw([115, 2, 111, 107]), // :ok as SMALL_ATOM_EXT
      raw([118, 0, 2, 111, 107]), // :ok as ATOM_UTF8_EXT
      raw([115, 5, 104, 0xe9, 108, 108, 111]), // :"héllo" in latin-1
      raw([97, 12], [98, 0xff, 0xff, 0xff, 0xff]),
      call([float(12), float(-1)]),
      call([12, 255, 0]), // a charlist
      call([12, atom("ok"), atom("héllo"), -1, 70000]),
      call(atom("nope")),
      call([]),
    ];
    const fps = Array.from({ length: ARG_FP_COUNT }, () => new Uint8Array(frames.length));
    const s = new Scan();
    const out = new Uint8Array(ARG_FP_COUNT);
    frames.forEach((f, row) => {
      const buf = Buffer.from(f);
      s.reset(buf, 1, buf.length);
      assert.equal(s.tupleArity(), 7);
      for (let i = 0; i < 5; i++) s.skip();
      skipArgs(s, out);
      s.skip();
      assert.equal(s.pos, buf.length, `frame ${row} is well formed`);
      for (let k = 0; k < ARG_FP_COUNT; k++) fps[k][row] = out[k];
    });
    assert.ok(fps[0].some((v) => v !== FP_NONE));
    const src: ColumnSource = {
      kindOf: () => "call",
      seqOf: (i) => i,
      mfaOf: () => undefined,
      frameBytes: (i) => frames[i],
      argFingerprints: (k) => fps[k],
    };
    for (const lit of LITERALS)
      for (const op of OPS)
        for (let k = 0; k <= ARG_FP_COUNT; k++) compare(src, frames.length, `args[${k}] ${op} ${lit}`);
  });

  it("make an index of the format before them rebuilt", async () => {
    const path = join(dir, "old.estrace");
    generate({ events: 500, seed: 2, out: path, servers: 1, workers: 2 });
    const a = await Replay.open(path);
    await a.indexSaved();
    a.close();
    const bytes = readFileSync(`${path}.esindex`);
    assert.equal(bytes.readUInt32LE(8), INDEX_FORMAT);
    bytes.writeUInt32LE(INDEX_FORMAT - 1, 8);
    writeFileSync(`${path}.esindex`, bytes);
    const b = await Replay.open(path);
    await b.indexSaved();
    assert.equal(b.indexStatus.state, "rebuilt");
    assert.match(b.indexStatus.note ?? "", new RegExp(`index format ${INDEX_FORMAT - 1}`));
    b.close();
    const c = await Replay.open(path);
    assert.equal(c.indexStatus.state, "reused");
    const src = c.columnSource();
    const fp = src.argFingerprints!(1);
    assert.equal(fp.length, c.eventCount);
    c.close();
  });
});
