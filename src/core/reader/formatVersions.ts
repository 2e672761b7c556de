// The trace format versions this engine reads and imports (docs/trace-format.md).

/**
 * 2: a receive may name its send's seq instead of carrying the message again; a call, return or state
 * may name an earlier large term of its process (`[{here, seq, there}]` appended).
 */
export const FORMAT_VERSIONS: readonly number[] = [1, 2];
