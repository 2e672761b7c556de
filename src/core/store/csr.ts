// Compressed sparse rows: for each key (a process, a function, a kind...), the ascending list of event
// rows that carry it, in two flat typed arrays. This is the shape of every list index in the store.

export interface Csr {
  /** rows of key k are rows[offsets[k] .. offsets[k+1]) */
  offsets: Int32Array;
  rows: Int32Array;
  /** rows[from .. to), read alone when `rows` is not in memory yet (an index read lazily). */
  slice?: (from: number, to: number) => Int32Array;
  /** Key k's rows, when they are not stored but derived (see `derivedCsr`). */
  list?: (key: number) => Int32Array;
}

/**
 * A CSR whose rows are not stored: only the offsets are, and key k's list is found with one pass over
 * the key column when first asked for, then kept. For a partition of every row by a column of few
 * keys (the kind), whose lists are each read rarely: storing the rows would cost 4 bytes per event
 * of fresh memory and of index file, a pass over a 1-byte column ~1 ms per million events.
 * `bad` is called when the column does not hold the counts the offsets say (a damaged index).
 */
export function derivedCsr(
  offsets: Int32Array,
  keys: () => Uint8Array,
  bad: () => never,
  rareRows?: () => Int32Array,
): Csr {
  const keyCount = offsets.length - 1;
  const n = offsets[keyCount];
  const lists: Array<Int32Array | undefined> = new Array<Int32Array | undefined>(keyCount);
  const list = (key: number): Int32Array => {
    const done = lists[key];
    if (done) return done;
    // A kind the trace has none of (a launch asks whether the recorder left anything out): no pass.
    if (offsets[key + 1] === offsets[key]) return (lists[key] = new Int32Array(0));
    // The rare keys' rows, when stored (an index file's): a launch's thread names read the register
    // events, which would otherwise read and scan the whole key column (~25 ms at a million events).
    if (rareRows && isRare(offsets, key)) {
      const stored = rareRows();
      let at = 0;
      for (let k = 0; k < keyCount; k++) {
        if (!isRare(offsets, k)) continue;
        const count = offsets[k + 1] - offsets[k];
        if (at + count > stored.length) bad();
        lists[k] ??= stored.subarray(at, at + count);
        at += count;
      }
      if (at !== stored.length) bad();
      return lists[key]!;
    }
    // One pass finds the key asked for and every rare key not found yet (the load's process table
    // asks for six of them in turn): a pass per key was 7 ms each at a million events.
    const wanted: Array<Int32Array | undefined> = new Array<Int32Array | undefined>(keyCount);
    let rows = 0;
    for (let k = 0; k < keyCount; k++) {
      const count = offsets[k + 1] - offsets[k];
      if (lists[k] || !(k === key || isRare(offsets, k))) continue;
      wanted[k] = new Int32Array(count);
      rows += count;
    }
    if (rows > 0 && !rowsOfKeys(keys(), n, wanted)) bad();
    for (let k = 0; k < keyCount; k++) if (wanted[k]) lists[k] = wanted[k];
    return lists[key]!;
  };
  const csr: Csr = { offsets, rows: new Int32Array(0), list };
  // Every key's rows in key order, as a stored CSR's: built only when asked for whole.
  Object.defineProperty(csr, "rows", {
    enumerable: false,
    configurable: true,
    get() {
      const rows = new Int32Array(n);
      for (let k = 0; k < keyCount; k++) rows.set(list(k), offsets[k]);
      Object.defineProperty(csr, "rows", { value: rows, enumerable: false });
      return rows;
    },
  });
  return csr;
}

/** A key is rare (found along with any other asked for) when it has at most 1/RARE of the rows. */
const RARE = 32;

function isRare(offsets: Int32Array, key: number): boolean {
  return offsets[key + 1] - offsets[key] <= offsets[offsets.length - 1] / RARE;
}

