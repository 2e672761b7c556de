// Breakpoints over a recording. Because the whole history is known, each breakpoint is resolved once
// into the ascending list of events where it hits (after its condition and hit count), so continuing
// and reverse-continuing are binary searches, and a logpoint prints every hit, past and future, as
// soon as it is set.

import type { DebugProtocol } from "@vscode/debugprotocol";
import type { Replay } from "../core/replay";
import { valueAt } from "../core/state";
import { termEquals } from "../core/terms/equal";
import type { Term } from "../core/terms/term";
import type { ExceptionFilter, TraceEvent } from "../core/types";
import { evalExpr, ExprError, parseExpr, truthy } from "./condition";
import { eventScope } from "./eventScope";
import { valueText } from "./variables";

export interface Resolved {
  /** Ascending event indices where execution stops (empty for logpoints). */
  hits: number[];
  reason: "breakpoint" | "function breakpoint" | "exception" | "data breakpoint";
  id: number;
  /** Logpoints: the message per hit, in order. */
  logs?: Array<{ index: number; text: string }>;
}

export const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
  {
    filter: "raise",
    label: "Raised errors",
    default: false,
    description: "where an error is raised (once, not at every frame it unwinds)",
  },
  { filter: "throw", label: "Throws", default: false },
  { filter: "exit", label: "exit/1 calls", default: false },
  {
    filter: "crash",
    label: "Process crashes",
    default: true,
    description: "a process exiting with an abnormal reason",
  },
  { filter: "linked_exit", label: "Abnormal exits of linked processes", default: false },
];

let nextId = 1;

export class Breakpoints {
  private readonly bySource = new Map<string, Resolved[]>();
  private functions: Resolved[] = [];
  private exceptions: Resolved[] = [];
  private data: Resolved[] = [];

  constructor(private readonly replay: Replay) {}

  /** Line breakpoints for one file: each line's events are its function's entries and the calls made from it. */
  setSource(
    file: string,
    bps: DebugProtocol.SourceBreakpoint[],
  ): { verified: DebugProtocol.Breakpoint[]; logs: Resolved[] } {
    const resolved: Resolved[] = [];
    const out: DebugProtocol.Breakpoint[] = [];
    for (const bp of bps) {
      const id = nextId++;
      const calls = this.replay.eventsAt(file, bp.line).filter((i) => this.replay.kindOf(i) === "call");
      try {
        const r = this.resolve(calls, bp.condition, bp.hitCondition, bp.logMessage, "breakpoint", id);
        resolved.push(r);
        out.push({
          id,
          verified: calls.length > 0,
          line: bp.line,
          message:
            calls.length > 0
              ? `${r.logs ? r.logs.length : r.hits.length} hits in the recording`
              : "no recorded event maps to this line",
        });
      } catch (e) {
        out.push({ id, verified: false, line: bp.line, message: (e as Error).message });
      }
    }
    this.bySource.set(file, resolved);
    return { verified: out, logs: resolved.filter((r) => r.logs) };
  }

  setFunctions(bps: DebugProtocol.FunctionBreakpoint[]): DebugProtocol.Breakpoint[] {
    this.functions = [];
    return bps.map((bp) => {
      const id = nextId++;
      try {
        const calls = this.replay.getEventIndices({ functions: [bp.name], kinds: ["call"] });
        const r = this.resolve(calls, bp.condition, bp.hitCondition, undefined, "function breakpoint", id);
        this.functions.push(r);
        return {
          id,
          verified: calls.length > 0,
          message: calls.length ? `${r.hits.length} hits` : `${bp.name} is never called in this recording`,
        };
      } catch (e) {
        return { id, verified: false, message: (e as Error).message };
      }
    });
  }

  setExceptions(filters: string[]): void {
    const known = new Set(EXCEPTION_FILTERS.map((f) => f.filter));
    const chosen = filters.filter((f) => known.has(f)) as ExceptionFilter[];
    this.exceptions = [];
    if (chosen.length === 0) return;
    const hits: number[] = [];
    let at: number | undefined = -1;
    // The engine's own search knows where an exception starts; walk it over the whole recording once.
    while (at !== undefined) {
      at = this.findFrom(at, chosen);
      if (at !== undefined) hits.push(at);
    }
    this.exceptions.push({ hits, reason: "exception", id: nextId++ });
  }

