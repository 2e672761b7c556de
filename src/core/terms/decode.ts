// Decodes ETF bytes into the Term model, accepting exactly the bytes `skipTerm` accepts (so a frame
// the loader validated always decodes).
//
// Zero-copy: binaries and fun uniqs are `subarray` views of the buffer handed in, so callers must not
// mutate or reuse that buffer while the decoded terms are alive.

import { EtfError } from "./errors";
import {
  atomEnd,
  badTag,
  checkBits,
  checkFinite,
  checkSign,
  exportEnd,
  funHeader,
  identifierEnd,
  oldFloat,
  refWords,
  short,
  skipTerm,
  tooDeep,
  tooMany,
  u32,
  etfBodyOffset,
} from "./skip";
import * as T from "./tags";
import {
  Atom,
  Bin,
  ErlFloat,
  ErlMap,
  ExportFun,
  Fun,
  ImproperList,
  Pid,
  Port,
  Ref,
  type Term,
  Tuple,
  TRUNCATED,
} from "./term";

// Copied into module constants: a namespace import reads each tag through a getter in CommonJS
// builds, which costs a call per tag comparison in the hot loops.
const {
  ATOM_EXT,
  ATOM_UTF8_EXT,
  BINARY_EXT,
  BIT_BINARY_EXT,
  COMPRESSED,
  EXPORT_EXT,
  FLOAT_EXT,
  INTEGER_EXT,
  LARGE_BIG_EXT,
  LARGE_TUPLE_EXT,
  LIST_EXT,
  MAP_EXT,
  MAX_DEPTH,
  NEWER_REFERENCE_EXT,
  NEW_FLOAT_EXT,
  NEW_FUN_EXT,
  NEW_PID_EXT,
  NEW_PORT_EXT,
  NEW_REFERENCE_EXT,
  NIL_EXT,
  PID_EXT,
  PORT_EXT,
  REFERENCE_EXT,
  SMALL_ATOM_EXT,
  SMALL_ATOM_UTF8_EXT,
  SMALL_BIG_EXT,
  SMALL_INTEGER_EXT,
  SMALL_TUPLE_EXT,
  STRING_EXT,
  V4_PORT_EXT,
} = T;

// The decoder's cursor lives in module variables: decoding never calls out to code that could
// re-enter it, and this keeps the per-term cost to a switch and a few array reads.
const EMPTY = new Uint8Array(0);
let b: Uint8Array = EMPTY;
let p = 0;
let lim = 0;

/**
 * Decodes the term whose tag is at `offset` (no version byte) and returns it with the offset just past
 * it. Throws `EtfError` on malformed input; offsets in errors are relative to `buf`.
 */
export function decodeTerm(
  buf: Uint8Array,
  offset: number,
  end: number = buf.length,
): { term: Term; end: number } {
  b = buf;
  p = offset;
  lim = end;
  try {
    const term = read();
    return { term, end: p };
  } finally {
    b = EMPTY; // do not keep a large file buffer alive from here
  }
}

/**
 * Decodes a whole ETF blob `buf[start, end)`: the version byte 131, then one term (possibly
 * compressed, tag 80) that must end exactly at `end`.
 */
export function decodeEtf(buf: Uint8Array, start = 0, end: number = buf.length): Term {
  const body = etfBodyOffset(buf, start);
  if (body < end && buf[body] === COMPRESSED) return decodeCompressed(buf, body, end);
  const r = decodeTerm(buf, body, end);
  if (r.end !== end)
    throw new EtfError(`term ends at byte ${r.end} but the data goes on to byte ${end}`, r.end);
  return r.term;
}

/**
 * Largest inflated size of a compressed term (tag 80). The recorder never compresses and caps each
 * recorded term at `max_term_size` (64 KiB by default); 16 MiB leaves room for a big module frame
 * (sources) from other writers while keeping a lying header from costing gigabytes.
 */
export const MAX_INFLATED_BYTES = 16 << 20;
/** Deflate cannot expand data more than about 1032:1, so a header claiming more is lying. */
export const MAX_INFLATE_RATIO = 1032;

