// The tag bytes of the Erlang External Term Format (erts/doc "External Term Format"), shared by the
// skipper, the decoder, the encoder and the trace reader's fast path.

/** First byte of every ETF blob (`term_to_binary/1` output). */
export const VERSION = 131;
/** `131, 80, size:u32, zlib data`: a term written with `term_to_binary(t, [:compressed])`. */
export const COMPRESSED = 80;

export const NEW_FLOAT_EXT = 70;
export const BIT_BINARY_EXT = 77;
/** Only meaningful inside the distribution protocol; never valid in a stand-alone term. */
export const ATOM_CACHE_REF = 82;
export const NEW_PID_EXT = 88;
export const NEW_PORT_EXT = 89;
export const NEWER_REFERENCE_EXT = 90;
export const SMALL_INTEGER_EXT = 97;
export const INTEGER_EXT = 98;
/** The pre-R11 float: 31 bytes of `"%.20e"` text. */
export const FLOAT_EXT = 99;
export const ATOM_EXT = 100;
export const REFERENCE_EXT = 101;
export const PORT_EXT = 102;
export const PID_EXT = 103;
export const SMALL_TUPLE_EXT = 104;
export const LARGE_TUPLE_EXT = 105;
export const NIL_EXT = 106;
export const STRING_EXT = 107;
export const LIST_EXT = 108;
export const BINARY_EXT = 109;
export const SMALL_BIG_EXT = 110;
export const LARGE_BIG_EXT = 111;
export const NEW_FUN_EXT = 112;
export const EXPORT_EXT = 113;
export const NEW_REFERENCE_EXT = 114;
export const SMALL_ATOM_EXT = 115;
export const MAP_EXT = 116;
export const ATOM_UTF8_EXT = 118;
export const SMALL_ATOM_UTF8_EXT = 119;
export const V4_PORT_EXT = 120;
/** `term_to_binary(t, [:local])` (OTP 26): node-private encoding, undecodable elsewhere. */
export const LOCAL_EXT = 121;

/**
 * The one depth limit for terms (the top term is depth 0): the decoder, the printer, the JSON form
 * and the encoder all stop at it. A container that would open at depth MAX_DEPTH - 1 or deeper is
 * decoded as the cut marker `{:"$truncated", :term, bytes, nil}`, which every view shows as `…`, so
 * a term of any depth loads and every command answers. 1,000 keeps the recursive printer, and
 * JSON.stringify/parse of the tagged JSON form (up to three JSON levels per term level), inside the
 * JavaScript stack. A list that is the tail of a list does not count, as ETF never nests those.
 */
export const MAX_DEPTH = 1000;

/**
 * How deep the skipper (the loader's validator) follows a term's structure; deeper is a damaged
 * frame. It only bounds the skipper's own stack; what is shown is cut at MAX_DEPTH.
 */
export const MAX_NESTING = 100_000;
