// What the editor shows, computed from one document and the replay: hovers (a function's history, a
// parameter's values), CodeLens, inlay hints at the current moment, the calls list, and the ranges of
// functions that never ran. Pure of the LSP connection: the server wires these to requests.

import { formatTime } from "../core/describe";
import type { Replay } from "../core/replay";
import { mfaLabel } from "../core/store/eventDecode";
import { inspect } from "../core/terms/inspect";
import type { Term } from "../core/terms/term";
import type { Mfa } from "../core/types";
import type { RecordedDoc } from "./documents";
import { callAt, wordAt } from "./elixirSource";
import { alwaysFirstClause, docFunctions, enclosing, matchClause, type DocFunction } from "./functions";
import { sameMfa, type CallRecord, type History } from "./history";
import { patternVars, type Pattern } from "./pattern";
import { CLIENT_COMMANDS, COMMANDS, type CallItem, type Settings } from "./protocol";

export interface ViewContext {
  replay: Replay;
  history: History;
  settings: Settings;
  /** The replay's current moment (an event index), if any. */
  moment?: number;
}

/** Calls whose clause is decoded at most (most recent first) for per-clause counts. */
const CLAUSE_SAMPLE = 500;

export function hoverMarkdown(
  ctx: ViewContext,
  doc: RecordedDoc,
  text: string,
  offset: number,
): string | undefined {
  const w = wordAt(text, offset);
  if (!w) return undefined;
  const fns = docFunctions(doc);
  const head = doc.facts.defs.find((d) => offset >= d.nameStart && offset <= d.nameEnd);
  const line = lineOf(doc, offset);
  let target: (() => string | undefined) | undefined;
  if (head) {
    const owned = fns.filter((f) => f.heads.includes(head));
    if (owned.length)
      target = () =>
        functionHover(ctx, owned, { fn: owned[owned.length - 1], clause: owned[0].heads.indexOf(head) });
  } else {
    const call = callAt(text, offset);
    const encl = enclosing(fns, doc.facts.defs, line);
    const mfas = call ? resolveCall(ctx, doc, call, encl?.fn.mfa.module) : [];
    if (mfas.length) {
      const local = mfas.map((m) => fns.find((f) => sameMfa(f.mfa, m)));
      const docFns = local.filter((f): f is DocFunction => f !== undefined);
      const here = fromLine(ctx, doc, line, mfas);
      target = () =>
        (docFns.length === mfas.length ? functionHover(ctx, docFns) : functionHoverOf(ctx, mfas)) + here;
    } else if (encl && /^[a-z]/.test(w.word)) {
      const vars = encl.fn.patterns[encl.clause].flatMap(patternVars);
      if (vars.some((v) => v.name === w.word)) target = () => paramHover(ctx, encl.fn, encl.clause, w.word);
    }
  }
  if (!target) return undefined;
  if (doc.changed)
    return `**ElixirScope:** the file changed since the recording (${doc.changed}); the recorded history is not shown for lines that may have moved.`;
  return target();
}

/** How many of the calls were made from this very line, when the recorder captured call sites. */
function fromLine(ctx: ViewContext, doc: RecordedDoc, line: number, mfas: Mfa[]): string {
  let n = 0;
  for (const i of ctx.replay.eventsAt(doc.recorded, line + 1))
    if (ctx.replay.kindOf(i) === "call" && mfas.some((m) => sameMfa(ctx.replay.mfaOf(i), m))) n++;
  return n ? `\n\n${plural(n, "call")} made from this line.` : "";
}

