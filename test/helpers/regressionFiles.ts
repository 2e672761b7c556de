// Minimal reproductions of the input failures of issue 14 (patterns, name tables, headers,
// compressed frames, deep terms, control characters, JSON Lines), written by
// `node --import tsx test/helpers/writeRegressions.ts` into test/fixtures/regressions/. A test checks
// the files stay what this writes and runs each case through the real CLI.

import { deflateSync } from "node:zlib";
import { atom, pid, tuple } from "../../src/core/terms/build";
import { encodeTerm } from "../../src/core/terms/encode";
import { TraceBuilder } from "../../src/core/writer";

const P = pid("n@h", 1, 0);

function small(build: (b: TraceBuilder) => void, header = {}): Uint8Array {
  const b = new TraceBuilder(header);
  b.call(P, ["M", "before", 0], []);
  build(b);
  b.call(P, ["M", "after", 0], []);
  return b.toBuffer();
}

/** A send event whose message nests `n` containers of one kind (written raw: the encoder stops at the limit). */
function deepSend(n: number, kind: "tuple" | "list" | "map"): Uint8Array {
  const ev = Buffer.from(encodeTerm(tuple(atom("send"), 1, 1500, P, P, atom("__X__"))));
  const mark = Buffer.from([119, 5, ...Buffer.from("__X__")]);
  const i = ev.indexOf(mark);
  const open = kind === "tuple" ? [104, 1] : kind === "list" ? [108, 0, 0, 0, 1] : [116, 0, 0, 0, 1, 97, 1];
  const close = kind === "list" ? [106] : [];
  const deep: number[] = [];
  for (let k = 0; k < n; k++) deep.push(...open);
  deep.push(97, 7);
  for (let k = 0; k < n; k++) deep.push(...close);
  return Buffer.concat([ev.subarray(0, i), Buffer.from(deep), ev.subarray(i + mark.length)]);
}

function jsonl(...lines: unknown[]): Uint8Array {
  return Buffer.from(lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + "\n");
}

const HEADER = {
  header: {
    version: 1,
    info: {
      $map: [
        [{ $atom: "node" }, { $atom: "n@h" }],
        [{ $atom: "time_unit" }, { $atom: "nanosecond" }],
      ],
    },
  },
};
const PID = { $pid: "<0.1.0>", node: "n@h" };
const MFA = { $tuple: [{ $atom: "M" }, { $atom: "f" }, 1] };

export function regressionFiles(): Record<string, Uint8Array> {
  const damagedHeader = Buffer.from(small(() => {}));
  damagedHeader[8 + 5 + 1] = 0x42; // the header term's tuple tag
  const bomb = Buffer.concat([Buffer.from([131, 80, 0x40, 0, 0, 0]), deflateSync(Buffer.alloc(1 << 20))]);
  return {
    "proto-tags.estrace": small((b) => {
      for (const tag of ["constructor", "__proto__", "toString"]) b.event(tag, P, [1]);
    }),
    "time-unit-constructor.estrace": small(() => {}, { timeUnit: "constructor" }),
    "start-time-1e22.estrace": small(() => {}, { startSystemTime: 10n ** 22n }),
    "damaged-header.estrace": damagedHeader,
    "compression-bomb.estrace": small((b) => b.frameBytes(bomb)),
    "deep-map-1001.estrace": small((b) => b.frameBytes(deepSend(1001, "map"))),
    "deep-list-9999.estrace": small((b) => b.frameBytes(deepSend(9999, "list"))),
    "deep-tuple-10000.estrace": small((b) => b.frameBytes(deepSend(10000, "tuple"))),
    "control-chars.estrace": small((b) => {
      b.call(P, ["M\u001b[2J\nforged line", "f\r", 0], []);
      b.frame(tuple(atom("bad\u001b]0;title\u0007\nline"), 1, 2));
    }),
    "big-integer.jsonl": jsonl(
      HEADER,
      '{"kind":"call","seq":1,"time":2,"pid":{"$pid":"<0.1.0>","node":"n@h"},"mfa":{"$tuple":[{"$atom":"M"},{"$atom":"f"},1]},"args":[123456789012345678901234567890]}',
    ),
    "lone-surrogate.jsonl": jsonl(
      HEADER,
      '{"kind":"call","seq":1,"time":2,"pid":{"$pid":"<0.1.0>","node":"n@h"},"mfa":{"$tuple":[{"$atom":"M"},{"$atom":"f"},1]},"args":["\\ud800"]}',
    ),
    "long-atom.jsonl": jsonl(HEADER, {
      kind: "call",
      seq: 1,
      time: 2,
      pid: PID,
      mfa: MFA,
      args: [{ $atom: "a".repeat(65_536) }],
    }),
    "bad-version.jsonl": jsonl({ header: { version: 9, info: HEADER.header.info } }),
    "bad-field-types.jsonl": jsonl(HEADER, {
      kind: "call",
      seq: "one",
      time: 2,
      pid: PID,
      mfa: MFA,
      args: [],
    }),
  };
}

