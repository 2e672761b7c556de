// `elixirscope info`: what a recording holds (nodes, kinds of events, processes, modules, damaged
// frames), with `--stats` the engine's load time, memory and index use.

import { formatDuration } from "../../core/describe";
import { escapeControls } from "../../core/escape";
import { isoTime } from "../../core/isoTime";
import { leftOut } from "../../core/leftOut";
import { Replay } from "../../core/replay";
import { type Parsed } from "../args";
import { type Out } from "../options";

/** Crashed processes the text output names; the rest are counted (`--json` lists them all). */
export const CRASHED_SHOWN = 10;

/** `N crashed (first ten labels, … and M more)`: one line however many processes crashed. */
export function crashedText(labels: readonly string[]): string {
  if (labels.length === 0) return "";
  const shown = labels.slice(0, CRASHED_SHOWN).join(", ");
  const more = labels.length - CRASHED_SHOWN;
  return `, ${labels.length} crashed (${shown}${more > 0 ? `, … and ${more} more (--json lists them all)` : ""})`;
}

export function info(r: Replay, p: Parsed, json: boolean, loadMs: number, out: Out): number {
  const kinds = Object.fromEntries(Object.entries(r.kindCounts()).filter(([, n]) => n));
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
      started: isoTime(f.startSystemTimeNs / 1e6),
    })),
    events: r.eventCount,
    duration_ns: r.timeRange.end - r.timeRange.start,
    kinds,
    processes: procs.length,
    crashed: procs.filter((x) => x.crashed).map((x) => x.label),
    functions: r.functions().length,
    modules: r.modules().map((m) => m.module),
    problems: r.problems.map((x) => x.text),
    left_out: leftOut(r),
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
  out(escapeControls(`${procs.length} processes${crashedText(summary.crashed)}`));
  out(
    `${summary.functions} functions in ${summary.modules.length} modules with source: ${summary.modules.map((m) => escapeControls(m.replace(/^Elixir\./, ""))).join(", ")}`,
  );
  if (summary.problems.length) out(`${summary.problems.length} damaged frames skipped (see warnings above)`);
  for (const line of summary.left_out) out(escapeControls(`left out: ${line}`));
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
