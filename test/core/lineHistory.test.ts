// Per-line history against a naive oracle: a plain scan of the decoded events and the module table
// (its own call/return pairing per process, its own file completion) must give the same counts, the
// same pages of calls with the same outcomes, and the same lines — on random traces (fast-check) with
// two files named worker.ex, relative call sites and several-clause functions, and on every shipped trace.

import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import { Replay } from "../../src/core/replay";
import { atom, pid } from "../../src/core/terms/build";
import { inspect } from "../../src/core/terms/inspect";
import { lineHistorySettings, type LineCounts } from "../../src/core/lineHistory";
import type { ModuleInfo, TraceEvent } from "../../src/core/types";
import { TraceBuilder, type MfaTuple } from "../../src/core/writer";
import { tempTrace } from "../helpers/fixtures";

const PIDS = [0, 1, 2].map((i) => pid("p@h", 100 + i, 0));
// Two worker.ex in different apps: the same name, different files.
const MODULES: Array<{ module: string; source: string; fns: Array<[string, number, number, number[]?]> }> = [
  {
    module: "Elixir.A.Worker",
    source: "/src/apps/a/lib/worker.ex",
    fns: [
      ["run", 1, 3],
      ["step", 2, 9, [9, 12]],
    ],
  },
  {
    module: "Elixir.B.Worker",
    source: "/src/apps/b/lib/worker.ex",
    fns: [
      ["run", 1, 3],
      ["go", 0, 20],
    ],
  },
  { module: "Elixir.Util", source: "/src/apps/a/lib/util.ex", fns: [["log", 1, 5]] },
];
const MFAS: MfaTuple[] = MODULES.flatMap((m) => m.fns.map(([f, a]) => [m.module, f, a] as MfaTuple));
MFAS.push(["lists", "map", 2]); // no module table entry: no definition line
// Call sites: absolute, relative to a project (completed only when one module source ends with it).
const SITES = [
  undefined,
  { file: "/src/apps/a/lib/worker.ex", line: 4 },
  { file: "lib/util.ex", line: 6 },
  { file: "lib/worker.ex", line: 4 }, // ambiguous: stays as recorded
  { file: "/src/apps/b/lib/worker.ex", line: 20 }, // a call site on a definition line
  { file: "apps/b/lib/worker.ex", line: 21 },
];

type Op = {
  kind: "call" | "return" | "exception" | "exit" | "send";
  p: number;
  m: number;
  s: number;
  v: number;
};
const opArb = fc.record({
  kind: fc.constantFrom("call", "call", "return", "return", "exception", "exit", "send") as fc.Arbitrary<
    Op["kind"]
  >,
  p: fc.nat(PIDS.length - 1),
  m: fc.nat(MFAS.length - 1),
  s: fc.nat(SITES.length - 1),
  v: fc.nat(9),
});

function build(ops: Op[]): string {
  const b = new TraceBuilder();
  for (const m of MODULES)
    b.module(
      m.module,
      m.source,
      m.fns.map(([f, a, l, c]) => [f, a, l, c ?? [l]]),
    );
  for (const o of ops) {
    b.tick = (o.v % 3) * 700; // some events share a time
    const P = PIDS[o.p];
    const site = SITES[o.s];
    if (o.kind === "call")
      b.call(P, MFAS[o.m], [o.v], site && { mfa: MFAS[(o.m + 1) % MFAS.length], ...site });
    else if (o.kind === "return") b.ret(P, MFAS[o.m], o.v);
    else if (o.kind === "exception") b.exception(P, MFAS[o.m], o.v % 2 ? "error" : "throw", atom(`e${o.v}`));
    else if (o.kind === "exit") b.exit(P, atom("normal"));
    else b.send(P, PIDS[(o.p + 1) % PIDS.length], o.v);
  }
  return tempTrace(b.toBuffer());
}

// ── the oracle: decoded events and the module table, nothing of the engine's columns ────────────

interface Oracle {
  counts(file: string): LineCounts[];
  calls(file: string, line: number): Array<{ call: number; via: string; end?: number }>;
}

