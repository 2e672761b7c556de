// `npm run bench [-- --events N --seed S]`: measures the engine on a seeded synthetic trace — load and
// index speed, memory, indexed queries, state reconstruction, message flow, call stacks — next to a
// naive full-scan implementation in the same run, then the debug adapter over the real protocol.
// The last line printed is one JSON object of figures (keys in bench/README.md).

import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { Replay } from "../src/core/replay";
import { KIND_CODES } from "../src/core/store/columns";
import { benchCold, benchFirstOpen } from "./cold";
import { benchDap } from "./dap";
import { benchFlow } from "./flow";
import { benchLsp } from "./lsp";
import { generate } from "./gen";
import { p50p99, percentile } from "./stats";

const args = process.argv.slice(2);
const val = (k: string, d: string): string => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const EVENTS = Number(val("--events", "1000000"));
const SEED = Number(val("--seed", "1"));
const SAMPLES = Number(val("--samples", "300"));

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function timeEach(n: number, f: (i: number) => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    f(i);
    out.push(performance.now() - t);
  }
  return out;
}

const round = (x: number, d = 4): number => Number(x.toFixed(d));

/** The seeded synthetic trace in trace format 1 (every term whole) or 3 (as the recorder writes). */
function traceOf(format: 1 | 3): string {
  return `bench/synthetic-${EVENTS}-${SEED}${format === 3 ? "-f3" : ""}.estrace`;
}

/**
 * Generates the trace when missing, in a process of its own: the generator's memory, freed, would
 * lower this process's resident size under the load's and make `mb_per_100k_events` meaningless
 * (it read -9 at 100k events).
 */
