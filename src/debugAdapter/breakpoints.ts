// Breakpoints over a recording. The whole history is known, so each breakpoint is resolved against it:
// its candidate events come from the engine's indexes (a function's calls, a line's calls, where
// exceptions start, a state path's changes), conditions are tested lazily as a continue reaches a
// candidate (and remembered; the columns and raw bytes answer first where they can, see
// columnFilter.ts), and a hit count or a logpoint resolves every hit at once. Continuing either way is
// then a binary search per breakpoint; a logpoint's hits, past and future, are known as soon as it is
// set and rendered page by page as the adapter prints them.

import type { DebugProtocol } from "@vscode/debugprotocol";
import { ReplayError } from "../core/errors";
import type { Replay } from "../core/replay";
import type { Term } from "../core/terms/term";
import type { ExceptionFilter, TimelineTarget, TraceEvent } from "../core/types";
import type { EventScopes } from "../core/inspect/eventScope";
import { type Expr, evalExpr, ExprError, namesOf, parseExpr, truthy } from "../core/inspect/expression";
import { applyHitCondition } from "../core/inspect/hitCondition";
import { compileLogMessage } from "../core/inspect/logMessage";
import { edgeHit } from "../core/moment";
import { compileColumnFilter, NO, YES } from "../core/columnFilter";

/** Event indices, ascending: a list of the recording's own (never changed) or one made here. */
type Rows = readonly number[] | Int32Array;

export type StopReason = "breakpoint" | "function breakpoint" | "exception" | "data breakpoint";

export const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
  {
    filter: "raise",
    label: "Raised errors",
    description: "Where an error is raised (once, not at every frame it unwinds through)",
    default: false,
    supportsCondition: true,
    conditionDescription: "e.g. reason == :badarg",
  },
  {
    filter: "throw",
    label: "Throws",
    default: false,
    supportsCondition: true,
    conditionDescription: "e.g. reason == :done",
  },
  {
    filter: "exit",
    label: "exit/1 calls",
    default: false,
    supportsCondition: true,
    conditionDescription: "e.g. reason != :normal",
  },
  {
    filter: "crash",
    label: "Process crashes",
    description: "A process exiting with an abnormal reason",
    default: true,
    supportsCondition: true,
    conditionDescription: 'e.g. fun == "CinemaDemo.PaymentGateway.init/1" or is_tuple(reason)',
  },
  {
    filter: "linked_exit",
    label: "Abnormal exits of linked processes",
    description: "A process with links exiting abnormally: the exit propagates to the processes linked to it",
    default: false,
    supportsCondition: true,
  },
];

/** One breakpoint resolved against the recording. */
interface Resolved {
  id: number;
  reason: StopReason;
  /** Candidate events, ascending (never changed: may be the recording's own list). */
  candidates?: Rows;
  /** A candidate hits when this holds (memoised); none: every candidate hits. */
  test?: (index: number) => boolean;
  /** Instead of candidates: the engine searches (data breakpoints without hit counts). */
  search?: (from: number, forward: boolean) => number | undefined;
}

export interface LogLine {
  index: number;
  text: string;
  /** The logpoint's line. */
  line: number;
}

/** A logpoint's hits not printed before, in recording order, rendered on demand (a hot function has thousands). */
export interface PendingLogs {
  readonly count: number;
  /** Lines [from, to) of the hits; those of a logpoint removed since are left out. */
  lines(from: number, to: number): LogLine[];
}

interface PendingLogpoint {
  hits: Rows;
  line: number;
  key: string;
  token: object;
  render: (e: TraceEvent) => string;
}

export interface Hit {
  index: number;
  reason: StopReason;
  ids: number[];
}

export interface DataTarget {
  pid: number;
  path: Term[];
  /** What it is, for messages: `#PID<0.187.0> CinemaDemo.TicketOffice state.seats[12]`. */
  text: string;
  condition?: string;
  hitCondition?: string;
}

export class Breakpoints {
  /** Breakpoint ids, per session: two sessions never share a counter. */
  private nextId = 1;
  private readonly bySource = new Map<string, Resolved[]>();
  /**
   * Per source file, the logpoints already printed (or being printed), so that setting another
   * breakpoint does not reprint them; each with a token that its pending lines check, so that a
   * logpoint removed (and maybe set again) stops the rest of its old lines.
   */
  private readonly printed = new Map<string, Map<string, object>>();
  private functions: Resolved[] = [];
  private exceptions: Resolved[] = [];
  private data: Resolved[] = [];
  private exceptionOrigins?: Map<string, number[]>;

