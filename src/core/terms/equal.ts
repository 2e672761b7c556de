// Structural equality and Erlang term order, for state diffs, sorting and map lookups.
//
// The order (number < atom < reference < fun < port < pid < tuple < map < [] < list < bitstring) is
// made total, so that `compareTerms(a, b) === 0` exactly when `termEquals(a, b)`.

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

/**
 * Structural equality: floats by value (so 0.0 equals -0.0), integers by value whether `number` or
 * `bigint`, an integer never equals a float (`1 !== 1.0`, as with `===` in Elixir), maps regardless of
 * entry order, bitstrings by their significant bits only.
 */
export function termEquals(a: Term, b: Term): boolean {
  // Pairs still to compare, on an explicit stack: terms may nest up to MAX_DEPTH levels.
  const todo: Term[] = [a, b];
  while (todo.length > 0) {
    const y = todo.pop()!;
    const x = todo.pop()!;
    if (x === y) continue;
    if (!shallowEqual(x, y, todo)) return false;
  }
  return true;
}

/** Compares what `x` and `y` hold directly, and queues the pairs of children still to compare. */
function shallowEqual(x: Term, y: Term, todo: Term[]): boolean {
  if (typeof x === "number" || typeof x === "bigint") return isInteger(y) && compareIntegers(x, y) === 0;
  if (x instanceof Atom) return false; // interned: identity was checked
  if (x instanceof ErlFloat) return y instanceof ErlFloat && x.value === y.value;
  if (x instanceof Bin) return y instanceof Bin && compareBits(x, y) === 0 && bitLength(x) === bitLength(y);
  if (x instanceof Tuple) return y instanceof Tuple && pairUp(x.elements, y.elements, todo);
  if (Array.isArray(x)) {
    if (Array.isArray(y)) return pairUp(x, y, todo);
    return y instanceof ImproperList && compareTerms(x, y) === 0;
  }
  if (x instanceof ImproperList) {
    if (y instanceof ImproperList) {
      todo.push(x.tail, y.tail);
      return pairUp(x.elements, y.elements, todo);
    }
    return Array.isArray(y) && compareTerms(x, y) === 0;
  }
  if (x instanceof ErlMap) return y instanceof ErlMap && pairUpMaps(x, y, todo);
  if (x instanceof Pid)
    return (
      y instanceof Pid &&
      x.node === y.node &&
      x.id === y.id &&
      x.serial === y.serial &&
      x.creation === y.creation
    );
  if (x instanceof Ref)
    return y instanceof Ref && x.node === y.node && x.creation === y.creation && sameNumbers(x.ids, y.ids);
  if (x instanceof Port)
    return (
      y instanceof Port && x.node === y.node && compareIntegers(x.id, y.id) === 0 && x.creation === y.creation
    );
  if (x instanceof ExportFun)
    return y instanceof ExportFun && x.module === y.module && x.fun === y.fun && x.arity === y.arity;
  if (x instanceof Fun) {
    if (!(y instanceof Fun) || x.module !== y.module || x.arity !== y.arity || x.index !== y.index)
      return false;
    if (x.oldIndex !== y.oldIndex || x.oldUniq !== y.oldUniq || !sameNumbers([...x.uniq], [...y.uniq]))
      return false;
    todo.push(x.pid, y.pid);
    return pairUp(x.freeVars, y.freeVars, todo);
  }
  return false;
}

function pairUp(a: Term[], b: Term[], todo: Term[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = a.length - 1; i >= 0; i--) todo.push(a[i], b[i]);
  return true;
}

/** Erlang term order, total: an integer sorts just before a float of the same value. */
export function compareTerms(a: Term, b: Term): number {
  return compare(a, b, false);
}

/**
 * The order of keys in a small map (what `maps:to_list/1` and `term_to_binary/1` follow): term order
 * except that every integer sorts before every float, at any depth.
 */
export function compareMapKeys(a: Term, b: Term): number {
  return compare(a, b, true);
}

function isInteger(t: Term): t is number | bigint {
  return typeof t === "number" || typeof t === "bigint";
}

