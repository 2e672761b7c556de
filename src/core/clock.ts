// A monotonic clock in milliseconds for the engine's own timings (query stats, load time). Not the
// `performance` global: in Node 20 its first use loads perf_hooks (11 internal modules), a few ms of
// every CLI run and adapter start.

export function nowMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}
