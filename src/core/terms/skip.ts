// Validates one ETF term and finds where it ends, without building it: the trace loader's check of
// every payload of every event (about a million per trace).
//
// So it allocates nothing per call, and walks nested terms with an explicit, preallocated stack
// instead of recursion.

import { EtfError } from "./errors";
import * as T from "./tags";

// Copied into module constants: a namespace import reads each tag through a getter in CommonJS
// builds, which costs a call per tag comparison in the hot loops.
const {
  ATOM_CACHE_REF,
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
  LOCAL_EXT,
  MAP_EXT,
  MAX_NESTING,
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
  VERSION,
} = T;

/** Kinds of stack level: what must happen when a level's item count reaches zero. */
const PLAIN = 0;
/** A list: its last item is the tail, and a list in tail position reuses the level (no deeper). */
const LIST = 1;
/** A fun's free variables: the fun's Size field must end exactly where they end. */
const FUN = 2;

// Items still to skip at each depth (a map of 2^32 pairs needs 2^33, so not an Int32Array).
const remaining = new Float64Array(MAX_NESTING + 1);
const kinds = new Uint8Array(MAX_NESTING + 1);
const funEnds = new Float64Array(MAX_NESTING + 1);

/** Checks the ETF version byte at `start` and returns the offset of the term's tag. */
export function etfBodyOffset(buf: Uint8Array, start: number): number {
  if (start >= buf.length)
    throw new EtfError("expected the ETF version byte 131, found the end of the data", start);
  if (buf[start] !== VERSION)
    throw new EtfError(`expected the ETF version byte 131, found ${buf[start]}`, start);
  return start + 1;
}

/**
 * Skips the term whose tag is at `offset` and returns the offset just past it. Throws `EtfError` on an
 * unknown or unsupported tag, a length running past `end`, malformed pids/refs/ports/funs, non-finite
 * floats, or nesting deeper than `MAX_NESTING`. It accepts exactly what `decodeTerm` accepts (which
 * cuts what nests deeper than `MAX_DEPTH`).
 */
