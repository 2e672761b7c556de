// Search without decoding: a parsed breakpoint condition (the expression language's tree) compiled
// into a three-valued pre-filter over an event's columns and raw frame bytes. `NO` means the
// condition certainly does not hold there (so the event need not be decoded), `YES` that it
// certainly does, `MAYBE` that only a full evaluation can tell. It decides `kind`, `seq` and
// `module` from the columns, and `args[i]` against an integer or atom literal from the call's bytes.

import { Scan } from "./reader/scan";
import { lowerBound } from "./store/csr";
import { ARG_FP_COUNT, FP_NONE, FP_UNKNOWN, literalFingerprint } from "./reader/argFingerprint";
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
  /**
   * Where argument tests keep what they read of each call, with `candidates` (the rows the condition
   * will be asked about, ascending): kept by the recording across conditions, so that a condition set
   * again on the same calls, or another literal on the same argument, reads no frame bytes for the
   * calls already seen.
   */
  memo?: ArgMemo;
  candidates?: ArrayLike<number>;
  /**
   * Argument `k`'s fingerprint column (k < ARG_FP_COUNT; see reader/argFingerprint.ts): a call
   * whose fingerprint is neither FP_NONE, FP_UNKNOWN nor the literal's differs from it, unread.
   * Other events than calls must hold FP_NONE.
   */
  argFingerprints?(k: number): ArrayLike<number>;
}

/** Per argument position: the atom names met (ids in `atomId`), and facts per list of candidates. */
export type ArgMemo = Map<number, { names: Map<string, number>; lists: ArgFacts[] }>;

/** Lists of candidates remembered per argument position (the most recently set are kept). */
const MEMO_LISTS = 8;

/**
 * Per candidate (arrays allocated on the first test of each kind of literal): for number literals,
 * `numState` says what `numValue` holds; for atom literals, `atomId` is 1 + the id of the argument's
 * name, or a negative code. 0 is "not read yet".
 */
interface ArgFacts {
  rows: Int32Array;
  numState?: Uint8Array;
  numValue?: Int32Array;
  atomId?: Int32Array;
}

// Codes of `numState`, and the negative codes of `atomId`.
const UNREAD = 0;
const IS_INT = 1;
const IS_NO = 2;
const IS_MAYBE = 3;
const IS_FLOAT = 4;
/** An integer outside 32 bits: not kept, read again from the bytes. */
const IS_WIDE = 5;
const A_NO = -1;
const A_MAYBE = -2;
const A_FLOAT = -3;

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
    const frame: FrameRange = { buf: Buffer.alloc(0), start: 0, end: 0 };
    const read = (row: number): void => {
      if (src.frameRange) src.frameRange(row, frame);
      else {
        const bytes = src.frameBytes(row);
        frame.buf = Buffer.isBuffer(bytes)
          ? bytes
          : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        frame.start = 0;
        frame.end = bytes.byteLength;
      }
    };
    const memo = src.memo && src.candidates ? memoOf(src.memo, k, src.candidates) : undefined;
    const facts = memo?.facts;
    // The candidates are asked about in order (forwards or backwards): try the neighbours of the
    // last one found before searching.
    let last = 0;
    const place = (row: number): number => {
      const rows = facts!.rows;
      for (let d = -1; d <= 1; d++) if (rows[last + d] === row) return (last += d);
      const lo = lowerBound(rows, row);
      if (lo < rows.length && rows[lo] === row) return (last = lo);
      return -1;
    };
    // A fingerprint that differs from the literal's settles a call before the memo or its bytes,
    // and before its kind: other events' fingerprints are FP_NONE.
    const litFp = k < ARG_FP_COUNT ? literalFingerprint(lit) : undefined;
    const fps = litFp !== undefined ? src.argFingerprints?.(k) : undefined;
    const differs = (row: number): boolean => {
      const f = fps![row];
      return f !== litFp && f !== FP_NONE && f !== FP_UNKNOWN;
    };
    if (typeof lit === "number") {
      const n = facts?.rows.length ?? 0;
      const state = facts ? (facts.numState ??= new Uint8Array(n)) : undefined;
      const value = facts ? (facts.numValue ??= new Int32Array(n)) : undefined;
      return (row) => {
        if (fps && differs(row)) return NO;
        if (src.kindOf(row) !== "call") return MAYBE;
        const at = state ? place(row) : -1;
        let st = at >= 0 ? state![at] : UNREAD;
        let v: number;
        if (st === IS_INT) v = value![at];
        else if (st === UNREAD || st === IS_WIDE) {
          read(row);
          v = argNumber(scan, frame, k);
          st = Number.isInteger(v) ? ((v | 0) === v ? IS_INT : IS_WIDE) : codeOf(v);
          if (at >= 0) {
            state![at] = st;
            if (st === IS_INT) value![at] = v;
          }
        } else v = NaN;
        if (st === IS_INT || st === IS_WIDE) return v === lit ? YES : NO;
        return st === IS_NO ? NO : st === IS_FLOAT && strict ? NO : MAYBE;
      };
    }
    const ids = facts ? (facts.atomId ??= new Int32Array(facts.rows.length)) : undefined;
    const names = memo?.names ?? new Map<string, number>();
    const want = names.get(lit.name) ?? names.set(lit.name, names.size).get(lit.name)!;
    return (row) => {
      if (fps && differs(row)) return NO;
      if (src.kindOf(row) !== "call") return MAYBE;
      const at = ids ? place(row) : -1;
      let v = at >= 0 ? ids![at] : UNREAD;
      if (v === UNREAD) {
        read(row);
        v = argAtom(scan, frame, k, names);
        if (at >= 0) ids![at] = v;
      }
      if (v > 0) return v - 1 === want ? YES : NO;
      return v === A_NO ? NO : v === A_FLOAT && strict ? NO : MAYBE;
    };
  }
  return maybe;
}

