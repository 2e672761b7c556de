// The `elixirscope` command: inspect a recording from a terminal (info, events, state, flow, stack),
// convert it (export to JSON Lines, import back), replay the bundled demo, and serve the debug adapter
// over stdio. Human-readable by default, `--json` for machines; bad input exits 2 with one line.

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { describeEvent, formatDuration, processLabeler } from "../core/describe";
import { ReplayError, TraceLoadError } from "../core/errors";
import { escapeControls, escapeControlsKeepingLines } from "../core/escape";
import { frameToJsonLine } from "../core/jsonl";
import { Replay } from "../core/replay";
import { mfaLabel } from "../core/store/eventDecode";
import { inspect } from "../core/terms/inspect";
import { termToJson } from "../core/terms/json";
import { atom, bin, tuple } from "../core/terms/build";
import { EVENT_KINDS, type EventFilter, type EventKind, type TraceEvent } from "../core/types";
import { duration, int, many, one, parseArgs, type Parsed, UsageError } from "./args";
import { flowDiagram } from "./flowDiagram";
import { guardStdio, OutputFile } from "./io";
import { importJsonlFile } from "./jsonlImport";
import { progressBar } from "./progress";
import { runStdio } from "../debugAdapter/main";
import { LSP_USAGE, lspCommand } from "./lsp";

const USAGE = `elixirscope — replay a recording of an Elixir program

usage:
  elixirscope demo                         replay the bundled Cinema Demo recording (summary, events, state, flow)
  elixirscope info   TRACE... [--stats]    what the recording holds: nodes, processes, functions, problems
  elixirscope events TRACE... [filters]    list events
      --pid P (repeatable)  --kind call,send,...  --fun Mod.fun/arity (wildcards *)
      --from-seq N --to-seq N  --from-time 1.5ms --to-time 2s  --limit N (default 50)  --offset N  --desc  --explain
  elixirscope state  TRACE... PID [--at SEQ | --time T] [--history]
  elixirscope flow   TRACE... [FROM [TO]] [--limit N] [--from-time T --to-time T]
      --diagram (as a sequence diagram, text) or --svg OUT.svg; --from-seq N --to-seq N --match PATTERN
  elixirscope stack  TRACE... --seq N
  elixirscope export TRACE --format jsonl [-o FILE]
  elixirscope import FILE.jsonl -o TRACE.estrace
  elixirscope dap                          run the debug adapter on stdin/stdout (for any DAP client)
${LSP_USAGE}

PID is <0.123.0>, #PID<0.123.0>, 0.123.0 or a registered name (TicketOffice).
Every command takes --json for machine-readable output.`;

const TRACE_OPTS = {
  flags: ["json", "stats", "desc", "explain", "history", "help", "h", "diagram"],
  values: [
    "pid",
    "kind",
    "fun",
    "from-seq",
    "to-seq",
    "from-time",
    "to-time",
    "limit",
    "offset",
    "at",
    "time",
    "seq",
    "format",
    "o",
    "out",
    "svg",
    "match",
  ],
};

type Out = (s: string) => void;

export async function main(
  argv: string[],
  out: Out = (s) => process.stdout.write(`${escapeControlsKeepingLines(s)}\n`),
): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (!cmd || cmd === "help" || cmd === "--help" || cmd === "-h") {
      out(USAGE);
      if (!cmd) throw new UsageError("no command given (see the usage above)");
      return 0;
    }
    if (cmd === "dap") {
      runStdio();
      return -1;
    }
    if (cmd === "lsp") return await lspCommand(rest);
    guardStdio();
    const p = parseArgs(rest, TRACE_OPTS);
    switch (cmd) {
      case "demo":
        return await demo(out);
      case "import":
        return await importJsonl(p, out);
      case "info":
      case "events":
      case "state":
      case "flow":
      case "stack":
      case "export":
        return await withReplay(p, cmd, out);
      default:
        throw new UsageError(`unknown command "${cmd}" (try: elixirscope help)`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof ReplayError || e instanceof TraceLoadError) {
      process.stderr.write(`elixirscope: ${escapeControls(e.message)}\n`);
      return 2;
    }
    throw e;
  }
}

