// Search without decoding: a parsed breakpoint condition (the expression language's tree) compiled
// into a three-valued pre-filter over an event's columns and raw frame bytes. `NO` means the
// condition certainly does not hold there (so the event need not be decoded), `YES` that it
// certainly does, `MAYBE` that only a full evaluation can tell. It decides `kind`, `seq` and
// `module` from the columns, and `args[i]` against an integer or atom literal from the call's bytes.

import { Scan } from "./reader/scan";
import { Atom, type Term } from "./terms/term";
import * as T from "./terms/tags";
import type { EventKind, Mfa } from "./types";

export const NO = 0;
export const YES = 1;
export const MAYBE = 2;
export type Tri = typeof NO | typeof YES | typeof MAYBE;

/** The shapes of the expression tree this compiler understands; any other node is `MAYBE`. */
export type ConditionNode =
  | { t: "lit"; v: Term }
  | { t: "var"; name: string }
  | { t: "index"; of: ConditionNode; key: ConditionNode }
  | { t: "neg"; e: ConditionNode }
  | { t: "not"; e: ConditionNode }
  | { t: "bin"; op: string; l: ConditionNode; r: ConditionNode }
  | { t: string };

/** What the filter reads of an event: the columns, and the frame's bytes only for argument tests. */
export interface ColumnSource {
  kindOf(row: number): EventKind;
  seqOf(row: number): number;
  mfaOf(row: number): Mfa | undefined;
  /** The event's frame bytes (an ETF term, version byte first); may be a view valid until the next call. */
  frameBytes(row: number): Uint8Array;
  /**
   * The same bytes without a view object per frame (for scans over many candidates): fills `at`
   * with a buffer and the frame's range in it, valid until the next call.
   */
  frameRange?(row: number, at: FrameRange): void;
}

export interface FrameRange {
  buf: Buffer;
  start: number;
  end: number;
}

type Test = (row: number) => Tri;

/** A pre-filter for `cond`, or undefined when no part of it can be decided without decoding. */
export function compileColumnFilter(cond: ConditionNode, src: ColumnSource): Test | undefined {
  const test = compile(cond, src);
  return test === maybe ? undefined : test;
}

const maybe: Test = () => MAYBE;

function compile(e: ConditionNode, src: ColumnSource): Test {
  if (e.t === "not") {
    const inner = compile((e as { e: ConditionNode }).e, src);
    if (inner === maybe) return maybe;
    // Safe to invert: NO and YES come only from comparisons that evaluate without error.
    return (row) => {
      const v = inner(row);
      return v === MAYBE ? MAYBE : v === YES ? NO : YES;
    };
  }
  if (e.t !== "bin") return maybe;
  const { op, l, r } = e as { op: string; l: ConditionNode; r: ConditionNode };
  if (op === "and" || op === "or") {
    const a = compile(l, src);
    const b = compile(r, src);
    if (a === maybe && b === maybe) return maybe;
    // `and` is false when either side is (an error on the left is treated as false too);
    // `or` is true only when the left side is, and false only when both are.
    return op === "and"
      ? (row) => {
          const x = a(row);
          if (x === NO) return NO;
          const y = b(row);
          return y === NO ? NO : x === YES && y === YES ? YES : MAYBE;
        }
      : (row) => {
          const x = a(row);
          if (x === YES) return YES;
          const y = b(row);
          return x === NO ? y : MAYBE;
        };
  }
  if (op !== "==" && op !== "===" && op !== "!=" && op !== "!==") return maybe;
  const negate = op === "!=" || op === "!==";
  const strict = op === "===" || op === "!==";
  const lit = literal(r) ?? literal(l);
  const other = literal(r) !== undefined ? l : r;
  if (lit === undefined) return maybe;
  const eq = equality(other, lit, strict, src);
  if (eq === maybe || !negate) return eq;
  return (row) => {
    const v = eq(row);
    return v === MAYBE ? MAYBE : v === YES ? NO : YES;
  };
}

/** A literal integer or atom (`12`, `-1`, `:ok`), else undefined. */
function literal(e: ConditionNode): number | Atom | undefined {
  if (e.t === "lit") {
    const v = (e as { v: Term }).v;
    if (typeof v === "number" && Number.isInteger(v)) return v;
    if (v instanceof Atom) return v;
  }
  if (e.t === "neg") {
    const inner = literal((e as { e: ConditionNode }).e);
    if (typeof inner === "number") return -inner;
  }
  return undefined;
}

/** `lhs == lit` over columns or bytes. */
function equality(lhs: ConditionNode, lit: number | Atom, strict: boolean, src: ColumnSource): Test {
  const yesNo = (b: boolean): Tri => (b ? YES : NO);
  if (lhs.t === "var") {
    switch ((lhs as { name: string }).name) {
      case "kind":
        return lit instanceof Atom ? (row) => yesNo(src.kindOf(row) === lit.name) : () => NO;
      case "seq":
        return typeof lit === "number" ? (row) => yesNo(src.seqOf(row) === lit) : () => NO;
      case "module":
        return lit instanceof Atom
          ? (row) => {
              const m = src.mfaOf(row);
              return m ? yesNo(m.module === lit.name) : MAYBE;
            }
          : maybe;
      default:
        return maybe;
    }
  }
  if (lhs.t === "index") {
    const { of, key } = lhs as { of: ConditionNode; key: ConditionNode };
    const k = literal(key);
    if (of.t !== "var" || (of as { name: string }).name !== "args" || typeof k !== "number" || k < 0)
      return maybe;
    const scan = new Scan();
    const at: FrameRange = { buf: Buffer.alloc(0), start: 0, end: 0 };
    return (row) => {
      if (src.kindOf(row) !== "call") return MAYBE;
      if (src.frameRange) src.frameRange(row, at);
      else {
        const bytes = src.frameBytes(row);
        at.buf = Buffer.isBuffer(bytes)
          ? bytes
          : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        at.start = 0;
        at.end = bytes.byteLength;
      }
      return argEquals(scan, at, k, lit, strict);
    };
  }
  return maybe;
}

/** Whether the call frame's argument `k` equals `lit`, read from its ETF bytes without decoding. */
function argEquals(s: Scan, f: FrameRange, k: number, lit: number | Atom, strict: boolean): Tri {
  const buf = f.buf;
  s.reset(buf, f.start + 1, f.end);
  try {
    if (s.tupleArity() < 6) return MAYBE;
    for (let i = 0; i < 5; i++) s.skip(); // tag, seq, time, pid, mfa
    const tag = s.peekTag();
    if (tag === T.STRING_EXT) {
      // A list of small integers, one byte each.
      const n = buf.readUInt16BE(s.pos + 1);
      if (k >= n) return MAYBE;
      const v = buf[s.pos + 3 + k];
      return typeof lit === "number" ? (v === lit ? YES : NO) : NO;
    }
    if (tag !== T.LIST_EXT) return MAYBE;
    const n = buf.readUInt32BE(s.pos + 1);
    if (k >= n) return MAYBE;
    s.pos += 5;
    for (let i = 0; i < k; i++) s.skip();
    const el = s.peekTag();
    if (el === T.NEW_FLOAT_EXT || el === T.FLOAT_EXT) return strict ? NO : MAYBE;
    if (typeof lit === "number") {
      const v = s.integer();
      // Integers beyond 2^53 come back rounded: only a clear difference is a certain NO.
      if (v === undefined) return NO;
      if (!Number.isSafeInteger(v)) return MAYBE;
      return v === lit ? YES : NO;
    }
    const name = s.atom();
    return name === undefined ? NO : name === lit.name ? YES : NO;
  } catch {
    return MAYBE;
  }
}