export function skipTerm(buf: Uint8Array, offset: number, end: number = buf.length): number {
  let pos = offset;
  let d = 0;
  remaining[0] = 1;
  kinds[0] = PLAIN;
  for (;;) {
    while (remaining[d] === 0) {
      if (kinds[d] === FUN && pos !== funEnds[d])
        throw new EtfError(
          `fun's Size field says it ends at byte ${funEnds[d]}, but its contents end at byte ${pos}`,
          pos,
        );
      if (d === 0) return pos;
      d--;
    }
    remaining[d]--;
    if (pos >= end) throw new EtfError("term runs past the end of the data (no tag byte left)", pos);
    const at = pos;
    const tag = buf[pos];
    let n = 0; // elements of a container
    let items = 0; // stack items they make (lists: n + 1 for the tail, maps: 2n)
    switch (tag) {
      case SMALL_INTEGER_EXT:
        pos += 2;
        break;
      case INTEGER_EXT:
        pos += 5;
        break;
      case SMALL_ATOM_UTF8_EXT:
      case SMALL_ATOM_EXT:
        if (pos + 2 > end) throw short("atom", at);
        pos += 2 + buf[pos + 1];
        break;
      case ATOM_UTF8_EXT:
      case ATOM_EXT:
        if (pos + 3 > end) throw short("atom", at);
        pos += 3 + ((buf[pos + 1] << 8) | buf[pos + 2]);
        break;
      case SMALL_TUPLE_EXT:
        if (pos + 2 > end) throw short("tuple", at);
        n = items = buf[pos + 1];
        pos += 2;
        break;
      case LARGE_TUPLE_EXT:
        if (pos + 5 > end) throw short("tuple", at);
        n = items = u32(buf, pos + 1);
        pos += 5;
        break;
      case NIL_EXT:
        pos += 1;
        break;
      case STRING_EXT:
        if (pos + 3 > end) throw short("string", at);
        pos += 3 + ((buf[pos + 1] << 8) | buf[pos + 2]);
        break;
      case LIST_EXT:
        if (pos + 5 > end) throw short("list", at);
        n = u32(buf, pos + 1);
        items = n + 1;
        pos += 5;
        break;
      case MAP_EXT:
        if (pos + 5 > end) throw short("map", at);
        n = u32(buf, pos + 1);
        items = 2 * n;
        pos += 5;
        break;
      case BINARY_EXT:
        if (pos + 5 > end) throw short("binary", at);
        pos += 5 + u32(buf, pos + 1);
        break;
      case BIT_BINARY_EXT: {
        if (pos + 6 > end) throw short("bitstring", at);
        const len = u32(buf, pos + 1);
        checkBits(len, buf[pos + 5], pos + 5);
        pos += 6 + len;
        break;
      }
      case NEW_FLOAT_EXT:
        if (pos + 9 > end) throw short("float", at);
        checkFinite(buf, pos + 1);
        pos += 9;
        break;
      case FLOAT_EXT:
        if (pos + 32 > end) throw short("float", at);
        oldFloat(buf, pos + 1);
        pos += 32;
        break;
      case SMALL_BIG_EXT:
        if (pos + 3 > end) throw short("big integer", at);
        checkSign(buf[pos + 2], pos + 2);
        pos += 3 + buf[pos + 1];
        break;
      case LARGE_BIG_EXT:
        if (pos + 6 > end) throw short("big integer", at);
        checkSign(buf[pos + 5], pos + 5);
        pos += 6 + u32(buf, pos + 1);
        break;
      case NEW_PID_EXT:
      case PID_EXT:
      case NEW_PORT_EXT:
      case V4_PORT_EXT:
      case PORT_EXT:
      case REFERENCE_EXT:
      case NEW_REFERENCE_EXT:
      case NEWER_REFERENCE_EXT:
        pos = identifierEnd(buf, pos, end);
        break;
      case EXPORT_EXT:
        pos = exportEnd(buf, pos, end);
        break;
      case NEW_FUN_EXT: {
        const h = funHeader(buf, pos, end);
        if (h.numFree === 0) {
          if (h.varsAt !== h.end)
            throw new EtfError(
              `fun's Size field says it ends at byte ${h.end}, but its contents end at byte ${h.varsAt}`,
              at,
            );
          pos = h.end;
          break;
        }
        pos = h.varsAt;
        if (h.numFree > end - pos) throw tooMany("fun", h.numFree, at, end - pos);
        if (d + 1 > MAX_NESTING) throw tooDeep(at);
        d++;
        remaining[d] = h.numFree;
        kinds[d] = FUN;
        funEnds[d] = h.end;
        continue;
      }
      default:
        throw badTag(tag, at, d === 0);
    }
    if (pos > end) throw new EtfError(`${TAG_NAMES[tag] ?? "term"} runs past the end of the data`, at);
    if (items === 0) continue;
    if (items > end - pos) throw tooMany(TAG_NAMES[tag] ?? "term", n, at, end - pos);
    if (remaining[d] === 0 && kinds[d] === LIST && tag === LIST_EXT) {
      // A list in tail position continues the enclosing list: same depth, as the decoder sees it.
      remaining[d] = items;
      continue;
    }
    if (d + 1 > MAX_NESTING) throw tooDeep(at);
    d++;
    remaining[d] = items;
    kinds[d] = tag === LIST_EXT ? LIST : PLAIN;
  }
}

// ---- shared by the decoder, so that both accept exactly the same bytes ----

export function u32(buf: Uint8Array, p: number): number {
  return ((buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]) >>> 0;
}

export const TAG_NAMES: Record<number, string> = {
  [SMALL_INTEGER_EXT]: "integer",
  [INTEGER_EXT]: "integer",
  [SMALL_BIG_EXT]: "big integer",
  [LARGE_BIG_EXT]: "big integer",
  [NEW_FLOAT_EXT]: "float",
  [FLOAT_EXT]: "float",
  [ATOM_EXT]: "atom",
  [SMALL_ATOM_EXT]: "atom",
  [ATOM_UTF8_EXT]: "atom",
  [SMALL_ATOM_UTF8_EXT]: "atom",
  [SMALL_TUPLE_EXT]: "tuple",
  [LARGE_TUPLE_EXT]: "tuple",
  [NIL_EXT]: "list",
  [STRING_EXT]: "string",
  [LIST_EXT]: "list",
  [MAP_EXT]: "map",
  [BINARY_EXT]: "binary",
  [BIT_BINARY_EXT]: "bitstring",
  [NEW_PID_EXT]: "pid",
  [PID_EXT]: "pid",
  [NEW_PORT_EXT]: "port",
  [V4_PORT_EXT]: "port",
  [PORT_EXT]: "port",
  [REFERENCE_EXT]: "reference",
  [NEW_REFERENCE_EXT]: "reference",
  [NEWER_REFERENCE_EXT]: "reference",
  [NEW_FUN_EXT]: "fun",
  [EXPORT_EXT]: "export fun",
};

