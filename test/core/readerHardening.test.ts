// The reader on hostile traces: name-table atoms, damaged or out-of-range headers, compression
// bombs and control characters. Each loads what is good and says what is not, in one line.

import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { Replay } from "../../src/core/replay";
import { escapeControls } from "../../src/core/escape";
import { TraceLoadError } from "../../src/core/errors";
import { atom, pid, tuple } from "../../src/core/terms/build";
import { TraceBuilder } from "../../src/core/writer";
import { tempTrace } from "../helpers/fixtures";

const P = pid("n@h", 1, 0);

async function open(b: TraceBuilder | Uint8Array): Promise<Replay> {
  return Replay.open(tempTrace(b instanceof TraceBuilder ? b.toBuffer() : b));
}

describe("reader hardening", () => {
  it("reads frames tagged :constructor, :__proto__, :toString as unknown events, not calls", async () => {
    const b = new TraceBuilder();
    for (const tag of ["constructor", "__proto__", "toString", "hasOwnProperty"]) b.event(tag, P, [1]);
    b.call(P, ["M", "f", 0], []);
    const r = await open(b);
    try {
      assert.deepEqual(
        r.getEvents({}).map((e) => e.kind),
        ["unknown", "unknown", "unknown", "unknown", "call"],
      );
      for (const k of ["constructor", "__proto__", "toString"])
        assert.throws(() => r.getEvents({ kinds: [k as "call"] }), /unknown event kind/);
    } finally {
      r.close();
    }
  });

  it("warns about a header time_unit that is not a unit, and reads times as nanoseconds", async () => {
    const b = new TraceBuilder({ timeUnit: "constructor" as "second" });
    b.call(P, ["M", "f", 0], []);
    const r = await open(b);
    try {
      assert.match(r.problems[0].text, /header time_unit :constructor is not one of second/);
      assert.equal(r.event(0).time, 1000);
      assert.equal(r.files[0].timeUnit, "nanosecond");
    } finally {
      r.close();
    }
  });

  it("warns about a start time out of range, naming the field", async () => {
    const b = new TraceBuilder({ startSystemTime: 10n ** 22n });
    b.call(P, ["M", "f", 0], []);
    const r = await open(b);
    try {
      assert.match(r.problems[0].text, /header start_system_time 10000000000000000000000 is not a time/);
      assert.equal(r.files[0].startSystemTimeNs, 0);
      assert.equal(r.eventCount, 1);
    } finally {
      r.close();
    }
  });

  it("keeps the frames after a damaged header, with a warning", async () => {
    const b = new TraceBuilder();
    b.call(P, ["M", "f", 0], []);
    b.call(P, ["M", "g", 0], []);
    const raw = Buffer.from(b.toBuffer());
    raw[8 + 5 + 1] = 0x42; // the header's first tag byte: no longer a tuple
    const r = await open(raw);
    try {
      assert.equal(r.eventCount, 2);
      assert.ok(r.problems.some((p) => /damaged trace header/.test(p.text)));
    } finally {
      r.close();
    }
    // Nothing readable after the magic: an error, naming the first problem.
    await assert.rejects(
      open(Buffer.concat([raw.subarray(0, 8), Buffer.from("garbage that is not a frame")])),
      (e: Error) =>
        e instanceof TraceLoadError && /frame 0 \(byte offset 8\): expected a frame mark/.test(e.message),
    );
  });

  it("treats a compressed frame claiming more than the limits as a damaged frame", async () => {
    const b = new TraceBuilder();
    b.call(P, ["M", "f", 0], []);
    const z = deflateSync(Buffer.alloc(1 << 20));
    const claim = (n: number): Buffer =>
      Buffer.from([131, 80, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
    b.frameBytes(Buffer.concat([claim(2 ** 30), z])); // 1 GiB from ~1 KiB
    b.call(P, ["M", "g", 0], []);
    b.frameBytes(Buffer.concat([claim(64 << 20), deflateSync(Buffer.alloc(64 << 10))]));
    b.call(P, ["M", "g", 0], []);
    const r = await open(b);
    try {
      assert.equal(r.eventCount, 3);
      assert.equal(r.problems.length, 2);
      assert.match(
        r.problems[0].text,
        /compressed term claims 1073741824 bytes from \d+ compressed \(limits: 16777216 bytes, ratio 1032:1\)/,
      );
    } finally {
      r.close();
    }
  });

  it("escapes control characters in names and warnings", async () => {
    assert.equal(escapeControls("a\u001b[2J\nb\u202e\u0007"), "a\\e[2J\\nb\\u{202e}\\x07");
    const b = new TraceBuilder();
    b.call(P, ["M\u001b[2J\nforged", "f\r", 0], []);
    b.frame(tuple(atom("bad\u001b]0;title\u0007\nline"), 1, 2));
    const r = await open(b);
    try {
      assert.equal(r.functions()[0] !== undefined, true);
      const text = r.problems.map((p) => p.text).join("\n");
      assert.match(text, /:bad\\e\]0;title\\x07\\nline frame has 3 elements/);
      assert.equal(r.problems.length, 1);
      assert.equal(escapeControls(r.processes()[0].label), r.processes()[0].label);
      assert.equal(r.processes().length, 1);
    } finally {
      r.close();
    }
  });
});
