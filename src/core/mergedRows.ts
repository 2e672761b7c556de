// Ascending row lists (index lists: a function's events, a call site's) walked as one merged list
// without repeats, from either end, without building it: a page near one end of a hot line's calls
// then touches no fresh memory (on this VM each new 4 KiB page costs a fault of 20-70 µs, which was
// most of a hover's first look at a line of 80k calls).

/**
 * Visits the rows of `lists` (each ascending, no repeats within one) that `keep` keeps, in merged
 * order without repeats: newest first when `back`, else oldest first, until `visit` returns false.
 */
export function walkMerged(
  lists: Int32Array[],
  back: boolean,
  keep: (row: number) => boolean,
  visit: (row: number) => boolean,
): void {
  if (lists.length === 1) {
    const l = lists[0];
    if (back) {
      for (let i = l.length - 1; i >= 0; i--) if (keep(l[i]) && !visit(l[i])) return;
    } else for (let i = 0; i < l.length; i++) if (keep(l[i]) && !visit(l[i])) return;
    return;
  }
  const at = lists.map((l) => (back ? l.length - 1 : 0));
  let last = -1;
  for (;;) {
    let best = -1;
    let row = 0;
    for (let k = 0; k < lists.length; k++) {
      const i = at[k];
      if (i < 0 || i >= lists[k].length) continue;
      const r = lists[k][i];
      if (best < 0 || (back ? r > row : r < row)) {
        best = k;
        row = r;
      }
    }
    if (best < 0) return;
    at[best] += back ? -1 : 1;
    // The same row in two lists (a call of a function defined on the line it was made from).
    if (row === last) continue;
    last = row;
    if (keep(row) && !visit(row)) return;
  }
}

/** How many rows `walkMerged` would visit. */
export function countMerged(lists: Int32Array[], keep: (row: number) => boolean): number {
  let n = 0;
  if (lists.length === 1) {
    const l = lists[0];
    for (let i = 0; i < l.length; i++) if (keep(l[i])) n++;
    return n;
  }
  walkMerged(lists, false, keep, () => {
    n++;
    return true;
  });
  return n;
}

/** The rows `walkMerged` visits oldest first, in an array of exactly their number. */
export function mergedRows(lists: Int32Array[], keep: (row: number) => boolean, count?: number): Int32Array {
  const out = new Int32Array(count ?? countMerged(lists, keep));
  let w = 0;
  if (out.length > 0) walkMerged(lists, false, keep, (r) => ((out[w++] = r), w < out.length));
  return out;
}
