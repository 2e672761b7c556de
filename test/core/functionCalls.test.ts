// The per-function calls API against a naive scan: every event decoded in order, calls paired with
// their returns and exceptions by a stack per process, then filtered, ordered and paged by hand.
// Random functions and page options on a generated trace and on a recorded example.

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "../../bench/gen";
import type { FunctionCall } from "../../src/core/functionCalls";
import { Replay } from "../../src/core/replay";
import { inspect } from "../../src/core/terms/inspect";
import type { Mfa } from "../../src/core/types";
import { ticketTracePath } from "../helpers/fixtures";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

interface Naive {
  call: number;
  end: number;
  pid: number;
}

const key = (m: Mfa): string => `${m.module}.${m.fun}/${m.arity}`;

/** Every call of every function, paired by a stack per process: a return or exception closes the innermost open call of its function. */
function naiveCalls(r: Replay): Map<string, Naive[]> {
  const out = new Map<string, Naive[]>();
  const stacks = new Map<number, Naive[]>();
  for (let i = 0; i < r.eventCount; i++) {
    const e = r.event(i);
    if (!e.mfa) continue;
    const stack = stacks.get(e.pid) ?? [];
    stacks.set(e.pid, stack);
    if (e.kind === "call") {
      const c = { call: i, end: -1, pid: e.pid };
      stack.push(c);
      const list = out.get(key(e.mfa)) ?? [];
      list.push(c);
      out.set(key(e.mfa), list);
    } else if (e.kind === "return" || e.kind === "exception") {
      for (let k = stack.length - 1; k >= 0; k--) {
        const open = r.event(stack[k].call).mfa!;
        if (key(open) !== key(e.mfa)) continue;
        stack[k].end = i;
        stack.length = k;
        break;
      }
    }
  }
  return out;
}

function knownClause(r: Replay, call: number): number | undefined {
  const c = r.clauseOf(call);
  return c?.known ? c.index : undefined;
}

function show(c: FunctionCall): string {
  const o = c.outcome;
  const outcome =
    o.kind === "return"
      ? `return@${o.index} ${inspect(o.value)}`
      : o.kind === "exception"
        ? `${o.class}@${o.index} ${inspect(o.reason)}`
        : "running";
  return `${c.call} ${key(c.mfa)} pid ${c.pid} t ${c.time} (${c.args.map((a) => inspect(a)).join(", ")}) ${outcome} ${c.durationNs ?? "-"} clause ${c.clause ?? "-"}`;
}

function expected(r: Replay, mfa: Mfa, n: Naive): string {
  const e = r.event(n.call);
  const end = n.end >= 0 ? r.event(n.end) : undefined;
  const outcome = !end
    ? "running"
    : end.kind === "exception"
      ? `${end.exception!.class}@${n.end} ${inspect(end.exception!.reason)}`
      : `return@${n.end} ${inspect(end.value ?? [])}`;
  const clause = knownClause(r, n.call);
  return `${n.call} ${key(mfa)} pid ${e.pid} t ${e.time} (${(e.args ?? []).map((a) => inspect(a)).join(", ")}) ${outcome} ${end ? end.time - e.time : "-"} clause ${clause ?? "-"}`;
}