function oracle(events: TraceEvent[], modules: ModuleInfo[]): Oracle {
  const abs = [...new Set(modules.map((m) => m.source))].filter((s) => s.startsWith("/"));
  const complete = (f: string): string => {
    if (f.startsWith("/")) return f;
    const hits = abs.filter((a) => a.endsWith(`/${f}`));
    return hits.length === 1 ? hits[0] : f;
  };
  const key = (m: { module: string; fun: string; arity: number }): string =>
    `${m.module}.${m.fun}/${m.arity}`;
  // function → its [file, lines]
  const defs = new Map<string, { file: string; lines: number[] }>();
  for (const mod of modules)
    for (const f of mod.functions)
      defs.set(`${mod.module}.${f.name}/${f.arity}`, {
        file: mod.source,
        lines: [...new Set([f.line, ...f.clauseLines])].filter((l) => l > 0),
      });
  // Pairing: per process a stack of open calls; a return/exception closes the innermost call of its
  // function, and the frames above it close with it (their returns were not recorded).
  const end = new Map<number, number>();
  const stacks = new Map<number, TraceEvent[]>();
  for (const e of events) {
    const st = stacks.get(e.pid) ?? [];
    stacks.set(e.pid, st);
    if (e.kind === "call") st.push(e);
    else if (e.kind === "return" || e.kind === "exception") {
      let k = st.length - 1;
      while (k >= 0 && key(st[k].mfa!) !== key(e.mfa!)) k--;
      if (k >= 0) {
        end.set(st[k].index, e.index);
        st.length = k;
      }
    } else if (e.kind === "exit") st.length = 0;
  }
  const defAt = (e: TraceEvent, file: string, line: number): boolean => {
    const d = e.mfa && defs.get(key(e.mfa));
    return !!d && d.file === file && d.lines.includes(line);
  };
  const siteAt = (e: TraceEvent, file: string, line: number): boolean =>
    e.caller?.file !== undefined && complete(e.caller.file) === file && e.caller.line === line;
  return {
    counts(file) {
      const lines = new Map<number, LineCounts>();
      const at = (l: number): LineCounts => {
        let c = lines.get(l);
        if (!c) lines.set(l, (c = { line: l, calls: 0, callsFrom: 0, returns: 0, exceptions: 0 }));
        return c;
      };
      for (const e of events) {
        const d = e.mfa && defs.get(key(e.mfa));
        if (d && d.file === file && (e.kind === "call" || e.kind === "return" || e.kind === "exception"))
          for (const l of d.lines)
            at(l)[e.kind === "call" ? "calls" : e.kind === "return" ? "returns" : "exceptions"]++;
        if (e.kind === "call" && e.caller?.file !== undefined && e.caller.line !== undefined)
          if (complete(e.caller.file) === file) at(e.caller.line).callsFrom++;
      }
      return [...lines.values()].sort((a, b) => a.line - b.line);
    },
    calls(file, line) {
      return events
        .filter((e) => e.kind === "call" && (defAt(e, file, line) || siteAt(e, file, line)))
        .map((e) => ({
          call: e.index,
          via: defAt(e, file, line) ? "definition" : "callSite",
          end: end.get(e.index),
        }));
    },
  };
}

function decodeAll(r: Replay): TraceEvent[] {
  return Array.from({ length: r.eventCount }, (_, i) => r.event(i));
}

/** Every line's counts, calls (both orders, paged) and outcomes equal the oracle's. */
function compare(
  r: Replay,
  o: Oracle,
  files: string[],
  page: { offset: number; limit: number; pid?: number },
): void {
  for (const file of files) {
    const want = o.counts(file);
    assert.deepEqual(r.lineCounts(file), want, file);
    assert.deepEqual(
      r.recordedLines(file),
      want.map((c) => c.line),
      file,
    );
    for (const { line } of want) {
      const all = o
        .calls(file, line)
        .filter((c) => page.pid === undefined || r.event(c.call).pid === page.pid);
      for (const order of ["oldest", "newest"] as const) {
        const got = r.lineCalls(file, line, { order, ...page });
        assert.equal(got.total, all.length, `${file}:${line}`);
        const ordered = order === "oldest" ? all : [...all].reverse();
        const slice = ordered.slice(page.offset, page.offset + page.limit);
        assert.deepEqual(
          got.calls.map((c) => [c.call, c.via]),
          slice.map((c) => [c.call, c.via]),
          `${file}:${line} ${order}`,
        );
        got.calls.forEach((c, k) => {
          const e = r.event(c.call);
          const end = slice[k].end;
          assert.equal(c.pid, e.pid);
          assert.equal(c.time, e.time);
          assert.deepEqual(c.mfa, e.mfa);
          assert.equal(inspect(c.args), inspect(e.args!));
          if (end === undefined) {
            assert.deepEqual(c.outcome, { kind: "running" });
            assert.equal(c.durationNs, undefined);
          } else {
            const x = r.event(end);
            assert.equal(c.outcome.kind, x.kind);
            assert.equal(c.durationNs, x.time - e.time);
            if (c.outcome.kind === "return") assert.equal(inspect(c.outcome.value), inspect(x.value!));
            if (c.outcome.kind === "exception") {
              assert.equal(c.outcome.class, x.exception!.class);
              assert.equal(inspect(c.outcome.reason), inspect(x.exception!.reason));
            }
          }
        });
      }
    }
  }
}

