// Trace format 2: a call, return or state that names a large term its process wrote before (instead
// of carrying it again) decodes, shows and exports exactly as the same recording carrying the terms;
// a reference to no such event is reported with its file and offset, not a crash.

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
  Array.from({ length: 20 }, (_, i) => tuple(atom("parcel"), k * 100 + i, bin("zone A1")));
const mfa = (f: string, n: number): Term => tuple(atom("Elixir.Depot"), atom(f), n);
const U = atom("undefined");
const same = (seq: number): Term => tuple(atom("$same"), seq);
const ref = (here: Term, seq: number, there: Term): Term => tuple(here, seq, there);

/**
 * The same recording twice: format 1, every event carrying its terms, and format 2, the later equal
 * batches named by the event and place that carried them (B's batch 1 is not A's: per process).
 */
function recording(version: 1 | 2): Buffer {
  const b = new TraceBuilder({ version });
  const v2 = version === 2;
  b.event("call", A, [mfa("run", 2), [batch(1), atom("small")], U, 0]); // seq 0
  b.event("call", B, [mfa("run", 1), [batch(1)], U, 0]); // seq 1: another process
  b.event("call", A, [mfa("step", 2), [atom("x"), batch(2)], U, 0]); // seq 2
  // seq 3: both batches, each named
  if (v2) b.event("call", A, [mfa("both", 2), [same(0), same(2)], U, 0, [ref(0, 0, 0), ref(1, 2, 1)]]);
  else b.event("call", A, [mfa("both", 2), [batch(1), batch(2)], U, 0]);
  // seq 4: a return naming an argument; seq 5: a state naming that return's place
  if (v2) b.event("return", A, [mfa("both", 2), same(2), [ref(0, 2, 1)]]);
  else b.ret(A, ["Elixir.Depot", "both", 2], batch(2));
  b.ret(A, ["Elixir.Depot", "run", 2], batch(3)); // seq 5
  if (v2) b.event("state", A, [mfa("handle_cast", 2), same(5), [ref(0, 5, 0)]]);
  else b.state(A, ["Elixir.Depot", "handle_cast", 2], batch(3));
  b.event("call", B, [mfa("run", 1), [batch(1)], U, 0]); // seq 7
  // seq 8: a tuple's element named; seq 9: naming that element (itself a reference, resolved first)
  const noreply = (t: Term): Term => tuple(atom("noreply"), t);
  if (v2) b.event("return", A, [mfa("step", 2), noreply(same(5)), [ref([0, 1], 5, 0)]]);
  else b.ret(A, ["Elixir.Depot", "step", 2], noreply(batch(3)));
  if (v2) b.event("call", A, [mfa("last", 1), [same(8)], U, 0, [ref(0, 8, [0, 1])]]);
  else b.event("call", A, [mfa("last", 1), [batch(3)], U, 0]);
  return b.toBuffer();
}

/** Every event, read as a batch and one by one, as a text to compare two replays by. */
function answers(r: Replay): string {
  const events = r.events(Array.from({ length: r.eventCount }, (_, i) => i));
  const one = Array.from({ length: r.eventCount }, (_, i) => r.event(i));
  const show = (e: (typeof one)[number]) => ({ ...e, raw: inspect(e.raw) });
  return canonical({ events: events.map(show), one: one.map(show) });
}

describe("large terms written once per process (trace format 2)", () => {
  it("decode and show exactly as format 1's events carrying the terms", async () => {
    const v1 = await Replay.open(writeTrace(recording(1), "v1.estrace"), { index: false });
    const v2 = await Replay.open(writeTrace(recording(2), "v2.estrace"), { index: false });
    try {
      assert.deepEqual(v2.problems, []);
      assert.equal(inspect(v2.event(3).args![1]), inspect(batch(2)));
      assert.equal(inspect(v2.event(6).state!), inspect(batch(3)));
      assert.equal(inspect(v2.event(9).args![0]), inspect(batch(3)));
      assert.equal(answers(v2), answers(v1));
      // The columns say which events name earlier ones (what the export reads through the replay).
      assert.ok(v2.refersToEarlier(3) && !v2.refersToEarlier(2) && v2.hasReferences());
    } finally {
      v1.close();
      v2.close();
    }
  });

  it("export as format 1 does, on the serial and the parallel path", async () => {
    const want = await exportedLines(writeTrace(recording(1), "e1.estrace"), Infinity);
    const v2 = writeTrace(recording(2), "e2.estrace");
    assert.ok(!want.some((l) => l.includes("$same")));
    assert.deepEqual(await exportedLines(v2, Infinity), want);
    assert.deepEqual(await exportedLines(v2, 0), want);
  });

  it("read the same from the persistent index as from the file", async () => {
    const path = writeTrace(recording(2), "indexed.estrace");
    await assertSameFromIndex(path, answers);
  });

  it("a dangling reference is reported with its file and offset, and shows as not recorded", async () => {
    const b = new TraceBuilder({ version: 2 });
    b.event("call", A, [mfa("run", 1), [batch(1)], U, 0]); // seq 0
    b.event("call", B, [mfa("run", 1), [same(0)], U, 0, [ref(0, 0, 0)]]); // another process's
    b.event("return", A, [mfa("run", 1), same(99), [ref(0, 99, 0)]]); // missing
    b.event("call", A, [mfa("run", 1), [same(0)], U, 0, [ref(0, 0, 0)]]); // fine
    const path = writeTrace(b.toBuffer(), "dangling.estrace");
    const r = await Replay.open(path, { index: false });
    try {
      assert.equal(r.problems.length, 2);
      for (const p of r.problems)
        assert.match(
          p.text,
          /dangling\.estrace:frame \d+ \(byte offset \d+\): (call|return) \(seq \d\) refers to seq (0|99), which is not an earlier call/,
        );
      assert.equal(inspect(r.event(1).args![0]), '{:"$not_recorded", :same, 0}');
      assert.equal(inspect(r.events([2])[0].value!), '{:"$not_recorded", :same, 99}');
      assert.equal(inspect(r.event(3).args![0]), inspect(batch(1)));
    } finally {
      r.close();
    }
  });
});