/** `top`: the tag is that of the outermost term (right after the version byte, for a whole blob). */
export function badTag(tag: number, at: number, top = false): EtfError {
  if (tag === ATOM_CACHE_REF)
    return new EtfError(
      "ATOM_CACHE_REF (tag 82) only occurs in distribution messages and is not supported",
      at,
    );
  if (tag === LOCAL_EXT)
    return new EtfError(
      "LOCAL_EXT (tag 121, term_to_binary with :local) can only be decoded by the node that wrote it",
      at,
    );
  if (tag === COMPRESSED)
    return new EtfError(
      top
        ? "a compressed term (tag 80) must be inflated first: decode it whole with decodeEtf"
        : "a compressed term (tag 80) may only follow the version byte",
      at,
    );
  if (tag === VERSION) return new EtfError("unexpected ETF version byte 131 inside a term", at);
  return new EtfError(`unknown ETF tag ${tag}`, at);
}

export function short(what: string, at: number): EtfError {
  return new EtfError(`${what} header runs past the end of the data`, at);
}

export function tooMany(what: string, n: number, at: number, left: number): EtfError {
  return new EtfError(`${what} claims ${n} elements but only ${left} bytes follow`, at);
}

export function tooDeep(at: number): EtfError {
  return new EtfError(`term nests deeper than ${MAX_NESTING} levels`, at);
}

export function checkBits(len: number, bits: number, at: number): void {
  // As binary_to_term: an empty bitstring says 0 bits, any other 1..8.
  if (len === 0 ? bits !== 0 : bits < 1 || bits > 8)
    throw new EtfError(`bitstring of ${len} bytes cannot have ${bits} bits in its last byte`, at);
}

export function checkSign(sign: number, at: number): void {
  if (sign > 1) throw new EtfError(`big integer sign byte must be 0 or 1, found ${sign}`, at);
}

/** The BEAM has no NaN or infinities, and binary_to_term rejects them. */
export function checkFinite(buf: Uint8Array, p: number): void {
  if ((buf[p] & 0x7f) === 0x7f && (buf[p + 1] & 0xf0) === 0xf0)
    throw new EtfError("float is not finite (NaN or infinity)", p - 1);
}

const OLD_FLOAT = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Parses the 31-byte `"%.20e"` text of FLOAT_EXT, NUL-padded. */
export function oldFloat(buf: Uint8Array, p: number): number {
  let text = "";
  for (let i = 0; i < 31 && buf[p + i] !== 0; i++) text += String.fromCharCode(buf[p + i]);
  const v = OLD_FLOAT.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(v))
    throw new EtfError(`FLOAT_EXT text ${JSON.stringify(text)} is not a finite float`, p - 1);
  return v;
}

/** Offset just past the atom at `p`; identifiers, funs and exports require an atom there. */
export function atomEnd(buf: Uint8Array, p: number, end: number, what: string): number {
  if (p >= end) throw new EtfError(`${what} runs past the end of the data`, p);
  let q: number;
  switch (buf[p]) {
    case SMALL_ATOM_UTF8_EXT:
    case SMALL_ATOM_EXT:
      if (p + 2 > end) throw short("atom", p);
      q = p + 2 + buf[p + 1];
      break;
    case ATOM_UTF8_EXT:
    case ATOM_EXT:
      if (p + 3 > end) throw short("atom", p);
      q = p + 3 + ((buf[p + 1] << 8) | buf[p + 2]);
      break;
    default:
      throw new EtfError(`${what} must be an atom, found tag ${buf[p]}`, p);
  }
  if (q > end) throw new EtfError("atom runs past the end of the data", p);
  return q;
}

/** Offset just past an integer that must be SMALL_INTEGER_EXT or INTEGER_EXT. */
function smallIntEnd(buf: Uint8Array, p: number, end: number, what: string): number {
  if (p >= end) throw new EtfError(`${what} runs past the end of the data`, p);
  const q = buf[p] === SMALL_INTEGER_EXT ? p + 2 : buf[p] === INTEGER_EXT ? p + 5 : -1;
  if (q < 0) throw new EtfError(`${what} must be a small integer, found tag ${buf[p]}`, p);
  if (q > end) throw new EtfError(`${what} runs past the end of the data`, p);
  return q;
}

