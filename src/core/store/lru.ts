// The hot tier: a bounded least-recently-used cache (decoded events, per-line call lists), counting
// hits and misses for stats. Bounded by entry count, or by a weight per entry (e.g. rows held).

export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  private weight = 0;
  hits = 0;
  misses = 0;
  /** `capacity`: the most entries kept, or the most total weight when `weigh` is given. */
  constructor(
    readonly capacity: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Re-insert so that Map's insertion order doubles as recency order.
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  set(key: K, value: V): void {
    const old = this.map.get(key);
    if (old !== undefined) {
      this.map.delete(key);
      this.weight -= this.weigh(old);
    }
    const w = this.weigh(value);
    // Evict the least recent until the new entry fits (an entry heavier than the whole budget still stays, alone).
    while (this.map.size > 0 && this.weight + w > this.capacity) {
      const [k, v] = this.map.entries().next().value as [K, V];
      this.map.delete(k);
      this.weight -= this.weigh(v);
    }
    this.map.set(key, value);
    this.weight += w;
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
    this.weight = 0;
  }
}
