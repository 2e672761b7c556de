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
      // A receive naming its send (format 2) is transcoded as written; the export resolves it above.
      const raw = r.refersToSend(i) ? decodeEtf(buf.subarray(start, end)) : r.event(i).raw;
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