/** The trace files among the positionals: every leading argument that names an existing file. */
function splitTraces(p: Parsed, cmd: string): { traces: string[]; args: string[] } {
  const traces: string[] = [];
  let i = 0;
  while (
    i < p.positional.length &&
    (p.positional[i].endsWith(".estrace") || (traces.length === 0 && i === 0))
  )
    traces.push(p.positional[i++]);
  if (traces.length === 0)
    throw new UsageError(`${cmd}: no trace file given (usage: elixirscope ${cmd} TRACE ...)`);
  return { traces, args: p.positional.slice(i) };
}

async function withReplay(p: Parsed, cmd: string, out: Out): Promise<number> {
  const { traces, args } = splitTraces(p, cmd);
  const bar = progressBar();
  const t0 = performance.now();
  const replay = await Replay.open(traces, { onProgress: bar.onProgress });
  const loadMs = performance.now() - t0;
  bar.done();
  try {
    for (const problem of replay.problems) process.stderr.write(`warning: ${problem.text}\n`);
    const indexNote = replay.indexStatus.note;
    if (indexNote) process.stderr.write(`note: ${indexNote}\n`);
    // Told once more only if saving the index then failed (the process exits after the write).
    void replay.indexSaved().then((s) => {
      if (s.state === "unsaved" && s.note && s.note !== indexNote) process.stderr.write(`note: ${s.note}\n`);
    });
    const json = p.flags.has("json");
    switch (cmd) {
      case "info":
        return info(replay, p, json, loadMs, out);
      case "events":
        return events(replay, p, json, out);
      case "state":
        return state(replay, p, args, json, out);
      case "flow":
        return flow(replay, p, args, json, out);
      case "stack":
        return stack(replay, p, json, out);
      default:
        return exportJsonl(replay, p, out);
    }
  } finally {
    replay.close();
  }
}

function info(r: Replay, p: Parsed, json: boolean, loadMs: number, out: Out): number {
  const kinds = Object.fromEntries(
    EVENT_KINDS.map((k) => [k, r.explain({ kinds: [k] }).candidates]).filter(([, n]) => n),
  );
  const procs = r.processes();
  const summary = {
    files: r.files.map((f) => ({
      path: f.path,
      node: f.node,
      events: f.events,
      bytes: f.bytes,
      otp: f.otpRelease,
      elixir: f.elixirVersion,
      recorder: f.recorderVersion,
      timeUnit: f.timeUnit,
      started: new Date(f.startSystemTimeNs / 1e6).toISOString(),
    })),
    events: r.eventCount,
    duration_ns: r.timeRange.end - r.timeRange.start,
    kinds,
    processes: procs.length,
    crashed: procs.filter((x) => x.crashed).map((x) => x.label),
    functions: r.functions().length,
    modules: r.modules().map((m) => m.module),
    problems: r.problems.map((x) => x.text),
    load_ms: Math.round(loadMs),
    ...(p.flags.has("stats")
      ? { stats: r.stats(), memory_mb: Math.round(process.memoryUsage().rss / 2 ** 20) }
      : {}),
  };
  if (json) {
    out(JSON.stringify(summary, null, 2));
    return 0;
  }
  for (const f of summary.files)
    out(
      escapeControls(
        `${f.path}: node ${f.node}, ${f.events} events, ${(f.bytes / 1024).toFixed(0)} KiB, OTP ${f.otp}, Elixir ${f.elixir}, recorded ${f.started}`,
      ),
    );
  out(
    `${summary.events} events over ${formatDuration(summary.duration_ns)}: ${Object.entries(kinds)
      .map(([k, n]) => `${n} ${k}`)
      .join(", ")}`,
  );
  out(
    `${procs.length} processes${summary.crashed.length ? `, ${summary.crashed.length} crashed (${summary.crashed.join(", ")})` : ""}`,
  );
  out(
    `${summary.functions} functions in ${summary.modules.length} modules with source: ${summary.modules.map((m) => escapeControls(m.replace(/^Elixir\./, ""))).join(", ")}`,
  );
  if (summary.problems.length) out(`${summary.problems.length} damaged frames skipped (see warnings above)`);
  if (p.flags.has("stats")) {
    const s = r.stats();
    out(
      `loaded in ${summary.load_ms} ms, resident ${summary.memory_mb} MB; decoded-event cache ${s.decodedCacheSize} (hits ${s.decodedCacheHits}, misses ${s.decodedCacheMisses})`,
    );
    for (const q of s.queries)
      out(
        `  index ${q.index}: ${q.queries} queries, ${q.candidatesScanned} candidates scanned, ${q.results} results, ${q.totalMs.toFixed(2)} ms total, ${q.maxMs.toFixed(2)} ms max`,
      );
  }
  return 0;
}

