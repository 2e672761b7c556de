// Seeded mutators for the fuzzers: hostile traces (bit flips, truncation, length attacks, deep
// nesting, compression bombs, name-table atoms), hostile JSON Lines and hostile command lines.
// The same seed always gives the same mutants, so any failure is reproducible by its seed and index.

import { deflateSync } from "node:zlib";
import { atom, pid, tuple } from "../../src/core/terms/build";
import { encodeTerm } from "../../src/core/terms/encode";

export { rng } from "../../bench/rng";

export type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];

export const HOSTILE_NAMES = [
  "constructor",
  "__proto__",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "prototype",
  "unknown",
  "",
  "\u001b[2J",
  "line\nbreak",
] as const;

const FRAME_MARK = 0xe5;
const MAGIC_LEN = 8;

/** Byte offsets of the frames in a well-formed trace. */
export function frameStarts(trace: Uint8Array): number[] {
  const out: number[] = [];
  const dv = Buffer.from(trace.buffer, trace.byteOffset, trace.byteLength);
  for (let p = MAGIC_LEN; p + 5 <= dv.length && dv[p] === FRAME_MARK; p += 5 + dv.readUInt32BE(p + 1))
    out.push(p);
  return out;
}

function frame(etf: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head[0] = FRAME_MARK;
  head.writeUInt32BE(etf.length, 1);
  return Buffer.concat([head, etf]);
}

function insertAt(trace: Uint8Array, at: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([trace.subarray(0, at), bytes, trace.subarray(at)]);
}

const P = pid("n@h", 1, 0);

function deepEvent(n: number, kind: number): Uint8Array {
  const ev = Buffer.from(encodeTerm(tuple(atom("send"), 999, 1, P, P, atom("__X__"))));
  const mark = Buffer.from([119, 5, ...Buffer.from("__X__")]);
  const i = ev.indexOf(mark);
  const open = [
    [104, 1],
    [108, 0, 0, 0, 1],
    [116, 0, 0, 0, 1, 97, 1],
  ][kind];
  const deep: number[] = [];
  for (let k = 0; k < n; k++) deep.push(...open);
  deep.push(97, 7);
  if (kind === 1) for (let k = 0; k < n; k++) deep.push(106);
  return Buffer.concat([ev.subarray(0, i), Buffer.from(deep), ev.subarray(i + mark.length)]);
}

