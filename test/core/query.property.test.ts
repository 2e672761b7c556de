// Property tests: on random traces, every indexed answer equals what a plain full scan over the
// decoded events gives — queries under any filter, order, offset and limit, and state at any moment.

import assert from "node:assert/strict";
import fc from "fast-check";
import { Replay } from "../../src/core/replay";
import { atom, map, pid } from "../../src/core/terms/build";
import type { Term } from "../../src/core/terms/term";
import type { EventFilter, EventKind, TraceEvent } from "../../src/core/types";
import { TraceBuilder, type MfaTuple } from "../../src/core/writer";
import { tempTrace } from "../helpers/fixtures";
import { termEquals } from "../../src/core/terms/equal";

const PIDS = [0, 1, 2, 3, 4].map((i) => pid("p@h", 100 + i, 0));
const MFAS: MfaTuple[] = [
  ["Elixir.A", "f", 1],
  ["Elixir.A", "g", 2],
  ["Elixir.B.C", "f", 1],
  ["lists", "map", 2],
];
const PATTERNS = ["A.f/1", "A.*", "*.f/1", ":lists.map/2", "B.C.f", "C.f/1"];
const patternMatches = (p: string, m: MfaTuple): boolean =>
  ({
    "A.f/1": m[0] === "Elixir.A" && m[1] === "f" && m[2] === 1,
    "A.*": m[0] === "Elixir.A",
    "*.f/1": m[1] === "f" && m[2] === 1,
    ":lists.map/2": m[0] === "lists" && m[1] === "map",
    "B.C.f": m[0] === "Elixir.B.C" && m[1] === "f",
    "C.f/1": m[0] === "Elixir.B.C" && m[1] === "f" && m[2] === 1,
  })[p]!;

type Op = {
  kind: "call" | "return" | "send" | "receive" | "state";
  p: number;
  m: number;
  q: number;
  v: number;
  dt: number;
};

const opArb = fc.record({
  kind: fc.constantFrom("call", "return", "send", "receive", "state") as fc.Arbitrary<Op["kind"]>,
  p: fc.nat(PIDS.length - 1),
  m: fc.nat(MFAS.length - 1),
  q: fc.nat(PIDS.length - 1),
  v: fc.nat(5),
  dt: fc.nat(3),
});

function build(ops: Op[]): { path: string; mfaOf: Array<MfaTuple | undefined> } {
  const b = new TraceBuilder();
  const mfaOf: Array<MfaTuple | undefined> = [];
  for (const o of ops) {
    b.tick = o.dt * 500; // several events may share a time
    const P = PIDS[o.p];
    switch (o.kind) {
      case "call":
        b.call(P, MFAS[o.m], [o.v]);
        mfaOf.push(MFAS[o.m]);
        break;
      case "return":
        b.ret(P, MFAS[o.m], o.v);
        mfaOf.push(MFAS[o.m]);
        break;
      case "send":
        b.send(P, PIDS[o.q], o.v);
        mfaOf.push(undefined);
        break;
      case "receive":
        b.receive(P, o.v);
        mfaOf.push(undefined);
        break;
      case "state":
        b.state(P, ["Elixir.S", "handle_cast", 2], map([[atom("v"), o.v]]));
        mfaOf.push(["Elixir.S", "handle_cast", 2]);
        break;
    }
  }
  return { path: tempTrace(b.toBuffer()), mfaOf };
}

const filterArb = fc.record(
  {
    pids: fc.subarray([0, 1, 2, 3, 4], { minLength: 1 }),
    kinds: fc.subarray(["call", "return", "send", "receive", "state"] as EventKind[], { minLength: 1 }),
    functions: fc.subarray(PATTERNS, { minLength: 1, maxLength: 2 }),
    timeRange: fc
      .tuple(fc.nat(60_000), fc.nat(60_000))
      .map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) })),
    indexRange: fc
      .tuple(fc.nat(80), fc.nat(80))
      .map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) })),
    limit: fc.nat(30),
    offset: fc.nat(10),
    order: fc.constantFrom("asc", "desc") as fc.Arbitrary<"asc" | "desc">,
    oddValues: fc.constant(true),
  },
  { requiredKeys: [] },
);

function naive(
  events: TraceEvent[],
  mfaOf: Array<MfaTuple | undefined>,
  f: EventFilter & { oddValues?: boolean },
  pidIds: number[],
): number[] {
  let rows = events
    .filter((e) => !f.pids || pidIds.includes(e.pid))
    .filter((e) => !f.kinds || f.kinds.includes(e.kind))
    .filter(
      (e) =>
        !f.functions ||
        (mfaOf[e.index] !== undefined && f.functions.some((p) => patternMatches(p, mfaOf[e.index]!))),
    )
    .filter((e) => !f.timeRange || (e.time >= f.timeRange.from! && e.time <= f.timeRange.to!))
    .filter((e) => !f.indexRange || (e.index >= f.indexRange.from! && e.index <= f.indexRange.to!))
    .filter((e) => !f.oddValues || oddValue(e))
    .map((e) => e.index);
  if (f.order === "desc") rows = rows.reverse();
  rows = rows.slice(f.offset ?? 0);
  return f.limit === undefined ? rows : rows.slice(0, f.limit);
}

function oddValue(e: TraceEvent): boolean {
  const v: Term | undefined = e.args?.[0] ?? e.value ?? e.message;
  return typeof v === "number" ? v % 2 === 1 : true;
}

describe("indexed queries equal a full scan (property)", () => {
  it("getEvents under random filters", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 80 }),
        fc.array(filterArb, { minLength: 1, maxLength: 8 }),
        async (ops, filters) => {
          const { path, mfaOf } = build(ops);
          const r = await Replay.open(path);
          try {
            const all = Array.from({ length: r.eventCount }, (_, i) => r.event(i));
            for (const raw of filters) {
              const pidIds = (raw.pids ?? [])
                .map((i) => r.processes().findIndex((p) => p.pid === `<0.${100 + i}.0>`))
                .filter((i) => i >= 0);
              if (raw.pids && pidIds.length !== raw.pids.length) continue; // a pid with no events is an error, tested elsewhere
              const { oddValues, ...f } = raw;
              const filter: EventFilter = {
                ...f,
                ...(raw.pids ? { pids: pidIds } : {}),
                ...(oddValues ? { predicate: oddValue } : {}),
              };
              assert.deepEqual(
                r.getEventIndices(filter),
                naive(all, mfaOf, { ...raw, pids: raw.pids ? pidIds : undefined }, pidIds),
                JSON.stringify(raw),
              );
              // Counted without listing: every match, offset and limit aside.
              assert.equal(
                r.countEvents(filter),
                naive(
                  all,
                  mfaOf,
                  { ...raw, pids: raw.pids ? pidIds : undefined, offset: undefined, limit: undefined },
                  pidIds,
                ).length,
                `count ${JSON.stringify(raw)}`,
              );
            }
          } finally {
            r.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("getStateAt at every moment", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 60 }), async (ops) => {
        const { path } = build(ops);
        const r = await Replay.open(path);
        try {
          const all = Array.from({ length: r.eventCount }, (_, i) => r.event(i));
          for (const p of r.processes()) {
            let last: TraceEvent | undefined;
            for (const e of all) {
              if (e.pid === p.id && e.kind === "state") last = e;
              const got = r.getStateAt(p.id, e.index);
              if (!last) assert.equal(got, undefined);
              else {
                assert.equal(got?.index, last.index);
                assert.ok(termEquals(got!.state, last.state!));
              }
            }
          }
        } finally {
          r.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