function decodeCompressed(buf: Uint8Array, at: number, end: number): Term {
  if (at + 5 > end) throw short("compressed term", at);
  const size = u32(buf, at + 1);
  const packed = end - at - 5;
  if (size > MAX_INFLATED_BYTES || size > Math.max(64, packed * MAX_INFLATE_RATIO))
    throw new EtfError(
      `compressed term claims ${size} bytes from ${packed} compressed (limits: ${MAX_INFLATED_BYTES} bytes, ratio ${MAX_INFLATE_RATIO}:1)`,
      at,
    );
  let inflated: Uint8Array;
  try {
    // The size bound also stops a "zip bomb" from inflating past what the header promised.
    // Required here, not at the top: `node:zlib` loads Node's stream modules (~6 ms of a start), and
    // recorders seldom compress a term.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { inflateSync } = require("node:zlib") as typeof import("node:zlib");
    inflated = inflateSync(buf.subarray(at + 5, end), { maxOutputLength: Math.max(1, size) });
  } catch (e) {
    throw new EtfError(`compressed term does not inflate (${(e as Error).message})`, at);
  }
  if (inflated.length !== size)
    throw new EtfError(`compressed term inflates to ${inflated.length} bytes, its header says ${size}`, at);
  try {
    const r = decodeTerm(inflated, 0);
    if (r.end !== size)
      throw new EtfError(`term ends at byte ${r.end} but the data goes on to byte ${size}`, r.end);
    return r.term;
  } catch (e) {
    if (e instanceof EtfError)
      throw new EtfError(`in the compressed term, at byte ${e.offset} of its inflated data: ${e.reason}`, at);
    throw e;
  }
}

function need(n: number, at: number, what: string): void {
  if (at + n > lim) throw new EtfError(`${what} runs past the end of the data`, at);
}

// Containers are filled through an explicit stack rather than recursion, so that any nesting the
// skipper accepts (up to MAX_DEPTH) decodes without exhausting the JavaScript stack.
const TUPLE = 0;
const LIST = 1;
const MAP = 2;
const FUN = 3;
/** A list whose elements are read and whose non-list tail comes next. */
const TAIL = 4;

interface FunParts {
  at: number;
  end: number;
  module: Atom;
  oldIndex: number;
  oldUniq: number;
  pid: Term;
}

let sp = 0; // open frames: also the depth of the term read next
const kindOf = new Uint8Array(MAX_DEPTH + 1);
const left = new Float64Array(MAX_DEPTH + 1); // items still to read (a map counts keys and values)
const items: Array<Term[] | Array<[Term, Term]> | undefined> = [];
const keys: Array<Term | undefined> = [];
const funs: Array<FunParts | undefined> = [];

function push(kind: number, n: number, at: number): Term[] {
  if (sp + 1 > MAX_DEPTH) throw tooDeep(at);
  const out: Term[] = [];
  kindOf[sp] = kind;
  left[sp] = n;
  items[sp] = out;
  sp++;
  return out;
}

function pop(): void {
  sp--;
  items[sp] = undefined; // let the decoded term be collected once the caller drops it
  keys[sp] = undefined;
  funs[sp] = undefined;
}

function read(): Term {
  sp = 0;
  try {
    for (;;) {
      let value = readOne();
      if (value === undefined) continue; // a container opened: read its first item
      // Hand the value to the innermost open container, closing every container it completes.
      for (;;) {
        if (sp === 0) return value;
        const f = sp - 1;
        const kind = kindOf[f];
        if (kind === TUPLE) {
          const out = items[f] as Term[];
          out.push(value);
          if (--left[f] > 0) break;
          value = new Tuple(out);
        } else if (kind === MAP) {
          if (left[f] % 2 === 0) keys[f] = value;
          else (items[f] as Array<[Term, Term]>).push([keys[f]!, value]);
          if (--left[f] > 0) break;
          value = new ErlMap(items[f] as Array<[Term, Term]>);
        } else if (kind === LIST) {
          const out = items[f] as Term[];
          out.push(value);
          if (--left[f] > 0 || !listTail(f)) break;
          value = out;
        } else if (kind === TAIL) {
          const out = items[f] as Term[];
          value = out.length === 0 ? value : new ImproperList(out, value);
        } else {
          const out = items[f] as Term[];
          out.push(value);
          if (--left[f] > 0) break;
          value = makeFun(funs[f]!, out);
        }
        pop();
      }
    }
  } finally {
    while (sp > 0) pop();
  }
}

/** Whether the term at `at` would open a container (a non-empty tuple or map, a list, a fun). */
function opensContainer(tag: number, at: number): boolean {
  if (tag === LIST_EXT || tag === NEW_FUN_EXT) return true;
  if (tag === SMALL_TUPLE_EXT) return at + 1 < lim && b[at + 1] > 0;
  if (tag === LARGE_TUPLE_EXT || tag === MAP_EXT) return at + 5 <= lim && u32(b, at + 1) > 0;
  return false;
}

