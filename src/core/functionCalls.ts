// Per-function recorded calls, for hovers and code lenses: every call of one {M,F,A} (or of one of
// its clauses), paired with its own return or exception by the store's call nesting, counted from
// the columns, and read page by page with only the page's events decoded (in one batch read).

import { ReplayError } from "./errors";
import type { CallOutcome, RecordedCall } from "./lineHistory";
import { KIND_CODES } from "./store/columns";
import { csrList, lowerBound } from "./store/csr";
import type { StoreData } from "./store/store";
import type { Mfa, TraceEvent } from "./types";

/** One recorded call of a function, with how it ended. */
export interface FunctionCall extends RecordedCall {
  /** The clause that ran (1-based, as the module table lists them), when the recorder knew it. */
  clause?: number;
}

export interface FunctionCallsOptions {
  /** `newest` first (default) or `oldest` first. */
  order?: "newest" | "oldest";
  /** Calls skipped before the page (default 0). */
  offset?: number;
  /** Calls in the page (default 10). */
  limit?: number;
  /** Only this process's calls (a process id). */
  pid?: number;
  /** Only calls where this clause ran (1-based); calls whose clause is unknown are left out. */
  clause?: number;
}

/** Counts and times of a function's calls, from the columns alone. */
export interface FunctionCallSummary {
  mfa: Mfa;
  calls: number;
  /** Calls that ended in an exception. */
  raised: number;
  firstTime?: number;
  lastTime?: number;
  /** Duration of the most recent call that finished. */
  lastDurationNs?: number;
  /** Processes that called it (ids, ascending). */
  pids: number[];
}

interface Paired {
  /** Call event indices, ascending. */
  calls: Int32Array;
  /** The return/exception closing each call (same position), or -1 when none was recorded. */
  ends: Int32Array;
  raised: number;
  pids: number[];
}

const NONE: Paired = { calls: new Int32Array(0), ends: new Int32Array(0), raised: 0, pids: [] };

export class FunctionCalls {
  private readonly paired = new Map<number, Paired>();
  private ids?: Map<string, number>;

  constructor(
    private readonly store: StoreData,
    /** Decodes events, nearby frames read together. */
    private readonly decode: (rows: number[]) => TraceEvent[],
    /** The clause a call ran (1-based), when known (the correlator's). */
    private readonly clauseAt: (call: number) => number | undefined,
  ) {}

  /** Call event indices of `mfa`, ascending (no decoding). Do not modify. */
  indices(mfa: Mfa): Int32Array {
    return this.pairs(mfa).calls;
  }

  summary(mfa: Mfa): FunctionCallSummary {
    const { calls, ends, raised, pids } = this.pairs(mfa);
    const time = this.store.cols.time;
    let lastDurationNs: number | undefined;
    for (let k = calls.length - 1; k >= 0; k--)
      if (ends[k] >= 0) {
        lastDurationNs = time[ends[k]] - time[calls[k]];
        break;
      }
    const out: FunctionCallSummary = { mfa, calls: calls.length, raised, pids: [...pids] };
    if (calls.length) {
      out.firstTime = time[calls[0]];
      out.lastTime = time[calls[calls.length - 1]];
    }
    if (lastDurationNs !== undefined) out.lastDurationNs = lastDurationNs;
    return out;
  }

  /** A page of `mfa`'s calls; `total` counts every call under `pid` and `clause`. */
  page(mfa: Mfa, opts: FunctionCallsOptions = {}): { total: number; calls: FunctionCall[] } {
    const offset = opts.offset ?? 0;
    const limit = opts.limit ?? 10;
    if (!Number.isInteger(offset) || offset < 0)
      throw new ReplayError(`bad offset ${String(opts.offset)}: expected a whole number ≥ 0`);
    if (!Number.isInteger(limit) || limit < 0)
      throw new ReplayError(`bad limit ${String(opts.limit)}: expected a whole number ≥ 0`);
    const p = this.pairs(mfa);
    const pidCol = this.store.cols.pid;
    const keep =
      opts.pid === undefined && opts.clause === undefined
        ? undefined
        : (i: number): boolean =>
            (opts.pid === undefined || pidCol[i] === opts.pid) &&
            (opts.clause === undefined || this.clauseAt(i) === opts.clause);
    const n = p.calls.length;
    const newest = opts.order !== "oldest";
    const positions: number[] = [];
    let total = n;
    if (!keep) {
      for (let k = offset; k < Math.min(n, offset + limit); k++) positions.push(newest ? n - 1 - k : k);
    } else {
      total = 0;
      for (let j = 0; j < n; j++) {
        const k = newest ? n - 1 - j : j;
        if (!keep(p.calls[k])) continue;
        if (total >= offset && total < offset + limit) positions.push(k);
        total++;
      }
    }
    return { total, calls: this.records(mfa, p, positions) };
  }

  /** One call of `mfa` by its event index, decoded with its outcome; undefined when it is not one. */
  record(mfa: Mfa, call: number): FunctionCall | undefined {
    const p = this.pairs(mfa);
    const k = lowerBound(p.calls, call);
    return k < p.calls.length && p.calls[k] === call ? this.records(mfa, p, [k])[0] : undefined;
  }

  private records(mfa: Mfa, p: Paired, positions: number[]): FunctionCall[] {
    const rows: number[] = [];
    for (const k of positions) {
      rows.push(p.calls[k]);
      if (p.ends[k] >= 0) rows.push(p.ends[k]);
    }
    const events = this.decode(rows);
    const time = this.store.cols.time;
    let e = 0;
    return positions.map((k) => {
      const ev = events[e++];
      const end = p.ends[k];
      let outcome: CallOutcome = { kind: "running" };
      if (end >= 0) {
        const x = events[e++];
        outcome =
          x.kind === "exception" && x.exception
            ? { kind: "exception", index: end, class: x.exception.class, reason: x.exception.reason }
            : { kind: "return", index: end, value: x.value ?? [] };
      }
      const rec: FunctionCall = {
        call: ev.index,
        mfa: ev.mfa ?? mfa,
        pid: ev.pid,
        time: ev.time,
        args: ev.args ?? [],
        outcome,
      };
      if (end >= 0) rec.durationNs = time[end] - ev.time;
      const clause = this.clauseAt(ev.index);
      if (clause !== undefined) rec.clause = clause;
      return rec;
    });
  }

  private pairs(mfa: Mfa): Paired {
    const id = this.idOf(mfa);
    if (id === undefined) return NONE;
    let hit = this.paired.get(id);
    if (!hit) this.paired.set(id, (hit = this.pair(id)));
    return hit;
  }

  private idOf(mfa: Mfa): number | undefined {
    if (!this.ids) {
      this.ids = new Map();
      this.store.tables.mfas.forEach((m, i) => this.ids!.set(keyOf(m), i));
    }
    return this.ids.get(keyOf(mfa));
  }

  /** The calls of one function from the function index, each with the return/exception the nesting pass matched to it. */
  private pair(id: number): Paired {
    const { kind, pid } = this.store.cols;
    const { match } = this.store.ix;
    const rows = csrList(this.store.ix.byMfa, id);
    let n = 0;
    for (let j = 0; j < rows.length; j++) if (kind[rows[j]] === KIND_CODES.call) n++;
    const calls = new Int32Array(n);
    const ends = new Int32Array(n);
    const seen = new Uint8Array(this.store.tables.pids.length);
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

function keyOf(m: Mfa): string {
  return `${m.module}\u0000${m.fun}\u0000${m.arity}`;
}
