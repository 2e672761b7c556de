// The requests the adapter answers, and the arguments each must carry, checked once where a request
// enters: a missing or wrong-typed argument is refused with a message naming it, instead of a
// TypeError deep inside. Requests not listed are not supported and are refused as such.

type Kind = "integer" | "string" | "boolean" | "object" | "array" | "object[]" | "string[]" | "integer[]";
/** `name` required, `name?` optional. */
type Spec = Record<string, Kind>;

const THREAD: Spec = { threadId: "integer", "singleThread?": "boolean", "granularity?": "string" };

export const REQUESTS: Record<string, Spec> = {
  initialize: { adapterID: "string" },
  launch: {},
  configurationDone: {},
  disconnect: {},
  threads: {},
  stackTrace: { threadId: "integer", "startFrame?": "integer", "levels?": "integer" },
  scopes: { frameId: "integer" },
  variables: {
    variablesReference: "integer",
    "filter?": "string",
    "start?": "integer",
    "count?": "integer",
  },
  next: THREAD,
  stepIn: { ...THREAD, "targetId?": "integer" },
  stepOut: THREAD,
  stepBack: THREAD,
  continue: THREAD,
  reverseContinue: THREAD,
  restartFrame: { frameId: "integer" },
  goto: { threadId: "integer", targetId: "integer" },
  gotoTargets: { source: "object", line: "integer", "column?": "integer" },
  evaluate: { expression: "string", "frameId?": "integer", "context?": "string" },
  completions: { text: "string", column: "integer", "frameId?": "integer", "line?": "integer" },
  setBreakpoints: { source: "object", "breakpoints?": "object[]", "lines?": "integer[]" },
  breakpointLocations: { source: "object", line: "integer", "endLine?": "integer" },
  setFunctionBreakpoints: { breakpoints: "object[]" },
  setExceptionBreakpoints: { filters: "string[]", "filterOptions?": "object[]" },
  dataBreakpointInfo: { name: "string", "variablesReference?": "integer", "frameId?": "integer" },
  setDataBreakpoints: { breakpoints: "object[]" },
  exceptionInfo: { threadId: "integer" },
  loadedSources: {},
  source: { sourceReference: "integer", "source?": "object" },
};

/** Why a request that is not supported is refused (the rest get a generic message). */
const UNSUPPORTED: Record<string, string> = {
  pause: "the replay is always paused: there is nothing running to pause",
  terminate: "a recording has no program to terminate: disconnect to end the session",
  setVariable: "a recording cannot be changed: values are read-only",
  setExpression: "a recording cannot be changed: values are read-only",
  readMemory: "a recording of the BEAM has no memory to read",
  writeMemory: "a recording of the BEAM has no memory to write",
  disassemble: "a recording of the BEAM has no instructions to disassemble",
  attach: 'ElixirScope replays recordings: use "launch" with a "trace"',
  restart: "restart is not supported: start a new session",
};

function kindOf(v: unknown): Kind | "number" | "null" | "undefined" {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isSafeInteger(v) ? "integer" : "number";
  return typeof v as Kind;
}

/** Undefined when the request is answerable as sent; else the one-line reason it is refused. */
export function checkRequest(command: string, args: unknown): string | undefined {
  if (command.startsWith("elixirscope/")) return undefined;
  const spec = REQUESTS[command];
  if (!spec)
    return `${command} is not supported by ElixirScope: ${UNSUPPORTED[command] ?? "unknown request"}`;
  if (command === "launch") return undefined; // launch arguments are checked by launchArgs.ts
  if (args !== undefined && kindOf(args) !== "object") return `${command}: the arguments must be an object`;
  const a = (args ?? {}) as Record<string, unknown>;
  for (const [key, kind] of Object.entries(spec)) {
    const optional = key.endsWith("?");
    const name = optional ? key.slice(0, -1) : key;
    const v = Object.prototype.hasOwnProperty.call(a, name) ? a[name] : undefined;
    if (v === undefined) {
      if (!optional) return `${command}: the argument "${name}" is missing (it must be ${article(kind)})`;
      continue;
    }
    const [outer, inner] = kind.endsWith("[]") ? ["array" as const, kind.slice(0, -2) as Kind] : [kind];
    if (kindOf(v) !== outer)
      return `${command}: the argument "${name}" must be ${article(kind)}, not ${describe(v)}`;
    // Lists are checked entry by entry: a `null` among breakpoints must not reach the handlers.
    const bad = inner === undefined ? -1 : (v as unknown[]).findIndex((x) => kindOf(x) !== inner);
    if (inner !== undefined && bad >= 0)
      return `${command}: the argument "${name}"[${bad}] must be ${article(inner)}, not ${describe((v as unknown[])[bad])}`;
  }
  return undefined;
}

function article(kind: Kind): string {
  if (kind.endsWith("[]")) return `a list of ${kind.slice(0, -2)}s`;
  return kind === "integer" || kind === "object" || kind === "array" ? `an ${kind}` : `a ${kind}`;
}

function describe(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
