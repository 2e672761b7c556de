// Shared by the benchmarks: percentiles of a sample of timings.

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** `{NAME_p50_ms, NAME_p99_ms}` of a sample of timings in milliseconds, rounded to `digits`. */
export function p50p99(name: string, xs: number[], digits = 4): Record<string, number> {
  const r = (x: number): number => Number(x.toFixed(digits));
  return { [`${name}_p50_ms`]: r(percentile(xs, 50)), [`${name}_p99_ms`]: r(percentile(xs, 99)) };
}
