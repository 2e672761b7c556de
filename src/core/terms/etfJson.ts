// ETF bytes straight to the tagged JSON text of `frameToJsonLine` (jsonl.ts), as UTF-8 bytes into
// one output buffer, without building terms or strings: the export's fast path. It covers the shapes
// recorded events are made of (integers, ASCII atoms, binaries, lists, tuples, maps, floats, pids,
// references) and declines anything else — or bytes it does not find well formed — so that the
// caller takes the decoding path, which gives the same text or the same clear error.

import { isUtf8 } from "node:buffer";
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

/**
 * Output bytes per input byte at most, the room made per frame: a field name (`,"stacktrace":`, 14
 * bytes) before a one-byte `[]`; an escaped control character (`\u0001`) is 6.
 */
const EXPANSION = 16;

/** Frames above this many bytes get room for twice their size first, more only if they need it. */
const LARGE_FRAME = 1 << 16;

/** Deeper terms go the decoding path (which cuts very deep ones the way the decoder does). */
const MAX_NEST = 64;

const f64 = new DataView(new ArrayBuffer(8));
const EMPTY = new Uint8Array(0);

/**
 * A piece of output text written as is (field names, memoized atoms, node names): a DataView, so that
 * `bytes` copies it four bytes per step (the copies were ~28 % of the transcoder's time, byte by byte),
 * and its length as a field — a DataView's `byteLength` is a call into a builtin in Node 20's V8, not
 * inlined (~4 % of the transcoder's ticks).
 */
class Piece {
  constructor(
    readonly v: DataView,
    readonly n: number,
  ) {}
}
const NO_PIECE = new Piece(new DataView(new ArrayBuffer(0)), 0);

// The reader's cursor and the writer's buffer live in module variables: a frame is transcoded in one
// synchronous call that never re-enters.
let b: Uint8Array = EMPTY;
let p = 0;
let lim = 0;
let out: Buffer = Buffer.allocUnsafeSlow(1 << 16);
/** `out` as a DataView, for `bytes`. */
let ov = viewOf(out);
let o = 0;
/** Set when the buffer grew after writes past its end had been dropped: the frame is redone. */
let overran = false;
/** Whether events that may name an earlier event (trace format 2) are declined (see `deferReferences`). */
let deferring = false;
/** Set when the last frame was declined for that reason. */
let deferredLast = false;
/** The arity from which the event kind `headOf` last stepped over may name an earlier event. */
let refArity = 0;

/**
 * From now on (`on`), declines every event that may name an earlier event instead of writing it as
 * recorded: a receive naming its send, a call, return or state naming an earlier term (trace format 2,
 * `Replay.refersToEarlier`) — by kind and element count, a superset. The export's workers cannot
 * resolve such references: the main thread writes those events through the replay.
 */
export function deferReferences(on: boolean): void {
  deferring = on;
}

/** Whether the last frame `appendEventJson` declined was declined by `deferReferences`. */
export function wasDeferred(): boolean {
  return deferredLast;
}

/**
 * The element count (kind included) from which an event of this kind may name an earlier event, as
 * the parse reads them (readTrace.ts): a receive `{:receive, seq, t, pid, from, :"$sent", send_seq}`,
 * a call with a ninth element, a return or state with a seventh; other kinds never.
 */
export function referringArity(kind: string): number {
  switch (kind) {
    case "receive":
    case "return":
    case "state":
      return 7;
    case "call":
      return 9;
    default:
      return Infinity;
  }
}

/** Bytes written so far by `appendEventJson` / `appendText` (a view, valid until the next append). */
export function pendingOutput(): Buffer {
  return out.subarray(0, o);
}

/**
 * Writes from now on into `buf` (from its start), and returns what was written until now as a view of
 * the buffer it was written to — whose ArrayBuffer the caller may transfer to another thread: the
 * output is handed over, not copied.
 */
export function swapOutput(buf: Buffer): Buffer {
  const done = out.subarray(0, o);
  out = buf;
  ov = viewOf(buf);
  o = 0;
  return done;
}

/** Forget what was written (after the caller has written `pendingOutput` away). */
export function resetOutput(): void {
  o = 0;
}

/** Appends one byte (a newline after each line: `appendText` costs a call into the encoder). */
export function appendByte(c: number): void {
  out[o++] = c;
}