function lineOf(doc: RecordedDoc, offset: number): number {
  const ls = doc.facts.lineStarts;
  let lo = 0;
  let hi = ls.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ls[mid] <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function resolveCall(
  ctx: ViewContext,
  doc: RecordedDoc,
  call: { module?: string; fun: string; arity?: number },
  here: string | undefined,
): Mfa[] {
  let module: string | undefined;
  if (call.module === undefined || call.module === "__MODULE__") module = here ?? doc.modules[0]?.module;
  else if (call.module.startsWith(":")) module = call.module.slice(1);
  else {
    const [first, ...rest] = call.module.split(".");
    const full = doc.facts.aliases.get(first);
    module = `Elixir.${full ? [full, ...rest].join(".") : call.module}`;
  }
  if (!module) return [];
  const all = ctx.replay.functions().filter((m) => m.module === module && m.fun === call.fun);
  const exact = all.filter((m) => m.arity === call.arity);
  return (exact.length ? exact : all).filter((m) => ctx.history.known(m));
}

interface ClauseCounts {
  /** Calls per clause (index into heads), and those the heads cannot tell. */
  perClause: number[];
  unknown: number;
  /** How many of the most recent calls were looked at. */
  sampled: number;
  /** Call indices by clause, most recent first, among the sampled. */
  byClause: number[][];
}

// Per document version and function: classifying means decoding every sampled call's arguments.
const countsCache = new WeakMap<DocFunction, { history: History; counts: ClauseCounts }>();

function clauseCounts(ctx: ViewContext, fn: DocFunction): ClauseCounts {
  const hit = countsCache.get(fn);
  if (hit?.history === ctx.history) return hit.counts;
  const counts = countClauses(ctx, fn);
  countsCache.set(fn, { history: ctx.history, counts });
  return counts;
}

function countClauses(ctx: ViewContext, fn: DocFunction): ClauseCounts {
  const calls = ctx.history.callIndices(fn.mfa);
  const perClause = fn.heads.map(() => 0);
  const byClause: number[][] = fn.heads.map(() => []);
  if (alwaysFirstClause(fn)) {
    perClause[0] = calls.length;
    return { perClause, unknown: 0, sampled: calls.length, byClause: [Array.from(calls).reverse()] };
  }
  let unknown = 0;
  let sampled = 0;
  // The sample's arguments decoded in one batch (nearby frames in one read), not one read per call.
  const sample = Array.from(calls.subarray(Math.max(0, calls.length - CLAUSE_SAMPLE))).reverse();
  const args = ctx.history.argsOf(sample, decidingPositions(fn));
  for (let k = calls.length - 1; k >= 0 && sampled < CLAUSE_SAMPLE; k--, sampled++) {
    const m = matchClause(fn, args[sampled]);
    if (m.clause === undefined) unknown++;
    else {
      perClause[m.clause]++;
      byClause[m.clause].push(calls[k]);
    }
  }
  return { perClause, unknown, sampled, byClause };
}

/**
 * The argument positions a clause choice can depend on: those where some head has a pattern other
 * than a variable (or `_`) used once; the rest match whatever they hold and are not decoded.
 */
function decidingPositions(fn: DocFunction): (position: number) => boolean {
  const free = (pats: Pattern[], j: number): boolean => {
    const p = pats[j];
    if (p.t === "any") return true;
    if (p.t !== "var") return false;
    return pats.every((q, i) => i === j || !patternVars(q).some((v) => v.name === p.name));
  };
  return (j) => fn.patterns.some((pats) => j >= pats.length || !free(pats, j));
}

function functionHover(
  ctx: ViewContext,
  fns: DocFunction[],
  at?: { fn: DocFunction; clause: number },
): string {
  const parts: string[] = [];
  for (const fn of fns) {
    const s = ctx.history.summary(fn.mfa);
    if (s.calls === 0) continue;
    parts.push(summaryLines(ctx, fn.mfa));
    let recent: CallRecord[] | undefined;
    if (fn.heads.length > 1) {
      const counts = clauseCounts(ctx, fn);
      const of = counts.sampled < s.calls ? ` (of the last ${counts.sampled} calls)` : "";
      const cells = fn.heads.map((h, k) => `line ${h.line + 1}: ${counts.perClause[k]}`);
      if (counts.unknown) cells.push(`not known: ${counts.unknown}`);
      parts.push(`By clause${of}: ${cells.join(" · ")}`);
      if (at && at.fn === fn) {
        const mine = counts.byClause[at.clause] ?? [];
        parts.push(
          `**This clause** (line ${fn.heads[at.clause].line + 1}): ${counts.perClause[at.clause]} calls`,
        );
        recent = mine.slice(0, ctx.settings.recentCalls).map((i) => ctx.history.record(fn.mfa, i));
      }
    }
    recent ??= ctx.history.calls(fn.mfa, { limit: ctx.settings.recentCalls }).calls;
    parts.push(callTable(ctx, recent));
  }
  return parts.length ? parts.join("\n\n") : "";
}

function functionHoverOf(ctx: ViewContext, mfas: Mfa[]): string {
  return mfas
    .map(
      (m) =>
        `${summaryLines(ctx, m)}\n\n${callTable(ctx, ctx.history.calls(m, { limit: ctx.settings.recentCalls }).calls)}`,
    )
    .join("\n\n");
}

function summaryLines(ctx: ViewContext, mfa: Mfa): string {
  const s = ctx.history.summary(mfa);
  const procs = ctx.replay.processes();
  const shown = s.pids.slice(0, 4).map((p) => `\`${procs[p]?.label ?? p}\``);
  const more = s.pids.length > shown.length ? ` and ${s.pids.length - shown.length} more` : "";
  return [
    `**${mfaLabel(mfa)}** — ${plural(s.calls, "call")}${s.raised ? ` · ${s.raised} raised` : ""}`,
    `first ${formatTime(s.firstTime ?? 0)} · last ${formatTime(s.lastTime ?? 0)} · by ${plural(s.pids.length, "process", "processes")}: ${shown.join(", ")}${more}`,
  ].join("  \n");
}

function callTable(ctx: ViewContext, calls: CallRecord[]): string {
  if (calls.length === 0) return "";
  const procs = ctx.replay.processes();
  const rows = calls.map((c) => {
    const pos = ctx.replay.positionOf(c.index);
    const link = ctx.settings.clientCommands
      ? `[${pos}](command:${CLIENT_COMMANDS.goto}?${encodeURIComponent(JSON.stringify([pos]))} "Move the replay here")`
      : `\`${pos}\``;
    return `| ${formatTime(c.time)} | ${cell(procs[c.pid]?.label ?? String(c.pid))} | ${cell(callText(ctx, c))} | ${cell(outcomeText(ctx, c))} | ${c.durationNs === undefined ? "—" : duration(c.durationNs)} | ${link} |`;
  });
  return [
    `Most recent calls:`,
    ``,
    `| when | process | call | result | took | moment |`,
    `|---|---|---|---|---|---|`,
    ...rows,
  ].join("\n");
}

export function callText(ctx: ViewContext, c: CallRecord): string {
  return `${c.mfa.fun}(${c.args.map((a) => show(ctx, a)).join(", ")})`;
}

export function outcomeText(ctx: ViewContext, c: CallRecord): string {
  if (c.outcome.kind === "return") return show(ctx, c.outcome.value);
  if (c.outcome.kind === "exception") return `raised ${c.outcome.class}: ${show(ctx, c.outcome.reason)}`;
  return "(still running)";
}

function show(ctx: ViewContext, t: Term): string {
  return inspect(t, { limit: ctx.settings.printLimit, printableLimit: 200, ...ctx.replay.termStyle() });
}

/** A table cell: inline code, with pipes escaped so the table holds. */
function cell(s: string): string {
  const text = s.length > 160 ? `${s.slice(0, 159)}…` : s;
  return `\`${text.replace(/\|/g, "\\|").replace(/`/g, "'")}\``;
}

