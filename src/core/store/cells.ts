// One value of a per-event column or index, for the look-ups a debug launch makes (an event's fields,
// a stack's frames, a step): a store read from an index file reads it with its 4 KiB page instead of
// reading the whole array (indexFile.ts); any other store has the arrays in memory.

import type { EventColumns } from "./columns";
import type { StoreData } from "./store";

export type CellName =
  | Exclude<keyof EventColumns, "length">
  | "ix.link"
  | "ix.depth"
  | "ix.match"
  | "ix.posInPid"
  | "ix.pair"
  | "ix.byPid.rows";

export function cellOf(store: StoreData, name: CellName, row: number): number {
  if (store.cell) return store.cell(name, row);
  switch (name) {
    case "ix.link":
    case "ix.depth":
    case "ix.match":
    case "ix.posInPid":
    case "ix.pair":
      return store.ix[name.slice(3) as "link"][row];
    case "ix.byPid.rows":
      return store.ix.byPid.rows[row];
    default:
      return (store.cols[name] as ArrayLike<number>)[row];
  }
}