/** Appends a string (as UTF-8). */
export function appendText(s: string): void {
  room(s.length * 3);
  o += out.write(s, o, "utf8");
}

/**
 * Appends the JSON line (no newline) of an event frame `buf[start, end)` (version byte first), exactly
 * as `frameToJsonLine(decodeEtf(...))` writes it, `namesOf(kind)` naming the elements after the kind;
 * false (and nothing appended) when the frame is not of the shapes covered here.
 */
export function appendEventJson(
  buf: Uint8Array,
  start: number,
  end: number,
  namesOf: (kind: string) => readonly string[],
): boolean {
  deferredLast = false;
  if (end - start < 3 || buf[start] !== VERSION) return false;
  const mark = o;
  b = buf;
  try {
    // Room for the whole line is made once: the writes below do not check it. Typed-array writes
    // past the end are dropped, so an overrun shows as `o` beyond the buffer and the frame is redone.
    // A large frame starts from a smaller guess (16× of a 100 MB frame would not be allocated).
    const size = end - start;
    for (let bound = (size <= LARGE_FRAME ? EXPANSION : 2) * size + 256; ; bound *= 2) {
      room(bound);
      overran = false;
      p = start + 1;
      lim = end;
      const ok = event(namesOf) && p === lim;
      if (o <= out.length && !overran) {
        if (ok) return true;
        o = mark;
        return false;
      }
      o = mark;
    }
  } finally {
    b = EMPTY;
  }
}

/**
 * `appendEventJson` and a newline for frames `k` = `from`, `from + 1`... of `buf` (frame k is
 * `buf[bounds[2k], bounds[2k + 1])`) while it covers them: returns the first frame it declined
 * (nothing appended for it), or the frame count. One call per chunk, not a chain of calls per line.
 */
export function appendEventLines(
  buf: Uint8Array,
  bounds: Uint32Array,
  from: number,
  namesOf: (kind: string) => readonly string[],
): number {
  const frames = bounds.length >> 1;
  let k = from;
  for (; k < frames; k++) {
    if (!appendEventJson(buf, bounds[2 * k], bounds[2 * k + 1], namesOf)) break;
    if (o >= out.length) room(1);
    out[o++] = 0x0a;
  }
  return k;
}

/** The string form of `appendEventJson`, or undefined where it declines. */
export function eventFrameToJsonLine(
  buf: Uint8Array,
  start: number,
  end: number,
  namesOf: (kind: string) => readonly string[],
): string | undefined {
  const mark = o;
  if (!appendEventJson(buf, start, end, namesOf)) return undefined;
  const s = out.toString("utf8", mark, o);
  o = mark;
  return s;
}

function event(namesOf: (kind: string) => readonly string[]): boolean {
  const tag = b[p];
  let n: number;
  if (tag === SMALL_TUPLE_EXT && p + 2 <= lim) {
    n = b[p + 1];
    p += 2;
  } else if (tag === LARGE_TUPLE_EXT && p + 5 <= lim) {
    n = u32(p + 1);
    p += 5;
  } else return false;
  if (n === 0) return false;
  const head = headOf(namesOf);
  if (head === undefined) return false;
  if (deferring && n >= refArity) {
    deferredLast = true;
    return false;
  }
  bytes(head[0]);
  const fields = Math.min(n - 1, head.length - 1);
  for (let i = 0; i < fields; i++) {
    bytes(head[i + 1]);
    if (!value(0)) return false;
  }
  if (n - 1 > fields) {
    bytes(EXTRA);
    for (let i = fields; i < n - 1; i++) {
      if (i > fields) out[o++] = 0x2c;
      if (!value(0)) return false;
    }
    out[o++] = 0x5d;
  }
  out[o++] = 0x7d;
  return true;
}

/** Per event kind: `{"kind":"call"` and each field's `,"name":`, as bytes. */
const HEADS = new Map<string, Piece[]>();
/** Per event kind: `referringArity`. */
const REF_ARITY = new Map<string, number>();
/** The last kinds seen, by their atom's bytes (tag included), so that no name is built per event. */
const recentKinds: Array<{ atom: Uint8Array; head: Piece[]; refs: number }> = [];