function ensureTrace(format: 1 | 3): void {
  const path = traceOf(format);
  if (existsSync(path)) return;
  const t = performance.now();
  const flags = ["--generate", ...(format === 3 ? ["--format-3"] : [])];
  const r = spawnSync(process.execPath, [process.argv[1], ...args, ...flags], { stdio: "inherit" });
  if (r.status !== 0) throw new Error(`generating ${path} failed (exit ${r.status})`);
  console.log(`generated ${path} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

async function main(): Promise<void> {
  const path = traceOf(1);
  if (args.includes("--generate")) {
    const format = args.includes("--format-3") ? 3 : 1;
    generate({ events: EVENTS, seed: SEED, out: traceOf(format), format });
    return;
  }
  ensureTrace(1);
  console.log(`trace: ${path} (${(statSync(path).size / 2 ** 20).toFixed(1)} MiB)`);

  gc();
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  // Parsed, not read from the persistent index: this is the load the index saves later opens.
  const r = await Replay.open(path, { index: false });
  const loadMs = performance.now() - t0;
  gc();
  const rssAfter = process.memoryUsage().rss;
  const n = r.eventCount;
  const figures: Record<string, number> = {
    events: n,
    load_us_per_event: round((loadMs * 1000) / n),
    mb_per_100k_events: round((rssAfter - rssBefore) / 2 ** 20 / (n / 100_000), 2),
  };
  console.log(`loaded ${n} events in ${loadMs.toFixed(0)} ms`);

  const rand = rng(SEED);
  const procs = r.processes().filter((p) => p.eventCount > 0);
  const funs = r.functions();
  const { start, end } = r.timeRange;
  const servers = procs.filter((p) => r.stateHistory(p.id).length > 0);

  const byPid = timeEach(SAMPLES, () =>
    r.getEventIndices({ pids: [procs[Math.floor(rand() * procs.length)].id], limit: 100 }),
  );
  const byFun = timeEach(SAMPLES, () => {
    const f = funs[Math.floor(rand() * funs.length)];
    r.getEventIndices({
      functions: [`${f.module}.${f.fun}/${f.arity}`.replace(/^Elixir\./, "")],
      limit: 100,
    });
  });
  const byTime = timeEach(SAMPLES, () => {
    const from = start + rand() * (end - start);
    r.getEventIndices({ timeRange: { from, to: from + (end - start) / 1000 }, limit: 100 });
  });
  const stateAt = timeEach(SAMPLES, () =>
    r.getStateAt(servers[Math.floor(rand() * servers.length)].id, Math.floor(rand() * n)),
  );
  const stack = timeEach(SAMPLES, () => r.stackAt(Math.floor(rand() * n)));
  // The busiest pair: the server with most state changes and the worker that sent it most.
  const busy = servers.reduce((a, b) => (r.stateHistory(a.id).length >= r.stateHistory(b.id).length ? a : b));
  const senders = new Map<number, number>();
  for (const m of r.getMessageFlow(undefined, busy.id))
    if (m.from !== undefined) senders.set(m.from, (senders.get(m.from) ?? 0) + 1);
  const [busyFrom] = [...senders.entries()].reduce((a, b) => (a[1] >= b[1] ? a : b));
  const flow = timeEach(20, () => r.getMessageFlow(busyFrom, busy.id));
  // As byPid, with every event decoded from the file (the cache holds 4096 of the 30,000 read).
  const decoded = timeEach(SAMPLES, () =>
    r.getEvents({ pids: [procs[Math.floor(rand() * procs.length)].id], limit: 100 }),
  );
  Object.assign(figures, {
    ...p50p99("query_by_pid", byPid),
    ...p50p99("query_by_function", byFun),
    ...p50p99("query_by_time", byTime),
    ...p50p99("state_at", stateAt),
    message_flow_ms: round(percentile(flow, 50)),
    message_flow_messages: r.getMessageFlow(busyFrom, busy.id).length,
    ...p50p99("stack", stack),
    ...p50p99("query_decoded", decoded),
  });

  // Decoded answers: what a hover or a list view pays, payloads read back from the file and decoded.
  const queryDecoded = timeEach(SAMPLES, () =>
    r.getEvents({ pids: [procs[Math.floor(rand() * procs.length)].id], limit: 100 }),
  );
  // Per-line history: the busiest file's counts (the first call builds the per-function counts), then
  // a random recorded line's first page of 20 calls, each paired with its return and decoded.
  const files = r.recordedFiles();
  const eventsIn = (f: string): number =>
    r.lineCounts(f).reduce((a, c) => a + c.calls + c.callsFrom + c.returns + c.exceptions, 0);
  let t1 = performance.now();
  r.lineCounts(files[0]);
  const lineCountsColdMs = performance.now() - t1;
  const busiest = files.reduce((a, b) => (eventsIn(a) >= eventsIn(b) ? a : b));
  const countsWarm = timeEach(20, () => r.lineCounts(busiest));
  // Each line once, in random order: every sample is a line not asked before (its call list built,
  // its calls and returns read and decoded), as when a hover first lands on it.
  const lines = files.flatMap((f) => r.recordedLines(f).map((line) => ({ f, line })));
  for (let i = lines.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [lines[i], lines[j]] = [lines[j], lines[i]];
  }
  const lineHistory = timeEach(lines.length, (i) => r.lineCalls(lines[i].f, lines[i].line, { limit: 20 }));
  // Paged message flow: the first page builds the call/reply index; later pages resume by token.
  t1 = performance.now();
  let flowNext = r.flowPage({ limit: 500 }).next;
  const flowFirstMs = performance.now() - t1;
  const flowPages = timeEach(50, () => {
    flowNext = r.flowPage({ after: flowNext, limit: 500 }).next;
  });
  Object.assign(figures, {
    ...p50p99("query_decoded", queryDecoded),
    line_counts_ms: round(lineCountsColdMs + percentile(countsWarm, 50)),
    line_counts_warm_ms: round(percentile(countsWarm, 50)),
    ...p50p99("line_history", lineHistory),
    flow_first_page_ms: round(flowFirstMs),
    ...p50p99("flow_page", flowPages),
  });

  // The naive baseline: the same questions over a plain array of event records, no index.
  const cols = (r as unknown as { store: { cols: { pid: Int32Array; kind: Uint8Array; length: number } } })
    .store.cols;
  const naiveEvents = Array.from({ length: cols.length }, (_, i) => ({
    index: i,
    pid: cols.pid[i],
    kind: cols.kind[i],
  }));
  const naiveByPid = timeEach(Math.min(SAMPLES, 60), () => {
    const p = procs[Math.floor(rand() * procs.length)].id;
    const out: number[] = [];
    for (const e of naiveEvents) if (e.pid === p && out.push(e.index) >= 100) break;
  });
  const naiveState = timeEach(Math.min(SAMPLES, 60), () => {
    const p = servers[Math.floor(rand() * servers.length)].id;
    let at = Math.floor(rand() * n);
    while (at >= 0 && !(naiveEvents[at].pid === p && naiveEvents[at].kind === KIND_CODES.state)) at--;
    if (at >= 0) r.event(at);
  });
  figures.naive_query_by_pid_p50_ms = round(percentile(naiveByPid, 50));
  figures.naive_state_at_p50_ms = round(percentile(naiveState, 50));
  figures.speedup_query_by_pid = round(
    figures.naive_query_by_pid_p50_ms / Math.max(figures.query_by_pid_p50_ms, 1e-6),
    1,
  );
  figures.speedup_state_at = round(
    figures.naive_state_at_p50_ms / Math.max(figures.state_at_p50_ms, 1e-6),
    1,
  );
  if (!args.includes("--no-flow")) Object.assign(figures, await benchFlow(r));
  r.close();

  if (!args.includes("--no-cold")) {
    Object.assign(figures, benchCold(path, n, { export: !args.includes("--no-export") }));
    // The same recording as today's recorder writes it (trace format 3), next to the whole-term one.
    ensureTrace(3);
    const f3 = benchFirstOpen(traceOf(3));
    figures.cold_first_open_f3_ms = Math.round(f3);
    figures.cold_first_open_f3_us_per_event = round((f3 * 1000) / n, 3);
  }
  // An open that reads the persistent index (built above, or now).
  if (!existsSync(`${path}.esindex`)) await (await Replay.open(path)).indexSaved();
  gc();
  const cIx = process.cpuUsage();
  const tIx = performance.now();
  const ri = await Replay.open(path);
  const openIndexed = performance.now() - tIx;
  const cpu = process.cpuUsage(cIx);
  // CPU time too: on a shared machine the wall time is mostly waiting for a core.
  figures.open_indexed_cpu_ms = Math.round((cpu.user + cpu.system) / 1000);
  if (ri.indexStatus.state !== "reused")
    throw new Error(`the index was not reused: ${JSON.stringify(ri.indexStatus)}`);
  ri.close();
  figures[n >= 5_000_000 ? "open_5m_indexed_ms" : "open_indexed_ms"] = Math.round(openIndexed);

  if (!args.includes("--no-dap")) Object.assign(figures, await benchDap(path));
  if (!args.includes("--no-lsp")) Object.assign(figures, await benchLsp(path, SAMPLES, SEED));

  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(32)} ${v}`);
  console.log(JSON.stringify(figures));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