  private findFrom(at: number, filters: ExceptionFilter[]): number | undefined {
    if (this.replay.eventCount === 0) return undefined;
    if (at < 0) {
      const first = this.replay.findNext(0, "forward", [{ kind: "exception", filters }]);
      const zero = this.replay.findNext(1, "backward", [{ kind: "exception", filters }]);
      return zero === 0 ? 0 : first;
    }
    return this.replay.findNext(at, "forward", [{ kind: "exception", filters }]);
  }

  /** Data breakpoints: stop where the value at `path` in `pid`'s state changes. */
  setData(bps: Array<{ pid: number; path: Term[]; hitCondition?: string }>): DebugProtocol.Breakpoint[] {
    this.data = [];
    return bps.map((bp) => {
      const id = nextId++;
      const hits: number[] = [];
      let prev: Term | undefined;
      let first = true;
      for (const h of this.replay.stateHistory(bp.pid)) {
        const s = this.replay.getStateAt(bp.pid, h.index);
        if (!s || s.index !== h.index) continue;
        const v = valueAt(s.state, bp.path);
        if (!first && !(v === undefined ? prev === undefined : prev !== undefined && termEquals(v, prev)))
          hits.push(h.index);
        prev = v;
        first = false;
      }
      const r = { hits: applyHitCondition(hits, bp.hitCondition), reason: "data breakpoint" as const, id };
      this.data.push(r);
      return { id, verified: true, message: `${r.hits.length} changes in the recording` };
    });
  }

  /** The nearest hit strictly after (or before) `from`, with what it was. */
  next(
    from: number,
    forward: boolean,
  ): { index: number; reason: Resolved["reason"]; id: number } | undefined {
    let best: { index: number; reason: Resolved["reason"]; id: number } | undefined;
    const all = [...[...this.bySource.values()].flat(), ...this.functions, ...this.exceptions, ...this.data];
    for (const r of all) {
      const h = r.hits;
      let lo = 0;
      let hi = h.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (forward ? h[mid] <= from : h[mid] < from) lo = mid + 1;
        else hi = mid;
      }
      const cand = forward ? h[lo] : h[lo - 1];
      if (cand === undefined) continue;
      if (!best || (forward ? cand < best.index : cand > best.index))
        best = { index: cand, reason: r.reason, id: r.id };
    }
    return best;
  }

  private resolve(
    candidates: number[],
    condition: string | undefined,
    hitCondition: string | undefined,
    logMessage: string | undefined,
    reason: Resolved["reason"],
    id: number,
  ): Resolved {
    let hits = candidates;
    if (condition) {
      const expr = parseExpr(condition);
      hits = hits.filter((i) => {
        try {
          return truthy(evalExpr(expr, eventScope(this.replay, this.replay.event(i))));
        } catch (e) {
          if (e instanceof ExprError) return false;
          throw e;
        }
      });
    }
    hits = applyHitCondition(hits, hitCondition);
    if (logMessage !== undefined) {
      const template = compileLog(logMessage);
      return {
        hits: [],
        reason,
        id,
        logs: hits.map((i) => ({ index: i, text: template(this.replay.event(i), this.replay) })),
      };
    }
    return { hits, reason, id };
  }
}

/** `5` or `== 5` (the 5th hit), `>= 5`, `> 5`, `% 3` (every 3rd). */
export function applyHitCondition(hits: number[], cond: string | undefined): number[] {
  if (!cond || !cond.trim()) return hits;
  const m = /^\s*(==|>=|>|%)?\s*(\d+)\s*$/.exec(cond);
  if (!m) throw new ExprError(`bad hit count "${cond}": use 5, == 5, >= 5, > 5 or % 3`);
  const n = Number(m[2]);
  switch (m[1]) {
    case ">=":
      return hits.slice(Math.max(0, n - 1));
    case ">":
      return hits.slice(n);
    case "%":
      return n > 0 ? hits.filter((_, k) => (k + 1) % n === 0) : [];
    default:
      return hits[n - 1] !== undefined ? [hits[n - 1]] : [];
  }
}

/** `reserve {args[0]} for {args[1]}`: each `{expr}` is evaluated against the event. */
function compileLog(message: string): (e: TraceEvent, replay: Replay) => string {
  const parts = message.split(/(\{[^}]*\})/);
  const exprs = parts.map((p) =>
    p.startsWith("{") && p.endsWith("}") ? parseExpr(p.slice(1, -1)) : undefined,
  );
  return (e, replay) =>
    parts
      .map((p, k) => {
        const ex = exprs[k];
        if (!ex) return p;
        try {
          return valueText(evalExpr(ex, eventScope(replay, e)));
        } catch (err) {
          return `<${(err as Error).message}>`;
        }
      })
      .join("");
}
