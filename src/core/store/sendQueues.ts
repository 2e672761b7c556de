// The unpaired sends of the load's message pairing, queued per (receiver, message hash) in one
// open-addressing table of typed arrays: a queue is a FIFO list threaded through `next` by send
// number. Nothing is allocated per message (Maps per receiver allocated ~47 MB at 1M events as they
// shrank and re-grew), and an emptied queue keeps its slot.

export class SendQueues {
  private readonly to: Int32Array;
  private readonly key: Int32Array;
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  /** The send after each queued send in its queue, or -1. */
  readonly next: Int32Array;
  private readonly mask: number;

  /** `sends`: how many sends may be queued (each send number is below it). */
  constructor(sends: number) {
    let size = 16;
    // At most one slot per send: kept under two-thirds full.
    while (size * 2 < sends * 3) size *= 2;
    this.mask = size - 1;
    this.to = new Int32Array(size).fill(-1);
    this.key = new Int32Array(size);
    this.head = new Int32Array(size).fill(-1);
    this.tail = new Int32Array(size).fill(-1);
    this.next = new Int32Array(sends).fill(-1);
  }

  /** The slot of queue (`to`, `key`), or -1 when it never held a send. `key` is a 30-bit hash. */
  find(to: number, key: number): number {
    for (let s = this.slotOf(to, key); ; s = (s + 1) & this.mask) {
      if (this.to[s] < 0) return -1;
      if (this.to[s] === to && this.key[s] === key) return s;
    }
  }

  /** Appends send number `no` to queue (`to`, `key`). */
  push(to: number, key: number, no: number): void {
    let s = this.slotOf(to, key);
    while (this.to[s] >= 0 && (this.to[s] !== to || this.key[s] !== key)) s = (s + 1) & this.mask;
    if (this.to[s] < 0) {
      this.to[s] = to;
      this.key[s] = key;
    }
    if (this.tail[s] < 0) this.head[s] = no;
    else this.next[this.tail[s]] = no;
    this.tail[s] = no;
  }

  private slotOf(to: number, key: number): number {
    const h = Math.imul(key ^ Math.imul(to, 0x9e3779b1), 0x85ebca6b);
    return (h ^ (h >>> 16)) & this.mask;
  }

  /** The first send number queued in slot `s`, or -1. */
  first(s: number): number {
    return this.head[s];
  }

  /** Takes send `no` out of slot `s`'s queue; `prev` is the send before it there, or -1. */
  remove(s: number, no: number, prev: number): void {
    const after = this.next[no];
    if (prev < 0) this.head[s] = after;
    else this.next[prev] = after;
    if (after < 0) this.tail[s] = prev;
  }
}
