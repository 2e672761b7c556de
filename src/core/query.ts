// The query engine behind `getEvents`: validates a filter once, picks the most selective index for it
// (process, function, kind, or the temporal range), walks only that index's candidates in the asked
// order, applies the remaining conditions on the columns, decodes only what a predicate must see, and
// records what it did in the query monitor.

import { nowMs } from "./clock";
import { ReplayError } from "./errors";
import { matchesFunction, parseFunctionPattern } from "./functionPattern";
import { KIND_CODES, kindCode } from "./store/columns";
import { csrList, lowerBound, upperBound } from "./store/csr";
import type { StoreData } from "./store/store";
import { EVENT_KINDS, type EventFilter, type EventKind, type QueryPlan, type TraceEvent } from "./types";
import type { QueryMonitor } from "./queryMonitor";

const FILTER_KEYS = new Set([
  "pids",
  "kinds",
  "functions",
  "timeRange",
  "indexRange",
  "predicate",
  "limit",
  "offset",
  "order",
]);

/** A filter after validation: ids resolved, ranges turned into row bounds. */
interface Prepared {
  pids?: number[];
  kinds?: number[];
  mfas?: number[];
  /** Rows [lo, hi) allowed by indexRange. */
  lo: number;
  hi: number;
  timeFrom: number;
  timeTo: number;
  predicate?: (e: TraceEvent) => boolean;
  limit: number;
  offset: number;
  desc: boolean;
}

interface Source {
  index: string;
  count: number;
  /** Ascending row lists to merge, or undefined for the contiguous rows [lo, hi). */
  lists?: Int32Array[];
}

export class QueryEngine {
  constructor(
    private readonly store: StoreData,
    private readonly resolvePid: (spec: number | string) => number,
    private readonly decode: (row: number) => TraceEvent,
    private readonly monitor: QueryMonitor,
  ) {}

  explain(filter: EventFilter): QueryPlan {
    const p = this.prepare(filter);
    const { chosen, considered } = this.choose(p);
    return { index: chosen.index, candidates: chosen.count, considered };
  }

  /** Event rows matching `filter`, in the asked order, after offset and limit. */
  rows(filter: EventFilter): number[] {
    const started = nowMs();
    const p = this.prepare(filter);
    const { chosen } = this.choose(p);
    const out: number[] = [];
    let skip = p.offset;
    let scanned = 0;
    const matches = this.matcher(p, chosen);
    if (p.limit > 0) {
      this.walk(chosen, p, (row) => {
        scanned++;
        if (matches && !matches(row)) return true;
        if (skip > 0) {
          skip--;
          return true;
        }
        out.push(row);
        return out.length < p.limit;
      });
    }
    this.monitor.record(chosen.index, scanned, out.length, nowMs() - started);
    return out;
  }

  /**
   * How many event rows match `filter`, offset and limit aside, without listing them: what a page's
   * "… N more" needs. Listing all 1M rows of an unfiltered `events` to count them was ~0.4 s of it.
   */
  count(filter: EventFilter): number {
    const started = nowMs();
    const p = this.prepare({ ...filter, offset: undefined, limit: undefined });
    const { chosen } = this.choose(p);
    const matches = this.matcher(p, chosen);
    let n = 0;
    let scanned = 0;
    if (!matches) n = scanned = chosen.count;
    else
      this.walk(chosen, p, (row) => {
        scanned++;
        if (matches(row)) n++;
        return true;
      });
    this.monitor.record(chosen.index, scanned, n, nowMs() - started);
    return n;
  }