export function duration(ns: number): string {
  return formatTime(ns).slice(1);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

// ── parameters ──────────────────────────────────────────────────────────────

/** The innermost frame at the moment that is a call of `fn`, with the clause it took. */
function frameAtMoment(ctx: ViewContext, fn: DocFunction): { call: number; args: Term[] } | undefined {
  if (ctx.moment === undefined) return undefined;
  for (const f of ctx.replay.stackAt(ctx.moment))
    if (f.callIndex >= 0 && f.mfa && sameMfa(f.mfa, fn.mfa))
      return { call: f.callIndex, args: ctx.replay.event(f.callIndex).args ?? [] };
  return undefined;
}

function paramHover(ctx: ViewContext, fn: DocFunction, clause: number, name: string): string {
  const lines = [
    `**${name}** — parameter of ${mfaLabel(fn.mfa)} (clause at line ${fn.heads[clause].line + 1})`,
  ];
  const now = frameAtMoment(ctx, fn);
  if (ctx.moment !== undefined) {
    const pos = ctx.replay.positionOf(ctx.moment);
    const m = now && matchClause(fn, now.args);
    const v = m && (m.clause === clause || fn.heads.length === 1) ? m.bindings.get(name) : undefined;
    lines.push(
      v !== undefined ? `now (${pos}): \`${show(ctx, v)}\`` : `now (${pos}): not in a call of this clause`,
    );
  }
  const calls = ctx.history.callIndices(fn.mfa);
  const counts = new Map<string, number>();
  let seen = 0;
  for (let k = calls.length - 1; k >= 0 && seen < CLAUSE_SAMPLE; k--) {
    const m = matchClause(fn, ctx.replay.event(calls[k]).args ?? []);
    if (m.clause !== clause && !(fn.heads.length === 1 && m.bindings.has(name))) continue;
    const v = m.bindings.get(name);
    if (v === undefined) continue;
    seen++;
    const text = show(ctx, v);
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  if (seen === 0) lines.push("No recorded call of this clause binds it.");
  else {
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
    lines.push(`across ${plural(seen, "recorded call")}:`);
    lines.push(top.map(([t, n]) => `- \`${t.replace(/`/g, "'")}\` ×${n}`).join("\n"));
    if (counts.size > top.length) lines.push(`…and ${counts.size - top.length} other values`);
  }
  return lines.join("\n\n");
}

