// The unpaired sends of the load's message pairing, queued per (receiver, message hash) in one
// open-addressing table of typed arrays: a queue is a FIFO list threaded through `next` by send
// number. Nothing is allocated per message (Maps per receiver allocated ~47 MB at 1M events as they
// shrank and re-grew). An emptied queue gives its slot back, so the table holds the queues with sends
// waiting at once (usually a few hundred), not one slot per send: sized for every send, its arrays
// were ~8 MB of fresh pages at 1M events, faulted in one by one on the load's thread.

export class SendQueues {
  private to = new Int32Array(0);
  private key = new Int32Array(0);
  private head = new Int32Array(0);
  private tail = new Int32Array(0);
  private mask = 0;
  private used = 0;
  /** The send after each queued send in its queue, or -1. */
  readonly next: Int32Array;

  /** `sends`: how many sends may be queued (each send number is below it). */
  constructor(sends: number) {
    this.next = new Int32Array(sends);
    this.allocate(64);
  }

  private allocate(size: number): void {
    this.to = new Int32Array(size).fill(-1);
    this.key = new Int32Array(size);
    this.head = new Int32Array(size);
    this.tail = new Int32Array(size);
    this.mask = size - 1;
    this.used = 0;
  }

  /** The slot of queue (`to`, `key`), or -1 when it holds no send. `key` is a 30-bit hash. */
  find(to: number, key: number): number {
    for (let s = this.slotOf(to, key); ; s = (s + 1) & this.mask) {
      if (this.to[s] < 0) return -1;
      if (this.to[s] === to && this.key[s] === key) return s;
    }
  }

  /** Appends send number `no` to queue (`to`, `key`). */
  push(to: number, key: number, no: number): void {
    this.next[no] = -1;
    let s = this.find(to, key);
    if (s >= 0) {
      this.next[this.tail[s]] = no;
      this.tail[s] = no;
      return;
    }
    // Kept under two-thirds full.
    if ((this.used + 1) * 3 > (this.mask + 1) * 2) this.grow();
    s = this.slotOf(to, key);
    while (this.to[s] >= 0) s = (s + 1) & this.mask;
    this.to[s] = to;
    this.key[s] = key;
    this.head[s] = no;
    this.tail[s] = no;
    this.used++;
  }

  private grow(): void {
    const { to, key, head, tail } = this;
    this.allocate((this.mask + 1) * 2);
    for (let s = 0; s < to.length; s++) {
      if (to[s] < 0) continue;
      let t = this.slotOf(to[s], key[s]);
      while (this.to[t] >= 0) t = (t + 1) & this.mask;
      this.to[t] = to[s];
      this.key[t] = key[s];
      this.head[t] = head[s];
      this.tail[t] = tail[s];
      this.used++;
    }
  }

  private slotOf(to: number, key: number): number {
    const h = Math.imul(key ^ Math.imul(to, 0x9e3779b1), 0x85ebca6b);
    return (h ^ (h >>> 16)) & this.mask;
  }

  /** The first send number queued in slot `s`. */
  first(s: number): number {
    return this.head[s];
  }

  /**
   * Takes send `no` out of slot `s`'s queue; `prev` is the send before it there, or -1. A queue left
   * empty gives its slot back (slots found before are then stale).
   */
  remove(s: number, no: number, prev: number): void {
    const after = this.next[no];
    if (prev < 0) this.head[s] = after;
    else this.next[prev] = after;
    if (after < 0) this.tail[s] = prev;
    if (this.head[s] < 0) this.free(s);
  }

  /** Empties slot `s`, moving later entries of its probe run back so that every look-up still finds them. */
  private free(s: number): void {
    const m = this.mask;
    let hole = s;
    this.to[hole] = -1;
    this.used--;
    for (let j = (hole + 1) & m; this.to[j] >= 0; j = (j + 1) & m) {
      const home = this.slotOf(this.to[j], this.key[j]);
      // Entry j may fill the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (stays) continue;
      this.to[hole] = this.to[j];
      this.key[hole] = this.key[j];
      this.head[hole] = this.head[j];
      this.tail[hole] = this.tail[j];
      this.to[j] = -1;
      hole = j;
    }
  }
}
