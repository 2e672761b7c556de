// The one place the language server asks the engine about a function's recorded calls: each call
// paired with its return or exception, counts, times and processes. Built on the Replay's public
// queries and columns (to be replaced by the engine's own per-line call index when it has one), so
// that a hover's cost is the page of calls it shows, not the whole history.

import type { Replay } from "../core/replay";
import { KIND_CODES } from "../core/store/columns";
import { csrList } from "../core/store/csr";
import type { Term } from "../core/terms/term";
import type { Mfa } from "../core/types";
import type { CallOutcome } from "../core/lineHistory";

// How a call ended is the engine's own notion (the same pairing as the per-line history).
export type { CallOutcome };

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
  raised: number;
  pids: number[];
}

const NONE: Paired = { calls: new Int32Array(0), ends: new Int32Array(0), raised: 0, pids: [] };

export class History {
  private readonly paired = new Map<string, Paired>();

  constructor(readonly replay: Replay) {}

  /** True when the recording has calls of `mfa`. */
  known(mfa: Mfa): boolean {
    return this.pairs(mfa).calls.length > 0;
  }

  summary(mfa: Mfa): FunctionSummary {
    const { calls, ends, raised, pids } = this.pairs(mfa);
    const r = this.replay;
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
      pids,
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
    const all = this.pairs(mfa).calls;
    const offset = opts.offset ?? 0;
    const limit = opts.limit ?? 10;
    if (opts.pid === undefined) {
      const n = all.length;
      const page: number[] = [];
      for (let k = offset; k < Math.min(n, offset + limit); k++)
        page.push(all[opts.order === "asc" ? k : n - 1 - k]);
      return { total: n, calls: page.map((i) => this.record(mfa, i)) };
    }
    let idx = Array.from(all).filter((i) => this.replay.pidOf(i) === opts.pid);
    if (opts.order !== "asc") idx = idx.reverse();
    return { total: idx.length, calls: idx.slice(offset, offset + limit).map((i) => this.record(mfa, i)) };
  }

  private pairs(mfa: Mfa): Paired {
    const key = keyOf(mfa);
    let hit = this.paired.get(key);
    if (!hit) this.paired.set(key, (hit = this.pair(mfa)));
    return hit;
  }

  /**
   * The calls of one function from the store's function index, each with the return/exception the
   * store's nesting pass matched to it. These are the engine's internal indexes: this is the stand-in
   * for the engine's per-line call API (`lineCalls`), and the only place that reads them.
   */
  private pair(mfa: Mfa): Paired {
    const store = this.replay["store"];
    const id = store.tables.mfas.findIndex((m) => sameMfa(m, mfa));
    if (id < 0) return NONE;
    const { kind, pid } = store.cols;
    const { match } = store.ix;
    const rows = csrList(store.ix.byMfa, id);
    let n = 0;
    for (let j = 0; j < rows.length; j++) if (kind[rows[j]] === KIND_CODES.call) n++;
    const calls = new Int32Array(n);
    const ends = new Int32Array(n);
    const seen = new Uint8Array(this.replay.processes().length);
    const pids: number[] = [];
    let raised = 0;
    for (let j = 0, k = 0; j < rows.length; j++) {
      const i = rows[j];
      if (kind[i] !== KIND_CODES.call) continue;
      const end = match[i];
      calls[k] = i;
      ends[k++] = end;
      if (end >= 0 && kind[end] === KIND_CODES.exception) raised++;
      if (!seen[pid[i]]) {
        seen[pid[i]] = 1;
        pids.push(pid[i]);
      }
    }
    return { calls, ends, raised, pids: pids.sort((a, b) => a - b) };
  }
}

function keyOf(mfa: Mfa): string {
  return `${mfa.module}|${mfa.fun}|${mfa.arity}`;
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
