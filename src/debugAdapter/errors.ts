// Errors the adapter answers a request with: every failure becomes one line in the client, and only a
// bug in the adapter itself (an error of no known kind) is logged with its stack.

import { ReplayError, TraceLoadError } from "../core/errors";
import type { Logger } from "./logger";

/** A request the adapter cannot answer as asked: the message says why, in one line. Bad launch
 * arguments and bad expressions are kinds of it. */
export class AdapterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AdapterError";
  }
}

/** The one-line message for an error caught while answering `command`. */
export function errorText(e: unknown, command: string, log?: Logger): string {
  if (e instanceof AdapterError || e instanceof ReplayError || e instanceof TraceLoadError)
    return firstLine(e.message);
  const err = e instanceof Error ? e : new Error(String(e));
  log?.error(`${command}: ${err.stack ?? err.message}`);
  return `internal error in ${command}: ${firstLine(err.message)}`;
}

function firstLine(s: string): string {
  const line = s.split("\n", 1)[0];
  return line.length > 400 ? `${line.slice(0, 399)}…` : line;
}