/** Bytes after the node atom: id, serial, creation words. The reference length is separate. */
function identifierTail(tag: number): number {
  switch (tag) {
    case NEW_PID_EXT:
      return 12;
    case PID_EXT:
      return 9;
    case NEW_PORT_EXT:
      return 8;
    case V4_PORT_EXT:
      return 12;
    case PORT_EXT:
      return 5;
    case REFERENCE_EXT:
      return 5;
    case NEW_REFERENCE_EXT:
      return 1;
    default:
      return 4; // NEWER_REFERENCE_EXT: creation
  }
}

/** Number of id words of a NEW_/NEWER_REFERENCE_EXT (OTP 26 allows up to 5). */
export function refWords(buf: Uint8Array, p: number, end: number): number {
  if (p + 3 > end) throw short("reference", p);
  const n = (buf[p + 1] << 8) | buf[p + 2];
  if (n < 1 || n > 5) throw new EtfError(`reference has ${n} id words; 1 to 5 are allowed`, p);
  return n;
}

const NODE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(TAG_NAMES).map(([tag, name]) => [tag, `${name} node`]),
);

/** Offset past a pid, port or reference starting at its tag `p`. */
export function identifierEnd(buf: Uint8Array, p: number, end: number): number {
  const tag = buf[p];
  let q: number;
  let words = 0;
  if (tag === NEW_REFERENCE_EXT || tag === NEWER_REFERENCE_EXT) {
    words = refWords(buf, p, end);
    q = atomEnd(buf, p + 3, end, "reference node");
  } else q = atomEnd(buf, p + 1, end, NODE_NAMES[tag]);
  q += identifierTail(tag) + 4 * words;
  if (q > end) throw new EtfError(`${TAG_NAMES[tag]} runs past the end of the data`, p);
  return q;
}

export function exportEnd(buf: Uint8Array, p: number, end: number): number {
  let q = atomEnd(buf, p + 1, end, "export fun module");
  q = atomEnd(buf, q, end, "export fun name");
  if (q >= end || buf[q] !== SMALL_INTEGER_EXT)
    throw new EtfError("export fun arity must be a SMALL_INTEGER_EXT", Math.min(q, end));
  if (q + 2 > end) throw new EtfError("export fun runs past the end of the data", p);
  return q + 2;
}

export interface FunHeader {
  /** Where the fun must end, from its Size field. */
  end: number;
  numFree: number;
  /** Offsets of the parts the decoder reads. */
  moduleAt: number;
  oldIndexAt: number;
  oldUniqAt: number;
  pidAt: number;
  varsAt: number;
}

// Reused: funs are rare, and the skipper must not allocate per call.
const header: FunHeader = {
  end: 0,
  numFree: 0,
  moduleAt: 0,
  oldIndexAt: 0,
  oldUniqAt: 0,
  pidAt: 0,
  varsAt: 0,
};

/** Checks a NEW_FUN_EXT up to its free variables. The result is shared: read it before the next call. */
export function funHeader(buf: Uint8Array, p: number, end: number): FunHeader {
  if (p + 30 > end) throw short("fun", p);
  const size = u32(buf, p + 1);
  const funEnd = p + 1 + size;
  if (size < 29 || funEnd > end)
    throw new EtfError(`fun's Size field (${size}) runs past the end of the data or is too small`, p);
  header.end = funEnd;
  header.numFree = u32(buf, p + 26);
  header.moduleAt = p + 30;
  header.oldIndexAt = atomEnd(buf, header.moduleAt, funEnd, "fun module");
  header.oldUniqAt = smallIntEnd(buf, header.oldIndexAt, funEnd, "fun OldIndex");
  header.pidAt = smallIntEnd(buf, header.oldUniqAt, funEnd, "fun OldUniq");
  const pidTag = header.pidAt < funEnd ? buf[header.pidAt] : -1;
  if (pidTag !== NEW_PID_EXT && pidTag !== PID_EXT)
    throw new EtfError(`fun's creator must be a pid, found tag ${pidTag}`, header.pidAt);
  header.varsAt = identifierEnd(buf, header.pidAt, funEnd);
  return header;
}