/**
 * A term too deep to show: validated and stepped over by the skipper, and given back as the cut
 * marker (the recorder's own form for a term it did not keep), so the rest of the term still decodes.
 */
function cut(at: number): Term {
  const end = skipTerm(b, at, lim);
  p = end;
  return new Tuple([TRUNCATED, CUT_TYPE, end - at, NIL_ATOM]);
}

const CUT_TYPE = Atom.of("term");
const NIL_ATOM = Atom.of("nil");

/**
 * After a list's elements: splices in a list or string tail (as `binary_to_term` does; the encoder
 * never writes one), and returns true when the list is complete, false when more items follow
 * (further elements, or a non-list tail, for which the frame becomes a TAIL).
 */
function listTail(f: number): boolean {
  for (;;) {
    if (p >= lim) throw new EtfError("list tail runs past the end of the data", p);
    const t = b[p];
    if (t === NIL_EXT) {
      p++;
      return true;
    }
    if (t === LIST_EXT) {
      const at = p;
      need(5, at, "list header");
      const n = u32(b, at + 1);
      p = at + 5;
      if (n + 1 > lim - p) throw tooMany("list", n, at, lim - p);
      if (n === 0) continue;
      left[f] = n;
      return false;
    }
    if (t === STRING_EXT) {
      const out = items[f] as Term[];
      for (const c of readOne() as number[]) out.push(c);
      return true;
    }
    kindOf[f] = TAIL;
    return false;
  }
}