describe("per-line history", () => {
  // Pages are found by walking the index lists (near either end), or from a line's list built whole.
  for (const walkedRows of [lineHistorySettings.walkedRows, 0])
    it(`equals a naive scan on random traces (two worker.ex, relative sites, several clauses; walked rows ${walkedRows})`, async () => {
      const saved = lineHistorySettings.walkedRows;
      lineHistorySettings.walkedRows = walkedRows;
      try {
        await randomTraces();
      } finally {
        lineHistorySettings.walkedRows = saved;
      }
    });

  it("builds no list of a line's calls for a page near either end, and keeps one for a deeper page", async () => {
    const r = await Replay.open(join(__dirname, "../../examples/traces", "rush_hour.estrace"));
    try {
      const [file, line, total] = r
        .recordedFiles()
        .flatMap((f) => r.lineCounts(f).map((c) => [f, c.line, c.calls + c.callsFrom] as const))
        .reduce((a, b) => (b[2] > a[2] ? b : a));
      assert.ok(total > 40, `a busy line (${total} calls)`);
      const newest = r.lineCalls(file, line, { limit: 20 });
      const oldest = r.lineCalls(file, line, { limit: 20, order: "oldest" });
      const walkedDeep = r.lineCalls(file, line, { offset: 5, limit: 20 });
      assert.equal(r.stats().lineCallListsKept, 0);
      const saved = lineHistorySettings.walkedRows;
      lineHistorySettings.walkedRows = 10;
      try {
        assert.deepEqual(r.lineCalls(file, line, { offset: 5, limit: 20 }), walkedDeep);
        assert.equal(r.stats().lineCallListsKept, 1);
        // The kept list answers the same pages as the walk did.
        assert.deepEqual(r.lineCalls(file, line, { limit: 20 }), newest);
        assert.deepEqual(r.lineCalls(file, line, { limit: 20, order: "oldest" }), oldest);
      } finally {
        lineHistorySettings.walkedRows = saved;
      }
    } finally {
      r.close();
    }
  });

  async function randomTraces(): Promise<void> {
    const modules: ModuleInfo[] = MODULES.map((m) => ({
      module: m.module,
      source: m.source,
      functions: m.fns.map(([name, arity, line, clauses]) => ({
        name,
        arity,
        line,
        clauseLines: clauses ?? [line],
      })),
    }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 120 }),
        fc.nat(6),
        fc.integer({ min: 1, max: 7 }),
        fc.option(fc.nat(PIDS.length - 1), { nil: undefined }),
        async (ops, offset, limit, p) => {
          const r = await Replay.open(build(ops));
          try {
            const o = oracle(decodeAll(r), modules);
            const files = [
              ...MODULES.map((m) => m.source),
              "lib/worker.ex",
              "/src/apps/b/lib/worker.ex".replace("/src/", "/elsewhere/"),
            ];
            const pidId =
              p === undefined ? undefined : r.processes().find((x) => x.pid === `<0.${100 + p}.0>`)?.id;
            compare(r, o, files, { offset, limit, pid: p === undefined ? undefined : (pidId ?? -1) });
          } finally {
            r.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  }

  for (const name of ["double_booking", "payment_crash", "rush_hour"])
    it(`equals a naive scan on every line of ${name}`, async () => {
      const r = await Replay.open(join(__dirname, "../../examples/traces", `${name}.estrace`));
      try {
        const o = oracle(decodeAll(r), r.modules());
        const files = r.recordedFiles();
        // Recorded relative to the demo project (older traces: absolute).
        assert.ok(files.some((f) => `/${f}`.endsWith("/lib/cinema_demo/customer.ex")));
        compare(r, o, files, { offset: 0, limit: 1000 });
        compare(r, o, files, { offset: 2, limit: 3 });
      } finally {
        r.close();
      }
    });

  it("keeps files of the same name apart and completes relative call sites", async () => {
    const b = new TraceBuilder();
    for (const m of MODULES)
      b.module(
        m.module,
        m.source,
        m.fns.map(([f, a, l, c]) => [f, a, l, c ?? [l]]),
      );
    const P = PIDS[0];
    b.call(P, ["Elixir.A.Worker", "run", 1], [1]);
    b.call(P, ["Elixir.Util", "log", 1], [2], {
      mfa: ["Elixir.A.Worker", "run", 1],
      file: "lib/util.ex",
      line: 6,
    });
    b.ret(P, ["Elixir.Util", "log", 1], atom("ok"));
    b.call(P, ["Elixir.B.Worker", "go", 0], [], {
      mfa: ["Elixir.A.Worker", "run", 1],
      file: "apps/b/lib/worker.ex",
      line: 21,
    });
    const r = await Replay.open(tempTrace(b.toBuffer()));
    try {
      assert.deepEqual(r.lineCounts("/src/apps/a/lib/worker.ex"), [
        { line: 3, calls: 1, callsFrom: 0, returns: 0, exceptions: 0 },
      ]);
      assert.deepEqual(r.lineCounts("/src/apps/b/lib/worker.ex"), [
        { line: 20, calls: 1, callsFrom: 0, returns: 0, exceptions: 0 },
        { line: 21, calls: 0, callsFrom: 1, returns: 0, exceptions: 0 },
      ]);
      // The relative site completes to the one module source it is the tail of.
      assert.deepEqual(r.lineCounts("/src/apps/a/lib/util.ex"), [
        { line: 5, calls: 1, callsFrom: 0, returns: 1, exceptions: 0 },
        { line: 6, calls: 0, callsFrom: 1, returns: 0, exceptions: 0 },
      ]);
      assert.deepEqual(r.lineCounts("lib/worker.ex"), [], "no suffix guessing");
      assert.deepEqual(r.lineCounts("worker.ex"), []);
      const [log] = r.lineCalls("/src/apps/a/lib/util.ex", 5).calls;
      assert.deepEqual(log.outcome, { kind: "return", index: 2, value: atom("ok") });
      assert.deepEqual(log.location, { file: "/src/apps/a/lib/util.ex", line: 6 });
      assert.equal(log.via, "definition");
      const [run] = r.lineCalls("/src/apps/a/lib/worker.ex", 3).calls;
      assert.deepEqual(run.outcome, { kind: "running" });
      assert.equal(r.lineCalls("/src/apps/b/lib/worker.ex", 21).calls[0].via, "callSite");
      // Workspace paths map back through the caller's mapping (recorded → local), inverted.
      const toLocal = (f: string): string | undefined =>
        f.startsWith("/src/") ? `/home/me/proj/${f.slice(5)}` : undefined;
      assert.equal(
        r.recordedFileFor("/home/me/proj/apps/b/lib/worker.ex", toLocal),
        "/src/apps/b/lib/worker.ex",
      );
      assert.equal(r.recordedFileFor("/home/me/proj/apps/c/lib/worker.ex", toLocal), undefined);
      assert.equal(r.recordedFileFor("/src/apps/a/lib/util.ex"), "/src/apps/a/lib/util.ex");
      assert.equal(r.recordedFileFor("C:\\src\\apps\\a\\lib\\util.ex"), undefined);
      assert.throws(() => r.lineCalls("/src/apps/a/lib/util.ex", 5, { limit: -1 }), /bad limit -1/);
      assert.throws(() => r.lineCalls("/src/apps/a/lib/util.ex", 5.5), /bad line 5.5/);
      assert.throws(
        () => r.lineCalls("/src/apps/a/lib/util.ex", 5, { order: "up" as "newest" }),
        /bad order "up"/,
      );
    } finally {
      r.close();
    }
  });
});
