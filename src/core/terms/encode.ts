// Encodes terms to ETF as `:erlang.term_to_binary/1` does on OTP 26, so that traces written from
// TypeScript (import, fixtures, benchmarks) are byte-for-byte what the recorder would write.

import { compareMapKeys } from "./equal";
import * as T from "./tags";

// Copied into module constants: a namespace import reads each tag through a getter in CommonJS
// builds, which costs a call per tag comparison in the hot loops.
const {
  ATOM_UTF8_EXT,
  BINARY_EXT,
  BIT_BINARY_EXT,
  EXPORT_EXT,
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
  NIL_EXT,
  SMALL_ATOM_UTF8_EXT,
  SMALL_BIG_EXT,
  SMALL_INTEGER_EXT,
  SMALL_TUPLE_EXT,
  STRING_EXT,
  V4_PORT_EXT,
  VERSION,
} = T;
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
} from "./term";

/** Frame mark of the trace format: `0xE5, size:u32be, etf`. */
const FRAME_MARK = 0xe5;
/** Small maps (up to 32 keys) are flatmaps on the BEAM, always held and written in key order. */
const FLATMAP_MAX = 32;
const MAX_V3_PORT = 0x0fffffff;

const utf8 = new TextEncoder();
// Atom names are few and written often: keep their UTF-8 bytes.
const atomBytes = new Map<Atom, Uint8Array>();

/**
 * A growable byte buffer that appends terms. One writer is reused for many terms or frames: it
 * only reallocates when it outgrows its buffer, never per term.
 */
export class EtfWriter {
  private buf: Uint8Array;
  private len = 0;

  constructor(initialCapacity = 4096) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  get length(): number {
    return this.len;
  }

  /** The bytes written so far, as a view: valid until the next write or `reset()`. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** A copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  reset(): this {
    this.len = 0;
    return this;
  }

  /** Appends a whole ETF blob: the version byte 131 and the term. */
  etf(term: Term): this {
    this.byte(VERSION);
    return this.term(term);
  }

  /** Appends a trace frame: `0xE5, size:u32be, 131, term`. */
  frame(term: Term): this {
    this.byte(FRAME_MARK);
    const sizeAt = this.len;
    this.u32(0);
    this.etf(term);
    this.patchU32(sizeAt, this.len - sizeAt - 4);
    return this;
  }

  /** Appends the term alone (tag and data, no version byte). */
  term(term: Term): this {
    this.write(term);
    return this;
  }

  byte(x: number): this {
    this.ensure(1);
    this.buf[this.len++] = x;
    return this;
  }

  bytes(data: Uint8Array): this {
    const n = data.length;
    this.ensure(n);
    // TypedArray.set costs more than a loop for the few bytes of an atom or a short binary.
    if (n < 32) for (let i = 0; i < n; i++) this.buf[this.len + i] = data[i];
    else this.buf.set(data, this.len);
    this.len += n;
    return this;
  }

  u16(x: number): this {
    this.ensure(2);
    this.buf[this.len++] = x >>> 8;
    this.buf[this.len++] = x;
    return this;
  }

  u32(x: number): this {
    this.ensure(4);
    this.patchU32(this.len, x);
    this.len += 4;
    return this;
  }