function sameNumbers(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function pairUpMaps(a: ErlMap, b: ErlMap, todo: Term[]): boolean {
  if (a.entries.length !== b.entries.length) return false;
  if (a.entries.length <= 8) {
    // Small maps: look each key up (keys are compared at once, values queued).
    for (const [k, v] of a.entries) {
      const other = b.get(k, termEquals);
      if (other === undefined) return false;
      todo.push(v, other);
    }
    return true;
  }
  const x = sortedEntries(a);
  const y = sortedEntries(b);
  for (let i = x.length - 1; i >= 0; i--) todo.push(x[i][0], y[i][0], x[i][1], y[i][1]);
  return true;
}

// Maps are immutable once built, so their key-sorted entries can be kept.
const sortedCache = new WeakMap<ErlMap, Array<[Term, Term]>>();

function sortedEntries(m: ErlMap): Array<[Term, Term]> {
  let s = sortedCache.get(m);
  if (s === undefined) {
    s = m.entries.slice();
    let sorted = true;
    for (let i = 1; i < s.length && sorted; i++) if (compare(s[i - 1][0], s[i][0], true) > 0) sorted = false;
    if (!sorted) s.sort((x, y) => compare(x[0], y[0], true));
    sortedCache.set(m, s);
  }
  return s;
}

/** Rank of each type in Erlang's term order. */
function rank(t: Term): number {
  if (typeof t === "number" || typeof t === "bigint" || t instanceof ErlFloat) return 0;
  if (t instanceof Atom) return 1;
  if (t instanceof Ref) return 2;
  if (t instanceof Fun || t instanceof ExportFun) return 3;
  if (t instanceof Port) return 4;
  if (t instanceof Pid) return 5;
  if (t instanceof Tuple) return 6;
  if (t instanceof ErlMap) return 7;
  if (Array.isArray(t)) return t.length === 0 ? 8 : 9;
  if (t instanceof ImproperList) return 9;
  return 10; // Bin
}

function sign(x: number): number {
  return x < 0 ? -1 : x > 0 ? 1 : 0;
}

/** Work item kinds for `compare`: a pair of terms, or the tie-breaking fields of two funs. */
const PAIR = 0;
const FUN_REST = 1;

// Pairs still to compare, last pushed first: terms may nest up to MAX_DEPTH levels. Shared by all
// calls; a nested call (sorting map keys) works above the caller's part and leaves it as it was.
const xs: Term[] = [];
const ys: Term[] = [];
const exacts: boolean[] = [];
const kinds: number[] = [];

function later(x: Term, y: Term, exact: boolean, kind = PAIR): void {
  xs.push(x);
  ys.push(y);
  exacts.push(exact);
  kinds.push(kind);
}

function compare(a0: Term, b0: Term, exact0: boolean): number {
  // Fast paths for the common keys of maps and sorted lists: atoms and small integers.
  if (a0 instanceof Atom && b0 instanceof Atom) return compareStrings(a0.name, b0.name);
  if (typeof a0 === "number" && typeof b0 === "number") return a0 < b0 ? -1 : a0 > b0 ? 1 : 0;
  const base = xs.length;
  later(a0, b0, exact0);
  try {
    return run(base);
  } finally {
    xs.length = ys.length = exacts.length = kinds.length = base;
  }
}

function run(base: number): number {
  while (xs.length > base) {
    const a = xs.pop()!;
    const b = ys.pop()!;
    const exact = exacts.pop()!;
    const kind = kinds.pop()!;
    if (kind === FUN_REST) {
      const c = compareFunRest(a as Fun, b as Fun);
      if (c !== 0) return c;
      continue;
    }
    if (a === b) continue;
    const ra = rank(a);
    const rb = rank(b);
    if (ra !== rb) return ra < rb ? -1 : 1;
    switch (ra) {
      case 3: {
        if (a instanceof ExportFun || b instanceof ExportFun) {
          const c = compareLeaves(ra, a, b, exact);
          if (c !== 0) return c;
          break;
        }
        const x = a as Fun;
        const y = b as Fun;
        const c =
          compareStrings(x.module.name, y.module.name) ||
          sign(x.index - y.index) ||
          sign(x.oldUniq - y.oldUniq) ||
          sign(x.freeVars.length - y.freeVars.length);
        if (c !== 0) return c;
        later(x, y, exact, FUN_REST);
        for (let i = x.freeVars.length - 1; i >= 0; i--) later(x.freeVars[i], y.freeVars[i], exact);
        break;
      }
      case 6: {
        const x = (a as Tuple).elements;
        const y = (b as Tuple).elements;
        if (x.length !== y.length) return x.length < y.length ? -1 : 1;
        for (let i = x.length - 1; i >= 0; i--) later(x[i], y[i], exact);
        break;
      }
      case 7: {
        // By size, then the keys in map-key order, then the values in that order.
        const x = (a as ErlMap).entries;
        const y = (b as ErlMap).entries;
        if (x.length !== y.length) return x.length < y.length ? -1 : 1;
        const sx = sortedEntries(a as ErlMap);
        const sy = sortedEntries(b as ErlMap);
        for (let i = sx.length - 1; i >= 0; i--) later(sx[i][1], sy[i][1], exact);
        for (let i = sx.length - 1; i >= 0; i--) later(sx[i][0], sy[i][0], true);
        break;
      }
      case 9: {
        // Lists compare as chains of cons cells: heads first, then the tails (`[1 | 2] < [1]`, 2 < []).
        const x = a as Term[] | ImproperList;
        const y = b as Term[] | ImproperList;
        const xe = Array.isArray(x) ? x : x.elements;
        const ye = Array.isArray(y) ? y : y.elements;
        const n = Math.min(xe.length, ye.length);
        later(
          rest(xe, n, Array.isArray(x) ? [] : x.tail),
          rest(ye, n, Array.isArray(y) ? [] : y.tail),
          exact,
        );
        for (let i = n - 1; i >= 0; i--) later(xe[i], ye[i], exact);
        break;
      }
      default: {
        const c = compareLeaves(ra, a, b, exact);
        if (c !== 0) return c;
      }
    }
  }
  return 0;
}

/** Terms that hold no other terms (and export funs), of the same rank. */
function compareLeaves(r: number, a: Term, b: Term, exact: boolean): number {
  switch (r) {
    case 0:
      return compareNumbers(a as number | bigint | ErlFloat, b as number | bigint | ErlFloat, exact);
    case 1:
      return compareStrings((a as Atom).name, (b as Atom).name);
    case 2: {
      // As the BEAM sorts them: node, creation, number of words, then words from the last (the most
      // significant one, printed first: #Reference<0.last...first>).
      const x = a as Ref;
      const y = b as Ref;
      let c =
        compareStrings(x.node.name, y.node.name) ||
        sign(x.creation - y.creation) ||
        sign(x.ids.length - y.ids.length);
      for (let i = x.ids.length - 1; c === 0 && i >= 0; i--) c = sign(x.ids[i] - y.ids[i]);
      return c;
    }
    case 3: {
      // Local funs sort before exports, as on the BEAM.
      if (!(a instanceof ExportFun)) return -1;
      if (!(b instanceof ExportFun)) return 1;
      return (
        compareStrings(a.module.name, b.module.name) ||
        compareStrings(a.fun.name, b.fun.name) ||
        sign(a.arity - b.arity)
      );
    }
    case 4: {
      const x = a as Port;
      const y = b as Port;
      return (
        compareStrings(x.node.name, y.node.name) ||
        sign(x.creation - y.creation) ||
        compareIntegers(x.id, y.id)
      );
    }
    case 5: {
      const x = a as Pid;
      const y = b as Pid;
      return (
        compareStrings(x.node.name, y.node.name) ||
        sign(x.serial - y.serial) ||
        sign(x.id - y.id) ||
        sign(x.creation - y.creation)
      );
    }
    case 8:
      return 0;
    default: {
      const c = compareBits(a as Bin, b as Bin);
      return c || sign(bitLength(a as Bin) - bitLength(b as Bin));
    }
  }
}

/** The fields of two funs the BEAM does not order by, so that the order is total. */
function compareFunRest(a: Fun, b: Fun): number {
  let c = 0;
  for (let i = 0; c === 0 && i < 16; i++) c = sign((a.uniq[i] ?? 0) - (b.uniq[i] ?? 0));
  return c || sign(a.arity - b.arity) || sign(a.oldIndex - b.oldIndex) || compareTerms(a.pid, b.pid);
}

function compareNumbers(
  a: number | bigint | ErlFloat,
  b: number | bigint | ErlFloat,
  exact: boolean,
): number {
  const af = a instanceof ErlFloat;
  const bf = b instanceof ErlFloat;
  if (exact && af !== bf) return af ? 1 : -1;
  const c = compareIntegers(af ? a.value : (a as number | bigint), bf ? b.value : (b as number | bigint));
  if (c !== 0 || af === bf) return c;
  return af ? 1 : -1;
}

/** Compares two numeric values, either of which may be a bigint (exactly, without rounding). */
function compareIntegers(x: number | bigint, y: number | bigint): number {
  if (typeof x === typeof y) return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === "number") return -compareMixed(y as bigint, x);
  return compareMixed(x, y as number);
}