/** Steps over the event's kind atom and returns its heads; undefined for a frame that is not an event. */
function headOf(namesOf: (kind: string) => readonly string[]): Piece[] | undefined {
  const at = p;
  const tag = b[at];
  const size = tag === SMALL_ATOM_UTF8_EXT || tag === SMALL_ATOM_EXT ? 2 + (b[at + 1] ?? 0) : -1;
  if (size > 0 && at + size <= lim)
    for (const k of recentKinds) {
      const a = k.atom;
      if (a.length !== size) continue;
      let i = 0;
      while (i < size && a[i] === b[at + i]) i++;
      if (i === size) {
        p = at + size;
        refArity = k.refs;
        return k.head;
      }
    }
  const kind = atomName();
  if (kind === undefined || kind === "estrace" || kind === "module" || kind === "footer") return undefined;
  let head = HEADS.get(kind);
  if (!head) {
    HEADS.set(kind, (head = heads(kind, namesOf(kind))));
    REF_ARITY.set(kind, referringArity(kind));
  }
  refArity = REF_ARITY.get(kind)!;
  // A copy: the caller reuses its buffer. The tag is part of the key, so each tag has its entry.
  if (size > 0 && recentKinds.length < 32)
    recentKinds.push({ atom: Uint8Array.prototype.slice.call(b, at, at + size), head, refs: refArity });
  return head;
}

const enc = (s: string): Piece => pieceOf(Buffer.from(s, "utf8"));

/** A copy of `bytes` as a Piece. */
function pieceOf(bytes: Uint8Array): Piece {
  const ab = new ArrayBuffer(bytes.length);
  new Uint8Array(ab).set(bytes);
  return new Piece(new DataView(ab), bytes.length);
}

function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.length);
}

function heads(kind: string, names: readonly string[]): Piece[] {
  return [enc(`{"kind":${JSON.stringify(kind)}`), ...names.map((n) => enc(`,${JSON.stringify(n)}:`))];
}

const EXTRA = enc(',"extra":[');
const TUPLE = enc('{"$tuple":[');
const MAP = enc('{"$map":[');
const PID = enc('{"$pid":"<0.');
const REF = enc('{"$ref":[');
const CREATION = enc(',"creation":');

// The hot loops copy the module's cursor and buffer into locals: a module variable is a context
// slot, loaded and stored on every byte otherwise. Single bytes are written in place (`out[o++]`),
// not by a helper: TurboFan inlined only 5 of `value`'s 15 calls of one, the rest were calls.

function bytes(piece: Piece): void {
  const n = piece.n;
  const x = piece.v;
  const q = o;
  o = q + n;
  // Past the end: dropped, as typed-array writes are (the frame is redone, see appendEventJson).
  if (q + n > out.length) return;
  const v = ov;
  let i = 0;
  for (; i + 4 <= n; i += 4) v.setUint32(q + i, x.getUint32(i, true), true);
  for (; i < n; i++) v.setUint8(q + i, x.getUint8(i));
}

function room(n: number): void {
  if (o + n <= out.length) return;
  // Writes were dropped already: the larger buffer must not hide it.
  if (o > out.length) overran = true;
  const next = Buffer.allocUnsafeSlow(Math.max(out.length * 2, o + n + 1024));
  out.copy(next, 0, 0, o);
  out = next;
  ov = viewOf(next);
}

function ascii(s: string): void {
  room(s.length);
  const w = out;
  let q = o;
  for (let i = 0; i < s.length; i++) w[q++] = s.charCodeAt(i);
  o = q;
}

function int(v: number): void {
  if (v < 0) {
    out[o++] = 0x2d;
    v = -v;
  }
  if (v < 10) {
    out[o++] = 0x30 + v;
    return;
  }
  if (v >= 0x80000000) {
    // Above 2^31: the high part, then nine digits, each done in 32-bit arithmetic.
    const hi = Math.floor(v / 1e9);
    int(hi);
    digits((v - hi * 1e9) | 0, 9);
    return;
  }
  const x = v | 0;
  digits(x, digitCount(x));
}

/** `x` (below 2^31) in `n` decimal digits, zero-padded; two digits per step, in int32 arithmetic. */
function digits(x: number, n: number): void {
  const w = out;
  const start = o;
  let q = start + n;
  while (q - start >= 2) {
    const r = x % 100;
    x = (x / 100) | 0;
    w[--q] = PAIRS[2 * r + 1];
    w[--q] = PAIRS[2 * r];
  }
  if (q > start) w[--q] = 0x30 + x;
  o = start + n;
}