  private patchU32(at: number, x: number): void {
    const b = this.buf;
    b[at] = x >>> 24;
    b[at + 1] = x >>> 16;
    b[at + 2] = x >>> 8;
    b[at + 3] = x;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  // Work stack of terms still to write (children pushed in reverse), so that nesting up to MAX_DEPTH
  // needs no recursion; `Mark`s stand for the NIL closing a list and a fun's Size to patch.
  private readonly todo: Array<Term | Mark> = [];
  private readonly depths: number[] = [];

  private write(root: Term): void {
    const todo = this.todo;
    const depths = this.depths;
    todo.push(root);
    depths.push(0);
    try {
      while (todo.length > 0) {
        const t = todo.pop()!;
        const depth = depths.pop()!;
        if (t instanceof Mark) {
          if (t === NIL_MARK) this.byte(NIL_EXT);
          else this.patchU32(t.sizeAt, this.len - t.sizeAt);
        } else this.one(t, depth);
      }
    } finally {
      todo.length = 0;
      depths.length = 0;
    }
  }

  private later(t: Term | Mark, depth: number): void {
    this.todo.push(t);
    this.depths.push(depth);
  }

  /** Writes `t`'s tag and fixed fields, and queues its children. */
  private one(t: Term, depth: number): void {
    if (typeof t === "number") return this.integer(t);
    if (typeof t === "bigint") return this.bigint(t);
    if (t instanceof Atom) return this.atom(t);
    if (t instanceof Tuple) {
      const n = t.elements.length;
      if (n > 0) this.deeper(depth);
      if (n < 256) {
        this.byte(SMALL_TUPLE_EXT);
        this.byte(n);
      } else {
        this.byte(LARGE_TUPLE_EXT);
        this.u32(n);
      }
      for (let i = n - 1; i >= 0; i--) this.later(t.elements[i], depth + 1);
      return;
    }
    if (Array.isArray(t)) return this.list(t, [], depth);
    if (t instanceof Bin) return this.binary(t);
    if (t instanceof ErlMap) return this.map(t, depth);
    if (t instanceof ErlFloat) return this.float(t.value);
    if (t instanceof ImproperList) return this.list(t.elements, t.tail, depth);
    if (t instanceof Pid) {
      this.byte(NEW_PID_EXT);
      this.atom(t.node);
      this.u32(t.id);
      this.u32(t.serial);
      this.u32(t.creation);
      return;
    }
    if (t instanceof Ref) {
      if (t.ids.length < 1 || t.ids.length > 5)
        throw new RangeError(`a reference has 1 to 5 id words, not ${t.ids.length}`);
      this.byte(NEWER_REFERENCE_EXT);
      this.u16(t.ids.length);
      this.atom(t.node);
      this.u32(t.creation);
      for (const id of t.ids) this.u32(id);
      return;
    }
    if (t instanceof Port) return this.port(t);
    if (t instanceof ExportFun) {
      if (!(Number.isInteger(t.arity) && t.arity >= 0 && t.arity <= 255))
        throw new RangeError(`export fun arity must be 0..255, not ${t.arity}`);
      this.byte(EXPORT_EXT);
      this.atom(t.module);
      this.atom(t.fun);
      this.byte(SMALL_INTEGER_EXT);
      this.byte(t.arity);
      return;
    }
    if (t instanceof Fun) return this.fun(t, depth);
    throw new TypeError(`not a term: ${describe(t)}`);
  }

  private deeper(depth: number): void {
    // The decoder refuses what nests deeper than MAX_DEPTH: refuse to write it too.
    if (depth + 1 > MAX_DEPTH) throw new RangeError(`term nests deeper than ${MAX_DEPTH} levels`);
  }

  private integer(v: number): void {
    if (!Number.isInteger(v)) throw new TypeError(`cannot encode ${v} as an integer (floats are ErlFloat)`);
    if (v >= 0 && v <= 255) {
      this.byte(SMALL_INTEGER_EXT);
      this.byte(v);
    } else if (v >= -0x80000000 && v <= 0x7fffffff) {
      this.byte(INTEGER_EXT);
      this.u32(v >>> 0);
    } else {
      const digits: number[] = [];
      // Division by 256 is exact on doubles, so even integers beyond 2^53 keep their value.
      for (let a = Math.abs(v); a > 0; a = Math.floor(a / 256)) digits.push(a % 256);
      this.byte(SMALL_BIG_EXT);
      this.byte(digits.length);
      this.byte(v < 0 ? 1 : 0);
      for (const d of digits) this.byte(d);
    }
  }

  private bigint(v: bigint): void {
    if (v >= -0x80000000n && v <= 0x7fffffffn) return this.integer(Number(v));
    const negative = v < 0n;
    let hex = (negative ? -v : v).toString(16);
    if (hex.length % 2 === 1) hex = "0" + hex;
    const n = hex.length / 2;
    if (n < 256) {
      this.byte(SMALL_BIG_EXT);
      this.byte(n);
    } else {
      this.byte(LARGE_BIG_EXT);
      this.u32(n);
    }
    this.byte(negative ? 1 : 0);
    this.ensure(n);
    for (let i = n - 1; i >= 0; i--) this.buf[this.len++] = parseInt(hex.substr(2 * i, 2), 16);
  }

  private float(v: number): void {
    if (!Number.isFinite(v)) throw new RangeError(`the BEAM has no float ${v}`);
    this.byte(NEW_FLOAT_EXT);
    this.ensure(8);
    f64[0] = v;
    for (let i = 0; i < 8; i++) this.buf[this.len++] = f64bytes[littleEndian ? 7 - i : i];
  }

  private atom(a: Atom): void {
    let bytes = atomBytes.get(a);
    if (bytes === undefined) {
      bytes = utf8.encode(a.name);
      if (bytes.length > 0xffff)
        throw new RangeError(`atom name of ${bytes.length} bytes is too long for ETF`);
      atomBytes.set(a, bytes);
    }
    if (bytes.length < 256) {
      this.byte(SMALL_ATOM_UTF8_EXT);
      this.byte(bytes.length);
    } else {
      this.byte(ATOM_UTF8_EXT);
      this.u16(bytes.length);
    }
    this.bytes(bytes);
  }

  private binary(b: Bin): void {
    const n = b.bytes.length;
    if (b.bits === 8 || n === 0) {
      this.byte(BINARY_EXT);
      this.u32(n);
      this.bytes(b.bytes);
      return;
    }
    if (!(Number.isInteger(b.bits) && b.bits >= 1 && b.bits < 8))
      throw new RangeError(`bitstring bits must be 1..8, not ${b.bits}`);
    this.byte(BIT_BINARY_EXT);
    this.u32(n);
    this.byte(b.bits);
    this.bytes(b.bytes.subarray(0, n - 1));
    // The unused low bits of the last byte are zero in term_to_binary's output.
    this.byte(b.bytes[n - 1] & (0xff << (8 - b.bits)));
  }

  private list(elements: Term[], tail: Term, depth: number): void {
    // Splice list tails in, as the BEAM holds `[1 | [2]]` as `[1, 2]`.
    while (!(Array.isArray(tail) && tail.length === 0)) {
      if (Array.isArray(tail)) {
        elements = elements.concat(tail);
        tail = [];
      } else if (tail instanceof ImproperList) {
        elements = elements.concat(tail.elements);
        tail = tail.tail;
      } else break;
    }
    const n = elements.length;
    if (n === 0) {
      if (Array.isArray(tail)) this.byte(NIL_EXT);
      else this.one(tail, depth);
      return;
    }
    this.deeper(depth);
    if (Array.isArray(tail) && n <= 0xffff && allBytes(elements)) {
      this.byte(STRING_EXT);
      this.u16(n);
      this.ensure(n);
      for (const e of elements) this.buf[this.len++] = e as number;
      return;
    }
    this.byte(LIST_EXT);
    this.u32(n);
    this.later(Array.isArray(tail) ? NIL_MARK : tail, depth + 1);
    for (let i = n - 1; i >= 0; i--) this.later(elements[i], depth + 1);
  }

  private map(m: ErlMap, depth: number): void {
    let entries = m.entries;
    if (entries.length > 0) this.deeper(depth);
    if (entries.length <= FLATMAP_MAX && !keysSorted(entries))
      entries = entries.slice().sort((x, y) => compareMapKeys(x[0], y[0]));
    this.byte(MAP_EXT);
    this.u32(entries.length);
    for (let i = entries.length - 1; i >= 0; i--) {
      this.later(entries[i][1], depth + 1);
      this.later(entries[i][0], depth + 1);
    }
  }

  private port(t: Port): void {
    const id = t.id;
    if (id > MAX_V3_PORT) {
      this.byte(V4_PORT_EXT);
      this.atom(t.node);
      const big = BigInt(id);
      this.u32(Number(big >> 32n));
      this.u32(Number(big & 0xffffffffn));
    } else {
      this.byte(NEW_PORT_EXT);
      this.atom(t.node);
      this.u32(Number(id));
    }
    this.u32(t.creation);
  }

  private fun(f: Fun, depth: number): void {
    if (f.uniq.length !== 16) throw new RangeError(`a fun's uniq is 16 bytes, not ${f.uniq.length}`);
    for (const [name, v] of [
      ["oldIndex", f.oldIndex],
      ["oldUniq", f.oldUniq],
    ] as const)
      if (!(Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff))
        throw new RangeError(`a fun's ${name} must be a 32-bit integer, not ${v}`);
    if (!(f.pid instanceof Pid)) throw new TypeError("a fun's creator (pid field) must be a pid");
    if (f.freeVars.length > 0) this.deeper(depth);
    this.byte(NEW_FUN_EXT);
    const sizeAt = this.len;
    this.u32(0);
    this.byte(f.arity);
    this.bytes(f.uniq);
    this.u32(f.index);
    this.u32(f.freeVars.length);
    this.atom(f.module);
    this.integer(f.oldIndex);
    this.integer(f.oldUniq);
    this.later(new Mark(sizeAt), depth + 1);
    for (let i = f.freeVars.length - 1; i >= 0; i--) this.later(f.freeVars[i], depth + 1);
    this.later(f.pid, depth + 1);
  }
}

class Mark {
  constructor(readonly sizeAt: number) {}
}
const NIL_MARK = new Mark(-1);

const f64 = new Float64Array(1);
const f64bytes = new Uint8Array(f64.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function allBytes(elements: Term[]): boolean {
  for (const e of elements)
    if (typeof e !== "number" || !(e >= 0 && e <= 255 && Number.isInteger(e))) return false;
  return true;
}

function keysSorted(entries: Array<[Term, Term]>): boolean {
  for (let i = 1; i < entries.length; i++)
    if (compareMapKeys(entries[i - 1][0], entries[i][0]) > 0) return false;
  return true;
}

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (typeof x === "object") return (x as object).constructor?.name ?? "object";
  return `${typeof x} ${String(x)}`;
}

// One writer serves every encodeTerm call: nothing it does can call back into encodeTerm. Made by
// the first call, not when the module loads: its 64 KiB are fresh pages that `info` or a debug
// launch, which encode nothing, paid for at every start.
let shared: EtfWriter | undefined;

/** `:erlang.term_to_binary(term)`: the version byte 131 followed by the term. */
export function encodeTerm(term: Term): Uint8Array {
  shared ??= new EtfWriter(1 << 16);
  shared.reset();
  shared.etf(term);
  const out = shared.toBytes();
  // Do not keep a huge buffer alive after encoding one huge term.
  if (shared.length > 1 << 24) shared = new EtfWriter(1 << 16);
  return out;
}