/** The memo of argument `k` over these candidates (the same rows as an earlier list, or a new one). */
function memoOf(
  memo: ArgMemo,
  k: number,
  candidates: ArrayLike<number>,
): { names: Map<string, number>; facts: ArgFacts } {
  let m = memo.get(k);
  if (!m) memo.set(k, (m = { names: new Map(), lists: [] }));
  const n = candidates.length;
  let facts = m.lists.find((f) => {
    if (f.rows.length !== n) return false;
    for (let i = 0; i < n; i++) if (f.rows[i] !== candidates[i]) return false;
    return true;
  });
  if (facts) m.lists.splice(m.lists.indexOf(facts), 1);
  else facts = { rows: Int32Array.from(candidates) };
  m.lists.push(facts);
  if (m.lists.length > MEMO_LISTS) m.lists.shift();
  return { names: m.names, facts };
}

/** The state code of `argNumber`'s non-integer answers. */
function codeOf(v: number): number {
  return v === N_NO ? IS_NO : v === N_FLOAT ? IS_FLOAT : IS_MAYBE;
}

// `argNumber`'s non-integer answers.
const N_NO = 1.5;
const N_MAYBE = 2.5;
const N_FLOAT = 3.5;

/**
 * Moves the scan to argument `k` of the call frame; false where the frame is not a call with a
 * proper argument list that long. A string (a list of small integers, one byte each) answers
 * through `byte` instead: its element, or -1.
 */
function toArg(s: Scan, f: FrameRange, k: number, byte: { v: number }): boolean {
  const buf = f.buf;
  byte.v = -2;
  s.reset(buf, f.start + 1, f.end);
  if (s.tupleArity() < 6) return false;
  for (let i = 0; i < 5; i++) s.skip(); // tag, seq, time, pid, mfa
  const tag = s.peekTag();
  if (tag === T.STRING_EXT) {
    const n = buf.readUInt16BE(s.pos + 1);
    if (k >= n) return false;
    byte.v = buf[s.pos + 3 + k];
    return true;
  }
  if (tag !== T.LIST_EXT) return false;
  const n = buf.readUInt32BE(s.pos + 1);
  if (k >= n) return false;
  s.pos += 5;
  for (let i = 0; i < k; i++) s.skip();
  return true;
}

const stringByte = { v: -2 };

/** Argument `k` of the call for number literals: its value, or `N_NO` / `N_MAYBE` / `N_FLOAT`. */
function argNumber(s: Scan, f: FrameRange, k: number): number {
  try {
    if (!toArg(s, f, k, stringByte)) return N_MAYBE;
    if (stringByte.v >= 0) return stringByte.v;
    const el = s.peekTag();
    if (el === T.NEW_FLOAT_EXT || el === T.FLOAT_EXT) return N_FLOAT;
    const v = s.integer();
    // Integers beyond 2^53 come back rounded: only a clear difference would be a certain NO.
    if (v === undefined) return N_NO;
    return Number.isSafeInteger(v) ? v : N_MAYBE;
  } catch {
    return N_MAYBE;
  }
}

/** Argument `k` of the call for atom literals: 1 + its name's id in `names`, or `A_NO` / `A_MAYBE` / `A_FLOAT`. */
function argAtom(s: Scan, f: FrameRange, k: number, names: Map<string, number>): number {
  try {
    if (!toArg(s, f, k, stringByte)) return A_MAYBE;
    if (stringByte.v >= 0) return A_NO;
    const el = s.peekTag();
    if (el === T.NEW_FLOAT_EXT || el === T.FLOAT_EXT) return A_FLOAT;
    const name = s.atom();
    if (name === undefined) return A_NO;
    let id = names.get(name);
    if (id === undefined) names.set(name, (id = names.size));
    return id + 1;
  } catch {
    return A_MAYBE;
  }
}
