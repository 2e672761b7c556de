// Interns short byte strings (a pid's, a function tuple's or a call site's ETF encoding) to dense ids
// without making a JavaScript string or object per event: an open-addressing table of typed arrays
// finds the entry by a numeric hash, and a byte comparison against one shared pool confirms it.
// Looked up three or four times per event while a trace loads, so no Map and no per-entry objects.

/** Bytes hashed from the end: the parts that differ (a pid's numbers, a function's name and arity) sit there. */
const TAIL = 16;

export class ByteInterner {
  /** Every added key's bytes, back to back. */
  private pool: Uint8Array = new Uint8Array(4096);
  private poolLen = 0;
  /** Entry number + 1 per slot, 0 when empty; the size is a power of two, kept under half full. */
  private slots: Int32Array = new Int32Array(64);
  private keyOff: Int32Array = new Int32Array(32);
  private keyLen: Int32Array = new Int32Array(32);
  private keyHash: Int32Array = new Int32Array(32);
  private ids: Int32Array = new Int32Array(32);
  private count = 0;
  /** Word views of the pool and of the last buffer looked up in (a reader's chunk buffer rarely changes). */
  private poolView: DataView = new DataView(this.pool.buffer as ArrayBuffer);
  private lastBuf: Uint8Array | undefined;
  private lastView: DataView = new DataView(new ArrayBuffer(0));

  /** The id of `buf[start, end)`, or -1 when it has not been added. */
  find(buf: Uint8Array, start: number, end: number): number {
    const view = this.viewOf(buf);
    const h = hash(buf, view, start, end);
    const len = end - start;
    const slots = this.slots;
    const mask = slots.length - 1;
    const pool = this.pool;
    const pv = this.poolView;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = slots[s] - 1;
      if (e < 0) return -1;
      if (this.keyHash[e] !== h || this.keyLen[e] !== len) continue;
      const off = this.keyOff[e];
      // Four bytes per step: a key is compared whole at every hit, three or four times per event.
      let i = 0;
      while (i + 4 <= len && pv.getInt32(off + i) === view.getInt32(start + i)) i += 4;
      while (i < len && pool[off + i] === buf[start + i]) i++;
      if (i === len) return this.ids[e];
    }
  }

  private viewOf(buf: Uint8Array): DataView {
    if (buf !== this.lastBuf) {
      this.lastBuf = buf;
      this.lastView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    return this.lastView;
  }

  /** Adds `buf[start, end)` (not already present) with `id`, copying its bytes; returns `id`. */
  add(buf: Uint8Array, start: number, end: number, id: number): number {
    const len = end - start;
    if (this.poolLen + len > this.pool.length) {
      const bigger = new Uint8Array(Math.max(this.poolLen + len, this.pool.length * 2));
      bigger.set(this.pool.subarray(0, this.poolLen));
      this.pool = bigger;
      this.poolView = new DataView(bigger.buffer);
    }
    if (this.count === this.ids.length) this.growEntries();
    if ((this.count + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    const e = this.count++;
    this.pool.set(buf.subarray(start, end), this.poolLen);
    this.keyOff[e] = this.poolLen;
    this.keyLen[e] = len;
    this.poolLen += len;
    this.keyHash[e] = hash(buf, this.viewOf(buf), start, end);
    this.ids[e] = id;
    this.place(e);
    return id;
  }

  private place(e: number): void {
    const mask = this.slots.length - 1;
    let s = this.keyHash[e] & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = e + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let e = 0; e < this.count; e++) this.place(e);
  }

  private growEntries(): void {
    const n = this.ids.length * 2;
    const grow = (a: Int32Array): Int32Array => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.keyOff = grow(this.keyOff);
    this.keyLen = grow(this.keyLen);
    this.keyHash = grow(this.keyHash);
    this.ids = grow(this.ids);
  }
}

function hash(buf: Uint8Array, view: DataView, start: number, end: number): number {
  let h = 0x811c9dc5 ^ (end - start);
  if (end - start >= TAIL)
    for (let i = end - TAIL; i < end; i += 4) h = Math.imul(h ^ view.getInt32(i), 0x01000193);
  else for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  // Mixed so that the low bits the table indexes by depend on every byte hashed.
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}