/** Reads one term at `p`: a leaf, or undefined when it opened a container (pushed a frame). */
function readOne(): Term | undefined {
  if (p >= lim) throw new EtfError("term runs past the end of the data (no tag byte left)", p);
  const at = p;
  const tag = b[at];
  if (sp >= MAX_DEPTH - 1 && opensContainer(tag, at)) return cut(at);
  switch (tag) {
    case SMALL_INTEGER_EXT:
      need(2, at, "integer");
      p = at + 2;
      return b[at + 1];
    case INTEGER_EXT:
      need(5, at, "integer");
      p = at + 5;
      return (b[at + 1] << 24) | (b[at + 2] << 16) | (b[at + 3] << 8) | b[at + 4];
    case SMALL_ATOM_UTF8_EXT:
    case SMALL_ATOM_EXT: {
      need(2, at, "atom");
      const len = b[at + 1];
      need(2 + len, at, "atom");
      p = at + 2 + len;
      return atomAt(at + 2, len, tag === SMALL_ATOM_UTF8_EXT);
    }
    case ATOM_UTF8_EXT:
    case ATOM_EXT: {
      need(3, at, "atom");
      const len = (b[at + 1] << 8) | b[at + 2];
      need(3 + len, at, "atom");
      p = at + 3 + len;
      return atomAt(at + 3, len, tag === ATOM_UTF8_EXT);
    }
    case SMALL_TUPLE_EXT:
    case LARGE_TUPLE_EXT: {
      const small = tag === SMALL_TUPLE_EXT;
      need(small ? 2 : 5, at, "tuple header");
      const n = small ? b[at + 1] : u32(b, at + 1);
      p = at + (small ? 2 : 5);
      if (n === 0) return new Tuple([]);
      if (n > lim - p) throw tooMany("tuple", n, at, lim - p);
      push(TUPLE, n, at);
      return undefined;
    }
    case NIL_EXT:
      p = at + 1;
      return [];
    case STRING_EXT: {
      need(3, at, "string");
      const len = (b[at + 1] << 8) | b[at + 2];
      need(3 + len, at, "string");
      const chars: number[] = [];
      for (let i = at + 3; i < at + 3 + len; i++) chars.push(b[i]);
      p = at + 3 + len;
      return chars;
    }
    case LIST_EXT: {
      need(5, at, "list header");
      const n = u32(b, at + 1);
      p = at + 5;
      if (n + 1 > lim - p) throw tooMany("list", n, at, lim - p);
      const out = push(LIST, n, at);
      if (n > 0 || !listTail(sp - 1)) return undefined;
      pop();
      return out;
    }
    case MAP_EXT: {
      need(5, at, "map header");
      const n = u32(b, at + 1);
      p = at + 5;
      if (n === 0) return new ErlMap([]);
      if (2 * n > lim - p) throw tooMany("map", n, at, lim - p);
      push(MAP, 2 * n, at);
      return undefined;
    }
    case BINARY_EXT: {
      need(5, at, "binary header");
      const len = u32(b, at + 1);
      need(5 + len, at, "binary");
      p = at + 5 + len;
      return new Bin(b.subarray(at + 5, p));
    }
    case BIT_BINARY_EXT: {
      need(6, at, "bitstring header");
      const len = u32(b, at + 1);
      const bits = b[at + 5];
      checkBits(len, bits, at + 5);
      need(6 + len, at, "bitstring");
      p = at + 6 + len;
      return new Bin(b.subarray(at + 6, p), len === 0 ? 8 : bits);
    }
    case NEW_FLOAT_EXT:
      need(9, at, "float");
      checkFinite(b, at + 1);
      p = at + 9;
      return new ErlFloat(f64(at + 1));
    case FLOAT_EXT:
      need(32, at, "float");
      p = at + 32;
      return new ErlFloat(oldFloat(b, at + 1));
    case SMALL_BIG_EXT: {
      need(3, at, "big integer header");
      const n = b[at + 1];
      checkSign(b[at + 2], at + 2);
      need(3 + n, at, "big integer");
      p = at + 3 + n;
      return big(at + 3, n, b[at + 2] === 1);
    }
    case LARGE_BIG_EXT: {
      need(6, at, "big integer header");
      const n = u32(b, at + 1);
      checkSign(b[at + 5], at + 5);
      need(6 + n, at, "big integer");
      p = at + 6 + n;
      return big(at + 6, n, b[at + 5] === 1);
    }
    case NEW_PID_EXT:
    case PID_EXT: {
      const stop = identifierEnd(b, at, lim);
      p = at + 1;
      const node = atomOnly();
      const q = p;
      p = stop;
      return new Pid(node, u32(b, q), u32(b, q + 4), tag === NEW_PID_EXT ? u32(b, q + 8) : b[q + 8]);
    }
    case NEW_PORT_EXT:
    case V4_PORT_EXT:
    case PORT_EXT: {
      const stop = identifierEnd(b, at, lim);
      p = at + 1;
      const node = atomOnly();
      const q = p;
      p = stop;
      if (tag === V4_PORT_EXT) return new Port(node, u64(q), u32(b, q + 8));
      return new Port(node, u32(b, q), tag === NEW_PORT_EXT ? u32(b, q + 4) : b[q + 4]);
    }
    case REFERENCE_EXT:
    case NEW_REFERENCE_EXT:
    case NEWER_REFERENCE_EXT: {
      const stop = identifierEnd(b, at, lim);
      if (tag === REFERENCE_EXT) {
        p = at + 1;
        const node = atomOnly();
        const q = p;
        p = stop;
        return new Ref(node, [u32(b, q)], b[q + 4]);
      }
      const words = refWords(b, at, lim);
      p = at + 3;
      const node = atomOnly();
      let q = p;
      const creation = tag === NEWER_REFERENCE_EXT ? u32(b, q) : b[q];
      q += tag === NEWER_REFERENCE_EXT ? 4 : 1;
      const ids: number[] = [];
      for (let i = 0; i < words; i++) ids.push(u32(b, q + 4 * i));
      p = stop;
      return new Ref(node, ids, creation);
    }
    case EXPORT_EXT: {
      const stop = exportEnd(b, at, lim);
      p = at + 1;
      const module = atomOnly();
      const fun = atomOnly();
      p = stop;
      return new ExportFun(module, fun, b[stop - 1]);
    }
    case NEW_FUN_EXT:
      return openFun(at);
    default:
      throw badTag(tag, at, sp === 0);
  }
}

function openFun(at: number): Term | undefined {
  const h = funHeader(b, at, lim);
  const parts: FunParts = { at, end: h.end, module: Atom.of(""), oldIndex: 0, oldUniq: 0, pid: [] };
  const numFree = h.numFree;
  const { oldIndexAt, oldUniqAt, pidAt, varsAt } = h; // `h` is shared: copy before reading on
  p = h.moduleAt;
  parts.module = atomOnly();
  parts.oldIndex = smallInt(oldIndexAt);
  parts.oldUniq = smallInt(oldUniqAt);
  p = pidAt;
  parts.pid = readOne()!;
  p = varsAt;
  if (numFree === 0) return makeFun(parts, []);
  if (numFree > parts.end - p) throw tooMany("fun", numFree, at, parts.end - p);
  push(FUN, numFree, at);
  funs[sp - 1] = parts;
  return undefined;
}