/** The rows of a derived CSR's rare keys, key after key: what an index file stores of it. */
export function rareRowsOf(csr: Csr): Int32Array {
  const { offsets } = csr;
  const keyCount = offsets.length - 1;
  const parts: Int32Array[] = [];
  for (let k = 0; k < keyCount; k++) if (isRare(offsets, k)) parts.push(csrList(csr, k));
  const out = new Int32Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Fills each `out[k]` that is set with the rows (of the first `n`) whose key is k, in order; false
 * when a list's length is not its key's count of rows.
 */
function rowsOfKeys(col: Uint8Array, n: number, out: Array<Int32Array | undefined>): boolean {
  const fill = new Int32Array(out.length);
  const end = Math.min(n, col.length);
  for (let i = 0; i < end; i++) {
    const k = col[i];
    const o = out[k];
    if (o === undefined) continue;
    if (fill[k] >= o.length) return false;
    o[fill[k]++] = i;
  }
  return out.every((o, k) => o === undefined || fill[k] === o.length);
}

/** The kind index over its offsets, its lists found in the kind column (`kind` reads it). */
export function kindIndex(offsets: Int32Array, kind: () => Uint8Array): Csr {
  return derivedCsr(offsets, kind, () => {
    throw new Error("the kind index does not match the kind column");
  });
}

/** Builds a CSR from a per-row key column; rows whose key is negative (or rejected by `keep`) are left out. */
export function buildCsr(
  keys: ArrayLike<number>,
  length: number,
  keyCount: number,
  keep?: (row: number) => boolean,
): Csr {
  const counts = new Int32Array(keyCount + 1);
  for (let i = 0; i < length; i++) {
    const k = keys[i];
    if (k >= 0 && (keep === undefined || keep(i))) counts[k + 1]++;
  }
  for (let k = 0; k < keyCount; k++) counts[k + 1] += counts[k];
  const offsets = counts.slice();
  const rows = new Int32Array(offsets[keyCount]);
  const fill = counts;
  for (let i = 0; i < length; i++) {
    const k = keys[i];
    if (k >= 0 && (keep === undefined || keep(i))) rows[fill[k]++] = i;
  }
  return { offsets, rows };
}

/** As `buildCsr`, over the ascending subset `rows` only: the key of row `r` is `keys[r]`. */
export function buildCsrOf(keys: ArrayLike<number>, rows: ArrayLike<number>, keyCount: number): Csr {
  const offsets = new Int32Array(keyCount + 1);
  for (let j = 0; j < rows.length; j++) {
    const k = keys[rows[j]];
    if (k >= 0) offsets[k + 1]++;
  }
  for (let k = 0; k < keyCount; k++) offsets[k + 1] += offsets[k];
  const fill = offsets.slice(0, keyCount);
  const out = new Int32Array(offsets[keyCount]);
  for (let j = 0; j < rows.length; j++) {
    const k = keys[rows[j]];
    if (k >= 0) out[fill[k]++] = rows[j];
  }
  return { offsets, rows: out };
}

export function csrList(csr: Csr, key: number): Int32Array {
  if (key < 0 || key + 1 >= csr.offsets.length) return new Int32Array(0);
  if (csr.list) return csr.list(key);
  const from = csr.offsets[key];
  const to = csr.offsets[key + 1];
  return csr.slice ? csr.slice(from, to) : csr.rows.subarray(from, to);
}

/** How many rows key `key` has: read from the offsets alone (the rows may not be loaded yet). */
export function csrCount(csr: Csr, key: number): number {
  if (key < 0 || key + 1 >= csr.offsets.length) return 0;
  return csr.offsets[key + 1] - csr.offsets[key];
}

/** First position in the ascending `list` whose value is >= x. */
export function lowerBound(list: ArrayLike<number>, x: number, lo = 0, hi = list.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First position in the ascending `list` whose value is > x. */
export function upperBound(list: ArrayLike<number>, x: number, lo = 0, hi = list.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
