// Breakpoints over a recording. The whole history is known, so each breakpoint is resolved against it:
// its candidate events come from the engine's indexes (a function's calls, a line's calls, where
// exceptions start, a state path's changes), conditions are tested lazily as a continue reaches a
// candidate (and remembered), and a hit count or a logpoint resolves every hit at once. Continuing
// either way is then a binary search per breakpoint; a logpoint prints all its hits, past and future,
// as soon as it is set.

import type { DebugProtocol } from "@vscode/debugprotocol";
import { ReplayError } from "../core/errors";
import type { Replay } from "../core/replay";
import type { Term } from "../core/terms/term";
import type { ExceptionFilter, TimelineTarget, TraceEvent } from "../core/types";
import { type Expr, evalExpr, ExprError, parseExpr, truthy } from "./condition";
import type { EventScopes } from "./eventScope";
import { edgeHit } from "../core/moment";
import { valueText } from "./variables";

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
  /** Candidate events, ascending. */
  candidates?: number[];
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

let nextId = 1;

export class Breakpoints {
  private readonly bySource = new Map<string, Resolved[]>();
  /** Per source file, the logpoints already printed, so that setting another breakpoint does not reprint them. */
  private readonly printed = new Map<string, Set<string>>();
  private functions: Resolved[] = [];
  private exceptions: Resolved[] = [];
  private data: Resolved[] = [];
  private exceptionOrigins?: Map<string, number[]>;

  constructor(
    private readonly replay: Replay,
    private readonly scopes: EventScopes,
    private readonly debugged: (pid: number) => boolean,
    /** Told once per breakpoint when its condition fails to evaluate on an event. */
    private readonly warn: (text: string) => void,
  ) {}

