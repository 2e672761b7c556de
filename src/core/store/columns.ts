// The warm tier of the event store: one typed array per event field, grown while a trace loads and
// trimmed after. An event is a row index; nothing here holds decoded payload terms.

export const KIND_CODES = {
  call: 0,
  return: 1,
  exception: 2,
  send: 3,
  receive: 4,
  spawn: 5,
  exit: 6,
  link: 7,
  unlink: 8,
  state: 9,
  register: 10,
  unregister: 11,
  process: 12,
  overload: 13,
  unknown: 14,
} as const;

/**
 * The code of an event kind by name, or undefined. Names come from trace files and command lines, so
 * the lookup is an own-property check: `constructor` or `__proto__` is not a kind.
 */
export function kindCode(name: string): number | undefined {
  return Object.hasOwn(KIND_CODES, name) ? KIND_CODES[name as keyof typeof KIND_CODES] : undefined;
}

type Typed = Float64Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Uint8Array | Int8Array;

/** The per-event columns. `frameOff`/`frameLen` locate the event's bytes in its file (the cold tier). */
export interface EventColumns {
  length: number;
  /** Narrow while every value fits (see WIDE_TYPES). */
  seq: Uint32Array | Float64Array;
  time: Float64Array;
  /** Narrow while every id fits (see WIDE_TYPES), as are mfa, peer and site. */
  pid: Int16Array | Int32Array;
  kind: Uint8Array;
  /** Function id (call/return/exception) or callback id (state), else -1. */
  mfa: Int16Array | Int32Array;
  /** The other process (send/receive/spawn/link), else -1. */
  peer: Int16Array | Int32Array;
  /** Call events: interned call-site id, else -1. */
  site: Int16Array | Int32Array;
  /**
   * Call events: the clause that ran as the recorder tagged it — n > 0 clause n (1-based, certain),
   * -n clause n or a later one (uncertain), 0 unknown. 8 bits until a clause past 127.
   */
  clause: Int8Array | Int16Array;
  /**
   * send/receive: hash of the message bytes, for pairing; emptied once the store is built (nothing
   * else reads it, and the index does not keep it).
   */
  msgHash: Uint32Array;
  /**
   * send: with FLAG_GEN_CALL, hash of the `$gen_call`'s reply tag; with FLAG_TAGGED (a 2-tuple
   * message, the shape of a reply `{tag, value}`), hash of its first element; else 0.
   */
  tagHash: Uint32Array;
  /** Bit flags, see FLAG_*. */
  flags: Uint8Array;
  /**
   * Index into the small decoded details kept at load (exit reasons, names, info maps), else -1.
   * Narrow while every id fits, as the other ids.
   */
  aux: Int16Array | Int32Array;
  file: Uint8Array;
  frameOff: Uint32Array | Float64Array;
  frameLen: Uint16Array | Uint32Array;
  /**
   * Call events: fingerprints of arguments 0–3's bytes (see reader/argFingerprint.ts), so that a
   * condition on an argument can rule calls out without reading them; else 0.
   */
  argFp0: Uint8Array;
  argFp1: Uint8Array;
  argFp2: Uint8Array;
  argFp3: Uint8Array;
}

export const FLAG_NO_PROCESS = 1;
export const FLAG_CRASH = 2;
export const FLAG_ERROR = 4;
export const FLAG_THROW = 8;
export const FLAG_EXIT = 16;
/** send: the message is `{:"$gen_call", {from, tag}, request}`. */
export const FLAG_GEN_CALL = 32;
/** send: the message is a 2-tuple, as a call's reply `{tag, value}` is. */
export const FLAG_TAGGED = 64;

/**
 * Each column's array type, in the order the persistent index stores them. Every byte per event is a
 * fresh page to fault in while a trace loads (20-70 µs per 4 KiB page on a VM) and a byte of the index
 * to write, so columns whose values nearly always fit start narrow (see WIDE_TYPES).
 */
export const COLUMN_TYPES = {
  seq: Uint32Array,
  time: Float64Array,
  pid: Int16Array,
  kind: Uint8Array,
  mfa: Int16Array,
  peer: Int16Array,
  site: Int16Array,
  clause: Int8Array,
  msgHash: Uint32Array,
  tagHash: Uint32Array,
  flags: Uint8Array,
  aux: Int16Array,
  file: Uint8Array,
  frameOff: Uint32Array,
  frameLen: Uint16Array,
  argFp0: Uint8Array,
  argFp1: Uint8Array,
  argFp2: Uint8Array,
  argFp3: Uint8Array,
} as const;
const FIELDS = COLUMN_TYPES;

/**
 * The type a narrow column is copied into, once, when a value does not fit its narrow one: a seq
 * beyond 2^32 or negative, a frame at 4 GiB or more into its file, a frame of 64 KiB or more, an id
 * (process, function, call site, detail) beyond 32767 — the pid and peer columns widen together, since the
 * index build writes pids as peers. A clause tag beyond ±127 widens the clause column to 16 bits.
 */
export const WIDE_TYPES = {
  seq: Float64Array,
  frameOff: Float64Array,
  frameLen: Uint32Array,
  pid: Int32Array,
  peer: Int32Array,
  mfa: Int32Array,
  site: Int32Array,
  aux: Int32Array,
  clause: Int16Array,
} as const;
export type WideColumn = keyof typeof WIDE_TYPES;

