// The `launch` request's arguments, validated once where they enter: which trace files, where to
// start, and how recorded source paths map to the workspace.

import type { DebugProtocol } from "@vscode/debugprotocol";

export interface PathMapping {
  from: string;
  to: string;
}

export interface LaunchArgs {
  trace: string[];
  stopOnEntry: boolean;
  sourceRoot?: string;
  pathMappings: PathMapping[];
  /** A seq, `seq:N`, `time:1.5ms`, a position string, `first crash`, `first exception`. */
  startAt?: string | number;
  /** Only these processes (pids or names) are shown as threads. */
  processes?: string[];
}

export interface LaunchRequestArguments extends DebugProtocol.LaunchRequestArguments {
  trace?: unknown;
  stopOnEntry?: unknown;
  sourceRoot?: unknown;
  pathMappings?: unknown;
  startAt?: unknown;
  processes?: unknown;
}

export class LaunchArgsError extends Error {}

export function parseLaunchArgs(given: LaunchRequestArguments | undefined): LaunchArgs {
  const a = given ?? {};
  const trace = typeof a.trace === "string" ? [a.trace] : a.trace;
  if (!Array.isArray(trace) || trace.length === 0 || !trace.every((t) => typeof t === "string" && t !== ""))
    throw new LaunchArgsError(
      '"trace" must name a trace file (or a list of files, one per node), e.g. "${workspaceFolder}/run.estrace"',
    );
  if (a.stopOnEntry !== undefined && typeof a.stopOnEntry !== "boolean")
    throw new LaunchArgsError('"stopOnEntry" must be true or false');
  if (a.sourceRoot !== undefined && typeof a.sourceRoot !== "string")
    throw new LaunchArgsError('"sourceRoot" must be a folder path');
  let pathMappings: PathMapping[] = [];
  if (a.pathMappings !== undefined) {
    if (!Array.isArray(a.pathMappings))
      throw new LaunchArgsError('"pathMappings" must be a list of {"from": ..., "to": ...}');
    pathMappings = a.pathMappings.map((m, i) => {
      const { from, to } = (m ?? {}) as { from?: unknown; to?: unknown };
      if (typeof from !== "string" || typeof to !== "string")
        throw new LaunchArgsError(
          `"pathMappings"[${i}] must be {"from": "recorded/path", "to": "workspace/path"}`,
        );
      return { from, to };
    });
  }
  if (a.startAt !== undefined && typeof a.startAt !== "string" && typeof a.startAt !== "number")
    throw new LaunchArgsError(
      '"startAt" must be a seq number or a string such as "seq:120", "time:1.5ms", "first crash"',
    );
  if (
    a.processes !== undefined &&
    (!Array.isArray(a.processes) || !a.processes.every((p) => typeof p === "string"))
  )
    throw new LaunchArgsError('"processes" must be a list of pids or registered names');
  return {
    trace: trace as string[],
    stopOnEntry: a.stopOnEntry !== false,
    sourceRoot: a.sourceRoot as string | undefined,
    pathMappings,
    startAt: a.startAt as string | number | undefined,
    processes: a.processes as string[] | undefined,
  };
}
