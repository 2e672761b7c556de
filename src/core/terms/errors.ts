// The one error type of the term layer: malformed ETF. Callers (the trace reader) catch it to report
// a bad frame and resynchronise, so every failure to parse bytes must surface as this type.

export class EtfError extends Error {
  /**
   * @param reason what is wrong, without the position
   * @param offset the byte offset of the problem, relative to the buffer handed to the term layer
   */
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`${reason} (at byte ${offset})`);
    this.name = "EtfError";
  }
}