  /** The test a candidate of `chosen` must pass, or undefined when every candidate matches. */
  private matcher(p: Prepared, chosen: Source): ((row: number) => boolean) | undefined {
    const c = this.store.cols;
    // Candidates from the process index are the process's rows already (the state-owner index's are not).
    const pidOk =
      p.pids && chosen.index !== "process" ? mask(p.pids, this.store.tables.pids.length) : undefined;
    // Candidates from the kind (function) index need no kind (function) test, and none needs a time
    // test without a time range: a launch then reads none of these columns whole.
    const kindOk = p.kinds && chosen.index !== "kind" ? mask(p.kinds, KIND_CODES.unknown + 1) : undefined;
    const mfaOk =
      p.mfas && chosen.index !== "function" ? mask(p.mfas, this.store.tables.mfas.length) : undefined;
    const timed = p.timeFrom !== -Infinity || p.timeTo !== Infinity;
    const predicate = p.predicate;
    if (!pidOk && !kindOk && !mfaOk && !timed && !predicate) return undefined;
    return (row) =>
      !(pidOk && !pidOk[c.pid[row]]) &&
      !(kindOk && !kindOk[c.kind[row]]) &&
      !(mfaOk && (c.mfa[row] < 0 || !mfaOk[c.mfa[row]])) &&
      !(timed && (c.time[row] < p.timeFrom || c.time[row] > p.timeTo)) &&
      !(predicate && !predicate(this.decode(row)));
  }

  private prepare(f: EventFilter): Prepared {
    if (f === null || typeof f !== "object" || Array.isArray(f))
      throw new ReplayError("bad filter: expected an object");
    for (const k of Object.keys(f))
      if (!FILTER_KEYS.has(k))
        throw new ReplayError(`bad filter: unknown field "${k}" (known: ${[...FILTER_KEYS].join(", ")})`);
    const n = this.store.cols.length;
    const p: Prepared = {
      lo: 0,
      hi: n,
      timeFrom: -Infinity,
      timeTo: Infinity,
      limit: Infinity,
      offset: 0,
      desc: false,
    };
    if (f.pids !== undefined) {
      if (!Array.isArray(f.pids)) throw new ReplayError("bad filter: pids must be a list");
      p.pids = f.pids.map((x) => this.resolvePid(x));
    }
    if (f.kinds !== undefined) {
      if (!Array.isArray(f.kinds)) throw new ReplayError("bad filter: kinds must be a list");
      p.kinds = f.kinds.map((k: EventKind) => {
        const code = typeof k === "string" ? kindCode(k) : undefined;
        if (code === undefined)
          throw new ReplayError(
            `bad filter: unknown event kind "${String(k)}" (known: ${EVENT_KINDS.join(", ")})`,
          );
        return code;
      });
    }
    if (f.functions !== undefined) {
      if (!Array.isArray(f.functions))
        throw new ReplayError("bad filter: functions must be a list of patterns");
      const pats = f.functions.map((s) => {
        if (typeof s !== "string") throw new ReplayError("bad filter: a function pattern must be a string");
        return parseFunctionPattern(s);
      });
      p.mfas = [];
      this.store.tables.mfas.forEach((m, id) => {
        if (pats.some((pat) => matchesFunction(pat, m))) p.mfas!.push(id);
      });
    }
    if (f.indexRange !== undefined) {
      const { from, to } = range(f.indexRange, "indexRange");
      if (from !== undefined) p.lo = Math.max(0, Math.ceil(from));
      if (to !== undefined) p.hi = Math.min(n, Math.floor(to) + 1);
    }
    if (f.timeRange !== undefined) {
      const { from, to } = range(f.timeRange, "timeRange");
      if (from !== undefined) p.timeFrom = from;
      if (to !== undefined) p.timeTo = to;
      // Rows are in time order (the store sorts them): the range is a row range too.
      p.lo = Math.max(p.lo, lowerBound(this.store.cols.time, p.timeFrom, 0, n));
      p.hi = Math.min(p.hi, upperBound(this.store.cols.time, p.timeTo, 0, n));
    }
    if (f.predicate !== undefined && typeof f.predicate !== "function")
      throw new ReplayError("bad filter: predicate must be a function");
    p.predicate = f.predicate;
    if (f.limit !== undefined) p.limit = count(f.limit, "limit");
    if (f.offset !== undefined) p.offset = count(f.offset, "offset");
    if (f.order !== undefined && f.order !== "asc" && f.order !== "desc")
      throw new ReplayError(`bad filter: order must be "asc" or "desc", not ${JSON.stringify(f.order)}`);
    p.desc = f.order === "desc";
    if (p.hi < p.lo) p.hi = p.lo;
    return p;
  }

