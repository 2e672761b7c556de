// An export worker's chunk: the event frames of a byte range are found by walking the frame heads
// (module-table, header and footer frames passed over), anything but exactly the events the index
// counted is refused, and events that may name an earlier one (trace format 2) are given back.

import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { eventBounds, transcodeFrames } from "../../src/core/exportChunk";
import { frameToJsonLine } from "../../src/core/jsonl";
import { atom, bin, pid, tuple } from "../../src/core/terms/build";
import { decodeEtf } from "../../src/core/terms/decode";
import { encodeTerm } from "../../src/core/terms/encode";
import type { Term } from "../../src/core/terms/term";

const P = pid("n@h", 1, 0);

/** A term as a trace frame: 0xE5, its size (32 bits, big-endian), its ETF (compressed: tag 80). */
function frame(t: Term, compressed = false): Buffer {
  let etf = encodeTerm(t);
  if (compressed) {
    const size = Buffer.alloc(4);
    size.writeUInt32BE(etf.length - 1);
    etf = Buffer.concat([Buffer.from([131, 80]), size, deflateSync(etf.subarray(1))]);
  }
  const head = Buffer.alloc(5);
  head[0] = 0xe5;
  head.writeUInt32BE(etf.length, 1);
  return Buffer.concat([head, etf]);
}

const event = (seq: number): Term => tuple(atom("exit"), seq, seq, P, atom("normal"));
const mod = tuple(atom("module"), atom("Elixir.M"), bin("lib/m.ex"), []);
const footer = tuple(atom("footer"), []);

/** The lines `transcodeFrames` writes for the event frames of `bytes`, or undefined. */
function lines(bytes: Buffer, events: number): string | undefined {
  const bounds = new Uint32Array(2 * events);
  assert.ok(eventBounds(bytes, bytes.length, events, bounds));
  return transcodeFrames(bytes, bounds, events, Buffer.alloc(16))?.toString("utf8");
}

describe("export: a worker's chunk", () => {
  it("finds the event frames between module-table and footer frames", () => {
    const terms = [event(1), mod, event(2), event(3), mod, mod, event(4), footer];
    const bytes = Buffer.concat(terms.map((t) => frame(t)));
    const bounds = new Uint32Array(8);
    assert.equal(eventBounds(bytes, bytes.length, 4, bounds), true);
    const seen = [0, 1, 2, 3].map((k) => frameToJsonLine(decodeEtf(bytes, bounds[2 * k], bounds[2 * k + 1])));
    assert.deepEqual(
      seen,
      [1, 2, 3, 4].map((s) => frameToJsonLine(event(s))),
    );
  });

  it("refuses bytes that are not exactly the events counted", () => {
    const bytes = Buffer.concat([event(1), mod, event(2)].map((t) => frame(t)));
    const bounds = new Uint32Array(8);
    assert.equal(eventBounds(bytes, bytes.length, 1, bounds), false, "one event more");
    assert.equal(eventBounds(bytes, bytes.length, 3, bounds), false, "one event fewer");
    assert.equal(eventBounds(bytes, bytes.length - 1, 2, bounds), false, "a frame cut short");
    const moved = Buffer.concat([Buffer.from([0]), bytes]);
    assert.equal(eventBounds(moved, moved.length, 2, bounds), false, "not at a frame head");
  });

  it("writes plain events, and gives back a chunk with one that may name an earlier event", () => {
    const plain = [
      tuple(atom("receive"), 1, 1, P, P, atom("hi")),
      tuple(atom("call"), 2, 2, P, tuple(atom("M"), atom("f"), 0), [], atom("undefined"), 1),
      tuple(atom("return"), 3, 3, P, tuple(atom("M"), atom("f"), 0), atom("ok")),
      tuple(atom("state"), 4, 4, P, tuple(atom("M"), atom("init"), 1), 0),
    ];
    const want = plain.map((t) => `${frameToJsonLine(t)}\n`).join("");
    assert.equal(lines(Buffer.concat(plain.map((t) => frame(t))), plain.length), want);
    // Format 2's shapes: a receive naming its send, a call/return/state naming an earlier term.
    const same = [tuple(1, 2, 3)];
    const naming = [
      tuple(atom("receive"), 5, 5, P, P, atom("$sent"), 1),
      tuple(atom("call"), 6, 6, P, tuple(atom("M"), atom("f"), 0), [], atom("undefined"), 1, same),
      tuple(atom("return"), 7, 7, P, tuple(atom("M"), atom("f"), 0), atom("ok"), same),
      tuple(atom("state"), 8, 8, P, tuple(atom("M"), atom("init"), 1), 0, same),
    ];
    for (const t of naming)
      assert.equal(lines(Buffer.concat([...plain, t].map((t) => frame(t))), plain.length + 1), undefined);
    // In a frame the transcoder leaves to the decoder (compressed) too: written when plain, else given back.
    const bytes = (ts: Term[]): Buffer => Buffer.concat(ts.map((t) => frame(t, true)));
    assert.equal(lines(bytes(plain), plain.length), want);
    for (const t of naming) assert.equal(lines(bytes([t]), 1), undefined);
  });
});
