// The trace format versions this engine reads and imports (docs/trace-format.md).

/**
 * 2: a receive may name its send's seq instead of carrying the message again; a call, return or state
 * may name an earlier large term of its process (`[{here, seq, there}]` appended); a call site may give
 * its line only. 3: an event's own pid may be the integer I + 32768 S of `<0.I.S>` (header `pid_creation`),
 * and its function a position in the header's `functions`.
 */
export const FORMAT_VERSIONS: readonly number[] = [1, 2, 3];

/** "1, 2 and 3", for messages. */
export function versionList(): string {
  return `${FORMAT_VERSIONS.slice(0, -1).join(", ")} and ${FORMAT_VERSIONS[FORMAT_VERSIONS.length - 1]}`;
}

/** Format 3: an event's own pid `<0.I.S>` written as the number `I + PID_ID_SPAN * S` (ETF's 15 bits of `I`). */
export const PID_ID_SPAN = 32768;
