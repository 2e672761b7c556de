// One logger per debug session (no state shared between sessions). The default one sends what its
// level lets through to the client's Debug Console, and with ELIXIRSCOPE_DAP_LOG=/abs/path also writes
// everything to that file; `logLevel: "verbose"` shows the protocol traffic in the console too (stdout carries the protocol, so nothing is
// ever printed to it). The extension may inject its own (an output channel).

import { appendFileSync } from "node:fs";
import { isAbsolute } from "node:path";

export type LogLevelName = "off" | "error" | "warn" | "verbose";
export const LOG_LEVELS: readonly LogLevelName[] = ["off", "error", "warn", "verbose"];

export interface Logger {
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  verbose(msg: string): void;
  /** The launch's `logLevel`; a logger that has its own settings may ignore it. */
  setLevel?(level: LogLevelName): void;
  /**
   * Whether `verbose` lines go anywhere: the protocol traffic is turned into text only then (every
   * message JSON-encoded twice otherwise). A logger without it is given them all.
   */
  tracing?(): boolean;
}

const RANK: Record<LogLevelName | "info", number> = { off: 0, error: 1, warn: 2, info: 3, verbose: 3 };

export class SessionLogger implements Logger {
  private level: LogLevelName = "error";

  constructor(
    /** Shows a line in the client's console (category "console" or "stderr"). */
    private readonly show: (text: string, category: "console" | "stderr") => void,
    private file: string | undefined = process.env.ELIXIRSCOPE_DAP_LOG,
  ) {
    if (this.file !== undefined && !isAbsolute(this.file)) this.file = undefined;
  }

  setLevel(level: LogLevelName): void {
    this.level = level;
  }

  tracing(): boolean {
    return this.file !== undefined || RANK.verbose <= RANK[this.level];
  }

  error(msg: string): void {
    this.write("error", msg);
  }
  warn(msg: string): void {
    this.write("warn", msg);
  }
  info(msg: string): void {
    this.write("info", msg);
  }
  verbose(msg: string): void {
    this.write("verbose", msg);
  }

  private write(kind: "error" | "warn" | "info" | "verbose", msg: string): void {
    if (this.file !== undefined) {
      try {
        appendFileSync(this.file, `${new Date().toISOString()} ${kind} ${msg}\n`);
      } catch {
        // A log file that cannot be written must not break the session: stop trying.
        this.file = undefined;
      }
    }
    if (RANK[kind] <= RANK[this.level])
      this.show(`[elixirscope] ${msg}\n`, kind === "error" ? "stderr" : "console");
  }
}
