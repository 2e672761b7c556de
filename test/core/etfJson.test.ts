// The export's byte-level transcoder writes exactly the JSON line the decoding path writes: over
// every event of the recorded examples and of a generated trace, and over random event frames of
// every term type (where the uncovered shapes must fall back to the decoding path, same text).

import assert from "node:assert/strict";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "../../bench/gen";
import { eventBytesToJsonLine, frameToJsonLine } from "../../src/core/jsonl";
import { Replay } from "../../src/core/replay";
import {
  atom,
  bin,
  bits,
  exportFun,
  float,
  improper,
  map,
  pid,
  port,
  ref,
  tuple,
} from "../../src/core/terms/build";
import { decodeEtf } from "../../src/core/terms/decode";
import { encodeTerm } from "../../src/core/terms/encode";
import { transcodeFrames } from "../../src/core/exportChunk";
import { eventFrameToJsonLine } from "../../src/core/terms/etfJson";
import type { Term } from "../../src/core/terms/term";

const TRACES = join(__dirname, "../../examples/traces");

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Every event of a trace: the transcoded line against the decoded one; returns how many took the fast path. */
async function compareTrace(path: string): Promise<{ events: number; fast: number }> {
  const r = await Replay.open(path, { index: false });
  try {
    let fast = 0;
    let events = 0;
    r.scanFrames((buf, start, end, i) => {
      // An event naming an earlier one (format 2) is transcoded as written; the export resolves it above.
      const raw = r.refersToEarlier(i) ? decodeEtf(buf.subarray(start, end)) : r.event(i).raw;
      const want = frameToJsonLine(raw);
      assert.equal(eventBytesToJsonLine(buf, start, end), want, `${path} event ${i}`);
      if (eventFrameToJsonLine(buf, start, end, () => ["seq", "time", "pid"]) !== undefined) fast++;
      events++;
    });
    assert.equal(events, r.eventCount);
    return { events, fast };
  } finally {
    r.close();
  }
}

function randomTerm(rand: () => number, depth = 0): Term {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const leafKinds = 14;
  const k = Math.floor(rand() * (depth > 3 ? leafKinds : leafKinds + 5));
  switch (k) {
    case 0:
      return Math.floor(rand() * 256);
    case 1:
      return pick([-1, 256, -2147483648, 2147483647, 70000, -70000, 0]);
    case 2:
      return pick([2 ** 40, -(2 ** 47), 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 31]);
    case 3:
      return pick([2n ** 64n, -(2n ** 70n), 2n ** 200n]);
    case 4:
      return atom(pick(["ok", "error", "nil", "true", "Elixir.Foo", 'with "quote"', "é", "日本", ""]));
    case 5:
      return bin(
        pick(["", "plain", 'q"b\\s', "tab\tnl\ncr\r\u0001\u001f\u007f", "héllo", "ﬁ日本", "\ufeffbom"]),
      );
    case 6:
      return bin(new Uint8Array([0xff, 0xfe, 0x80, 0x41]));
    case 7:
      return bits([0xa0, 0x0f], 4);
    case 8:
      return float(pick([0, -0, 1.5, -2.25e-300, 1e21, 0.1, 123456789.125]));
    case 9:
      return pid(
        pick(["nonode@nohost", "a@b", "nødé@x"]),
        Math.floor(rand() * 1e6),
        Math.floor(rand() * 3),
        pick([0, 1, 1700000000]),
      );
    case 10:
      return ref("nonode@nohost", [1, 2, Math.floor(rand() * 2 ** 32)], pick([0, 7]));
    case 11:
      return port("nonode@nohost", 12, 1);
    case 12:
      return exportFun("Elixir.Enum", "map", 2);
    case 13:
      return [];
    case 14:
      return pick([
        [65, 66, 10],
        [0, 255, 34, 92],
      ]); // charlists: STRING_EXT
    case 15:
      return Array.from({ length: Math.floor(rand() * 4) }, () => randomTerm(rand, depth + 1));
    case 16:
      return tuple(...Array.from({ length: Math.floor(rand() * 4) }, () => randomTerm(rand, depth + 1)));
    case 17:
      return map(
        Array.from({ length: Math.floor(rand() * 3) }, (): [Term, Term] => [
          randomTerm(rand, depth + 1),
          randomTerm(rand, depth + 1),
        ]),
      );
    default:
      return improper([randomTerm(rand, depth + 1)], randomTerm(rand, depth + 1));
  }
}