  constructor(
    private readonly replay: Replay,
    private readonly scopes: EventScopes,
    /** Whether a process is debugged; undefined when every one is (no filter to apply per hit). */
    private readonly debugged: ((pid: number) => boolean) | undefined,
    /** Told once per breakpoint when its condition fails to evaluate on an event. */
    private readonly warn: (text: string) => void,
    /** Off only to check that the condition pre-filter never changes an answer (tests). */
    private readonly prefilter = true,
  ) {}

  /**
   * Line breakpoints of one file. A line stops where its function is entered or where a call is made
   * from it. Returns what to answer, and the logpoint lines not printed before, in recording order.
   */
  setSource(
    file: string,
    bps: DebugProtocol.SourceBreakpoint[],
  ): { breakpoints: DebugProtocol.Breakpoint[]; logs: PendingLogs } {
    const resolved: Resolved[] = [];
    const out: DebugProtocol.Breakpoint[] = [];
    const pending: PendingLogpoint[] = [];
    const printedBefore = this.printed.get(file) ?? new Map<string, object>();
    const printedNow = new Map<string, object>();
    for (const bp of bps) {
      const id = this.nextId++;
      const calls = this.debuggedOnly(this.replay.sharedCallsAt(file, bp.line));
      try {
        if (calls.length === 0) {
          out.push({ id, verified: false, line: bp.line, message: this.noEventsAt(file, bp.line) });
          continue;
        }
        const test = this.conditionTest(bp.condition, `line ${bp.line}`, calls);
        if (bp.logMessage !== undefined) {
          const render = compileLogMessage(bp.logMessage);
          const scopeOf = this.scopes.reading(render.names);
          const hits = applyHitCondition(test ? calls.filter(test) : calls, bp.hitCondition);
          const key = `${bp.line}|${bp.logMessage}|${bp.condition ?? ""}|${bp.hitCondition ?? ""}`;
          const token = printedBefore.get(key) ?? printedNow.get(key);
          if (token) printedNow.set(key, token);
          else {
            const fresh = {};
            printedNow.set(key, fresh);
            pending.push({
              hits,
              line: bp.line,
              key,
              token: fresh,
              render: (e) => render(scopeOf(e)),
            });
          }
          out.push({
            id,
            verified: true,
            line: bp.line,
            message: `logs ${hits.length} times in the recording`,
          });
          continue;
        }
        const r = this.resolve(id, "breakpoint", calls, test, bp.hitCondition);
        resolved.push(r);
        out.push({ id, verified: true, line: bp.line, message: this.describe(r, calls.length, "calls") });
      } catch (e) {
        if (!(e instanceof ExprError)) throw e;
        out.push({ id, verified: false, line: bp.line, message: e.message });
      }
    }
    this.bySource.set(file, resolved);
    this.printed.set(file, printedNow);
    return { breakpoints: out, logs: this.pendingLogs(file, pending) };
  }

  /** Hits of several logpoints merged in recording order; each page decoded in one batch read. */
  private pendingLogs(file: string, pending: PendingLogpoint[]): PendingLogs {
    // Hits in recording order packed as event index × logpoints + logpoint, sorted as numbers: a hot
    // logpoint has tens of thousands of hits. One logpoint (the usual case) is already in order.
    const m = Math.max(1, pending.length);
    let total = 0;
    for (const p of pending) total += p.hits.length;
    let order: ArrayLike<number> = pending.length === 1 ? pending[0].hits : [];
    if (pending.length > 1) {
      const packed = new Float64Array(total);
      let w = 0;
      pending.forEach((p, k) => {
        for (const i of p.hits) packed[w++] = i * m + k;
      });
      order = packed.sort();
    }
    return {
      count: total,
      lines: (from, to) => {
        const live = this.printed.get(file);
        const page: Array<[number, PendingLogpoint]> = [];
        for (let j = from; j < Math.min(to, total); j++) {
          const x = order[j];
          const k = x % m;
          const p = pending[k];
          if (live?.get(p.key) === p.token) page.push([(x - k) / m, p]);
        }
        // The page's frames read together (one read per run of nearby frames), rendered, and let go:
        // a logpoint streams up to thousands of lines, which the decoded-event cache need not hold.
        const events = this.replay.events(
          page.map(([i]) => i),
          false,
        );
        return page.map(([i, p], k) => ({ index: i, text: p.render(events[k]), line: p.line }));
      },
    };
  }