/** A SMALL_INTEGER_EXT or INTEGER_EXT that `funHeader` validated. */
function smallInt(at: number): number {
  return b[at] === SMALL_INTEGER_EXT
    ? b[at + 1]
    : (b[at + 1] << 24) | (b[at + 2] << 16) | (b[at + 3] << 8) | b[at + 4];
}

function makeFun(f: FunParts, freeVars: Term[]): Fun {
  if (p !== f.end)
    throw new EtfError(
      `fun's Size field says it ends at byte ${f.end}, but its contents end at byte ${p}`,
      p,
    );
  const at = f.at;
  return new Fun(
    f.module,
    b[at + 5],
    u32(b, at + 22),
    b.subarray(at + 6, at + 22),
    f.oldIndex,
    f.oldUniq,
    f.pid,
    freeVars,
  );
}

/** Reads the atom at `p` that `atomEnd` already validated. */
function atomOnly(): Atom {
  const tag = b[p];
  const stop = atomEnd(b, p, lim, "atom");
  const head = tag === SMALL_ATOM_EXT || tag === SMALL_ATOM_UTF8_EXT ? 2 : 3;
  const a = atomAt(p + head, stop - p - head, tag === SMALL_ATOM_UTF8_EXT || tag === ATOM_UTF8_EXT);
  p = stop;
  return a;
}

// ---- atoms: a small cache keyed by the atom's bytes, so that the common case builds no string ----

const CACHE_SLOTS = 4096;
const cacheKeys: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(CACHE_SLOTS).fill(
  undefined,
);
const cacheUtf8 = new Uint8Array(CACHE_SLOTS);
const cacheAtoms: Atom[] = new Array<Atom>(CACHE_SLOTS);
// Non-fatal, as the skipper does not check UTF-8 either; ignoreBOM keeps a leading U+FEFF in the name.
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

function atomAt(start: number, len: number, isUtf8: boolean): Atom {
  let h = 0x811c9dc5 ^ len;
  let high = 0;
  for (let i = start; i < start + len; i++) {
    high |= b[i];
    h = Math.imul(h ^ b[i], 0x01000193);
  }
  // Latin-1 and UTF-8 only differ above 0x7F: ASCII names share one cache entry.
  const u = high >= 0x80 && isUtf8 ? 1 : 0;
  const slot = (h ^ (h >>> 15) ^ u) & (CACHE_SLOTS - 1);
  const key = cacheKeys[slot];
  if (key !== undefined && key.length === len && cacheUtf8[slot] === u) {
    let same = true;
    for (let i = 0; i < len; i++)
      if (key[i] !== b[start + i]) {
        same = false;
        break;
      }
    if (same) return cacheAtoms[slot];
  }
  let name: string;
  if (u === 1) name = utf8.decode(b.subarray(start, start + len));
  else {
    name = "";
    for (let i = start; i < start + len; i++) name += String.fromCharCode(b[i]);
  }
  const atom = Atom.of(name);
  cacheKeys[slot] = b.slice(start, start + len);
  cacheUtf8[slot] = u;
  cacheAtoms[slot] = atom;
  return atom;
}

// ---- numbers ----

const f64buf = new Float64Array(1);
const f64bytes = new Uint8Array(f64buf.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function f64(at: number): number {
  if (littleEndian) for (let i = 0; i < 8; i++) f64bytes[7 - i] = b[at + i];
  else for (let i = 0; i < 8; i++) f64bytes[i] = b[at + i];
  return f64buf[0];
}

function u64(at: number): number | bigint {
  const hi = u32(b, at);
  const lo = u32(b, at + 4);
  if (hi < 0x200000) return hi * 0x100000000 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A bignum's `n` little-endian digit bytes at `start`: a number when it is a safe integer. */
function big(start: number, n: number, negative: boolean): number | bigint {
  if (n <= 8) {
    let lo = 0;
    let hi = 0;
    for (let i = Math.min(n, 4) - 1; i >= 0; i--) lo = lo * 256 + b[start + i];
    for (let i = n - 1; i >= 4; i--) hi = hi * 256 + b[start + i];
    if (hi < 0x200000) {
      const v = hi * 0x100000000 + lo;
      return negative && v !== 0 ? -v : v;
    }
    const v = (BigInt(hi) << 32n) | BigInt(lo);
    return negative ? -v : v;
  }
  let hex = "0x";
  for (let i = n - 1; i >= 0; i--) hex += HEX[b[start + i]];
  const v = BigInt(hex);
  if (v <= MAX_SAFE) return negative && v !== 0n ? -Number(v) : Number(v);
  return negative ? -v : v;
}
