// Seeded hostile input for the debug adapter: damaged frames around valid requests, and requests of
// every command it answers with arguments missing, wrongly typed, or hostile (prototype names,
// catastrophic patterns, deep and long expressions, paths out of the source root, format holes).

import { REQUESTS } from "../../src/debugAdapter/requestArgs";
import { type Rand } from "./mutators";

export interface DapCase {
  how: string;
  bytes: Buffer;
  /** The seq of the fuzzed request, when it is one: it must get an answer. */
  seq?: number;
  /** An argument the request lacks or has wrongly typed: the error must name it. */
  names?: string;
}

const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];

function frame(body: string | Buffer): Buffer {
  const b = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\n\r\n`, "latin1"), b]);
}

/** The arguments the custom requests read, each checked by its handler. */
const CUSTOM: Record<string, Record<string, unknown>> = {
  "elixirscope/goto": { seq: 3 },
  "elixirscope/position": {},
  "elixirscope/lastChange": { expression: "state" },
  "elixirscope/reverseStepIn": { threadId: 1 },
  "elixirscope/reverseStepOut": { threadId: 1 },
  "elixirscope/stateChange": { direction: "backward" },
  "elixirscope/searchEvents": { query: "reserve", limit: 5 },
};

/** Arguments that answer (or fail cleanly) on the fuzz trace, for each command the adapter takes. */
const VALID: Record<string, Record<string, unknown>> = {
  initialize: { adapterID: "elixirscope" },
  configurationDone: {},
  threads: {},
  stackTrace: { threadId: 1, startFrame: 0, levels: 5 },
  scopes: { frameId: 1 },
  variables: { variablesReference: 1, start: 0, count: 10 },
  next: { threadId: 1 },
  stepIn: { threadId: 1 },
  stepOut: { threadId: 1 },
  stepBack: { threadId: 1 },
  continue: { threadId: 1 },
  reverseContinue: { threadId: 1 },
  restartFrame: { frameId: 1 },
  goto: { threadId: 1, targetId: 1 },
  gotoTargets: { source: { path: "lib/ticket_office.ex" }, line: 5 },
  evaluate: { expression: "state", context: "repl" },
  completions: { text: "sta", column: 4 },
  setBreakpoints: { source: { path: "lib/ticket_office.ex" }, breakpoints: [{ line: 5 }] },
  breakpointLocations: { source: { path: "lib/ticket_office.ex" }, line: 5 },
  setFunctionBreakpoints: { breakpoints: [{ name: "reserve" }] },
  setExceptionBreakpoints: { filters: ["raised"] },
  dataBreakpointInfo: { name: "state" },
  setDataBreakpoints: { breakpoints: [] },
  exceptionInfo: { threadId: 1 },
  loadedSources: {},
  source: { sourceReference: 1 },
  launch: { trace: "$TRACE", stopOnEntry: true },
  ...CUSTOM,
};

export const DAP_COMMANDS = Object.keys(VALID);

const WRONG: readonly unknown[] = [null, "x", -1, 1.5, 1e300, [], {}, true, [1, "a"], { a: 1 }];

const STAR = "*".repeat(40);
/** Text that has broken parsers, matchers and formatters elsewhere. */
export const HOSTILE_TEXT: readonly string[] = [
  "constructor",
  "__proto__",
  "toString",
  "state.constructor",
  "state.__proto__.x",
  "hasOwnProperty",
  "**************x",
  `${STAR}x`,
  `${"a*".repeat(3000)}b`,
  "(".repeat(5000) + "1" + ")".repeat(5000),
  "[".repeat(5000),
  Array.from({ length: 100_000 }, () => "1").join("+"),
  "-".repeat(20_000) + "1",
  "a".repeat(100_000),
  "../../../../../etc/passwd",
  "/etc/passwd",
  "\u001b[2J\u0000line\nbreak",
  "{_x} {0} %s",
  "\ud800",
  "",
  "first crash",
  "seq:999999999999",
];

/** A structured value in place of a string-typed one, hostile by shape. */
function hostileFor(kind: string, r: Rand): unknown {
  if (kind === "string") return pick(r, HOSTILE_TEXT);
  if (kind === "integer") return pick(r, [0, -1, 2 ** 31, Number.MAX_SAFE_INTEGER, -(2 ** 53) + 1]);
  if (kind === "string[]") return [pick(r, HOSTILE_TEXT), pick(r, HOSTILE_TEXT)];
  if (kind === "integer[]")
    return pick(r, [[-5], [2 ** 40], [0, 0, 0], Array.from({ length: 5000 }, (_, i) => i)]);
  if (kind === "array" || kind === "object[]")
    return pick(r, [
      [],
      [null],
      [{}],
      [{ name: pick(r, HOSTILE_TEXT) }],
      [{ line: -5 }, { line: 2 ** 40 }],
      Array.from({ length: 5000 }, (_, i) => ({ name: `f${i}`, line: i })),
      [{ dataId: "__proto__", accessType: "write" }],
      [{ name: 5, condition: 7, hitCondition: [], logMessage: {} }],
      [{ line: "x", column: null, condition: null }],
      [{ dataId: 5 }, { filterId: 5, condition: 3 }],
    ]);
  if (kind === "object")
    return pick(r, [
      {},
      { path: pick(r, HOSTILE_TEXT) },
      { sourceReference: 2 ** 40 },
      { name: "x", path: "../../../etc/passwd" },
    ]);
  return pick(r, WRONG);
}

function spec(command: string): Record<string, string> {
  const s = REQUESTS[command];
  if (s) return s;
  return Object.fromEntries(
    Object.entries(CUSTOM[command] ?? {}).map(([k, v]) => [
      `${k}?`,
      typeof v === "number" ? "integer" : "string",
    ]),
  );
}

function request(seq: number, command: string, args: unknown): string {
  return JSON.stringify(
    args === undefined
      ? { seq, type: "request", command }
      : { seq, type: "request", command, arguments: args },
  );
}

/** One hostile case: `seq` is the sequence number to give the request it carries. */
export function dapCase(r: Rand, seq: number, trace: string): DapCase {
  const command = pick(r, DAP_COMMANDS);
  const valid = JSON.parse(
    JSON.stringify(VALID[command]).replace('"$TRACE"', JSON.stringify(trace)),
  ) as Record<string, unknown>;
  const s = spec(command);
  const mode = int(r, 5);
  if (mode === 0) return framingCase(r, seq, command, valid);
  if (mode === 1) {
    const args = pick(r, [undefined, null, "x", 5, [], [valid]]);
    const needsArgs = Object.keys(s).some((k) => !k.endsWith("?")) && command !== "launch";
    return {
      how: `${command} with arguments ${JSON.stringify(args)}`,
      bytes: frame(request(seq, command, args)),
      seq,
      // No arguments name the first one missing; anything else than an object is refused as such.
      names:
        args === undefined
          ? needsArgs
            ? Object.keys(s).find((k) => !k.endsWith("?"))
            : undefined
          : REQUESTS[command] && command !== "launch"
            ? "arguments"
            : undefined,
    };
  }
  const keys = Object.keys(s);
  if (mode === 2 && keys.some((k) => !k.endsWith("?")) && command !== "launch") {
    const name = pick(
      r,
      keys.filter((k) => !k.endsWith("?")),
    );
    const args = { ...valid };
    delete args[name];
    return {
      how: `${command} without "${name}"`,
      bytes: frame(request(seq, command, args)),
      seq,
      names: name,
    };
  }
  if (mode === 3 && keys.length > 0 && command !== "launch") {
    const key = pick(r, keys);
    const name = key.replace(/\?$/, "");
    const kind = s[key];
    const value = pick(
      r,
      WRONG.filter((v) => !sameKind(v, kind)),
    );
    return {
      how: `${command} with "${name}": ${JSON.stringify(value)}`,
      bytes: frame(request(seq, command, { ...valid, [name]: value })),
      seq,
      names: name,
    };
  }
  // Right types, hostile values: every argument of the request at once.
  const args: Record<string, unknown> = { ...valid };
  for (const key of keys) if (r() < 0.7) args[key.replace(/\?$/, "")] = hostileFor(s[key], r);
  const shown = JSON.stringify(args);
  return {
    how: `${command} with hostile values ${shown.length > 300 ? `${shown.slice(0, 300)}…` : shown}`,
    bytes: frame(request(seq, command, args)),
    seq,
  };
}

function sameKind(v: unknown, kind: string): boolean {
  if (kind.endsWith("[]")) return Array.isArray(v) && v.every((x) => sameKind(x, kind.slice(0, -2)));
  if (kind === "integer") return Number.isSafeInteger(v);
  if (kind === "array") return Array.isArray(v);
  if (kind === "object") return v !== null && typeof v === "object" && !Array.isArray(v);
  return typeof v === kind;
}

/** A valid request's frame, damaged in one way. */
function framingCase(r: Rand, seq: number, command: string, args: Record<string, unknown>): DapCase {
  const body = Buffer.from(request(seq, command, args), "utf8");
  const n = body.length;
  const head = (s: string): Buffer => Buffer.from(s, "latin1");
  const flip = (b: Buffer): Buffer => {
    const c = Buffer.from(b);
    const k = 1 + int(r, 3);
    for (let i = 0; i < k; i++) c[int(r, c.length)] ^= 1 << int(r, 8);
    return c;
  };
  const options: Array<[string, () => Buffer]> = [
    ["invalid JSON", () => frame(Buffer.concat([body.subarray(0, n - 1), head(",}")]))],
    ["length one short", () => Buffer.concat([head(`Content-Length: ${n - 1}\r\n\r\n`), body])],
    ["length too long", () => Buffer.concat([head(`Content-Length: ${n + 1 + int(r, 500)}\r\n\r\n`), body])],
    [
      "length counted in characters",
      () => Buffer.concat([head(`Content-Length: ${body.toString("utf8").length}\r\n\r\n`), body, head("é")]),
    ],
    ["null body", () => frame("null")],
    [
      "garbled length",
      () =>
        Buffer.concat([
          head(`Content-Length: ${pick(r, ["abc", "-5", "", "1e3", "0x10", " "])}\r\n\r\n`),
          body,
        ]),
    ],
    ["lowercase header", () => Buffer.concat([head(`content-length: ${n}\r\n\r\n`), body])],
    ["unknown header", () => Buffer.concat([head(`X-Foo: bar\r\nContent-Length: ${n}\r\n\r\n`), body])],
    ["header without the blank line", () => Buffer.concat([head(`Content-Length: ${n}\r\n`), body])],
    ["bit flips in the header", () => flip(frame(body)).subarray(0)],
    ["bit flips in the body", () => Buffer.concat([head(`Content-Length: ${n}\r\n\r\n`), flip(body)])],
    [
      "a huge claimed length",
      () =>
        Buffer.concat([
          head(`Content-Length: ${pick(r, [17 << 20, 2 ** 40, 999999999999999])}\r\n\r\n`),
          body,
        ]),
    ],
    ["random bytes", () => Buffer.from(Array.from({ length: int(r, 300) }, () => int(r, 256)))],
    ["two frames glued into one", () => frame(Buffer.concat([body, body]))],
  ];
  const [name, make] = pick(r, options);
  return { how: `${command} frame: ${name}`, bytes: make() };
}