/** "00" to "99" as bytes. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = 0x30 + ((i / 10) | 0);
  PAIRS[2 * i + 1] = 0x30 + (i % 10);
}

/**
 * Decimal digits of a number from 10 to 2^31, every comparison made each time: a trace's numbers grow
 * (sequence numbers, times), and a comparison first met after TurboFan had compiled `int` (no type
 * feedback for it) made V8 throw that code away, in each thread, to run slowly until compiled again.
 */
function digitCount(v: number): number {
  return (
    2 +
    (v >= 100 ? 1 : 0) +
    (v >= 1e3 ? 1 : 0) +
    (v >= 1e4 ? 1 : 0) +
    (v >= 1e5 ? 1 : 0) +
    (v >= 1e6 ? 1 : 0) +
    (v >= 1e7 ? 1 : 0) +
    (v >= 1e8 ? 1 : 0) +
    (v >= 1e9 ? 1 : 0)
  );
}

function u32(at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** An atom's name when it is ASCII (Latin-1 and UTF-8 agree there), else undefined. */
function atomName(): string | undefined {
  const r = atomRange();
  if (r === undefined) return undefined;
  let s = "";
  for (let i = r; i < p; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** Steps over an ASCII atom and returns where its name starts (it ends at `p`), else undefined. */
function atomRange(): number | undefined {
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
  for (let i = at; i < at + len; i++) if (b[i] >= 0x80) return undefined;
  p = at + len;
  return at;
}

/**
 * What ASCII atoms become, by their bytes (tag and length included): a recorded trace repeats a few
 * hundred atoms and node names millions of times, so each is checked and escaped once and then
 * copied. One direct-mapped table per use; a slot taken by another atom is overwritten.
 */
interface AtomMemo {
  keys: Array<Uint8Array | undefined>;
  json: Piece[];
  /** What goes around the quoted name. */
  before: Piece;
  after: Piece;
}

const SLOTS = 1024;

function atomMemo(before: string, after: string): AtomMemo {
  return {
    keys: new Array(SLOTS).fill(undefined),
    json: new Array(SLOTS).fill(NO_PIECE),
    before: enc(before),
    after: enc(after),
  };
}

const ATOMS = atomMemo('{"$atom":', "}");
const PID_NODES = atomMemo('>","node":', "");
const REF_NODES = atomMemo('],"node":', "");

/** The memo's bytes for the ASCII atom at `p` (stepped over), else undefined (non-ASCII, or cut short). */
function memoLookup(m: AtomMemo): Piece | undefined {
  const at = p;
  const r = b;
  const tag = r[at];
  let end: number;
  if (tag === SMALL_ATOM_UTF8_EXT || tag === SMALL_ATOM_EXT) end = at + 2 + r[at + 1];
  else if (tag === ATOM_UTF8_EXT || tag === ATOM_EXT) end = at + 3 + ((r[at + 1] << 8) | r[at + 2]);
  else return undefined;
  if (end > lim) return undefined;
  const size = end - at;
  const slot = (size * 31 + r[end - 1] * 7 + r[end - 2] * 131 + r[at + (size >> 1)] * 1031) & (SLOTS - 1);
  const key = m.keys[slot];
  if (key !== undefined && key.length === size) {
    let i = 0;
    while (i < size && key[i] === r[at + i]) i++;
    if (i === size) {
      p = end;
      return m.json[slot];
    }
  }
  return memoMiss(m, at, end, slot);
}

/**
 * `memoLookup` for an atom not in its slot: checked, escaped and stored. Apart, so that TurboFan's
 * code of `value`, into which the hit path is inlined, does not hold this rarely taken path too.
 */
function memoMiss(m: AtomMemo, at: number, end: number, slot: number): Piece | undefined {
  const r = b;
  const from = atomRange();
  if (from === undefined) return undefined;
  // Room checked here: a stored entry must never be one cut short by the frame's bound.
  room(m.before.n + 6 * (end - from) + 2 + m.after.n);
  const mark = o;
  bytes(m.before);
  quoteBytes(from, end);
  bytes(m.after);
  m.keys[slot] = Uint8Array.prototype.slice.call(r, at, end);
  const json = pieceOf(out.subarray(mark, o));
  o = mark;
  m.json[slot] = json;
  return json;
}

/** Writes the ASCII atom at `p` through the memo; false when it is not one. */
function memoAtom(m: AtomMemo): boolean {
  const json = memoLookup(m);
  if (json === undefined) return false;
  bytes(json);
  return true;
}

/** A pid's or reference's node (an ASCII atom at `p`, stepped over) as the memo's bytes to write. */
function nodeJson(m: AtomMemo): Piece | undefined {
  return memoLookup(m);
}

/** Writes one term's JSON; false when it is not covered. */
function value(depth: number): boolean {
  if (depth > MAX_NEST || p >= lim) return false;
  const at = p;
  const tag = b[at];
  switch (tag) {
    case SMALL_INTEGER_EXT: {
      // The commonest term (arities, map keys, small counts): its up to three digits written here.
      if (at + 2 > lim) return false;
      p = at + 2;
      const v = b[at + 1];
      const w = out;
      let q = o;
      if (v >= 100) {
        const r = v - 100 * ((v / 100) | 0);
        w[q++] = 0x30 + ((v / 100) | 0);
        w[q++] = PAIRS[2 * r];
        w[q++] = PAIRS[2 * r + 1];
      } else if (v >= 10) {
        w[q++] = PAIRS[2 * v];
        w[q++] = PAIRS[2 * v + 1];
      } else w[q++] = 0x30 + v;
      o = q;
      return true;
    }
    case INTEGER_EXT:
      if (at + 5 > lim) return false;
      p = at + 5;
      int((b[at + 1] << 24) | (b[at + 2] << 16) | (b[at + 3] << 8) | b[at + 4]);
      return true;
    case SMALL_BIG_EXT: {
      if (at + 3 > lim) return false;
      const n = b[at + 1];
      const sign = b[at + 2];
      if (n > 6 || sign > 1 || at + 3 + n > lim) return false; // beyond 2^48: the decoding path
      let v = 0;
      for (let i = n - 1; i >= 0; i--) v = v * 256 + b[at + 3 + i];
      p = at + 3 + n;
      int(sign === 1 ? -v : v);
      return true;
    }
    case SMALL_ATOM_UTF8_EXT:
    case SMALL_ATOM_EXT:
    case ATOM_UTF8_EXT:
    case ATOM_EXT: {
      return memoAtom(ATOMS);
    }
    case STRING_EXT: {
      if (at + 3 > lim) return false;
      const len = (b[at + 1] << 8) | b[at + 2];
      if (at + 3 + len > lim) return false;
      out[o++] = 0x5b;
      for (let i = 0; i < len; i++) {
        if (i > 0) out[o++] = 0x2c;
        int(b[at + 3 + i]);
      }
      out[o++] = 0x5d;
      p = at + 3 + len;
      return true;
    }
    // `[]` takes the list's path (no elements, no tail): with operations of its own, met first after
    // TurboFan had compiled this function (an empty list as a value is rare), it had no type feedback
    // for them and V8 threw the function's code away, to run slowly until compiled again (~0.1 s).
    case NIL_EXT:
    case LIST_EXT: {
      const list = tag === LIST_EXT;
      const head = list ? 5 : 1;
      if (at + head > lim) return false;
      const n = list ? u32(at + 1) : 0;
      if (n > lim - at) return false;
      p = at + head;
      out[o++] = 0x5b;
      for (let i = 0; i < n; i++) {
        if (i > 0) out[o++] = 0x2c;
        if (!value(depth + 1)) return false;
      }
      if (list) {
        // Only a proper list: improper tails and spliced tails go the decoding path.
        if (p >= lim || b[p] !== NIL_EXT) return false;
        p++;
      }
      out[o++] = 0x5d;
      return true;
    }
    case SMALL_TUPLE_EXT:
    case LARGE_TUPLE_EXT: {
      const small = tag === SMALL_TUPLE_EXT;
      if (at + (small ? 2 : 5) > lim) return false;
      const n = small ? b[at + 1] : u32(at + 1);
      if (n > lim - at) return false;
      p = at + (small ? 2 : 5);
      bytes(TUPLE);
      for (let i = 0; i < n; i++) {
        if (i > 0) out[o++] = 0x2c;
        if (!value(depth + 1)) return false;
      }
      out[o++] = 0x5d;
      out[o++] = 0x7d;
      return true;
    }
    case MAP_EXT: {
      if (at + 5 > lim) return false;
      const n = u32(at + 1);
      if (2 * n > lim - at) return false;
      p = at + 5;
      bytes(MAP);
      for (let i = 0; i < n; i++) {
        if (i > 0) out[o++] = 0x2c;
        out[o++] = 0x5b;
        if (!value(depth + 1)) return false;
        out[o++] = 0x2c;
        if (!value(depth + 1)) return false;
        out[o++] = 0x5d;
      }
      out[o++] = 0x5d;
      out[o++] = 0x7d;
      return true;
    }
    case BINARY_EXT: {
      if (at + 5 > lim) return false;
      const len = u32(at + 1);
      if (len > lim - at - 5) return false;
      p = at + 5 + len;
      binary(at + 5, p);
      return true;
    }
    case NEW_FLOAT_EXT: {
      if (at + 9 > lim) return false;
      for (let i = 0; i < 8; i++) f64.setUint8(i, b[at + 1 + i]);
      const x = f64.getFloat64(0);
      if (!Number.isFinite(x)) return false;
      p = at + 9;
      ascii(`{"$float":${Object.is(x, -0) ? '"-0.0"' : JSON.stringify(x)}}`);
      return true;
    }
    case NEW_PID_EXT: {
      p = at + 1;
      const node = nodeJson(PID_NODES);
      if (node === undefined || p + 12 > lim) return false;
      const nodeEnd = p;
      p += 12;
      bytes(PID);
      int(u32(nodeEnd));
      out[o++] = 0x2e;
      int(u32(nodeEnd + 4));
      bytes(node);
      creation(u32(nodeEnd + 8));
      return true;
    }
    case NEWER_REFERENCE_EXT: {
      if (at + 3 > lim) return false;
      const words = (b[at + 1] << 8) | b[at + 2];
      if (words < 1 || words > 5) return false;
      p = at + 3;
      const node = nodeJson(REF_NODES);
      if (node === undefined || p + 4 + 4 * words > lim) return false;
      const nodeEnd = p;
      p += 4 + 4 * words;
      bytes(REF);
      for (let i = 0; i < words; i++) {
        if (i > 0) out[o++] = 0x2c;
        int(u32(nodeEnd + 4 + 4 * i));
      }
      bytes(node);
      creation(u32(nodeEnd));
      return true;
    }
    default:
      return false;
  }
}

function creation(c: number): void {
  if (c !== 0) {
    bytes(CREATION);
    int(c);
  }
  out[o++] = 0x7d;
}

/**
 * A binary as `termToJson` gives it: valid UTF-8 becomes a JSON string — the same bytes with JSON's
 * escapes for controls, quote and backslash — anything else `{"$bin": base64}`.
 */
function binary(start: number, end: number): void {
  const mark = o;
  if (quoteBytes(start, end) < 0x80 || isUtf8(b.subarray(start, end))) return;
  o = mark;
  ascii(`{"$bin":"${Buffer.from(b.buffer, b.byteOffset + start, end - start).toString("base64")}"}`);
}

/**
 * JSON.stringify of the (ASCII or valid UTF-8) text in `b[start, end)`; returns the bytes OR-ed
 * together, so that a caller can tell whether it was ASCII.
 */
function quoteBytes(start: number, end: number): number {
  const w = out;
  const r = b;
  let q = o;
  w[q++] = 0x22;
  let high = 0;
  for (let i = start; i < end; i++) {
    const c = r[i];
    high |= c;
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) w[q++] = c;
    else for (const e of ESCAPES[c]) w[q++] = e;
  }
  w[q++] = 0x22;
  o = q;
  return high;
}

/** JSON's escapes, as bytes, for the characters that need one (controls, quote, backslash). */
const ESCAPES: number[][] = [];
for (let c = 0; c < 0x20; c++)
  ESCAPES[c] = Array.from(JSON.stringify(String.fromCharCode(c)).slice(1, -1), (ch) => ch.charCodeAt(0));
ESCAPES[0x22] = [0x5c, 0x22];
ESCAPES[0x5c] = [0x5c, 0x5c];
