// The trace format versions this engine reads and imports (docs/trace-format.md).

/** 2: a receive may name its send's seq instead of carrying the message again. */
export const FORMAT_VERSIONS: readonly number[] = [1, 2];
