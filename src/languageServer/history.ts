// The one place the language server asks the engine about a function's recorded calls: each call
// paired with its return or exception, counts, times and processes. Built on the Replay's public
// queries (function index + kind columns), cached per function, so the hover's cost is the page of
// calls it shows, not the whole history.

import type { Replay } from "../core/replay";
import type { Term } from "../core/terms/term";
import type { Mfa } from "../core/types";

export type CallOutcome =
  | { kind: "return"; index: number; value: Term }
  | { kind: "exception"; index: number; class: string; reason: Term }
  | { kind: "running" };

export interface CallRecord {
  /** The call event's index. */
  index: number;
  mfa: Mfa;
  pid: number;
  time: number;
  args: Term[];
  outcome: CallOutcome;
  durationNs?: number;
}

export interface FunctionSummary {
  mfa: Mfa;
  calls: number;
  raised: number;
  firstTime?: number;
  lastTime?: number;
  /** Duration of the most recent call that finished. */
  lastDurationNs?: number;
  pids: number[];
}

interface Paired {
  /** Call event indices, ascending. */
  calls: Int32Array;
  /** The return/exception closing each call (same position), or -1 while it was still running. */
  ends: Int32Array;
}

export class History {
  private readonly paired = new Map<string, Paired>();

  constructor(readonly replay: Replay) {}

  /** The recorded functions equal to `mfa` (module name with or without `Elixir.`). */
  known(mfa: Mfa): boolean {
    return this.pairs(mfa).calls.length > 0;
  }

  summary(mfa: Mfa): FunctionSummary {
    const { calls, ends } = this.pairs(mfa);
    const r = this.replay;
    let raised = 0;
    const pids = new Set<number>();
    for (let k = 0; k < calls.length; k++) {
      pids.add(r.pidOf(calls[k]));
      if (ends[k] >= 0 && r.kindOf(ends[k]) === "exception") raised++;
    }
    let lastDurationNs: number | undefined;
    for (let k = calls.length - 1; k >= 0; k--)
      if (ends[k] >= 0) {
        lastDurationNs = r.timeOf(ends[k]) - r.timeOf(calls[k]);
        break;
      }
    return {
      mfa,
      calls: calls.length,
      raised,
      firstTime: calls.length ? r.timeOf(calls[0]) : undefined,
      lastTime: calls.length ? r.timeOf(calls[calls.length - 1]) : undefined,
      lastDurationNs,
      pids: [...pids].sort((a, b) => a - b),
    };
  }

  /** Call indices of `mfa`, ascending (no decoding). */
  callIndices(mfa: Mfa): Int32Array {
    return this.pairs(mfa).calls;
  }

  /** One call, decoded with its outcome. */
  record(mfa: Mfa, callIndex: number): CallRecord {
    const { calls, ends } = this.pairs(mfa);
    const k = lowerBound(calls, callIndex);
    const end = k < calls.length && calls[k] === callIndex ? ends[k] : -1;
    const r = this.replay;
    const ev = r.event(callIndex);
    let outcome: CallOutcome = { kind: "running" };
    if (end >= 0) {
      const e = r.event(end);
      outcome =
        e.kind === "exception" && e.exception
          ? { kind: "exception", index: end, class: e.exception.class, reason: e.exception.reason }
          : { kind: "return", index: end, value: e.value ?? [] };
    }
    return {
      index: callIndex,
      mfa: ev.mfa ?? mfa,
      pid: ev.pid,
      time: ev.time,
      args: ev.args ?? [],
      outcome,
      durationNs: end >= 0 ? r.timeOf(end) - ev.time : undefined,
    };
  }

  /** A page of calls, most recent first by default. */
  calls(
    mfa: Mfa,
    opts: { order?: "asc" | "desc"; offset?: number; limit?: number; pid?: number } = {},
  ): { total: number; calls: CallRecord[] } {
    let idx = Array.from(this.pairs(mfa).calls);
    if (opts.pid !== undefined) idx = idx.filter((i) => this.replay.pidOf(i) === opts.pid);
    if (opts.order !== "asc") idx.reverse();
    const offset = opts.offset ?? 0;
    const page = idx.slice(offset, offset + (opts.limit ?? 10));
    return { total: idx.length, calls: page.map((i) => this.record(mfa, i)) };
  }

  private pairs(mfa: Mfa): Paired {
    const key = `${mfa.module}|${mfa.fun}|${mfa.arity}`;
    const hit = this.paired.get(key);
    if (hit) return hit;
    const r = this.replay;
    const rows = r
      .getEventIndices({ functions: [patternOf(mfa)], kinds: ["call", "return", "exception"] })
      .filter((i) => sameMfa(r.mfaOf(i), mfa));
    // A return closes the innermost open call of its function in its process (recursion nests).
    const open = new Map<number, number[]>();
    const calls: number[] = [];
    const endOf = new Map<number, number>();
    for (const i of rows) {
      const pid = r.pidOf(i);
      let stack = open.get(pid);
      if (!stack) open.set(pid, (stack = []));
      if (r.kindOf(i) === "call") {
        calls.push(i);
        stack.push(i);
      } else {
        const c = stack.pop();
        if (c !== undefined) endOf.set(c, i);
      }
    }
    const out: Paired = {
      calls: Int32Array.from(calls),
      ends: Int32Array.from(calls, (c) => endOf.get(c) ?? -1),
    };
    this.paired.set(key, out);
    return out;
  }
}

/** The function's query pattern: Elixir modules without `Elixir.`, Erlang ones with a colon. */
export function patternOf(mfa: Mfa): string {
  const mod = mfa.module.startsWith("Elixir.") ? mfa.module.slice(7) : `:${mfa.module}`;
  const fun = /^[a-z_][A-Za-z0-9_?!]*$/.test(mfa.fun) ? mfa.fun : `"${mfa.fun}"`;
  return `${mod}.${fun}/${mfa.arity}`;
}

export function sameMfa(a: Mfa | undefined, b: Mfa): boolean {
  return a !== undefined && a.fun === b.fun && a.arity === b.arity && a.module === b.module;
}

function lowerBound(xs: Int32Array, x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
