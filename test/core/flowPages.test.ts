// Paged message flow against a naive oracle: from the decoded events alone (its own send/receive
// pairing, its own call/reply matching by the reply tag's term), the items in time order with calls
// folded with their replies, under random pid sets, index ranges and page sizes; the pages read
// through their tokens join up to exactly that list, and `total` counts it. Also on shipped traces.

import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import type { FlowItem } from "../../src/core/flowPages";
import { Replay } from "../../src/core/replay";
import { atom, improper, pid, ref, tuple } from "../../src/core/terms/build";
import { termEquals } from "../../src/core/terms/equal";
import { ImproperList, Pid, type Term, Tuple } from "../../src/core/terms/term";
import type { TraceEvent } from "../../src/core/types";
import { TraceBuilder } from "../../src/core/writer";
import { tempTrace } from "../helpers/fixtures";

const PIDS = [0, 1, 2, 3].map((i) => pid("p@h", 100 + i, 0));

type Op =
  | { kind: "send"; a: number; b: number; v: number }
  | { kind: "call"; a: number; b: number; alias: boolean }
  | { kind: "deliver"; b: number }
  | { kind: "reply"; b: number; v: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("send" as const), a: fc.nat(3), b: fc.nat(3), v: fc.nat(3) }),
  fc.record({ kind: fc.constant("call" as const), a: fc.nat(3), b: fc.nat(3), alias: fc.boolean() }),
  fc.record({ kind: fc.constant("deliver" as const), b: fc.nat(3) }),
  fc.record({ kind: fc.constant("reply" as const), b: fc.nat(3), v: fc.nat(3) }),
);

/** Plays the ops like a small BEAM: per-receiver FIFO mailboxes, servers answering the calls they took. */
function build(ops: Op[]): string {
  const b = new TraceBuilder();
  const mailbox: Array<Array<{ msg: Term; from: number }>> = PIDS.map(() => []);
  const taken: Array<Array<{ caller: number; tag: Term }>> = PIDS.map(() => []);
  let n = 0;
  for (const o of ops) {
    if (o.kind === "send") {
      b.send(PIDS[o.a], PIDS[o.b], o.v);
      mailbox[o.b].push({ msg: o.v, from: o.a });
    } else if (o.kind === "call") {
      const r = ref("p@h", [n++, 7, 7]);
      const tag = o.alias ? improper([atom("alias")], r) : r;
      const msg = tuple(atom("$gen_call"), tuple(PIDS[o.a], tag), tuple(atom("get"), n));
      b.send(PIDS[o.a], PIDS[o.b], msg);
      mailbox[o.b].push({ msg, from: o.a });
    } else if (o.kind === "deliver") {
      const m = mailbox[o.b].shift();
      if (!m) continue;
      b.receive(PIDS[o.b], m.msg);
      const t = m.msg instanceof Tuple ? m.msg.elements : [];
      if (t[0] === atom("$gen_call")) taken[o.b].push({ caller: m.from, tag: (t[1] as Tuple).elements[1] });
    } else {
      const c = taken[o.b].shift();
      if (!c) continue;
      // A reply to an alias goes to the alias reference, as OTP 24+ sends it; else to the caller's pid.
      const to = c.tag instanceof ImproperList ? c.tag.tail : PIDS[c.caller];
      b.send(PIDS[o.b], to, tuple(c.tag, o.v));
      mailbox[c.caller].push({ msg: tuple(c.tag, o.v), from: o.b });
    }
  }
  return tempTrace(b.toBuffer());
}

// ── the oracle ───────────────────────────────────────────────────────────────

interface NaiveItem {
  id: number;
  kind: "message" | "call";
  send?: number;
  receive?: number;
  from?: number;
  to?: number;
  reply?: { send: number; receive?: number };
}

function oracle(events: TraceEvent[], pidId: (p: Pid) => number): NaiveItem[] {
  const dest = new Map<number, number>(); // send → destination process (-1 unknown)
  const pairOf = new Map<number, number>();
  const queue: TraceEvent[] = [];
  for (const e of events) {
    if (e.kind === "send") {
      dest.set(e.index, e.to instanceof Pid ? pidId(e.to) : -1);
      queue.push(e);
    } else if (e.kind === "receive") {
      // The earliest unpaired send of an equal message addressed to this process, else to nobody known.
      const pick = (want: (d: number) => boolean): number =>
        queue.findIndex((s) => want(dest.get(s.index)!) && termEquals(s.message!, e.message!));
      let k = pick((d) => d === e.pid);
      if (k < 0) k = pick((d) => d === -1);
      if (k < 0) continue;
      const s = queue.splice(k, 1)[0];
      pairOf.set(s.index, e.index);
      pairOf.set(e.index, s.index);
      if (dest.get(s.index) === -1) dest.set(s.index, e.pid);
    }
  }
  // Calls and replies by the tag's term: a reply is the first later `{tag, _}` sent back to the caller.
  const replyOf = new Map<number, number>();
  const isReply = new Set<number>();
  const open: TraceEvent[] = [];
  for (const e of events) {
    if (e.kind !== "send") continue;
    const m = e.message;
    if (m instanceof Tuple && m.elements.length === 3 && m.elements[0] === atom("$gen_call")) open.push(e);
    else if (m instanceof Tuple && m.elements.length === 2) {
      const k = open.findIndex(
        (c) =>
          termEquals(((c.message as Tuple).elements[1] as Tuple).elements[1], m.elements[0]) &&
          (dest.get(e.index) === -1 || dest.get(e.index) === c.pid),
      );
      if (k < 0) continue;
      replyOf.set(open[k].index, e.index);
      isReply.add(e.index);
      open.splice(k, 1);
    }
  }
  const items: NaiveItem[] = [];
  for (const e of events) {
    if (e.kind === "send" && !isReply.has(e.index)) {
      const d = dest.get(e.index)!;
      const it: NaiveItem = { id: e.index, kind: "message", send: e.index, from: e.pid };
      if (d >= 0) it.to = d;
      if (pairOf.has(e.index)) it.receive = pairOf.get(e.index);
      const r = replyOf.get(e.index);
      if (r !== undefined) {
        it.kind = "call";
        it.reply = { send: r, ...(pairOf.has(r) ? { receive: pairOf.get(r) } : {}) };
      }
      items.push(it);
    } else if (e.kind === "receive" && !pairOf.has(e.index))
      items.push({ id: e.index, kind: "message", receive: e.index, to: e.pid });
  }
  return items;
}