/** One mutant of `trace` (a well-formed .estrace) and the name of the mutation. */
export function mutateTrace(trace: Uint8Array, r: Rand): { bytes: Uint8Array; how: string } {
  const frames = frameStarts(trace);
  const b = Buffer.from(trace);
  switch (int(r, 7)) {
    case 0: {
      const n = 1 + int(r, 4);
      for (let k = 0; k < n; k++) b[int(r, b.length)] ^= 1 << int(r, 8);
      return { bytes: b, how: `${n} bit flips` };
    }
    case 1: {
      const at = int(r, b.length);
      return { bytes: b.subarray(0, at), how: `truncated at ${at}` };
    }
    case 2: {
      // Length attacks: a frame's size, or a length field inside a term (list, map, binary, tuple).
      const lengths = [0, 1, 0x7fffffff, 0xffffffff, 0x40000000, b.length, b.length + 1];
      if (r() < 0.5) {
        const f = pick(r, frames);
        const v = pick(r, lengths);
        b.writeUInt32BE(v, f + 1);
        return { bytes: b, how: `frame at ${f} claims ${v} bytes` };
      }
      const tags = [];
      for (let i = MAGIC_LEN; i + 5 <= b.length; i++)
        if ([105, 108, 109, 111, 116].includes(b[i])) tags.push(i);
      const at = pick(r, tags);
      const v = pick(r, lengths);
      b.writeUInt32BE(v, at + 1);
      return { bytes: b, how: `length at ${at} (tag ${b[at]}) set to ${v}` };
    }
    case 3: {
      const n = pick(r, [998, 999, 1000, 1001, 5000, 9999, 10000, 10001, 100_001]);
      const kind = int(r, 3);
      const at = pick(r, frames.slice(1).concat(b.length));
      return {
        bytes: insertAt(b, at, frame(deepEvent(n, kind))),
        how: `deep ${["tuple", "list", "map"][kind]} ${n}`,
      };
    }
    case 4: {
      const claim = pick(r, [0, 1, 64, 1 << 20, 16 << 20, (16 << 20) + 1, 0x40000000, 0xffffffff]);
      const inner =
        r() < 0.5
          ? Buffer.alloc(int(r, 1 << 20))
          : Buffer.from(encodeTerm(tuple(atom("footer"), 1)).subarray(1));
      const head = Buffer.from([131, 80, 0, 0, 0, 0]);
      head.writeUInt32BE(claim >>> 0, 2);
      const at = pick(r, frames.slice(1).concat(b.length));
      return {
        bytes: insertAt(b, at, frame(Buffer.concat([head, deflateSync(inner)]))),
        how: `compressed claiming ${claim}`,
      };
    }
    case 5: {
      // A name-table atom as an event tag or as the header's time unit.
      const name = pick(r, HOSTILE_NAMES);
      const ev = r() < 0.5 ? tuple(atom(name), 1, 2, P) : tuple(atom(name), 1, 2, P, atom("x"), [1]);
      const at = pick(r, frames.slice(1).concat(b.length));
      return { bytes: insertAt(b, at, frame(encodeTerm(ev))), how: `event tagged :${JSON.stringify(name)}` };
    }
    default: {
      const name = pick(r, HOSTILE_NAMES);
      const unit = Buffer.from([119, 10, ...Buffer.from("nanosecond")]);
      const i = b.indexOf(unit);
      if (i < 0) return { bytes: b, how: "unchanged" };
      const bytes = Buffer.from(name);
      const repl = Buffer.from([119, bytes.length, ...bytes]);
      const out = Buffer.concat([b.subarray(0, i), repl, b.subarray(i + unit.length)]);
      out.writeUInt32BE(out.readUInt32BE(MAGIC_LEN + 1) + repl.length - unit.length, MAGIC_LEN + 1);
      return { bytes: out, how: `time_unit :${JSON.stringify(name)}` };
    }
  }
}

const JSON_VALUES = [
  "null",
  "true",
  '"x"',
  "[]",
  "{}",
  "123456789012345678901234567890",
  "-9007199254740993",
  "1e400",
  "1.5",
  '"\\ud800"',
  '{"$atom":"\\udc00"}',
  '{"$atom":"constructor"}',
  '{"$int":"12x"}',
  '{"$float":"nan"}',
  '{"$pid":"<0.1>","node":"n@h"}',
  '{"$map":[[1]]}',
  '{"$tuple":{}}',
  '{"$bin":"!!!"}',
  '{"$bits":"AA==","bits":9}',
  '{"__proto__":1}',
];

