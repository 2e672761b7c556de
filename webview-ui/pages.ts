// The webview's window on the host's rows: which pages are loaded or asked for, and the arrows and
// markers of a row range out of them. Far pages are dropped so memory stays flat on any recording.

import type { FlowItem, FlowMarker } from "../src/core/flowLayout";
import { PAGE_ROWS } from "../src/shared/webviewProtocol";

export interface Page {
  from: number;
  to: number;
  items: FlowItem[];
  markers: FlowMarker[];
  seqs: number[];
}

const KEEP_PAGES = 40;

export class PageCache {
  private readonly pages = new Map<number, Page>();
  private readonly pending = new Set<number>();

  constructor(readonly pageRows = PAGE_ROWS) {}

  clear(): void {
    this.pages.clear();
    this.pending.clear();
  }

  /** The pages rows [from, to) need (plus one either side), not yet loaded nor asked for; marks them asked. */
  missing(from: number, to: number, total: number): Array<{ page: number; from: number; to: number }> {
    const out: Array<{ page: number; from: number; to: number }> = [];
    const last = Math.floor((Math.max(total, 1) - 1) / this.pageRows);
    const a = Math.max(0, Math.floor(from / this.pageRows) - 1);
    const z = Math.min(last, Math.floor(Math.max(from, to - 1) / this.pageRows) + 1);
    for (let p = a; p <= z; p++) {
      if (this.pages.has(p) || this.pending.has(p)) continue;
      this.pending.add(p);
      out.push({ page: p, from: p * this.pageRows, to: Math.min(total, (p + 1) * this.pageRows) });
    }
    return out;
  }

  add(page: number, p: Page, keepNear: number): void {
    this.pending.delete(page);
    this.pages.set(page, p);
    if (this.pages.size <= KEEP_PAGES) return;
    const centre = Math.floor(keepNear / this.pageRows);
    const far = [...this.pages.keys()].sort((x, y) => Math.abs(y - centre) - Math.abs(x - centre));
    for (const k of far.slice(0, this.pages.size - KEEP_PAGES)) this.pages.delete(k);
  }

  /** Arrows with an end in rows [from, to) or crossing them, each once; markers in the rows. */
  range(from: number, to: number): { items: FlowItem[]; markers: FlowMarker[] } {
    const seen = new Set<number>();
    const items: FlowItem[] = [];
    const markers: FlowMarker[] = [];
    for (const [, p] of this.pages) {
      if (p.to <= from - this.pageRows || p.from >= to + this.pageRows) continue;
      for (const it of p.items) {
        if (seen.has(it.id)) continue;
        const lo = Math.min(it.sendRank ?? Infinity, it.receiveRank ?? Infinity);
        const hi = Math.max(it.sendRank ?? -Infinity, it.receiveRank ?? -Infinity);
        if (hi < from || lo >= to) continue;
        seen.add(it.id);
        items.push(it);
      }
      for (const m of p.markers) if (m.rank >= from && m.rank < to) markers.push(m);
    }
    return { items, markers };
  }

  seqAt(rank: number): number | undefined {
    const p = this.pages.get(Math.floor(rank / this.pageRows));
    return p ? p.seqs[rank - p.from] : undefined;
  }

  loaded(page: number): boolean {
    return this.pages.has(page);
  }
}