// ── lenses, hints, calls, dimming ───────────────────────────────────────────

export interface Lens {
  line: number;
  title: string;
  command: string;
  args: unknown[];
}

export function lenses(ctx: ViewContext, doc: RecordedDoc, uri: string): Lens[] {
  if (doc.changed) return [];
  const out: Lens[] = [];
  const fns = docFunctions(doc);
  for (const fn of fns) {
    const s = ctx.history.summary(fn.mfa);
    if (s.calls === 0) continue;
    const line = fn.heads[0].line;
    const sameHead = fns.filter((f) => f.heads[0] === fn.heads[0] && ctx.history.known(f.mfa)).length > 1;
    const title = [
      `${sameHead ? `/${fn.mfa.arity}: ` : ""}${plural(s.calls, "call")}`,
      ...(s.raised ? [`${s.raised} raised`] : []),
      ...(s.lastDurationNs !== undefined ? [`last ${duration(s.lastDurationNs)}`] : []),
    ].join(" · ");
    out.push({
      line,
      title,
      command: ctx.settings.clientCommands ? CLIENT_COMMANDS.showCalls : COMMANDS.showCalls,
      args: [{ uri, line, arity: fn.mfa.arity }],
    });
  }
  return out;
}

export interface Hint {
  offset: number;
  label: string;
}

/** Values of the parameters of the frames at the current moment whose clause heads are in this document. */
export function inlayHints(ctx: ViewContext, doc: RecordedDoc): Hint[] {
  if (ctx.moment === undefined || doc.changed) return [];
  const fns = docFunctions(doc);
  const out: Hint[] = [];
  const done = new Set<DocFunction>();
  for (const f of ctx.replay.stackAt(ctx.moment)) {
    if (f.callIndex < 0 || !f.mfa) continue;
    const fn = fns.find((d) => sameMfa(d.mfa, f.mfa!));
    if (!fn || done.has(fn)) continue;
    done.add(fn);
    const m = matchClause(fn, ctx.replay.event(f.callIndex).args ?? []);
    const clause = m.clause ?? (fn.heads.length === 1 ? 0 : undefined);
    if (clause === undefined) continue;
    for (const v of fn.patterns[clause].flatMap(patternVars)) {
      const value = m.bindings.get(v.name);
      if (value !== undefined)
        out.push({ offset: v.offset + v.name.length, label: ` = ${show(ctx, value)}` });
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/** The function(s) with a head at `line`. */
export function functionsAtLine(doc: RecordedDoc, line: number, arity?: number): DocFunction[] {
  return docFunctions(doc).filter(
    (f) => f.heads.some((h) => h.line === line) && (arity === undefined || f.mfa.arity === arity),
  );
}

export function callItems(
  ctx: ViewContext,
  fn: DocFunction,
  limit: number,
  toUri: (recorded: string) => string | undefined,
): { total: number; calls: CallItem[] } {
  const page = ctx.history.calls(fn.mfa, { limit });
  const procs = ctx.replay.processes();
  return {
    total: page.total,
    calls: page.calls.map((c) => {
      const loc = ctx.replay.locationOf(c.index);
      const uri = loc && toUri(loc.file);
      return {
        index: c.index,
        position: ctx.replay.positionOf(c.index),
        label: `${callText(ctx, c)} → ${outcomeText(ctx, c)}`,
        detail: [
          procs[c.pid]?.label ?? String(c.pid),
          formatTime(c.time),
          ...(c.durationNs === undefined ? [] : [duration(c.durationNs)]),
        ].join(" · "),
        location: uri && loc ? { uri, line: loc.line - 1 } : undefined,
      };
    }),
  };
}

/** Ranges (0-based lines, inclusive) of the document's recorded-module functions that never ran. */
export function neverRan(ctx: ViewContext, doc: RecordedDoc): Array<{ start: number; end: number }> {
  if (doc.changed) return [];
  const fns = docFunctions(doc);
  const defs = doc.facts.defs;
  const ranges: Array<{ start: number; end: number }> = [];
  const lastLine = doc.facts.lineStarts.length - 1;
  for (const d of defs) {
    const owners = fns.filter((f) => f.heads.includes(d));
    if (owners.length === 0 || owners.some((f) => ctx.history.known(f.mfa))) continue;
    const next = defs.filter((x) => x.line > d.line).reduce((a, x) => Math.min(a, x.line), lastLine);
    ranges.push({ start: d.line, end: Math.max(d.line, next - 1) });
  }
  return ranges;
}