function compareMixed(x: bigint, y: number): number {
  if (Number.isInteger(y)) {
    const by = BigInt(y);
    return x < by ? -1 : x > by ? 1 : 0;
  }
  // y has a fraction: x <= floor(y) means x < y.
  return x <= BigInt(Math.floor(y)) ? -1 : 1;
}

/** Code point order, as the BEAM compares atom names (UTF-16 order differs above U+FFFF). */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1;
      return x < y ? -1 : 1;
    }
  }
  return sign(a.length - b.length);
}

function rest(elements: Term[], from: number, tail: Term): Term {
  if (from >= elements.length) return tail;
  const more = elements.slice(from);
  return Array.isArray(tail) && tail.length === 0 ? more : new ImproperList(more, tail);
}

function bitLength(t: Bin): number {
  return t.bytes.length === 0 ? 0 : (t.bytes.length - 1) * 8 + t.bits;
}

/** Compares the common prefix of two bitstrings' significant bits (0 when one is a prefix). */
function compareBits(a: Bin, b: Bin): number {
  const n = Math.min(bitLength(a), bitLength(b));
  const whole = n >>> 3;
  const x = a.bytes;
  const y = b.bytes;
  for (let i = 0; i < whole; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  const r = n & 7;
  if (r === 0) return 0;
  const xr = x[whole] >> (8 - r);
  const yr = y[whole] >> (8 - r);
  return xr === yr ? 0 : xr < yr ? -1 : 1;
}
