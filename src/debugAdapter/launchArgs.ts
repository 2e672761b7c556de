// The `launch` request's arguments, validated once where they enter: which trace files, where to
// start, which processes to debug, and how recorded source paths map to the workspace. Every problem
// is refused with a message naming the argument and showing a good value.

import type { DebugProtocol } from "@vscode/debugprotocol";
import { AdapterError } from "./errors";
import { LOG_LEVELS, type LogLevelName } from "./logger";
import { type MomentSpec, MOMENT_FORMS, parseMoment } from "../core/moment";
import { absolutePath } from "./paths";

export interface PathMapping {
  /** A prefix of the paths recorded in the trace (where the program was compiled). */
  from: string;
  /** What replaces it in this workspace. */
  to: string;
}

export interface LaunchArgs {
  /** Absolute paths of the trace files, one per node. */
  trace: string[];
  stopOnEntry: boolean;
  sourceRoot?: string;
  pathMappings: PathMapping[];
  startAt?: MomentSpec;
  /** Only these processes (pids, registered names, server modules, `*` patterns) are debugged. */
  processes?: string[];
  logLevel: LogLevelName;
}

/** As a client sends them: anything may be missing or of the wrong type. */
export interface LaunchRequestArguments extends DebugProtocol.LaunchRequestArguments {
  trace?: unknown;
  stopOnEntry?: unknown;
  sourceRoot?: unknown;
  pathMappings?: unknown;
  startAt?: unknown;
  processes?: unknown;
  logLevel?: unknown;
  cwd?: unknown;
}

export class LaunchArgsError extends AdapterError {}

export function parseLaunchArgs(given: unknown): LaunchArgs {
  if (given !== undefined && (given === null || typeof given !== "object" || Array.isArray(given)))
    throw new LaunchArgsError("the launch arguments must be an object");
  const a = (given ?? {}) as LaunchRequestArguments;
  if (a.cwd !== undefined && (typeof a.cwd !== "string" || a.cwd === ""))
    throw new LaunchArgsError('"cwd" must be a folder path');
  const cwd = a.cwd as string | undefined;
  const trace = typeof a.trace === "string" ? [a.trace] : a.trace;
  if (
    !Array.isArray(trace) ||
    trace.length === 0 ||
    !trace.every((t) => typeof t === "string" && t.trim() !== "")
  )
    throw new LaunchArgsError(
      '"trace" must name a trace file (or a list of files, one per node), e.g. "${workspaceFolder}/run.estrace"',
    );
  if (a.stopOnEntry !== undefined && typeof a.stopOnEntry !== "boolean")
    throw new LaunchArgsError('"stopOnEntry" must be true or false');
  if (a.sourceRoot !== undefined && (typeof a.sourceRoot !== "string" || a.sourceRoot === ""))
    throw new LaunchArgsError('"sourceRoot" must be a folder path, e.g. "${workspaceFolder}"');
  const startAt = a.startAt === undefined ? undefined : parseStartAt(a.startAt);
  if (
    a.processes !== undefined &&
    (!Array.isArray(a.processes) ||
      a.processes.length === 0 ||
      !a.processes.every((p) => typeof p === "string" && p.trim() !== ""))
  )
    throw new LaunchArgsError(
      '"processes" must be a non-empty list of pids or names, e.g. ["TicketOffice", "<0.190.0>", "Customer*"]',
    );
  if (a.logLevel !== undefined && !LOG_LEVELS.includes(a.logLevel as LogLevelName))
    throw new LaunchArgsError(`"logLevel" must be one of ${LOG_LEVELS.map((l) => `"${l}"`).join(", ")}`);
  return {
    trace: (trace as string[]).map((t) => absolutePath(t.trim(), cwd)),
    stopOnEntry: a.stopOnEntry !== false,
    sourceRoot: a.sourceRoot === undefined ? undefined : absolutePath(a.sourceRoot as string, cwd),
    pathMappings: parsePathMappings(a.pathMappings),
    startAt,
    processes: a.processes as string[] | undefined,
    logLevel: (a.logLevel as LogLevelName | undefined) ?? "error",
  };
}

function parseStartAt(v: unknown): MomentSpec {
  try {
    return parseMoment(v, '"startAt"');
  } catch {
    throw new LaunchArgsError(`"startAt" ${JSON.stringify(v)} is not a moment: use ${MOMENT_FORMS}`);
  }
}

/** `[{"from": "/app", "to": "${workspaceFolder}"}]`, or the `{"/app": "${workspaceFolder}"}` shorthand. */
function parsePathMappings(v: unknown): PathMapping[] {
  if (v === undefined) return [];
  const usage = '"pathMappings" must be a list like [{"from": "/recorded/app", "to": "${workspaceFolder}"}]';
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const entries = Object.entries(v as Record<string, unknown>);
    if (!entries.every(([from, to]) => from !== "" && typeof to === "string" && to !== ""))
      throw new LaunchArgsError(usage);
    return entries.map(([from, to]) => ({ from, to: to as string }));
  }
  if (!Array.isArray(v)) throw new LaunchArgsError(usage);
  return v.map((m: unknown, i) => {
    const { from, to } = (m ?? {}) as { from?: unknown; to?: unknown };
    if (typeof from !== "string" || typeof to !== "string" || from === "" || to === "")
      throw new LaunchArgsError(
        `"pathMappings"[${i}] must be {"from": "/recorded/app", "to": "/workspace/app"}`,
      );
    return { from, to };
  });
}
