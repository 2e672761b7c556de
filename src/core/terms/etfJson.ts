// ETF bytes straight to the tagged JSON text of `frameToJsonLine` (jsonl.ts), without building
// terms: the export's fast path. It covers the shapes recorded events are made of (integers, ASCII
// atoms, binaries, lists, tuples, maps, floats, pids, references) and answers undefined for anything
// else — or for bytes it does not find well formed — so that the caller takes the decoding path,
// which gives the same text or the same clear error.

import * as T from "./tags";

const {
  ATOM_EXT,
  ATOM_UTF8_EXT,
  BINARY_EXT,
  INTEGER_EXT,
  LARGE_TUPLE_EXT,
  LIST_EXT,
  MAP_EXT,
  NEWER_REFERENCE_EXT,
  NEW_FLOAT_EXT,
  NEW_PID_EXT,
  NIL_EXT,
  SMALL_ATOM_EXT,
  SMALL_ATOM_UTF8_EXT,
  SMALL_BIG_EXT,
  SMALL_INTEGER_EXT,
  SMALL_TUPLE_EXT,
  STRING_EXT,
  VERSION,
} = T;

/** Deeper terms go the decoding path (which cuts very deep ones the way the decoder does). */
const MAX_NEST = 64;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const f64 = new DataView(new ArrayBuffer(8));

let b: Uint8Array = new Uint8Array(0);
let p = 0;
let lim = 0;
/** Set when the bytes leave the covered shapes; every reader checks it before trusting `p`. */
let bail = false;

/**
 * The JSON line of an event frame `buf[start, end)` (version byte first), exactly as
 * `frameToJsonLine(decodeEtf(...))` writes it with `names` the field names after `kind`; undefined
 * when the frame is not of the shapes covered here.
 */
export function eventFrameToJsonLine(
  buf: Uint8Array,
  start: number,
  end: number,
  namesOf: (kind: string) => readonly string[],
): string | undefined {
  if (end - start < 3 || buf[start] !== VERSION) return undefined;
  b = buf;
  p = start + 1;
  lim = end;
  bail = false;
  try {
    const tag = b[p];
    let n: number;
    if (tag === SMALL_TUPLE_EXT && p + 2 <= lim) {
      n = b[p + 1];
      p += 2;
    } else if (tag === LARGE_TUPLE_EXT && p + 5 <= lim) {
      n = u32(p + 1);
      p += 5;
    } else return undefined;
    if (n === 0) return undefined;
    const kind = atomName();
    if (kind === undefined || kind === "estrace" || kind === "module" || kind === "footer") return undefined;
    const names = namesOf(kind);
    let out = `{"kind":${quote(kind)}`;
    let extra = "";
    for (let i = 0; i < n - 1; i++) {
      const v = value(0);
      if (v === undefined || bail) return undefined;
      if (i < names.length) out += `,${quote(names[i])}:${v}`;
      else extra += extra === "" ? v : `,${v}`;
    }
    if (p !== lim) return undefined;
    return extra === "" ? `${out}}` : `${out},"extra":[${extra}]}`;
  } finally {
    b = new Uint8Array(0);
  }
}

