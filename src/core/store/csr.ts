// Compressed sparse rows: for each key (a process, a function, a kind...), the ascending list of event
// rows that carry it, in two flat typed arrays. This is the shape of every list index in the store.

export interface Csr {
  /** rows of key k are rows[offsets[k] .. offsets[k+1]) */
  offsets: Int32Array;
  rows: Int32Array;
  /** rows[from .. to), read alone when `rows` is not in memory yet (an index read lazily). */
  slice?: (from: number, to: number) => Int32Array;
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
