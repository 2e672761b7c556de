// Breakpoint search across the whole recording, both ways: the first event strictly after (or before)
// a moment that hits a function, a source line, an exception filter, a change in a state path, or any
// query. Each target uses its own index, so a reverse-continue costs a binary search, not a replay.

import type { Correlator } from "./correlator";
import type { QueryEngine } from "./query";
import type { StateReconstructor } from "./state";
import { FLAG_CRASH, FLAG_ERROR, FLAG_EXIT, FLAG_THROW, KIND_CODES } from "./store/columns";
import { csrList, lowerBound, upperBound } from "./store/csr";
import type { StoreData } from "./store/store";
import type { Timeline } from "./timeline";
import type { Direction, EventFilter, ExceptionFilter, TimelineTarget, TraceEvent } from "./types";

export class BreakpointSearch {
  constructor(
    private readonly store: StoreData,
    private readonly query: QueryEngine,
    private readonly correlator: Correlator,
    private readonly state: StateReconstructor,
    private readonly timeline: Timeline,
    private readonly decode: (row: number) => TraceEvent,
  ) {}

  findNext(from: number, dir: Direction, targets: TimelineTarget[]): number | undefined {
    let best: number | undefined;
    for (const t of targets) {
      const hit = this.one(from, dir, t);
      if (hit === undefined) continue;
      if (best === undefined || (dir === "forward" ? hit < best : hit > best)) best = hit;
    }
    return best;
  }

  private one(from: number, dir: Direction, t: TimelineTarget): number | undefined {
    switch (t.kind) {
      case "function":
        return this.viaQuery(from, dir, { functions: [t.pattern], kinds: ["call"] }, t.condition);
      case "filter":
        return this.viaQuery(from, dir, t.filter, t.filter.predicate);
      case "line": {
        // A line stops where its function is entered or where a call is made from it.
        const rows = this.correlator
          .eventsAt(t.file, t.line)
          .filter((r) => this.store.cols.kind[r] === KIND_CODES.call);
        return this.scanList(rows, from, dir, t.condition);
      }
      case "exception":
        return this.exception(from, dir, t.filters, t.condition);
      case "stateChange":
        return this.state.nextChange(t.pid, t.path, from, dir === "forward");
    }
  }

  private viaQuery(
    from: number,
    dir: Direction,
    f: EventFilter,
    condition?: (e: TraceEvent) => boolean,
  ): number | undefined {
    const range = dir === "forward" ? { from: from + 1 } : { to: from - 1 };
    if (range.to !== undefined && range.to < 0) return undefined;
    const rows = this.query.rows({
      ...f,
      predicate: condition,
      indexRange: range,
      limit: 1,
      order: dir === "forward" ? "asc" : "desc",
    });
    return rows[0];
  }

  private scanList(
    rows: ArrayLike<number>,
    from: number,
    dir: Direction,
    condition?: (e: TraceEvent) => boolean,
  ): number | undefined {
    if (dir === "forward") {
      for (let i = upperBound(rows, from); i < rows.length; i++)
        if (!condition || condition(this.decode(rows[i]))) return rows[i];
    } else {
      for (let i = lowerBound(rows, from) - 1; i >= 0; i--)
        if (!condition || condition(this.decode(rows[i]))) return rows[i];
    }
    return undefined;
  }

  private exception(
    from: number,
    dir: Direction,
    filters: ExceptionFilter[],
    condition?: (e: TraceEvent) => boolean,
  ): number | undefined {
    const { cols, ix } = this.store;
    const want = new Set(filters);
    const classFlags =
      (want.has("raise") ? FLAG_ERROR : 0) |
      (want.has("throw") ? FLAG_THROW : 0) |
      (want.has("exit") ? FLAG_EXIT : 0);
    let best: number | undefined;
    const better = (r: number | undefined): void => {
      if (r !== undefined && (best === undefined || (dir === "forward" ? r < best : r > best))) best = r;
    };
    if (classFlags) {
      // Stop where an exception starts, not at every frame it unwinds through.
      const origin = (e: TraceEvent): boolean => {
        const r = e.index;
        if (!(cols.flags[r] & classFlags)) return false;
        const prev = this.timeline.nextInProcess(r, "backward");
        if (prev !== undefined && cols.kind[prev] === KIND_CODES.exception && ix.depth[prev] > ix.depth[r])
          return false;
        return !condition || condition(e);
      };
      better(this.scanKind(KIND_CODES.exception, from, dir, origin));
    }
    if (want.has("crash") || want.has("linked_exit")) {
      const linked = want.has("linked_exit") && !want.has("crash") ? this.linkedPids() : undefined;
      better(
        this.scanKind(KIND_CODES.exit, from, dir, (e) => {
          if (!(cols.flags[e.index] & FLAG_CRASH)) return false;
          if (linked && !linked.has(cols.pid[e.index])) return false;
          return !condition || condition(e);
        }),
      );
    }
    return best;
  }

  private scanKind(
    kind: number,
    from: number,
    dir: Direction,
    test: (e: TraceEvent) => boolean,
  ): number | undefined {
    return this.scanList(csrList(this.store.ix.byKind, kind), from, dir, test);
  }

  private linkedCache?: Set<number>;
  /** Processes that had a link to another process: their abnormal exit propagates. */
  private linkedPids(): Set<number> {
    if (this.linkedCache) return this.linkedCache;
    const s = new Set<number>();
    const { cols } = this.store;
    for (const r of csrList(this.store.ix.byKind, KIND_CODES.link)) {
      s.add(cols.pid[r]);
      if (cols.peer[r] >= 0) s.add(cols.peer[r]);
    }
    return (this.linkedCache = s);
  }
}