function check(r: Replay, seed: number, rounds: number): void {
  const naive = naiveCalls(r);
  const rand = rng(seed);
  const fns = [...r.functions(), { module: "Elixir.Nope", fun: "never", arity: 0 }];
  for (let round = 0; round < rounds; round++) {
    const mfa = fns[Math.floor(rand() * fns.length)];
    const all = naive.get(key(mfa)) ?? [];
    // Summary.
    const s = r.functionCallSummary(mfa);
    assert.equal(s.calls, all.length, key(mfa));
    assert.equal(s.raised, all.filter((c) => c.end >= 0 && r.kindOf(c.end) === "exception").length);
    assert.deepEqual(
      s.pids,
      [...new Set(all.map((c) => c.pid))].sort((a, b) => a - b),
    );
    assert.equal(s.firstTime, all.length ? r.timeOf(all[0].call) : undefined);
    assert.equal(s.lastTime, all.length ? r.timeOf(all[all.length - 1].call) : undefined);
    const lastDone = [...all].reverse().find((c) => c.end >= 0);
    assert.equal(s.lastDurationNs, lastDone ? r.timeOf(lastDone.end) - r.timeOf(lastDone.call) : undefined);
    assert.deepEqual(
      Array.from(r.functionCallIndices(mfa)),
      all.map((c) => c.call),
    );
    // A random page.
    const order = rand() < 0.5 ? "newest" : "oldest";
    const pids = [...new Set(all.map((c) => c.pid))];
    const pid = rand() < 0.3 && pids.length ? pids[Math.floor(rand() * pids.length)] : undefined;
    const clause = rand() < 0.25 ? 1 + Math.floor(rand() * 3) : undefined;
    const offset = rand() < 0.5 ? 0 : Math.floor(rand() * Math.max(1, all.length));
    const limit = 1 + Math.floor(rand() * 25);
    let want = all.filter(
      (c) =>
        (pid === undefined || c.pid === pid) && (clause === undefined || knownClause(r, c.call) === clause),
    );
    if (order === "newest") want = want.reverse();
    const page = r.functionCalls(mfa, { order, offset, limit, pid, clause });
    const what = `${key(mfa)} ${JSON.stringify({ order, offset, limit, pid, clause })}`;
    assert.equal(page.total, want.length, what);
    assert.deepEqual(
      page.calls.map(show),
      want.slice(offset, offset + limit).map((n) => expected(r, mfa, n)),
      what,
    );
    // One call by its index.
    if (all.length) {
      const one = all[Math.floor(rand() * all.length)];
      assert.equal(show(r.functionCall(mfa, one.call)!), expected(r, mfa, one));
    }
  }
}

describe("per-function calls API against a naive scan", function () {
  this.timeout(120_000);

  it("agrees on a generated trace (nested calls, crashes, many processes)", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "elixirscope-fncalls-")), "gen.estrace");
    generate({ events: 8000, seed: 21, out: path, servers: 4, workers: 12 });
    const r = await Replay.open(path, { index: false });
    try {
      check(r, 99, 200);
    } finally {
      r.close();
    }
  });

  it("agrees on the recorded ticket office (clauses known to the recorder)", async () => {
    const r = await Replay.open(ticketTracePath(), { index: false });
    try {
      check(r, 5, 150);
      // The recording knows clauses: the clause filter is not vacuous there.
      const known = r
        .functions()
        .some((m) => r.functionCalls(m, { clause: 1 }).total > 0 && r.functionCalls(m).total > 0);
      assert.ok(known, "no call with a known clause");
    } finally {
      r.close();
    }
  });

  it("rejects a bad page", async () => {
    const r = await Replay.open(ticketTracePath(), { index: false });
    try {
      const m = r.functions()[0];
      assert.throws(() => r.functionCalls(m, { limit: -1 }), /bad limit -1/);
      assert.throws(() => r.functionCalls(m, { offset: 1.5 }), /bad offset 1.5/);
    } finally {
      r.close();
    }
  });
});

describe("call arguments decoded only where asked", function () {
  this.timeout(120_000);

  it("gives the decoded arguments at the wanted positions and [] elsewhere, for every call", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "elixirscope-callargs-")), "gen.estrace");
    generate({ events: 4000, seed: 8, out: path, servers: 3, workers: 8 });
    for (const trace of [path, ticketTracePath()]) {
      const r = await Replay.open(trace, { index: false });
      try {
        const calls = r.getEventIndices({ kinds: ["call"] });
        // Shuffled: answers come back in the order asked, whatever order the frames are read in.
        const rand = rng(3);
        for (let i = calls.length - 1; i > 0; i--) {
          const j = Math.floor(rand() * (i + 1));
          [calls[i], calls[j]] = [calls[j], calls[i]];
        }
        for (const want of [(k: number) => k === 0, (k: number) => k % 2 === 1, () => true]) {
          const got = r.callArgs(calls, want);
          calls.forEach((c, n) => {
            const full = r.event(c).args ?? [];
            // Arguments all small integers are written as one byte string: those are decoded whole.
            const charlist = full.every((a) => typeof a === "number" && a >= 0 && a < 256);
            const expect = charlist ? full : full.map((a, k) => (want(k) ? a : []));
            assert.equal(inspect(got[n]), inspect(expect), `${trace} call ${c}`);
          });
        }
        assert.throws(
          () => r.callArgs([r.getEventIndices({ kinds: ["return"], limit: 1 })[0]], () => true),
          /is not a call/,
        );
      } finally {
        r.close();
      }
    }
  });
});
