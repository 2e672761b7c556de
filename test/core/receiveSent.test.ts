// Trace format 2: a receive that names its send's seq instead of carrying the message decodes, pairs
// and shows exactly as the same receive carrying it; a reference to no send is reported, not a crash.

import assert from "node:assert/strict";
import { Replay } from "../../src/core/replay";
import { atom, bin, pid, tuple } from "../../src/core/terms/build";
import { inspect } from "../../src/core/terms/inspect";
import type { Term } from "../../src/core/terms/term";
import { TraceBuilder } from "../../src/core/writer";
import { canonical } from "../helpers/canonical";
import { assertSameFromIndex, exportedLines, writeTrace } from "../helpers/formatTwins";

const A = pid("nonode@nohost", 80, 0);
const B = pid("nonode@nohost", 81, 0);
const batch = (k: number): Term =>
  tuple(
    atom("batch"),
    Array.from({ length: 20 }, (_, i) => tuple(atom("parcel"), k * 100 + i, bin("zone A1"))),
  );

/**
 * The same recording twice: format 1, every receive carrying its message, and format 2, the big
 * messages' receives naming their sends (two equal batches, so pairing must not take the wrong one).
 */
function recording(version: 1 | 2): Buffer {
  const b = new TraceBuilder({ version });
  b.call(A, ["Elixir.Depot", "run", 0], []);
  const sends: number[] = [];
  for (const k of [1, 1, 2]) {
    sends.push(b.seq);
    b.send(A, B, batch(k));
  }
  b.send(A, B, atom("small"));
  for (const [i, k] of [1, 1, 2].entries()) {
    if (version === 2) b.receiveSent(B, sends[i]);
    else b.receive(B, batch(k));
  }
  b.receive(B, atom("small"));
  b.ret(A, ["Elixir.Depot", "run", 0], atom("ok"));
  return b.toBuffer();
}

/** Every event and every message pair, as a text to compare two replays by. */
function answers(r: Replay): string {
  const events = r.events(Array.from({ length: r.eventCount }, (_, i) => i));
  const one = Array.from({ length: r.eventCount }, (_, i) => r.event(i));
  return canonical({
    events: events.map((e) => ({ ...e, raw: inspect(e.raw) })),
    one: one.map((e) => e.message && inspect(e.message)),
    pairs: Array.from({ length: r.eventCount }, (_, i) => r.messageAt(i)),
  });
}

describe("receives that refer to their send (trace format 2)", () => {
  it("decode, pair and show exactly as format 1's receives carrying the message", async () => {
    const v1 = await Replay.open(writeTrace(recording(1), "v1.estrace"), { index: false });
    const v2 = await Replay.open(writeTrace(recording(2), "v2.estrace"), { index: false });
    try {
      assert.equal(v1.files[0].formatVersion, 1);
      assert.equal(v2.files[0].formatVersion, 2);
      assert.deepEqual(v2.problems, []);
      const receives = v2.getEventIndices({ kinds: ["receive"] });
      assert.equal(receives.length, 4);
      // Each referring receive shows its own send's message and is paired with that send.
      for (const [k, r] of receives.slice(0, 3).entries()) {
        const m = v2.messageAt(r)!;
        assert.equal(v2.event(m.send!).seq, 1 + k);
        assert.equal(inspect(v2.event(r).message!), inspect(v2.event(m.send!).message!));
      }
      assert.equal(answers(v2), answers(v1));
    } finally {
      v1.close();
      v2.close();
    }
  });

  it("export as format 1's receives do, on the serial and the parallel path", async () => {
    const v1 = writeTrace(recording(1), "e1.estrace");
    const v2 = writeTrace(recording(2), "e2.estrace");
    const want = await exportedLines(v1, Infinity);
    assert.ok(want.some((l) => l.includes('"kind":"receive"') && l.includes("zone A1")));
    assert.deepEqual(await exportedLines(v2, Infinity), want);
    assert.deepEqual(await exportedLines(v2, 0), want);
  });

  it("read the same from the persistent index as from the file", async () => {
    const path = writeTrace(recording(2), "indexed.estrace");
    await assertSameFromIndex(path, answers);
  });

  it("a reference to no earlier send is reported with its file and offset, and shows as not recorded", async () => {
    const b = new TraceBuilder({ version: 2 });
    b.call(A, ["Elixir.Depot", "run", 0], []); // seq 0: not a send
    b.send(A, B, batch(1)); // seq 1
    b.receiveSent(B, 1);
    b.receiveSent(B, 0); // a call
    b.receiveSent(B, 99); // missing (a damaged or dropped frame)
    const path = writeTrace(b.toBuffer(), "dangling.estrace");
    const r = await Replay.open(path, { index: false });
    try {
      assert.equal(r.problems.length, 2);
      for (const [p, seq] of r.problems.map((p, k) => [p, k === 0 ? 0 : 99] as const)) {
        assert.match(
          p.text,
          /dangling\.estrace:frame \d+ \(byte offset \d+\): receive \(seq \d\) refers to send seq/,
        );
        assert.match(p.message, new RegExp(`send seq ${seq}, which is not an earlier send`));
      }
      const [ok, call, missing] = r.getEventIndices({ kinds: ["receive"] });
      assert.equal(inspect(r.event(ok).message!), inspect(batch(1)));
      assert.equal(inspect(r.event(call).message!), '{:"$not_recorded", :sent, 0}');
      assert.equal(inspect(r.events([missing])[0].message!), '{:"$not_recorded", :sent, 99}');
      assert.equal(r.messageAt(call)?.send, undefined);
      assert.equal(r.messageAt(missing)?.send, undefined);
    } finally {
      r.close();
    }
  });
});