/** Whether `v` can be stored in column `name` as it is now (else `widenColumn` first). */
export function fitsColumn(cols: EventColumns, name: WideColumn, v: number): boolean {
  const a = cols[name];
  if (a instanceof WIDE_TYPES[name]) return true;
  if (a instanceof Uint32Array) return v >>> 0 === v;
  if (a instanceof Int16Array) return (v << 16) >> 16 === v;
  if (a instanceof Int8Array) return (v << 24) >> 24 === v;
  return (v & 0xffff) === v;
}

/** Copies column `name` into its wide type (its capacity kept): its values so far are kept as they are. */
export function widenColumn(cols: EventColumns, name: WideColumn): void {
  const old = cols[name];
  if (old instanceof WIDE_TYPES[name]) return;
  const wide = new WIDE_TYPES[name](old.length);
  wide.set(old.subarray(0, cols.length));
  (cols as unknown as Record<string, Typed>)[name] = wide;
  if (name === "pid" || name === "peer") widenColumn(cols, name === "pid" ? "peer" : "pid");
}

/** Stores an id in column `name` at `row`, widening the column first when the id does not fit. */
export function setId(cols: EventColumns, name: "site", row: number, id: number): void {
  if (id > 0x7fff && !fitsColumn(cols, name, id)) widenColumn(cols, name);
  cols[name][row] = id;
}

/** The constructor of a column as it is now (narrow or wide). */
function ctorOf(a: Typed): {
  new (n: number): Typed;
  new (b: ArrayBufferLike, offset: number, n: number): Typed;
} {
  return a.constructor as never;
}

/** Every column, in COLUMN_TYPES order (for a pass over all of them, as prefault.ts makes). */
export function columnArrays(cols: EventColumns): Typed[] {
  return FIELD_NAMES.map((f) => (cols as unknown as Record<string, Typed>)[f]);
}

type FieldName = keyof typeof FIELDS;
const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

export function createColumns(capacity = 1 << 12): EventColumns {
  // All fields in one literal: added one by one, this many would turn the object into a dictionary,
  // and every loop over the columns (the parse, the indexes) would look them up slowly.
  const n = capacity;
  return {
    length: 0,
    seq: new Uint32Array(n),
    time: new Float64Array(n),
    pid: new Int16Array(n),
    kind: new Uint8Array(n),
    mfa: new Int16Array(n),
    peer: new Int16Array(n),
    site: new Int16Array(n),
    clause: new Int8Array(n),
    msgHash: new Uint32Array(n),
    tagHash: new Uint32Array(n),
    flags: new Uint8Array(n),
    aux: new Int16Array(n),
    file: new Uint8Array(n),
    frameOff: new Uint32Array(n),
    frameLen: new Uint16Array(n),
    argFp0: new Uint8Array(n),
    argFp1: new Uint8Array(n),
    argFp2: new Uint8Array(n),
    argFp3: new Uint8Array(n),
  } satisfies { [K in FieldName]: InstanceType<(typeof FIELDS)[K]> } & { length: number };
}

/** Makes room for one more row, doubling capacity when full. */
export function ensureCapacity(cols: EventColumns, needed: number, shared = false): void {
  const cap = cols.seq.length;
  if (needed <= cap) return;
  const next = Math.max(needed, cap * 2);
  const all = cols as unknown as Record<string, Typed>;
  // One buffer for all the columns: one mapping, which the kernel can back with 2 MiB pages where the
  // process asks for them (bin/elixirscope.js), where 19 arrays of 1-8 MiB mostly could not be.
  // Shared memory when another thread is to fault its pages in (prefault.ts).
  const slab = bufferSlab(
    FIELD_NAMES.map((f) => next * all[f].BYTES_PER_ELEMENT),
    shared,
  );
  FIELD_NAMES.forEach((f, k) => {
    const old = all[f];
    const grown = new (ctorOf(old))(slab.buffer as never, slab.offsets[k], next);
    grown.set(old.subarray(0, cols.length) as never);
    all[f] = grown;
  });
}

/**
 * One buffer (shared between threads or not) holding parts of the given byte sizes, each at an
 * offset aligned for any typed array (and to a cache line).
 */
export function bufferSlab(
  sizes: number[],
  shared: boolean,
): { buffer: ArrayBuffer | SharedArrayBuffer; offsets: number[] } {
  const offsets: number[] = [];
  let at = 0;
  for (const n of sizes) {
    offsets.push(at);
    at += Math.ceil(n / 64) * 64;
  }
  return { buffer: shared ? new SharedArrayBuffer(at) : new ArrayBuffer(at), offsets };
}

/**
 * Cuts the arrays to their used length, as views: spare capacity that no row was written to was
 * never touched, so it holds no memory, whereas copying a million rows would touch all of it again.
 */
export function trimColumns(cols: EventColumns): void {
  for (const f of FIELD_NAMES) {
    const arr = (cols as unknown as Record<string, Typed>)[f];
    if (arr.length !== cols.length)
      (cols as unknown as Record<string, Typed>)[f] = arr.subarray(0, cols.length);
  }
}

/** Reorders every column by `order` (new row i = old row order[i]); used to merge several files by time. */
export function permuteColumns(cols: EventColumns, order: Int32Array): void {
  for (const f of FIELD_NAMES) {
    const arr = (cols as unknown as Record<string, Typed>)[f];
    const out = new (ctorOf(arr))(cols.length);
    for (let i = 0; i < order.length; i++) out[i] = arr[order[i]];
    (cols as unknown as Record<string, Typed>)[f] = out;
  }
}