function view(i: FlowItem): NaiveItem {
  const v: NaiveItem = { id: i.id, kind: i.kind };
  if (i.send !== undefined) v.send = i.send;
  if (i.receive !== undefined) v.receive = i.receive;
  if (i.from !== undefined && i.send !== undefined) v.from = i.from;
  if (i.to !== undefined) v.to = i.to;
  if (i.reply)
    v.reply = { send: i.reply.send!, ...(i.reply.receive !== undefined ? { receive: i.reply.receive } : {}) };
  return v;
}

function readAll(
  r: Replay,
  opts: Parameters<Replay["flowPage"]>[0],
): { items: NaiveItem[]; totals: number[] } {
  const items: NaiveItem[] = [];
  const totals: number[] = [];
  let after;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = r.flowPage({ ...opts, after });
    items.push(...page.entries.map(view));
    totals.push(page.total);
    if (!page.next) return { items, totals };
    assert.equal(page.entries.length, opts?.limit ?? 500, "only the last page is short");
    after = page.next;
  }
  throw new Error("pages never ended");
}

function check(
  r: Replay,
  events: TraceEvent[],
  pids: number[] | undefined,
  range: { from: number; to: number } | undefined,
  limit: number,
): void {
  const ids = new Map(r.processes().map((p) => [p.pid, p.id]));
  const all = oracle(events, (p) => ids.get(`<0.${p.id}.${p.serial}>`) ?? -1);
  const set = pids && new Set(pids);
  const want = all
    .filter((i) => !range || (i.id >= range.from && i.id <= range.to))
    .filter((i) => {
      if (!set) return true;
      const ends = [i.send !== undefined ? i.from : i.to, i.send !== undefined ? i.to : i.from];
      const hits = ends.filter((p) => p !== undefined && set.has(p)).length;
      return set.size === 1 ? hits > 0 : hits === 2;
    });
  const got = readAll(r, { pids, indexRange: range, limit });
  assert.deepEqual(got.items, want);
  for (const t of got.totals) assert.equal(t, want.length);
}

describe("paged message flow", () => {
  it("equals a naive scan under any pid set, index range and page size", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 80 }),
        fc.option(fc.subarray([0, 1, 2, 3], { minLength: 1 }), { nil: undefined }),
        fc.option(
          fc.tuple(fc.nat(90), fc.nat(90)).map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) })),
          { nil: undefined },
        ),
        fc.integer({ min: 1, max: 9 }),
        async (ops, pidIdx, range, limit) => {
          const r = await Replay.open(build(ops));
          try {
            const events = Array.from({ length: r.eventCount }, (_, i) => r.event(i));
            const known = new Map(r.processes().map((p) => [p.pid, p.id]));
            const pids = pidIdx?.map((i) => known.get(`<0.${100 + i}.0>`)).filter((x) => x !== undefined);
            check(r, events, pids && pids.length ? pids : undefined, range, limit);
          } finally {
            r.close();
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  for (const name of ["double_booking", "rush_hour"])
    it(`equals a naive scan on ${name}, and folds every call with its reply`, async () => {
      const r = await Replay.open(join(__dirname, "../../examples/traces", `${name}.estrace`));
      try {
        const events = Array.from({ length: r.eventCount }, (_, i) => r.event(i));
        check(r, events, undefined, undefined, 7);
        const office = r.findProcess("TicketOffice").id;
        check(r, events, [office], undefined, 50);
        const page = r.flowPage({ pids: [office], limit: 10_000 });
        const calls = page.entries.filter((e) => e.kind === "call");
        assert.ok(calls.length > 10, "the office answers many calls");
        for (const c of calls) {
          assert.equal(c.reply!.from, c.to, "the server replies");
          assert.equal(c.reply!.to, c.from, "to the caller");
        }
      } finally {
        r.close();
      }
    });

  it("refuses bad options with one line", async () => {
    const r = await Replay.open(join(__dirname, "../../examples/traces/happy_path.estrace"));
    try {
      assert.throws(() => r.flowPage({ limit: 0 }), /bad flow page limit 0/);
      assert.throws(() => r.flowPage({ pids: [] }), /bad flow pids \[\]/);
      assert.throws(() => r.flowPage({ pids: [9999] }), /unknown process id 9999/);
      assert.throws(() => r.flowPage({ after: { after: 1.5 } }), /bad flow page token/);
      assert.deepEqual(r.flowPage({ indexRange: { from: 5, to: 4 } }), { entries: [], total: 0 });
    } finally {
      r.close();
    }
  });
});
