// How a column is kept in the index file: as it is in memory, or, when its values follow a rule the
// write checks row by row, by that rule — seq as a base plus the row, the file column (one file) as
// nothing, times as 32-bit ticks from the first — and the message hashes, which only pairing reads
// while the store is built, not at all. Each byte per event not written saves ~5 ms per million
// events of a first open (fresh page cache) and the same read at every indexed open.

import type { EventColumns } from "./columns";

type Typed = Float64Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Uint8Array | Int8Array;

/** A column stored by rule; the metadata keeps it by column name. */
export type ColumnCoding =
  /** Row i holds base + i; no section. */
  | { rule: "rows"; base: number }
  /** Every row holds 0; no section. */
  | { rule: "zeros" }
  /** Row i holds base + ticks[i] × unit; the section holds the ticks (Uint32). */
  | { rule: "ticks"; base: number; unit: number }
  /** Not kept: read only while the store is built. */
  | { rule: "dropped" };

/** Columns the index does not keep: the message hashes pair sends with receives at build time only. */
const DROPPED = new Set(["msgHash"]);

/** Time units tried for ticks, coarsest first (a trace's unit times its values are whole ns). */
const UNITS = [1e9, 1e6, 1e3, 1];

/**
 * How column `name` of the first `cols.length` rows is to be written: by rule (and ticks), or as it
 * is. The ticks go into `scratch` when it is long enough (memory already faulted in: a fresh 4 MB
 * array costs ~25 ms per million events of page faults here, as much as the bytes it saves writing).
 */
export function encodeColumn(
  cols: EventColumns,
  name: string,
  a: Typed,
  scratch?: Uint32Array,
): { coding?: ColumnCoding; array?: Typed } {
  const n = cols.length;
  if (DROPPED.has(name)) return { coding: { rule: "dropped" } };
  if (name === "seq" && n > 0 && rowsRule(a, n)) return { coding: { rule: "rows", base: a[0] } };
  if (name === "file" && allZero(a, n)) return { coding: { rule: "zeros" } };
  if (name === "time" && n > 0 && a instanceof Float64Array) {
    const t = ticksOf(a, n, scratch && scratch.length >= n ? scratch.subarray(0, n) : new Uint32Array(n));
    if (t) return { coding: { rule: "ticks", base: a[0], unit: t.unit }, array: t.ticks };
  }
  return { array: a };
}

/** Whether a[i] = a[0] + i for every row, with a[0] + n a safe integer. */
function rowsRule(a: Typed, n: number): boolean {
  const base = a[0];
  if (!Number.isSafeInteger(base + n)) return false;
  for (let i = 1; i < n; i++) if (a[i] !== base + i) return false;
  return true;
}

function allZero(a: Typed, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== 0) return false;
  return true;
}

/**
 * The times as ticks of the coarsest unit every one is a whole number of from the first, when each
 * fits 32 bits and decodes to exactly the value it was (checked here, so a read is never off).
 */
function ticksOf(
  a: Float64Array,
  n: number,
  ticks: Uint32Array,
): { unit: number; ticks: Uint32Array } | undefined {
  const base = a[0];
  // A coarser unit than the trace's fails within its first rows: about one pass in all.
  next: for (const unit of UNITS) {
    for (let i = 0; i < n; i++) {
      const q = (a[i] - base) / unit;
      if (q >>> 0 !== q || base + q * unit !== a[i]) continue next;
      ticks[i] = q;
    }
    return { unit, ticks };
  }
  return undefined;
}

/** The stored type a coding's section has (undefined: it has none). */
export function codedType(c: ColumnCoding): string | undefined {
  return c.rule === "ticks" ? "Uint32Array" : undefined;
}

/** Whether `c` (from a file's metadata) is a coding this version reads, for column `name`. */
export function validCoding(name: string, c: ColumnCoding): boolean {
  switch (c?.rule) {
    case "rows":
      return name === "seq" && Number.isSafeInteger(c.base);
    case "zeros":
      return name === "file";
    case "ticks":
      return name === "time" && Number.isFinite(c.base) && UNITS.includes(c.unit);
    case "dropped":
      return DROPPED.has(name);
    default:
      return false;
  }
}

/** The column of `n` rows back from its coding (`raw`: its section, for ticks). */
export function decodeColumn(c: ColumnCoding, n: number, raw: () => Typed): Typed {
  switch (c.rule) {
    case "rows": {
      const out = c.base + n - 1 <= 0xffffffff && c.base >= 0 ? new Uint32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = c.base + i;
      return out;
    }
    case "zeros":
      return new Uint8Array(n);
    case "ticks": {
      const ticks = raw();
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = c.base + ticks[i] * c.unit;
      return out;
    }
    case "dropped":
      throw new Error("dropped");
  }
}

/** One value back from its coding (`raw`: the section's value at the row, for ticks). */
export function decodeCell(c: ColumnCoding, row: number, raw: () => number): number {
  switch (c.rule) {
    case "rows":
      return c.base + row;
    case "zeros":
      return 0;
    case "ticks":
      return c.base + raw() * c.unit;
    case "dropped":
      throw new Error("dropped");
  }
}
