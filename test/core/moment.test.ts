// The one moment notion: every form parses to what it says, resolves on real traces, a displayed time
// types back to exactly its event (every event of every shipped trace, ties included), and a bare seq
// in a several-node recording is refused unless only one node has it.

import assert from "node:assert/strict";
import { join } from "node:path";
import { formatTime } from "../../src/core/describe";
import { ReplayError } from "../../src/core/errors";
import { parseMoment, resolveMoment } from "../../src/core/moment";
import { Replay } from "../../src/core/replay";
import { atom, pid } from "../../src/core/terms/build";
import { TraceBuilder } from "../../src/core/writer";
import { tempTrace } from "../helpers/fixtures";

const TRACES = ["double_booking", "happy_path", "hold_expiry", "payment_crash", "rush_hour"].map((n) =>
  join(__dirname, "../../examples/traces", `${n}.estrace`),
);

describe("moments", () => {
  it("parses a bare number as a recorded seq and displayed times exactly", () => {
    assert.deepEqual(parseMoment(120, "m"), { kind: "seq", seq: 120 });
    assert.deepEqual(parseMoment("+27.947203ms", "m"), { kind: "time", ns: 27_947_203 });
    assert.deepEqual(parseMoment("+1.000000001s#2", "m"), { kind: "time", ns: 1_000_000_001, tie: 2 });
    assert.deepEqual(parseMoment("time:12.345µs", "m"), { kind: "time", ns: 12_345 });
    assert.deepEqual(parseMoment("time:0.3us", "m"), { kind: "time", ns: 300 });
    assert.throws(
      () => parseMoment("time:fast", "startAt"),
      (e: unknown) => e instanceof ReplayError,
    );
    assert.throws(() => parseMoment(-1, "startAt"), /"?startAt"? -1 is not a moment: use 120/);
  });

  it("formats times exactly to the nanosecond", () => {
    assert.equal(formatTime(0), "+0ns");
    assert.equal(formatTime(999), "+999ns");
    assert.equal(formatTime(1_005), "+1.005µs");
    assert.equal(formatTime(27_947_203), "+27.947203ms");
    assert.equal(formatTime(1_000_000_001, 3), "+1.000000001s#3");
    assert.equal(formatTime(4_000), "+4.0µs");
    assert.equal(formatTime(1_500_000_000), "+1.5s");
    assert.equal(formatTime(-2_500), "-2.5µs");
  });

  for (const file of TRACES)
    it(`maps every displayed time of ${file.split("/").pop()} back to its own event`, async () => {
      const r = await Replay.open(file);
      try {
        let ties = 0;
        for (let i = 0; i < r.eventCount; i++) {
          const label = r.timeLabel(i);
          if (label.includes("#")) ties++;
          assert.equal(resolveMoment(r, parseMoment(label, "t")), i, `${label} is event ${i}`);
          assert.equal(resolveMoment(r, parseMoment(`time:${label.slice(1)}`, "t")), i, label);
        }
        // The traces do have events at the same nanosecond; the suffix is what tells them apart.
        if (file.includes("double_booking")) assert.ok(ties > 0, "double_booking has tied times");
      } finally {
        r.close();
      }
    });

  it("resolves every form on a shipped trace", async () => {
    const r = await Replay.open(TRACES[3]);
    try {
      const crash = resolveMoment(r, parseMoment("first crash", "m"));
      assert.equal(resolveMoment(r, parseMoment(r.event(crash).seq, "m")), crash);
      assert.equal(resolveMoment(r, parseMoment(`seq:${r.event(crash).seq}`, "m")), crash);
      assert.equal(resolveMoment(r, parseMoment(`index:${crash}`, "m")), crash);
      assert.equal(resolveMoment(r, parseMoment(r.positionOf(crash), "m")), crash);
      assert.equal(resolveMoment(r, parseMoment("start", "m")), 0);
      assert.equal(resolveMoment(r, parseMoment("end", "m")), r.eventCount - 1);
      const call = resolveMoment(r, parseMoment("last call PaymentGateway.charge/2", "m"));
      assert.equal(r.mfaOf(call)?.fun, "charge");
      assert.equal(r.kindOf(call), "call");
      assert.throws(
        () => resolveMoment(r, parseMoment("first call Nope.nothing/9", "m")),
        /the recording has none/,
      );
      assert.throws(() => resolveMoment(r, parseMoment("time:99s", "m")), /outside the recording/);
      const t = r.timeOf(5);
      let same = 0;
      while (r.timeOf(5 + same) === t) same++;
      assert.throws(
        () => resolveMoment(r, parseMoment(`${formatTime(t, same + 4)}`, "m")),
        /has \d+ events?, so no #/,
      );
    } finally {
      r.close();
    }
  });

  it("refuses a bare seq that several nodes have, and finds one only one node has", async () => {
    const a = new TraceBuilder({ node: "a@h", startSystemTime: 1_000_000_000n });
    const b = new TraceBuilder({ node: "b@h", startSystemTime: 1_000_000_500n });
    for (let i = 0; i < 3; i++) a.send(pid("a@h", 5, 0), pid("b@h", 5, 0), atom(`m${i}`));
    b.receive(pid("b@h", 5, 0), atom("m0"));
    const r = await Replay.open([tempTrace(a.toBuffer(), "a.estrace"), tempTrace(b.toBuffer(), "b.estrace")]);
    try {
      assert.throws(() => r.resolveMoment({ seq: 0 }), /seq 0 is in several loaded traces \(a@h, b@h\)/);
      assert.throws(
        () => resolveMoment(r, parseMoment(0, "m")),
        /seq 0 is in several loaded traces \(a@h, b@h\): name the node/,
      );
      const two = r.resolveMoment({ seq: 2 });
      assert.equal(r.files[r.event(two).file].node, "a@h");
      assert.equal(r.event(two).seq, 2);
      const b0 = resolveMoment(r, parseMoment("seq:0@b@h", "m"));
      assert.equal(r.files[r.event(b0).file].node, "b@h");
      assert.equal(r.resolveMoment({ seq: 0, node: "b" }), b0);
      assert.equal(r.resolveMoment({ seq: 0, file: 1 }), b0);
      assert.throws(
        () => r.resolveMoment({ seq: 9 }),
        /no event with seq 9 in any of the loaded traces \(a@h, b@h\)/,
      );
      assert.throws(
        () => r.resolveMoment({ seq: 0, node: "c" }),
        /no loaded trace is of node c \(a@h, b@h\)/,
      );
    } finally {
      r.close();
    }
  });
});
