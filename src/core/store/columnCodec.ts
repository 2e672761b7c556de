// How a column is kept in the index file: as it is in memory, or, when its values follow a rule the
// write checks row by row, by that rule — seq as a base plus the row, the file column (one file) as
// nothing, times as 32-bit ticks from the first, reply tags (set on few sends) as the rows that have
// one and their values — and the message hashes, which only pairing reads while the store is built,
// not at all. Each byte per event not written saves ~5 ms per million
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
  /** Rows hold 0 but `count`; the section (Uint32) holds those rows ascending, then their values. */
  | { rule: "sparse"; count: number }
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
  if (name === "tagHash" && a instanceof Uint32Array) {
    const pairs = sparseOf(a, n);
    if (pairs) return { coding: { rule: "sparse", count: pairs.length / 2 }, array: pairs };
  }
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

/** The rows whose value is not 0, then their values, when they are under a quarter of the rows. */
function sparseOf(a: Uint32Array, n: number): Uint32Array | undefined {
  let k = 0;
  for (let i = 0; i < n; i++) if (a[i] !== 0) k++;
  if (k >= n / 4) return undefined;
  const out = new Uint32Array(2 * k);
  for (let i = 0, j = 0; i < n; i++)
    if (a[i] !== 0) {
      out[j] = i;
      out[k + j++] = a[i];
    }
  return out;
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
  return c.rule === "ticks" || c.rule === "sparse" ? "Uint32Array" : undefined;
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
    case "sparse":
      return name === "tagHash" && Number.isSafeInteger(c.count) && c.count >= 0;
    case "dropped":
      return DROPPED.has(name);
    default:
      return false;
  }
}

/**
 * The column of `n` rows back from its coding (`raw`: its section, for ticks and sparse); a RangeError
 * when the section does not hold what the coding says (a damaged or forged file).
 */
export function decodeColumn(c: ColumnCoding, n: number, raw: () => Typed): Typed {
  const out = decodedArray(c, n);
  const section = codedType(c) ? raw() : undefined;
  decodePart(c, out, section, 0, partsOf(c, n));
  return out;
}

/** The array a column decodes into (zeroed), for `decodePart` to fill. */
export function decodedArray(c: ColumnCoding, n: number): Typed {
  switch (c.rule) {
    case "sparse":
      return new Uint32Array(n);
    case "rows":
      return c.base + n - 1 <= 0xffffffff && c.base >= 0 ? new Uint32Array(n) : new Float64Array(n);
    case "zeros":
      return new Uint8Array(n);
    case "ticks":
      return new Float64Array(n);
    case "dropped":
      throw new Error("dropped");
  }
}

/** How many parts `decodePart` goes over: the `n` rows, or for a sparse column its stored rows. */
export function partsOf(c: ColumnCoding, n: number): number {
  return c.rule === "sparse" ? c.count : n;
}

/**
 * Decodes parts [from, to) of a column into `out` (from `decodedArray`): rows, or a sparse column's
 * stored rows, so that a column can be decoded a part per event-loop turn in the background (each new
 * page of `out` is a page fault, 20–70 µs on this VM: 8 MB of times at once held a request ~45 ms).
 * `section`: the column's section, for ticks and sparse. A RangeError when it does not hold what the
 * coding says.
 */
export function decodePart(
  c: ColumnCoding,
  out: Typed,
  section: Typed | undefined,
  from: number,
  to: number,
): void {
  const n = out.length;
  to = Math.min(to, partsOf(c, n));
  switch (c.rule) {
    case "sparse": {
      const pairs = section!;
      if (pairs.length !== 2 * c.count) throw new RangeError("length does not match its count");
      for (let j = from; j < to; j++) {
        const row = pairs[j];
        if (!(row > (j > 0 ? pairs[j - 1] : -1) && row < n))
          throw new RangeError("rows out of order or out of range");
        out[row] = pairs[c.count + j];
      }
      return;
    }
    case "rows":
      for (let i = from; i < to; i++) out[i] = c.base + i;
      return;
    case "zeros":
      return;
    case "ticks": {
      const ticks = section!;
      if (ticks.length !== n) throw new RangeError("length does not match the rows");
      for (let i = from; i < to; i++) out[i] = c.base + ticks[i] * c.unit;
      return;
    }
    case "dropped":
      throw new Error("dropped");
  }
}

/** One value back from its coding (`raw`: the section's value at the row, for ticks; not sparse). */
export function decodeCell(c: ColumnCoding, row: number, raw: () => number): number {
  switch (c.rule) {
    case "sparse":
      throw new Error("a sparse column is read whole");
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