/** How each case must end: the CLI arguments (`$F` is the case's file) and what it must answer. */
export interface RegressionCase {
  name: string;
  args: string[];
  status: 0 | 2;
  stdout?: RegExp;
  stderr?: RegExp;
  /** Text that must not appear in stdout or stderr. */
  never?: RegExp;
}

// Raw terminal controls that must never reach the output.
// eslint-disable-next-line no-control-regex -- these are exactly what must not be printed
const RAW_CONTROLS = /[\u001b\u0007\r]/;

export const REGRESSION_CASES: RegressionCase[] = [
  {
    name: "proto-tags.estrace",
    args: ["events", "$F"],
    status: 0,
    stdout: /unknown\s+\{:constructor,[\s\S]*unknown\s+\{:__proto__,[\s\S]*unknown\s+\{:toString,/,
  },
  {
    name: "proto-tags.estrace",
    args: ["events", "$F", "--kind", "call"],
    status: 0,
    never: /constructor|__proto__|toString/,
  },
  {
    name: "proto-tags.estrace",
    args: ["events", "$F", "--kind", "constructor"],
    status: 2,
    stderr: /unknown event kind "constructor"/,
  },
  {
    name: "proto-tags.estrace",
    args: ["events", "$F", "--kind", "__proto__"],
    status: 2,
    stderr: /unknown event kind "__proto__"/,
  },
  {
    name: "proto-tags.estrace",
    args: ["events", "$F", "--kind", ","],
    status: 2,
    stderr: /--kind needs a non-empty value/,
  },
  {
    name: "proto-tags.estrace",
    args: ["events", "$F", "--pid", ""],
    status: 2,
    stderr: /--pid needs a non-empty value/,
  },
  { name: "proto-tags.estrace", args: ["events", "$F", "--fun", "**************x"], status: 0, stdout: /^$/ },
  {
    name: "time-unit-constructor.estrace",
    args: ["info", "$F"],
    status: 0,
    stderr: /header time_unit :constructor is not one of/,
    never: /NaN/,
  },
  {
    name: "start-time-1e22.estrace",
    args: ["info", "$F"],
    status: 0,
    stderr: /header start_system_time 10000000000000000000000/,
    stdout: /2 events/,
  },
  {
    name: "damaged-header.estrace",
    args: ["events", "$F"],
    status: 0,
    stderr: /damaged trace header/,
    stdout: /M\.before[\s\S]*M\.after/,
  },
  {
    name: "compression-bomb.estrace",
    args: ["info", "$F"],
    status: 0,
    stderr: /compressed term claims 1073741824 bytes/,
    stdout: /2 events/,
  },
  { name: "deep-map-1001.estrace", args: ["events", "$F", "--json"], status: 0, stdout: /"\$truncated"/ },
  { name: "deep-list-9999.estrace", args: ["export", "$F"], status: 0, stdout: /"\$truncated"/ },
  { name: "deep-tuple-10000.estrace", args: ["export", "$F"], status: 0, stdout: /"\$truncated"/ },
  { name: "deep-tuple-10000.estrace", args: ["events", "$F"], status: 0, stdout: /send/ },
  {
    name: "control-chars.estrace",
    args: ["events", "$F"],
    status: 0,
    stdout: /M\\e\[2J\\nforged line\.f\\r\(\)/,
    never: RAW_CONTROLS,
  },
  {
    name: "control-chars.estrace",
    args: ["info", "$F"],
    status: 0,
    stderr: /:bad\\e\]0;title\\x07\\nline frame/,
    never: RAW_CONTROLS,
  },
  { name: "big-integer.jsonl", args: ["import", "$F", "-o", "$OUT"], status: 0, stdout: /2 frames/ },
  {
    name: "lone-surrogate.jsonl",
    args: ["import", "$F", "-o", "$OUT"],
    status: 2,
    stderr: /:2: field "args": .*lone surrogate \\uD800/,
  },
  {
    name: "long-atom.jsonl",
    args: ["import", "$F", "-o", "$OUT"],
    status: 2,
    stderr: /:2: field "args": .*atom name of 65536 bytes is longer than 65535/,
  },
  {
    name: "bad-version.jsonl",
    args: ["import", "$F", "-o", "$OUT"],
    status: 2,
    stderr: /:1: header version 9 is not supported/,
  },
  {
    name: "bad-field-types.jsonl",
    args: ["import", "$F", "-o", "$OUT"],
    status: 2,
    stderr: /:2: field "seq" must be an integer/,
  },
];