function filterOf(r: Replay, p: Parsed): EventFilter {
  const f: EventFilter = { limit: int(p, "limit") ?? 50 };
  const pids = many(p, "pid");
  if (pids.length) f.pids = pids;
  const kinds = many(p, "kind");
  if (kinds.length) f.kinds = kinds as EventKind[];
  const funs = p.values.get("fun");
  if (funs?.length) f.functions = funs;
  const fromSeq = int(p, "from-seq");
  const toSeq = int(p, "to-seq");
  if (fromSeq !== undefined || toSeq !== undefined)
    f.indexRange = {
      from: fromSeq === undefined ? undefined : r.resolveMoment({ seq: fromSeq }),
      to: toSeq === undefined ? undefined : r.resolveMoment({ seq: toSeq }),
    };
  const from = duration(p, "from-time");
  const to = duration(p, "to-time");
  if (from !== undefined || to !== undefined) f.timeRange = { from, to };
  const offset = int(p, "offset");
  if (offset !== undefined) f.offset = offset;
  if (p.flags.has("desc")) f.order = "desc";
  return f;
}

function eventJson(r: Replay, e: TraceEvent): Record<string, unknown> {
  return {
    seq: e.seq,
    index: e.index,
    time_ns: e.time,
    pid: r.process(e.pid).pid,
    process: r.process(e.pid).label,
    kind: e.kind,
    ...(e.mfa ? { function: mfaLabel(e.mfa) } : {}),
    summary: describeEvent(e, { processLabel: processLabeler(r.processes()) }),
    ...(e.peer !== undefined ? { peer: r.process(e.peer).pid } : {}),
    position: r.positionOf(e.index),
    raw: termToJson(e.raw),
  };
}

function eventLine(r: Replay, e: TraceEvent): string {
  const label = processLabeler(r.processes());
  return `${String(e.seq).padStart(6)}  ${r.timeLabel(e.index).padStart(13)}  ${label(e.pid).padEnd(34)}  ${e.kind.padEnd(9)}  ${describeEvent(e, { processLabel: label })}`;
}

function events(r: Replay, p: Parsed, json: boolean, out: Out): number {
  const f = filterOf(r, p);
  if (p.flags.has("explain")) {
    const plan = r.explain(f);
    out(
      json
        ? JSON.stringify(plan)
        : `index: ${plan.index}, ${plan.candidates} candidates (considered: ${plan.considered.map((c) => `${c.index} ${c.candidates}`).join(", ")})`,
    );
    return 0;
  }
  const evs = r.getEvents(f);
  if (json)
    out(
      JSON.stringify(
        evs.map((e) => eventJson(r, e)),
        null,
        2,
      ),
    );
  else for (const e of evs) out(eventLine(r, e));
  return 0;
}

