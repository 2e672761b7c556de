// Interns short byte strings (a pid's, a function tuple's or a call site's ETF encoding) to dense ids
// without making a JavaScript string per event: a numeric hash finds the bucket, a byte comparison
// confirms the match. This is what keeps loading near a microsecond per event.

/** Bytes hashed from the end: the parts that differ (a pid's numbers, a function's name and arity) sit there. */
const TAIL = 16;

export class ByteInterner {
  private readonly buckets = new Map<number, Array<{ bytes: Uint8Array; id: number }>>();

  /** The id of `buf[start, end)`, or -1 when it has not been added. */
  find(buf: Uint8Array, start: number, end: number): number {
    const bucket = this.buckets.get(hash(buf, start, end));
    if (bucket === undefined) return -1;
    const len = end - start;
    outer: for (let k = 0; k < bucket.length; k++) {
      const b = bucket[k].bytes;
      if (b.length !== len) continue;
      for (let i = 0; i < len; i++) if (b[i] !== buf[start + i]) continue outer;
      return bucket[k].id;
    }
    return -1;
  }

  add(buf: Uint8Array, start: number, end: number, id: number): number {
    const h = hash(buf, start, end);
    // A copy: `buf` may be a chunk buffer that the reader reuses (and Buffer#slice makes a view).
    const entry = { bytes: Uint8Array.prototype.slice.call(buf, start, end), id };
    const bucket = this.buckets.get(h);
    if (bucket) bucket.push(entry);
    else this.buckets.set(h, [entry]);
    return id;
  }
}

function hash(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5 ^ (end - start);
  for (let i = Math.max(start, end - TAIL); i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h;
}
