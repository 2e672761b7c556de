// The fields a batch of events' decode reads (frame place, seq, time, ids), for a store read from an
// index whose columns are not in memory yet: each value is read with its 4 KiB page (`cellOf`), so that
// decoding a page of events right after a launch does not read a dozen whole columns first (at 5M
// events ~180 MB of fresh memory, seconds of page faults, while the background prefetch reads them).

import { cellOf, type CellName } from "./cells";
import type { EventColumns } from "./columns";
import type { StoreData } from "./store";

/** The columns `decodeEvent` and the frame reads use. */
export const ROW_FIELDS = [
  "seq",
  "file",
  "time",
  "kind",
  "pid",
  "mfa",
  "peer",
  "site",
  "flags",
  "frameOff",
  "frameLen",
] as const satisfies readonly CellName[];

/** Past this many rows a batch reads the columns whole: as many pages would be read one by one. */
const MAX_ROWS = 2048;

/** Whether every column of `names` is in memory (a lazy one is a getter until first read). */
export function columnsInMemory(cols: EventColumns, names: readonly string[]): boolean {
  return names.every((c) => Object.getOwnPropertyDescriptor(cols, c)?.get === undefined);
}

/**
 * A store whose row `i` is `rows[i]` of `store` for the fields in ROW_FIELDS (tables and indexes are
 * the store's), or undefined when the store's own columns should be read: they are in memory, or the
 * batch is large.
 */
export function rowFields(store: StoreData, rows: ArrayLike<number>): StoreData | undefined {
  if (!store.cell || rows.length > MAX_ROWS || columnsInMemory(store.cols, ROW_FIELDS)) return undefined;
  const n = rows.length;
  const cols = { length: n } as Record<string, unknown>;
  for (const name of ROW_FIELDS) {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = cellOf(store, name, rows[i]);
    cols[name] = a;
  }
  return { ...store, cols: cols as unknown as EventColumns, cell: undefined };
}