function state(r: Replay, p: Parsed, args: string[], json: boolean, out: Out): number {
  const spec = args[0];
  if (!spec) throw new UsageError("state: which process? (usage: elixirscope state TRACE PID [--at SEQ])");
  const proc = r.findProcess(spec);
  const at = int(p, "at");
  const time = duration(p, "time");
  if (at !== undefined || time !== undefined) {
    const moment = at !== undefined ? r.resolveMoment({ seq: at }) : r.resolveMoment({ time: time! });
    const s = r.getStateAt(proc.id, moment);
    if (json)
      out(
        JSON.stringify(
          s ? { seq: r.event(s.index).seq, callback: s.callback, state: termToJson(s.state) } : null,
          null,
          2,
        ),
      );
    else
      out(
        s
          ? `${proc.label} at seq ${r.event(moment).seq} (state set at seq ${r.event(s.index).seq} by ${s.callback}):\n${inspect(s.state, { limit: 50 })}`
          : `${proc.label} has no recorded state at that moment`,
      );
    return 0;
  }
  const history = r.stateHistory(proc.id);
  if (json) {
    out(
      JSON.stringify(
        history.map((h) => ({
          seq: r.event(h.index).seq,
          time_ns: h.time,
          callback: h.callback,
          state: termToJson(r.getStateAt(proc.id, h.index)!.state),
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  if (history.length === 0) {
    out(`${proc.label} has no recorded GenServer state`);
    return 0;
  }
  out(`state history of ${proc.label}: ${history.length} changes`);
  let prev: ReturnType<Replay["getStateAt"]>;
  for (const h of history) {
    const s = r.getStateAt(proc.id, h.index);
    if (!s) continue;
    const head = `${String(r.event(h.index).seq).padStart(6)}  ${r.timeLabel(h.index).padStart(13)}  ${(h.callback ?? "").padEnd(16)}`;
    if (!prev) out(`${head}  ${inspect(s.state, { limit: 20 })}`);
    else {
      const d = r.diffStates(prev.state, s.state);
      out(
        `${head}  ${d.length === 0 ? "(unchanged)" : d.map((x) => `${x.pathText || "state"} ${x.change === "added" ? "+" : x.change === "removed" ? "-" : ""}${x.change === "removed" ? inspect(x.before!, { limit: 5 }) : inspect(x.after!, { limit: 5 })}`).join(", ")}`,
      );
    }
    prev = s;
  }
  return 0;
}

function flow(r: Replay, p: Parsed, args: string[], json: boolean, out: Out): number {
  if (p.flags.has("diagram") || one(p, "svg") !== undefined) return flowDiagram(r, p, args, out);
  const [from, to] = args.map((a) => (a === "*" || a === "_" ? undefined : a));
  const entries = r.getMessageFlow(from, to, {
    limit: int(p, "limit") ?? 100,
    timeRange: { from: duration(p, "from-time"), to: duration(p, "to-time") },
  });
  const label = processLabeler(r.processes());
  if (json) {
    out(
      JSON.stringify(
        entries.map((e) => ({
          ...e,
          from: e.from === undefined ? undefined : r.process(e.from).pid,
          to: e.to === undefined ? e.toName : r.process(e.to).pid,
          send_seq: e.send === undefined ? undefined : r.event(e.send).seq,
          receive_seq: e.receive === undefined ? undefined : r.event(e.receive).seq,
          message: termToJson((e.send !== undefined ? r.event(e.send) : r.event(e.receive!)).message!),
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  out(
    `${entries.length} messages${from ? ` from ${r.findProcess(from).label}` : ""}${to ? ` to ${r.findProcess(to).label}` : ""}`,
  );
  for (const e of entries) {
    const ev = r.event(e.send ?? e.receive!);
    const lat =
      e.latencyNs !== undefined ? `${(e.latencyNs / 1e3).toFixed(1)}µs` : e.status.replace(/_/g, " ");
    out(
      `${String(ev.seq).padStart(6)}  ${r.timeLabel(ev.index).padStart(13)}  ${(e.from !== undefined ? label(e.from) : "?").padEnd(30)} → ${(e.to !== undefined ? label(e.to) : (e.toName ?? "?")).padEnd(30)}  ${lat.padStart(12)}  ${inspect(ev.message!, { limit: 6 })}`,
    );
  }
  return 0;
}

function stack(r: Replay, p: Parsed, json: boolean, out: Out): number {
  const seq = int(p, "seq");
  if (seq === undefined) throw new UsageError("stack: which moment? (--seq N)");
  const at = r.resolveMoment({ seq });
  const frames = r.stackAt(at);
  if (json) {
    out(
      JSON.stringify(
        frames.map((f) => ({
          function: f.mfa ? mfaLabel(f.mfa) : undefined,
          file: f.location?.file,
          line: f.location?.line,
          call_seq: f.callIndex >= 0 ? r.event(f.callIndex).seq : undefined,
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  const e = r.event(at);
  out(`${r.process(e.pid).label} at seq ${e.seq} (${e.kind}):`);
  for (const f of frames)
    out(
      `  ${f.mfa ? mfaLabel(f.mfa) : "(no traced function)"}${f.location ? `  ${f.location.file}:${f.location.line}` : "  (no source)"}`,
    );
  return 0;
}

function exportJsonl(r: Replay, p: Parsed, out: Out): number {
  const format = one(p, "format") ?? "jsonl";
  if (format !== "jsonl") throw new UsageError(`export: unknown format "${format}" (supported: jsonl)`);
  if (r.files.length !== 1) throw new UsageError("export: give one trace file at a time");
  const path = one(p, "o") ?? one(p, "out");
  // Written synchronously in batches, so the file is complete when the command returns.
  const file = path ? new OutputFile(path, "export") : undefined;
  let batch: string[] = [];
  const flush = (): void => {
    if (file !== undefined && batch.length) file.write(`${batch.join("\n")}\n`);
    batch = [];
  };
  const write = (s: string): void => {
    if (file === undefined) out(s);
    else if (batch.push(s) >= 1000) flush();
  };
  write(frameToJsonLine(tuple(atom("estrace"), 1, r.files[0].header)));
  for (const m of r.modules())
    write(
      frameToJsonLine(
        tuple(
          atom("module"),
          atom(m.module),
          bin(m.source),
          m.functions.map((f) =>
            tuple(
              atom(f.name),
              f.arity,
              f.line,
              f.clauseLines,
              (f.clauses ?? []).map((c) => c.params.map((n) => atom(n ?? "nil"))),
            ),
          ),
        ),
      ),
    );
  // Streamed in file order by large reads, past the decoded-event cache.
  for (const e of r.streamEvents()) write(frameToJsonLine(e.raw));
  if (r.files[0].footer !== undefined) write(frameToJsonLine(tuple(atom("footer"), r.files[0].footer)));
  flush();
  file?.close();
  return 0;
}

async function importJsonl(p: Parsed, out: Out): Promise<number> {
  const input = p.positional[0];
  const output = one(p, "o") ?? one(p, "out");
  if (!input)
    throw new UsageError(
      "import: which JSON Lines file? (usage: elixirscope import FILE.jsonl -o TRACE.estrace)",
    );
  if (!output) throw new UsageError("import: where to? (-o TRACE.estrace)");
  const frames = await importJsonlFile(input, output);
  out(`wrote ${output}: ${frames} frames`);
  return 0;
}

async function demo(out: Out): Promise<number> {
  const root = [resolve(__dirname, ".."), resolve(__dirname, "../..")].find((d) =>
    existsSync(join(d, "examples/traces")),
  );
  const trace =
    root &&
    ["double_booking", "happy_path"]
      .map((n) => join(root, "examples/traces", `${n}.estrace`))
      .find(existsSync);
  if (!trace)
    throw new UsageError(
      "demo: the bundled recordings (examples/traces/*.estrace) are missing from this installation",
    );
  out(`# Replaying ${trace}\n`);
  const r = await Replay.open(trace);
  try {
    info(r, parseArgs([], TRACE_OPTS), false, 0, out);
    const label = processLabeler(r.processes());
    out(`\n# The first 25 events`);
    for (const e of r.getEvents({ limit: 25 })) out(eventLine(r, e));
    const server = r.processes().find((x) => r.stateHistory(x.id).length > 0);
    if (server) {
      out(`\n# State history of ${server.label}`);
      state(r, parseArgs([], TRACE_OPTS), [server.pid], false, out);
      const busiest = r.getMessageFlow(undefined, server.id).find((m) => m.from !== undefined);
      if (busiest?.from !== undefined) {
        out(`\n# Message flow ${label(busiest.from)} → ${server.label}`);
        flow(
          r,
          parseArgs(["--limit", "20"], TRACE_OPTS),
          [r.process(busiest.from).pid, server.pid],
          false,
          out,
        );
      }
    }
    const crash = r.getEvents({ kinds: ["exit"], predicate: (e) => r.process(e.pid).crashed, limit: 1 })[0];
    if (crash) {
      out(`\n# First crash`);
      out(eventLine(r, crash));
      out(`  call stack just before it:`);
      const before = r.nextInProcess(crash.index, "backward");
      for (const f of before !== undefined ? r.stackAt(before) : [])
        out(
          `    ${f.mfa ? mfaLabel(f.mfa) : "?"}${f.location ? `  ${f.location.file}:${f.location.line}` : ""}`,
        );
    }
    out(
      `\nNext, the double booking by hand: node dist/cli.js events ${trace} --fun 'TicketOffice.hold/2' --kind call\n` +
        `  and the seat's story: node dist/cli.js state ${trace} TicketOffice`,
    );
  } finally {
    r.close();
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(
        `elixirscope: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