describe("export: ETF bytes to JSON text without decoding", function () {
  this.timeout(120_000);

  for (const name of readdirSync(TRACES).filter((f) => f.endsWith(".estrace")))
    it(`writes every event of ${name} exactly as the decoding path does`, async () => {
      const { events, fast } = await compareTrace(join(TRACES, name));
      assert.ok(events > 0);
      assert.ok(fast > events * 0.5, `only ${fast} of ${events} events took the fast path`);
    });

  it("writes every event of a generated trace exactly as the decoding path does, nearly all on the fast path", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "elixirscope-etfjson-")), "gen.estrace");
    generate({ events: 6000, seed: 4, out: path, servers: 3, workers: 10 });
    const { events, fast } = await compareTrace(path);
    assert.ok(fast > events * 0.95, `only ${fast} of ${events} events took the fast path`);
  });

  it("agrees on 3000 random event frames of every term type", () => {
    const rand = rng(77);
    let fast = 0;
    const kinds = ["call", "return", "send", "exit", "nope"];
    for (let i = 0; i < 3000; i++) {
      const extra = Array.from({ length: Math.floor(rand() * 5) }, () => randomTerm(rand));
      const frame = tuple(atom(kinds[i % kinds.length]), i, 2 ** 40 + i, pid("n@h", 1, 0), ...extra);
      const bytes = encodeTerm(frame);
      const want = frameToJsonLine(decodeEtf(bytes));
      assert.equal(eventBytesToJsonLine(bytes, 0, bytes.length), want, `frame ${i}: ${want}`);
      if (eventFrameToJsonLine(bytes, 0, bytes.length, () => []) !== undefined) fast++;
    }
    assert.ok(fast > 600, `only ${fast} random frames took the fast path`);
  });

  it("reads each frame from a buffer the caller reuses (as the export's scan does)", () => {
    // Kinds of the same length at the same place: what it remembers of one must not be the other's bytes.
    const buf = Buffer.alloc(256);
    for (const kind of ["zq_reuse_a", "zq_reuse_b", "zq_reuse_a", "zq_reuse_c", "send", "link"]) {
      const bytes = encodeTerm(tuple(atom(kind), 1, 2, pid("n@h", 1, 0), atom("x")));
      buf.set(bytes, 10);
      assert.equal(eventBytesToJsonLine(buf, 10, 10 + bytes.length), frameToJsonLine(decodeEtf(bytes)), kind);
    }
  });

  /** The frame `{kind, seq, time, pid, ...rest}` with the raw ETF pieces `rest` (no version byte). */
  function rawFrame(kind: string, rest: Uint8Array[]): Uint8Array {
    const head = encodeTerm(tuple(atom(kind), 1, 2, pid("n@h", 1, 0)));
    // Bump the tuple's arity and append the pieces after its last element.
    head[2] += rest.length;
    return Buffer.concat([head, ...rest]);
  }
  const etf = (t: Term): Uint8Array => encodeTerm(t).subarray(1);
  /** An atom with an explicit tag: 115 SMALL_ATOM, 119 SMALL_ATOM_UTF8, 100 ATOM, 118 ATOM_UTF8. */
  function atomEtf(tag: number, name: Uint8Array): Uint8Array {
    const small = tag === 115 || tag === 119;
    return Buffer.concat([
      Buffer.from(small ? [tag, name.length] : [tag, name.length >> 8, name.length & 255]),
      name,
    ]);
  }
  const same = (bytes: Uint8Array, what: string): void =>
    assert.equal(eventBytesToJsonLine(bytes, 0, bytes.length), frameToJsonLine(decodeEtf(bytes)), what);

  it("writes integers at every digit count and across 2^31 and 2^48 as the decoding path does", () => {
    const ints: Array<number | bigint> = [
      0,
      9,
      10,
      99,
      100,
      255,
      256,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32,
      2 ** 48 - 1,
    ];
    for (let p10 = 1; p10 <= 15; p10++) ints.push(10 ** p10 - 1, 10 ** p10, 10 ** p10 + 1);
    ints.push(1e9 + 7, 2 ** 31 + 1e9, 4294967295 * 1e4 + 9, 2n ** 48n, 2n ** 63n, 2n ** 64n + 1n);
    for (const v of ints)
      for (const x of typeof v === "bigint" ? [v, -v] : [v, -v]) {
        const bytes = encodeTerm(tuple(atom("exit"), 1, 2, pid("n@h", 1, 0), x, [x, 7])) as Uint8Array;
        same(bytes, String(x));
      }
  });

  it("writes atoms from its table exactly: escapes, every atom tag, more atoms than slots, non-ASCII", () => {
    const names = ["ok", "", 'q"uote', "back\\slash", "tab\tnl\n\u0001\u001f", "Elixir.A.B", "x".repeat(255)];
    for (let i = 0; i < 3000; i++) names.push(`Elixir.Bench.Server${i}`, `f${i}`);
    const rand = rng(5);
    const tags = [115, 119, 100, 118];
    for (let round = 0; round < 3; round++)
      for (const name of names) {
        const tag = tags[Math.floor(rand() * tags.length)];
        const a = atomEtf(tag, Buffer.from(name, "latin1"));
        same(rawFrame("return", [etf(tuple(atom("M"), atom("f"), 1)), a]), `${tag} ${name}`);
      }
    // Non-ASCII names: left to the decoding path (Latin-1 and UTF-8 tags read them differently).
    for (const [tag, bytes] of [
      [119, Buffer.from("é", "utf8")],
      [115, Buffer.from([0xe9])],
      [100, Buffer.from([0xe9, 0x41])],
    ] as const) {
      const frame = rawFrame("return", [etf(1), atomEtf(tag, bytes)]);
      assert.equal(
        eventFrameToJsonLine(frame, 0, frame.length, () => []),
        undefined,
      );
      same(frame, `non-ASCII tag ${tag}`);
    }
  });

  it("keeps a node name apart from the same atom, in pids and references of several nodes", () => {
    for (const node of ["bench@localhost", "a@b", "n@h"])
      for (const creation of [0, 1, 1700000000]) {
        const bytes = encodeTerm(
          tuple(
            atom("send"),
            1,
            2,
            pid(node, 5, 0, creation),
            atom(node),
            tuple(pid(node, 70000, 3, creation), ref(node, [1, 2, 3], creation), atom(node)),
          ),
        );
        same(bytes, `${node} ${creation}`);
      }
  });

  it("writes lines up to 16 bytes per frame byte (empty lists under long field names, escaped controls), large frames redone", () => {
    const empties = encodeTerm(tuple(atom("exception"), [], [], [], [], [], [], [], [], []));
    same(empties, "empty fields");
    const controls = encodeTerm(tuple(atom("exit"), 1, 2, pid("n@h", 1, 0), bin("\u0001".repeat(5000))));
    same(controls, "controls");
    // Frames over 64 KiB get room for twice their size first (here, into a tiny output buffer) and
    // are redone with more: 6 bytes per control character; then atoms met only after the first try
    // overran, of which the atom table must keep whole entries.
    const late = Array.from({ length: 20 }, (_, i) => atom(`"late${i}`));
    const frames = [
      encodeTerm(tuple(atom("exit"), 1, 2, pid("n@h", 1, 0), [bin("\u0001".repeat(100_000)), ...late])),
      encodeTerm(tuple(atom("exit"), 3, 4, pid("n@h", 1, 0), late)),
    ];
    for (const f of frames) {
      const out = transcodeFrames(f, new Uint32Array([0, f.length]), 1, Buffer.alloc(1));
      assert.equal(out?.toString("utf8"), `${frameToJsonLine(decodeEtf(f))}\n`);
    }
    // Into a buffer far too small: grown as needed, nothing cut.
    const bounds = new Uint32Array([0, empties.length]);
    const out = transcodeFrames(empties, bounds, 1, Buffer.alloc(1));
    assert.equal(out?.toString("utf8"), `${frameToJsonLine(decodeEtf(empties))}\n`);
  });

  it("transcodes a chunk around frames left to the decoding path, and gives back one with a damaged frame", () => {
    const good = encodeTerm(tuple(atom("call"), 1, 2, pid("n@h", 1, 0), tuple(atom("M"), atom("f"), 0), []));
    const improperArgs = encodeTerm(tuple(atom("call"), 3, 4, pid("n@h", 1, 0), improper([1], 2)));
    const nonAscii = encodeTerm(tuple(atom("exit"), 5, 6, pid("nødé@x", 1, 0), atom("é")));
    const damaged = encodeTerm(tuple(atom("exit"), 7, 8, pid("n@h", 1, 0), bin("x"))).subarray(0, 20);
    const frames = [good, improperArgs, good, nonAscii, nonAscii, good, damaged, good];
    const bytes = Buffer.concat(frames);
    const bounds = new Uint32Array(2 * frames.length);
    let at = 0;
    frames.forEach((f, k) => {
      bounds[2 * k] = at;
      bounds[2 * k + 1] = at += f.length;
    });
    // Without the damaged frame: every line, the declined ones decoded.
    const out = transcodeFrames(bytes, bounds, 6, Buffer.alloc(64));
    const want = frames
      .slice(0, 6)
      .map((f) => `${frameToJsonLine(decodeEtf(f))}\n`)
      .join("");
    assert.equal(out?.toString("utf8"), want);
    // With it: the main thread writes the chunk (and names the event), so nothing comes back.
    assert.equal(transcodeFrames(bytes, bounds, frames.length, Buffer.alloc(64)), undefined);
  });

  it("leaves damaged bytes to the decoding path, which names the problem", () => {
    const bytes = encodeTerm(tuple(atom("call"), 1, 2, pid("n@h", 1, 0), [1, 2, 3]));
    const cut = bytes.subarray(0, bytes.length - 2);
    assert.equal(
      eventFrameToJsonLine(cut, 0, cut.length, () => []),
      undefined,
    );
    assert.throws(() => eventBytesToJsonLine(cut, 0, cut.length), /past the end|runs past/);
  });
});