  private choose(p: Prepared): { chosen: Source; considered: Array<{ index: string; candidates: number }> } {
    const ix = this.store.ix;
    const options: Source[] = [];
    const sliced = (lists: Int32Array[]): Int32Array[] =>
      lists.map((l) => l.subarray(lowerBound(l, p.lo), lowerBound(l, p.hi))).filter((l) => l.length > 0);
    const total = (lists: Int32Array[]): number => lists.reduce((s, l) => s + l.length, 0);
    const add = (index: string, lists: Int32Array[]): void => {
      const ls = sliced(lists);
      options.push({ index, count: total(ls), lists: ls });
    };
    const onlyState = p.kinds !== undefined && p.kinds.length === 1 && p.kinds[0] === KIND_CODES.state;
    if (p.pids && onlyState)
      add(
        "state-owner",
        p.pids.map((id) => csrList(ix.byStateOwner, id)),
      );
    else if (p.pids)
      add(
        "process",
        p.pids.map((id) => csrList(ix.byPid, id)),
      );
    if (p.mfas)
      add(
        "function",
        p.mfas.map((id) => csrList(ix.byMfa, id)),
      );
    if (p.kinds)
      add(
        "kind",
        p.kinds.map((k) => csrList(ix.byKind, k)),
      );
    const n = this.store.cols.length;
    const ranged = p.lo > 0 || p.hi < n;
    options.push({ index: ranged ? "temporal" : "full-scan", count: p.hi - p.lo });
    let chosen = options[0];
    for (const o of options) if (o.count < chosen.count) chosen = o;
    return { chosen, considered: options.map((o) => ({ index: o.index, candidates: o.count })) };
  }

  /** Visits candidate rows in order until `visit` returns false. */
  private walk(src: Source, p: Prepared, visit: (row: number) => boolean): void {
    if (!src.lists) {
      if (p.desc) {
        for (let r = p.hi - 1; r >= p.lo; r--) if (!visit(r)) return;
      } else for (let r = p.lo; r < p.hi; r++) if (!visit(r)) return;
      return;
    }
    const lists = src.lists;
    if (lists.length === 1) {
      const l = lists[0];
      if (p.desc) {
        for (let i = l.length - 1; i >= 0; i--) if (!visit(l[i])) return;
      } else for (let i = 0; i < l.length; i++) if (!visit(l[i])) return;
      return;
    }
    if (lists.length > 16) {
      const all = new Int32Array(src.count);
      let o = 0;
      for (const l of lists) {
        all.set(l, o);
        o += l.length;
      }
      all.sort();
      this.walk({ index: src.index, count: all.length, lists: [all] }, p, visit);
      return;
    }
    // k-way merge of a few sorted lists.
    const pos = lists.map((l) => (p.desc ? l.length - 1 : 0));
    while (true) {
      let best = -1;
      for (let k = 0; k < lists.length; k++) {
        const i = pos[k];
        if (i < 0 || i >= lists[k].length) continue;
        if (
          best < 0 ||
          (p.desc ? lists[k][i] > lists[best][pos[best]] : lists[k][i] < lists[best][pos[best]])
        )
          best = k;
      }
      if (best < 0) return;
      const row = lists[best][pos[best]];
      pos[best] += p.desc ? -1 : 1;
      if (!visit(row)) return;
    }
  }
}

function mask(ids: number[], size: number): Uint8Array {
  const m = new Uint8Array(size);
  for (const id of ids) if (id >= 0 && id < size) m[id] = 1;
  return m;
}

function range(r: unknown, name: string): { from?: number; to?: number } {
  if (r === null || typeof r !== "object") throw new ReplayError(`bad filter: ${name} must be {from?, to?}`);
  const { from, to } = r as { from?: unknown; to?: unknown };
  for (const [k, v] of [
    ["from", from],
    ["to", to],
  ] as const)
    if (v !== undefined && (typeof v !== "number" || Number.isNaN(v)))
      throw new ReplayError(`bad filter: ${name}.${k} must be a number, not ${JSON.stringify(v)}`);
  if (typeof from === "number" && typeof to === "number" && from > to)
    throw new ReplayError(`bad filter: ${name}.from (${from}) is after ${name}.to (${to})`);
  return { from: from as number | undefined, to: to as number | undefined };
}

function count(v: unknown, name: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0)
    throw new ReplayError(`bad filter: ${name} must be a non-negative integer, not ${JSON.stringify(v)}`);
  return v;
}
