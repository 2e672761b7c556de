// Query monitoring, as the original ElixirScope's engine had: per index, how many queries ran, how
// many candidates they scanned, what they returned and how long they took; plus the last few queries.
// Bounded: a fixed set of index names and a ring of recent entries.

import type { QueryStatsEntry, ReplayStats } from "./types";

const RECENT = 50;

export class QueryMonitor {
  private readonly byIndex = new Map<string, QueryStatsEntry>();
  private readonly recent: ReplayStats["recent"] = [];

  record(index: string, candidates: number, results: number, ms: number): void {
    let e = this.byIndex.get(index);
    if (!e)
      this.byIndex.set(
        index,
        (e = { index, queries: 0, candidatesScanned: 0, results: 0, totalMs: 0, maxMs: 0 }),
      );
    e.queries++;
    e.candidatesScanned += candidates;
    e.results += results;
    e.totalMs += ms;
    e.maxMs = Math.max(e.maxMs, ms);
    this.recent.push({ index, candidates, results, ms });
    if (this.recent.length > RECENT) this.recent.shift();
  }

  entries(): QueryStatsEntry[] {
    return [...this.byIndex.values()].map((e) => ({ ...e }));
  }

  recentQueries(): ReplayStats["recent"] {
    return this.recent.slice();
  }
}