/** One mutant of a JSON Lines text (lines of an exported trace). */
export function mutateJsonl(lines: string[], r: Rand): { text: string; how: string } {
  const ls = lines.slice();
  const i = int(r, ls.length);
  switch (int(r, 8)) {
    case 0: {
      const s = ls[i];
      const at = int(r, s.length + 1);
      ls[i] = s.slice(0, at) + String.fromCharCode(int(r, 128)) + s.slice(at + 1);
      return { text: ls.join("\n"), how: `line ${i + 1}: one character changed at ${at}` };
    }
    case 1:
      ls[i] = ls[i].slice(0, int(r, ls[i].length));
      return { text: ls.join("\n"), how: `line ${i + 1} truncated` };
    case 2: {
      // Replace one JSON value (after a colon or a bracket) with a hostile one.
      const v = pick(r, JSON_VALUES);
      const spots = [...ls[i].matchAll(/(?<=[:[,])(?:-?\d+|"[^"\\]*"|true|false|null)/g)];
      if (spots.length === 0) return { text: ls.join("\n"), how: "unchanged" };
      const m = pick(r, spots);
      ls[i] = ls[i].slice(0, m.index) + v + ls[i].slice(m.index! + m[0].length);
      return { text: ls.join("\n"), how: `line ${i + 1}: ${m[0]} → ${v}` };
    }
    case 3:
      ls.splice(i, 1);
      return { text: ls.join("\n"), how: `line ${i + 1} removed` };
    case 4:
      ls.splice(i, 0, ls[int(r, ls.length)]);
      return { text: ls.join("\n"), how: `a line duplicated before ${i + 1}` };
    case 5: {
      const n = pick(r, [999, 1000, 1001, 3000, 100_000]);
      const deep = "[".repeat(n) + "1" + "]".repeat(n);
      ls.splice(
        i + 1,
        0,
        `{"kind":"send","seq":9,"time":9,"pid":{"$pid":"<0.1.0>","node":"n@h"},"to":1,"msg":${deep}}`,
      );
      return { text: ls.join("\n"), how: `message nested ${n} deep` };
    }
    case 6: {
      const name = pick(r, HOSTILE_NAMES);
      ls.splice(
        i + 1,
        0,
        `{"kind":${JSON.stringify(name)},"seq":9,"time":9,"pid":{"$pid":"<0.1.0>","node":"n@h"}}`,
      );
      return { text: ls.join("\n"), how: `event of kind ${JSON.stringify(name)}` };
    }
    default: {
      const n = pick(r, [255, 256, 65_535, 65_536, 70_000]);
      ls.splice(
        i + 1,
        0,
        `{"kind":"register","seq":9,"time":9,"pid":{"$pid":"<0.1.0>","node":"n@h"},"name":{"$atom":"${"é".repeat(n / 2)}"}}`,
      );
      return { text: ls.join("\n"), how: `atom of ${n} bytes` };
    }
  }
}

const COMMANDS = ["info", "events", "state", "flow", "stack", "export", "import", "help", "frob", ""];
const OPTIONS = [
  "--pid",
  "--kind",
  "--fun",
  "--from-seq",
  "--to-seq",
  "--from-time",
  "--to-time",
  "--limit",
  "--offset",
  "--at",
  "--time",
  "--seq",
  "--format",
  "--json",
  "--stats",
  "--desc",
  "--explain",
  "--history",
  "--bogus",
  "-o",
  "--",
  "-",
  "--=x",
  "--kind=",
  "--fun=",
];
const VALUES = [
  "",
  ",",
  ",,",
  "*",
  "**************x",
  "a".repeat(5000),
  "constructor",
  "__proto__",
  "toString",
  "-1",
  "99999999999999999999",
  "NaN",
  "Infinity",
  "1e309",
  "0x10",
  "1.5ms",
  "-2s",
  "9007199254740993",
  "<0.101.0>",
  "#PID<0.100.0>",
  "<0.999.0>",
  "TicketOffice",
  "Demo.TicketOffice.reserve/2",
  "reserve/99999999999",
  "\u001b[2J",
  "line\nbreak",
  "\ud800",
  "call,send",
  "jsonl",
  "xml",
  "@",
  ":lists.map/2",
  '"',
  'Mod."a/b"/1',
];

/** One hostile command line. `trace` is a real trace; `-o` targets go to `outDir` or special files. */
export function abuseArgs(r: Rand, trace: string, outDir: string): string[] {
  const argv: string[] = [pick(r, COMMANDS)];
  if (r() < 0.85) argv.push(pick(r, [trace, trace, trace, outDir, "/dev/null", "/nonexistent.estrace", ""]));
  const n = int(r, 6);
  for (let k = 0; k < n; k++) {
    const o = pick(r, OPTIONS);
    if (o === "-o") {
      argv.push(o, pick(r, [`${outDir}/out.x`, outDir, "/dev/full", "/nonexistent/x"]));
      continue;
    }
    argv.push(o);
    if (r() < 0.8) argv.push(pick(r, VALUES));
  }
  return argv;
}