  setFunctions(bps: DebugProtocol.FunctionBreakpoint[]): DebugProtocol.Breakpoint[] {
    this.functions = [];
    return bps.map((bp) => {
      const id = this.nextId++;
      try {
        if (typeof bp.name !== "string" || bp.name.trim() === "")
          throw new ExprError(
            'a function breakpoint needs a name like "TicketOffice.hold/3" or "Customer.*"',
          );
        const calls = this.debuggedOnly(
          this.replay.getEventIndices({ functions: [bp.name], kinds: ["call"] }),
        );
        if (calls.length === 0)
          return { id, verified: false, message: `${bp.name} is never called in this recording` };
        const r = this.resolve(
          id,
          "function breakpoint",
          calls,
          this.conditionTest(bp.condition, bp.name, calls),
          bp.hitCondition,
        );
        this.functions.push(r);
        return { id, verified: true, message: this.describe(r, calls.length, "calls") };
      } catch (e) {
        return { id, verified: false, message: messageOf(e) };
      }
    });
  }

  /** Exception filters, plain (`filters`) or with a condition (`filterOptions`); one answer per entry. */
  setExceptions(
    filters: string[],
    options: DebugProtocol.ExceptionFilterOptions[] = [],
  ): DebugProtocol.Breakpoint[] {
    this.exceptions = [];
    const known = new Set(EXCEPTION_FILTERS.map((f) => f.filter));
    const entries = [
      ...filters.map((f) => ({ filterId: f, condition: undefined as string | undefined })),
      ...options.map((o) => ({ filterId: o.filterId, condition: o.condition })),
    ];
    return entries.map(({ filterId, condition }) => {
      const id = this.nextId++;
      if (!known.has(filterId))
        return {
          id,
          verified: false,
          message: `unknown exception filter "${filterId}" (${[...known].join(", ")})`,
        };
      try {
        const origins = this.debuggedOnly(this.originsOf(filterId as ExceptionFilter));
        const r = this.resolve(
          id,
          "exception",
          origins,
          this.conditionTest(condition, filterId, origins),
          undefined,
        );
        this.exceptions.push(r);
        return { id, verified: true, message: this.describe(r, origins.length, "in the recording") };
      } catch (e) {
        return { id, verified: false, message: messageOf(e) };
      }
    });
  }

  /** Data breakpoints: stop where the value at a path in a process's state changes. */
  setData(targets: DataTarget[]): DebugProtocol.Breakpoint[] {
    this.data = [];
    return targets.map((t) => {
      const id = this.nextId++;
      try {
        const test = this.conditionTest(t.condition, t.text);
        if (!test && !t.hitCondition) {
          const target: TimelineTarget = { kind: "stateChange", pid: t.pid, path: t.path };
          this.data.push({
            id,
            reason: "data breakpoint",
            search: (from, forward) => this.replay.findNext(from, forward ? "forward" : "backward", [target]),
          });
          return { id, verified: true, message: `stops where ${t.text} changes` };
        }
        const changes: number[] = [];
        for (let at: number | undefined = 0; at !== undefined;) {
          at = this.replay.findNext(at, "forward", [{ kind: "stateChange", pid: t.pid, path: t.path }]);
          if (at !== undefined) changes.push(at);
        }
        const r = this.resolve(id, "data breakpoint", changes, test, t.hitCondition);
        this.data.push(r);
        return { id, verified: true, message: this.describe(r, changes.length, "changes") };
      } catch (e) {
        return { id, verified: false, message: messageOf(e) };
      }
    });
  }

  /** The nearest hit strictly after (or before) `from`, with every breakpoint that hits there. */
  next(from: number, forward: boolean): Hit | undefined {
    let best: Hit | undefined;
    for (const r of this.all()) {
      const index = this.nextOf(r, from, forward);
      if (index === undefined) continue;
      if (!best || (forward ? index < best.index : index > best.index))
        best = { index, reason: r.reason, ids: [r.id] };
      else if (index === best.index) best.ids.push(r.id);
    }
    return best;
  }

  private all(): Resolved[] {
    return [...[...this.bySource.values()].flat(), ...this.functions, ...this.exceptions, ...this.data];
  }

