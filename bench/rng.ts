// The seeded random numbers of the bench's trace generator and the fuzzers: the same sequence for the
// same seed on every machine, so a generated trace or a failing mutant can be made again from its seed.

/** mulberry32: small, fast, good enough to spread events and mutations. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