function u32(at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** An atom's name when it is ASCII (Latin-1 and UTF-8 agree there), else undefined. */
function atomName(): string | undefined {
  const tag = b[p];
  let len: number;
  let at: number;
  if (tag === SMALL_ATOM_UTF8_EXT || tag === SMALL_ATOM_EXT) {
    if (p + 2 > lim) return undefined;
    len = b[p + 1];
    at = p + 2;
  } else if (tag === ATOM_UTF8_EXT || tag === ATOM_EXT) {
    if (p + 3 > lim) return undefined;
    len = (b[p + 1] << 8) | b[p + 2];
    at = p + 3;
  } else return undefined;
  if (at + len > lim) return undefined;
  let s = "";
  for (let i = at; i < at + len; i++) {
    const c = b[i];
    if (c >= 0x80) return undefined;
    s += String.fromCharCode(c);
  }
  p = at + len;
  return s;
}

/** One term's JSON text, or undefined (and `bail`) when not covered. */
function value(depth: number): string | undefined {
  if (depth > MAX_NEST || p >= lim) return fail();
  const at = p;
  const tag = b[at];
  switch (tag) {
    case SMALL_INTEGER_EXT:
      if (at + 2 > lim) return fail();
      p = at + 2;
      return String(b[at + 1]);
    case INTEGER_EXT:
      if (at + 5 > lim) return fail();
      p = at + 5;
      return String((b[at + 1] << 24) | (b[at + 2] << 16) | (b[at + 3] << 8) | b[at + 4]);
    case SMALL_BIG_EXT: {
      if (at + 3 > lim) return fail();
      const n = b[at + 1];
      const sign = b[at + 2];
      if (n > 6 || sign > 1 || at + 3 + n > lim) return fail(); // beyond 2^48: the decoding path
      let v = 0;
      for (let i = n - 1; i >= 0; i--) v = v * 256 + b[at + 3 + i];
      p = at + 3 + n;
      return String(sign === 1 && v !== 0 ? -v : v);
    }
    case SMALL_ATOM_UTF8_EXT:
    case SMALL_ATOM_EXT:
    case ATOM_UTF8_EXT:
    case ATOM_EXT: {
      const name = atomName();
      return name === undefined ? fail() : `{"$atom":${quote(name)}}`;
    }
    case NIL_EXT:
      p = at + 1;
      return "[]";
    case STRING_EXT: {
      if (at + 3 > lim) return fail();
      const len = (b[at + 1] << 8) | b[at + 2];
      if (at + 3 + len > lim) return fail();
      let s = "[";
      for (let i = 0; i < len; i++) s += i === 0 ? String(b[at + 3]) : `,${b[at + 3 + i]}`;
      p = at + 3 + len;
      return `${s}]`;
    }
    case LIST_EXT: {
      if (at + 5 > lim) return fail();
      const n = u32(at + 1);
      if (n > lim - at) return fail();
      p = at + 5;
      let s = "[";
      for (let i = 0; i < n; i++) {
        const v = value(depth + 1);
        if (v === undefined) return undefined;
        s += i === 0 ? v : `,${v}`;
      }
      // Only a proper list: improper tails and spliced tails go the decoding path.
      if (p >= lim || b[p] !== NIL_EXT) return fail();
      p++;
      return `${s}]`;
    }
    case SMALL_TUPLE_EXT:
    case LARGE_TUPLE_EXT: {
      const small = tag === SMALL_TUPLE_EXT;
      if (at + (small ? 2 : 5) > lim) return fail();
      const n = small ? b[at + 1] : u32(at + 1);
      if (n > lim - at) return fail();
      p = at + (small ? 2 : 5);
      let s = '{"$tuple":[';
      for (let i = 0; i < n; i++) {
        const v = value(depth + 1);
        if (v === undefined) return undefined;
        s += i === 0 ? v : `,${v}`;
      }
      return `${s}]}`;
    }
    case MAP_EXT: {
      if (at + 5 > lim) return fail();
      const n = u32(at + 1);
      if (2 * n > lim - at) return fail();
      p = at + 5;
      let s = '{"$map":[';
      for (let i = 0; i < n; i++) {
        const k = value(depth + 1);
        if (k === undefined) return undefined;
        const v = value(depth + 1);
        if (v === undefined) return undefined;
        s += `${i === 0 ? "" : ","}[${k},${v}]`;
      }
      return `${s}]}`;
    }
    case BINARY_EXT: {
      if (at + 5 > lim) return fail();
      const len = u32(at + 1);
      if (len > lim - at - 5) return fail();
      p = at + 5 + len;
      return binary(at + 5, p);
    }
    case NEW_FLOAT_EXT: {
      if (at + 9 > lim) return fail();
      for (let i = 0; i < 8; i++) f64.setUint8(i, b[at + 1 + i]);
      const x = f64.getFloat64(0);
      if (!Number.isFinite(x)) return fail();
      p = at + 9;
      return `{"$float":${Object.is(x, -0) ? '"-0.0"' : JSON.stringify(x)}}`;
    }
    case NEW_PID_EXT: {
      p = at + 1;
      const node = atomName();
      if (node === undefined || p + 12 > lim) return fail();
      const id = u32(p);
      const serial = u32(p + 4);
      const creation = u32(p + 8);
      p += 12;
      return `{"$pid":"<0.${id}.${serial}>","node":${quote(node)}${creation !== 0 ? `,"creation":${creation}` : ""}}`;
    }
    case NEWER_REFERENCE_EXT: {
      if (at + 3 > lim) return fail();
      const words = (b[at + 1] << 8) | b[at + 2];
      if (words < 1 || words > 5) return fail();
      p = at + 3;
      const node = atomName();
      if (node === undefined || p + 4 + 4 * words > lim) return fail();
      const creation = u32(p);
      let ids = "";
      for (let i = 0; i < words; i++) ids += `${i === 0 ? "" : ","}${u32(p + 4 + 4 * i)}`;
      p += 4 + 4 * words;
      return `{"$ref":[${ids}],"node":${quote(node)}${creation !== 0 ? `,"creation":${creation}` : ""}}`;
    }
    default:
      return fail();
  }
}

function fail(): undefined {
  bail = true;
  return undefined;
}

/** A binary as `termToJson` gives it: its UTF-8 text as a JSON string, else `{"$bin": base64}`. */
function binary(start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end; i++)
    if (b[i] >= 0x80) {
      ascii = false;
      break;
    }
  if (ascii) return quoteBytes(start, end);
  try {
    return JSON.stringify(utf8.decode(b.subarray(start, end)));
  } catch {
    return `{"$bin":"${Buffer.from(b.buffer, b.byteOffset + start, end - start).toString("base64")}"}`;
  }
}

/** JSON.stringify of an ASCII string given as bytes. */
function quoteBytes(start: number, end: number): string {
  let s = '"';
  let run = start;
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
    if (i > run) s += latin1(run, i);
    s += ESCAPES[c];
    run = i + 1;
  }
  if (end > run) s += latin1(run, end);
  return `${s}"`;
}

function latin1(start: number, end: number): string {
  return end - start > 32
    ? Buffer.from(b.buffer, b.byteOffset + start, end - start).toString("latin1")
    : String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
}

function quote(s: string): string {
  return JSON.stringify(s);
}

/** JSON's escapes for the bytes that need one (controls, quote, backslash). */
const ESCAPES: string[] = [];
for (let c = 0; c < 0x20; c++) ESCAPES[c] = JSON.stringify(String.fromCharCode(c)).slice(1, -1);
ESCAPES[0x22] = '\\"';
ESCAPES[0x5c] = "\\\\";