  private nextOf(r: Resolved, from: number, forward: boolean): number | undefined {
    if (r.search) {
      for (let at = r.search(from, forward); at !== undefined; at = r.search(at, forward))
        if (!this.debugged || this.debugged(this.replay.pidOf(at))) return at;
      return undefined;
    }
    const c = r.candidates!;
    let lo = 0;
    let hi = c.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c[mid] <= from) lo = mid + 1;
      else hi = mid;
    }
    // lo: first candidate after `from`; going back, start below `from` itself.
    if (forward) {
      for (let i = lo; i < c.length; i++) if (!r.test || r.test(c[i])) return c[i];
    } else {
      for (let i = c[lo - 1] === from ? lo - 2 : lo - 1; i >= 0; i--)
        if (!r.test || r.test(c[i])) return c[i];
    }
    return undefined;
  }

  private resolve(
    id: number,
    reason: StopReason,
    candidates: Rows,
    test: ((i: number) => boolean) | undefined,
    hitCondition: string | undefined,
  ): Resolved {
    if (!hitCondition?.trim()) return { id, reason, candidates, test };
    // A hit count counts the hits that pass the condition, in recording order: resolve them all.
    return {
      id,
      reason,
      candidates: applyHitCondition(test ? candidates.filter(test) : candidates, hitCondition),
    };
  }

  private describe(r: Resolved, total: number, what: string): string {
    if (r.test)
      return `${total} ${what === "in the recording" ? "candidates" : what} in the recording, filtered by the condition`;
    const n = r.candidates!.length;
    return what === "in the recording"
      ? `${n} in the recording`
      : `${n} of ${total} ${what} in the recording`;
  }

  private debuggedOnly(indices: Rows): Rows {
    const debugged = this.debugged;
    if (!debugged) return indices;
    return indices.filter((i) => debugged(this.replay.pidOf(i)));
  }

  /** A memoised test of `condition` at an event; undefined when there is no condition. Throws ExprError when it does not parse. */
  private conditionTest(
    condition: string | undefined,
    what: string,
    /** The events it will be asked about, ascending (what argument tests remember is kept by them). */
    candidates?: Rows,
  ): ((index: number) => boolean) | undefined {
    if (!condition?.trim()) return undefined;
    const expr: Expr = parseExpr(condition);
    const scopeOf = this.scopes.reading(namesOf(expr));
    // Candidates the columns or raw bytes already decide are never decoded (see columnFilter.ts).
    const pre = this.prefilter
      ? compileColumnFilter(expr, { ...this.replay.columnSource(), candidates })
      : undefined;
    // Per event: 0 not tested yet, 1 false, 2 true (a byte each: a never-true condition over a hot
    // function is asked of every candidate, and a Map of them costs more than the test).
    const seen = new Uint8Array(this.replay.eventCount);
    let warned = false;
    return (index) => {
      const known = seen[index];
      if (known !== 0) return known === 2;
      let ok: boolean;
      const quick = pre?.(index);
      if (quick === NO || quick === YES) {
        ok = quick === YES;
        seen[index] = ok ? 2 : 1;
        return ok;
      }
      const e: TraceEvent = this.replay.event(index);
      try {
        ok = truthy(evalExpr(expr, scopeOf(e)));
      } catch (err) {
        if (!(err instanceof ExprError)) throw err;
        ok = false;
        if (!warned) {
          warned = true;
          this.warn(`condition of ${what} at seq ${e.seq}: ${err.message} (treated as false)`);
        }
      }
      seen[index] = ok ? 2 : 1;
      return ok;
    };
  }

  /** Where exceptions of a filter start, over the whole recording (found once per filter). */
  private originsOf(filter: ExceptionFilter): number[] {
    this.exceptionOrigins ??= new Map();
    let list = this.exceptionOrigins.get(filter);
    if (!list) {
      list = [];
      const target: TimelineTarget = { kind: "exception", filters: [filter] };
      for (
        let at = edgeHit(this.replay, false, target);
        at !== undefined;
        at = this.replay.findNext(at, "forward", [target])
      )
        list.push(at);
      this.exceptionOrigins.set(filter, list);
    }
    return list;
  }

  private noEventsAt(file: string, line: number): string {
    const lines = this.replay.linesWithEvents(file);
    if (lines.length === 0) return "the recording has no events in this file";
    const near = [...lines]
      .sort((a, b) => Math.abs(a - line) - Math.abs(b - line))
      .slice(0, 3)
      .sort((a, b) => a - b);
    return `no recorded event maps to line ${line} (lines with events nearby: ${near.join(", ")})`;
  }
}

function messageOf(e: unknown): string {
  if (e instanceof ExprError || e instanceof ReplayError) return e.message;
  throw e;
}
