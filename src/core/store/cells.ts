// One value of a per-event column or index, for the look-ups a debug launch makes (an event's fields,
// a stack's frames, a step): a store read from an index file reads it with its 4 KiB page instead of
// reading the whole array (indexFile.ts); any other store has the arrays in memory.

import type { EventColumns } from "./columns";
import { lowerBound } from "./csr";
import type { StoreData } from "./store";

export type CellName =
  Exclude<keyof EventColumns, "length"> | "ix.link" | "ix.depth" | "ix.match" | "ix.pair" | "ix.byPid.rows";

/** `ix.match` and `ix.pair` are one array, `ix.partner` (see StoreIndexes). */
export function cellSection(name: CellName): string {
  if (name === "ix.match" || name === "ix.pair") return "ix.partner";
  return name.startsWith("ix.") ? name : `cols.${name}`;
}

export function cellOf(store: StoreData, name: CellName, row: number): number {
  if (store.cell) return store.cell(name, row);
  switch (name) {
    case "ix.link":
    case "ix.depth":
    case "ix.match":
    case "ix.pair":
      return store.ix[name.slice(3) as "link"][row];
    case "ix.byPid.rows":
      return store.ix.byPid.rows[row];
    default:
      return (store.cols[name] as ArrayLike<number>)[row];
  }
}

/**
 * Where `row` is in the rows of its process `pid` (an index into `ix.byPid.rows`): a binary search of
 * that process's ascending rows, a few values read, instead of a stored position per event (4 bytes
 * per event of memory and index file).
 */
export function pidRowIndex(store: StoreData, pid: number, row: number): number {
  const { offsets } = store.ix.byPid;
  let lo = offsets[pid];
  let hi = offsets[pid + 1];
  if (!store.cell) return lowerBound(store.ix.byPid.rows, row, lo, hi);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (store.cell("ix.byPid.rows", mid) < row) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
