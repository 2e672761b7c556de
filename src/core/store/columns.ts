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

type Typed = Float64Array | Int32Array | Uint32Array | Uint8Array;

/** The per-event columns. `frameOff`/`frameLen` locate the event's bytes in its file (the cold tier). */
export interface EventColumns {
  length: number;
  seq: Float64Array;
  time: Float64Array;
  pid: Int32Array;
  kind: Uint8Array;
  /** Function id (call/return/exception) or callback id (state), else -1. */
  mfa: Int32Array;
  /** The other process (send/receive/spawn/link), else -1. */
  peer: Int32Array;
  /** Call events: interned call-site id, else -1. */
  site: Int32Array;
  /**
   * Call events: the clause that ran as the recorder tagged it — n > 0 clause n (1-based, certain),
   * -n clause n or a later one (uncertain), 0 unknown.
   */
  clause: Int32Array;
  /** send/receive: hash of the message bytes, for pairing. */
  msgHash: Uint32Array;
  /**
   * send: with FLAG_GEN_CALL, hash of the `$gen_call`'s reply tag; with FLAG_TAGGED (a 2-tuple
   * message, the shape of a reply `{tag, value}`), hash of its first element; else 0.
   */
  tagHash: Uint32Array;
  /** Bit flags, see FLAG_*. */
  flags: Uint8Array;
  /** Index into the small decoded details kept at load (exit reasons, names, info maps), else -1. */
  aux: Int32Array;
  file: Uint8Array;
  frameOff: Float64Array;
  frameLen: Uint32Array;
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

/** Each column's array type, in the order the persistent index stores them. */
export const COLUMN_TYPES = {
  seq: Float64Array,
  time: Float64Array,
  pid: Int32Array,
  kind: Uint8Array,
  mfa: Int32Array,
  peer: Int32Array,
  site: Int32Array,
  clause: Int32Array,
  msgHash: Uint32Array,
  tagHash: Uint32Array,
  flags: Uint8Array,
  aux: Int32Array,
  file: Uint8Array,
  frameOff: Float64Array,
  frameLen: Uint32Array,
  argFp0: Uint8Array,
  argFp1: Uint8Array,
  argFp2: Uint8Array,
  argFp3: Uint8Array,
} as const;
const FIELDS = COLUMN_TYPES;

type FieldName = keyof typeof FIELDS;
const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

export function createColumns(capacity = 1 << 12): EventColumns {
  // All fields in one literal: added one by one, this many would turn the object into a dictionary,
  // and every loop over the columns (the parse, the indexes) would look them up slowly.
  const n = capacity;
  return {
    length: 0,
    seq: new Float64Array(n),
    time: new Float64Array(n),
    pid: new Int32Array(n),
    kind: new Uint8Array(n),
    mfa: new Int32Array(n),
    peer: new Int32Array(n),
    site: new Int32Array(n),
    clause: new Int32Array(n),
    msgHash: new Uint32Array(n),
    tagHash: new Uint32Array(n),
    flags: new Uint8Array(n),
    aux: new Int32Array(n),
    file: new Uint8Array(n),
    frameOff: new Float64Array(n),
    frameLen: new Uint32Array(n),
    argFp0: new Uint8Array(n),
    argFp1: new Uint8Array(n),
    argFp2: new Uint8Array(n),
    argFp3: new Uint8Array(n),
  } satisfies { [K in FieldName]: InstanceType<(typeof FIELDS)[K]> } & { length: number };
}

/** Makes room for one more row, doubling capacity when full. */
export function ensureCapacity(cols: EventColumns, needed: number): void {
  const cap = cols.seq.length;
  if (needed <= cap) return;
  const next = Math.max(needed, cap * 2);
  for (const f of FIELD_NAMES) {
    const old = (cols as unknown as Record<string, Typed>)[f];
    const grown = new FIELDS[f](next);
    grown.set(old.subarray(0, cols.length) as never);
    (cols as unknown as Record<string, Typed>)[f] = grown;
  }
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
    const out = new FIELDS[f](cols.length);
    for (let i = 0; i < order.length; i++) out[i] = arr[order[i]];
    (cols as unknown as Record<string, Typed>)[f] = out;
  }
}
