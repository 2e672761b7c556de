// Errors the engine raises at its boundaries: a trace that cannot be loaded at all, and a request
// (filter, pid, moment) that cannot be answered. Both carry a one-line message fit for a user.

/** The trace cannot be opened: missing file, not an .estrace file, unknown format version. */
export class TraceLoadError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = "TraceLoadError";
  }
}

/** A request the replay cannot answer: a bad filter, an unknown pid, a moment out of range. */
export class ReplayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplayError";
  }
}

/** A load stopped by its caller's abort signal (Cancel on the progress): nothing is left loaded. */
export class LoadCancelledError extends ReplayError {
  constructor(readonly files: string[]) {
    super(`loading ${files.join(", ")} was cancelled`);
    this.name = "LoadCancelledError";
  }
}