  /**
   * Line breakpoints of one file. A line stops where its function is entered or where a call is made
   * from it. Returns what to answer, and the logpoint lines not printed before, in recording order.
   */
  setSource(
    file: string,
    bps: DebugProtocol.SourceBreakpoint[],
  ): { breakpoints: DebugProtocol.Breakpoint[]; logs: LogLine[] } {
    const resolved: Resolved[] = [];
    const out: DebugProtocol.Breakpoint[] = [];
    const logs: LogLine[] = [];
    const printedBefore = this.printed.get(file) ?? new Set<string>();
    const printedNow = new Set<string>();
    for (const bp of bps) {
      const id = nextId++;
      const calls = this.debuggedOnly(
        this.replay.eventsAt(file, bp.line).filter((i) => this.replay.kindOf(i) === "call"),
      );
      try {
        if (calls.length === 0) {
          out.push({ id, verified: false, line: bp.line, message: this.noEventsAt(file, bp.line) });
          continue;
        }
        const test = this.conditionTest(bp.condition, `line ${bp.line}`);
        if (bp.logMessage !== undefined) {
          const render = compileLogMessage(bp.logMessage);
          const hits = applyHitCondition(test ? calls.filter(test) : calls, bp.hitCondition);
          const key = `${bp.line}|${bp.logMessage}|${bp.condition ?? ""}|${bp.hitCondition ?? ""}`;
          printedNow.add(key);
          if (!printedBefore.has(key))
            for (const i of hits)
              logs.push({ index: i, text: render(this.scopes.of(this.replay.event(i))), line: bp.line });
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
    logs.sort((a, b) => a.index - b.index);
    return { breakpoints: out, logs };
  }

  setFunctions(bps: DebugProtocol.FunctionBreakpoint[]): DebugProtocol.Breakpoint[] {
    this.functions = [];
    return bps.map((bp) => {
      const id = nextId++;
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
          this.conditionTest(bp.condition, bp.name),
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
      const id = nextId++;
      if (!known.has(filterId))
        return {
          id,
          verified: false,
          message: `unknown exception filter "${filterId}" (${[...known].join(", ")})`,
        };
      try {
        const origins = this.debuggedOnly(this.originsOf(filterId as ExceptionFilter));
        const r = this.resolve(id, "exception", origins, this.conditionTest(condition, filterId), undefined);
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
      const id = nextId++;
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
        if (this.debugged(this.replay.pidOf(at))) return at;
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
    candidates: number[],
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

  private debuggedOnly(indices: number[]): number[] {
    return indices.filter((i) => this.debugged(this.replay.pidOf(i)));
  }

  /** A memoised test of `condition` at an event; undefined when there is no condition. Throws ExprError when it does not parse. */
  private conditionTest(
    condition: string | undefined,
    what: string,
  ): ((index: number) => boolean) | undefined {
    if (!condition?.trim()) return undefined;
    const expr: Expr = parseExpr(condition);
    const seen = new Map<number, boolean>();
    let warned = false;
    return (index) => {
      let ok = seen.get(index);
      if (ok !== undefined) return ok;
      const e: TraceEvent = this.replay.event(index);
      try {
        ok = truthy(evalExpr(expr, this.scopes.of(e)));
      } catch (err) {
        if (!(err instanceof ExprError)) throw err;
        ok = false;
        if (!warned) {
          warned = true;
          this.warn(`condition of ${what} at seq ${e.seq}: ${err.message} (treated as false)`);
        }
      }
      seen.set(index, ok);
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

/** `5` or `== 5` (the 5th hit only), `>= 5`, `> 5`, `< 5`, `<= 5`, `% 3` (every 3rd). */
export function applyHitCondition(hits: number[], cond: string | undefined): number[] {
  if (!cond || !cond.trim()) return hits;
  const m = /^\s*(==|>=|<=|>|<|%)?\s*(\d+)\s*$/.exec(cond);
  if (!m) throw new ExprError(`bad hit count "${cond}": use 5, == 5, >= 5, > 5, < 5, <= 5 or % 3`);
  const n = Number(m[2]);
  switch (m[1]) {
    case ">=":
      return hits.slice(Math.max(0, n - 1));
    case ">":
      return hits.slice(n);
    case "<":
      return hits.slice(0, Math.max(0, n - 1));
    case "<=":
      return hits.slice(0, n);
    case "%":
      return n > 0 ? hits.filter((_, k) => (k + 1) % n === 0) : [];
    default:
      return hits[n - 1] !== undefined ? [hits[n - 1]] : [];
  }
}

/** `reserve {args[0]} for {args[1]}`: each `{expr}` is evaluated at the event; `{{`/`}}` are braces. */
export function compileLogMessage(message: string): (scope: Record<string, Term | undefined>) => string {
  const parts: Array<string | Expr> = [];
  let text = "";
  for (let i = 0; i < message.length; i++) {
    const c = message[i];
    if ((c === "{" || c === "}") && message[i + 1] === c) {
      text += c;
      i++;
    } else if (c === "{") {
      // Find the matching brace: expressions may hold tuples and maps.
      let depth = 1;
      let j = i + 1;
      for (; j < message.length && depth > 0; j++) {
        if (message[j] === "{") depth++;
        else if (message[j] === "}") depth--;
        else if (message[j] === '"')
          while (++j < message.length && message[j] !== '"') if (message[j] === "\\") j++;
      }
      if (depth > 0)
        throw new ExprError(
          `logpoint message: "{" at column ${i + 1} is never closed (write {{ for a brace)`,
        );
      if (text) parts.push(text);
      text = "";
      const src = message.slice(i + 1, j - 1);
      try {
        parts.push(parseExpr(src));
      } catch (e) {
        throw new ExprError(`logpoint message {${src}}: ${(e as Error).message}`);
      }
      i = j - 1;
    } else text += c;
  }
  if (text) parts.push(text);
  return (scope) =>
    parts
      .map((p) => {
        if (typeof p === "string") return p;
        try {
          return valueText(evalExpr(p, scope));
        } catch (err) {
          return `<${(err as Error).message}>`;
        }
      })
      .join("");
}

function messageOf(e: unknown): string {
  if (e instanceof ExprError || e instanceof ReplayError) return e.message;
  throw e;
}
