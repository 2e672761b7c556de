// Per-call fingerprints of the first arguments, taken while the parse skips the argument list: a
// condition `args[i] == literal` whose literal's fingerprint differs is false for that call without
// reading its bytes (see columnFilter.ts). Equal fingerprints prove nothing; the bytes decide then.

import type { Atom } from "../terms/term";
import type { Scan } from "./scan";
import * as T from "../terms/tags";

/**
 * How many leading arguments get a fingerprint: one byte column each. A byte is enough: a literal
 * matches an unequal argument's fingerprint about once in 254 calls, which the bytes then settle,
 * and four bytes per event cost the parse and the index a quarter of four 32-bit words.
 */
export const ARG_FP_COUNT = 4;
/** No such argument (or the arguments are not a proper list): the bytes decide. */
export const FP_NONE = 0;
/**
 * An encoding a literal's canonical bytes may not match although the values are equal (floats,
 * bigs, latin-1 atoms, an `INTEGER_EXT` of a small value): the bytes decide.
 */
export const FP_UNKNOWN = 1;
/** Only this many leading bytes are hashed (with the length): literals are short, and arguments can be huge. */
const HASHED = 8;

/** FNV-1a over the first bytes and the length, folded to a byte; never `FP_NONE` or `FP_UNKNOWN`. */
function hashTerm(b: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  const stop = Math.min(end, start + HASHED);
  for (let i = start; i < stop; i++) h = Math.imul(h ^ b[i], 0x01000193);
  h = Math.imul(h ^ (end - start), 0x01000193);
  h = (h ^ (h >>> 8) ^ (h >>> 16) ^ (h >>> 24)) & 0xff;
  return h <= FP_UNKNOWN ? h + 2 : h;
}

/**
 * The fingerprint of each byte as a list element (`SMALL_INTEGER_EXT`), for charlist-encoded arguments.
 * Made in one scratch term: a 2-byte array per byte was ~60 KB of young memory at every start.
 */
const BYTE_FP = ((): Uint8Array => {
  const out = new Uint8Array(256);
  const term = new Uint8Array([T.SMALL_INTEGER_EXT, 0]);
  for (let v = 0; v < 256; v++) {
    term[1] = v;
    out[v] = hashTerm(term, 0, 2);
  }
  return out;
})();

/**
 * Skips the call's argument list at the cursor (as `s.skip()` would) and fills `out` with the
 * fingerprints of its first `ARG_FP_COUNT` elements.
 */
export function skipArgs(s: Scan, out: Uint8Array): void {
  const buf = s.buf;
  const tag = s.peekTag();
  let i = 0;
  if (tag === T.STRING_EXT) {
    const t0 = s.skip();
    const n = (buf[t0 + 1] << 8) | buf[t0 + 2];
    for (; i < n && i < ARG_FP_COUNT; i++) out[i] = BYTE_FP[buf[t0 + 3 + i]];
  } else if (tag !== T.LIST_EXT || s.pos + 5 > s.end) s.skip();
  else {
    const p = s.pos;
    const n = ((buf[p + 1] << 24) | (buf[p + 2] << 16) | (buf[p + 3] << 8) | buf[p + 4]) >>> 0;
    s.pos += 5;
    for (; i < n && i < ARG_FP_COUNT; i++) {
      const t0 = s.skip();
      out[i] = fingerprintAt(buf, t0, s.pos);
    }
    // The other arguments, then the tail.
    for (let j = i; j < n; j++) s.skip();
    s.skip();
  }
  for (; i < ARG_FP_COUNT; i++) out[i] = FP_NONE;
}

/** The fingerprint of the term in `b[start, end)`. */
function fingerprintAt(b: Uint8Array, start: number, end: number): number {
  switch (b[start]) {
    case T.INTEGER_EXT: {
      // Canonical only outside 0..255 (those are SMALL_INTEGER_EXT).
      const v = (b[start + 1] << 24) | (b[start + 2] << 16) | (b[start + 3] << 8) | b[start + 4];
      return v >= 0 && v <= 255 ? FP_UNKNOWN : hashTerm(b, start, end);
    }
    case T.NEW_FLOAT_EXT:
    case T.FLOAT_EXT:
    case T.SMALL_BIG_EXT:
    case T.LARGE_BIG_EXT:
    case T.ATOM_EXT:
    case T.SMALL_ATOM_EXT:
    case T.ATOM_UTF8_EXT:
    case T.ATOM_CACHE_REF:
      return FP_UNKNOWN;
    default:
      return hashTerm(b, start, end);
  }
}

/**
 * The fingerprint an argument equal to `lit` has (an integer in 32 bits, or an atom of fewer than
 * 256 UTF-8 bytes), or undefined when its canonical encoding is one `fingerprintAt` does not hash.
 */
export function literalFingerprint(lit: number | Atom): number | undefined {
  let bytes: Buffer;
  if (typeof lit === "number") {
    if (!Number.isInteger(lit) || (lit | 0) !== lit) return undefined;
    if (lit >= 0 && lit <= 255) bytes = Buffer.from([T.SMALL_INTEGER_EXT, lit]);
    else {
      bytes = Buffer.alloc(5);
      bytes[0] = T.INTEGER_EXT;
      bytes.writeInt32BE(lit, 1);
    }
  } else {
    const name = Buffer.from(lit.name, "utf8");
    if (name.length > 255) return undefined;
    bytes = Buffer.concat([Buffer.from([T.SMALL_ATOM_UTF8_EXT, name.length]), name]);
  }
  return hashTerm(bytes, 0, bytes.length);
}
