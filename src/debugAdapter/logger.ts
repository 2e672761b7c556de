// The adapter's one logger. It writes through @vscode/debugadapter's `logger`, which the
// LoggingDebugSession also feeds with every protocol message: errors reach the client's Debug Console,
// `logLevel: "verbose"` in the launch arguments shows everything there, and ELIXIRSCOPE_DAP_LOG=/abs/path
// writes everything to a file (stdout carries the protocol, so nothing is ever printed to it).

import { isAbsolute } from "node:path";
import { Logger, logger } from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";

export type LogLevelName = "off" | "error" | "warn" | "verbose";
export const LOG_LEVELS: readonly LogLevelName[] = ["off", "error", "warn", "verbose"];

const LEVEL: Record<LogLevelName, Logger.LogLevel> = {
  off: Logger.LogLevel.Stop,
  error: Logger.LogLevel.Error,
  warn: Logger.LogLevel.Warn,
  verbose: Logger.LogLevel.Verbose,
};

let fileOpened = false;

/**
 * Sets what reaches the client's console. Must run once per session start: until the library's
 * logger is set up it queues every message, which would grow without end. A session run inline (never
 * `start`ed on streams) passes `send` so that the logger exists at all.
 */
export function configureLogging(level: LogLevelName, send?: (e: DebugProtocol.Event) => void): void {
  if (send) logger.init(send, undefined, false);
  const file = process.env.ELIXIRSCOPE_DAP_LOG;
  const openFile = !fileOpened && file !== undefined && isAbsolute(file);
  if (openFile) fileOpened = true;
  logger.setup(LEVEL[level], openFile ? file : false);
}

export const log = {
  verbose: (msg: string): void => logger.verbose(msg),
  info: (msg: string): void => logger.log(msg),
  warn: (msg: string): void => logger.warn(msg),
  error: (msg: string): void => logger.error(msg),
};
