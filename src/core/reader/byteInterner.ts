// Interns short byte strings (a pid's, a function tuple's or a call site's ETF encoding) to dense ids
// without making a JavaScript string per event: a numeric hash finds the bucket, a byte comparison
// confirms the match. This is what keeps loading near a microsecond per event.

export class ByteInterner {
  private readonly buckets = new Map<number, Array<{ bytes: Uint8Array; id: number }>>();

  /** The id of `buf[start, end)`; `create` is called (and its id remembered) the first time. */
  get(buf: Uint8Array, start: number, end: number, create: () => number): number {
    let h = 0x811c9dc5 ^ (end - start);
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    const bucket = this.buckets.get(h);
    if (bucket !== undefined) {
      outer: for (const e of bucket) {
        const b = e.bytes;
        if (b.length !== end - start) continue;
        for (let i = 0; i < b.length; i++) if (b[i] !== buf[start + i]) continue outer;
        return e.id;
      }
    }
    const id = create();
    const entry = { bytes: buf.slice(start, end), id };
    if (bucket) bucket.push(entry);
    else this.buckets.set(h, [entry]);
    return id;
  }
}
