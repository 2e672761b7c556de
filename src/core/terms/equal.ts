// Structural equality and ordering of terms, for state diffs, sorting and map lookups. The order is
// Erlang's term order (number < atom < reference < fun < port < pid < tuple < map < [] < list <
// bitstring), made total so that `compareTerms(a, b) === 0` exactly when `termEquals(a, b)`.

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
  if (a === b) return true;
  if (typeof a === "number" || typeof a === "bigint") return isInteger(b) && compareIntegers(a, b) === 0;
  if (a instanceof Atom) return false; // interned: identity was checked above
  if (a instanceof ErlFloat) return b instanceof ErlFloat && a.value === b.value;
  if (a instanceof Bin) return b instanceof Bin && compareBits(a, b) === 0 && bitLength(a) === bitLength(b);
  if (a instanceof Tuple) return b instanceof Tuple && allEqual(a.elements, b.elements);
  if (Array.isArray(a)) {
    if (Array.isArray(b)) return allEqual(a, b);
    return b instanceof ImproperList && compareTerms(a, b) === 0;
  }
  if (a instanceof ImproperList) {
    if (b instanceof ImproperList) return allEqual(a.elements, b.elements) && termEquals(a.tail, b.tail);
    return Array.isArray(b) && compareTerms(a, b) === 0;
  }
  if (a instanceof ErlMap) return b instanceof ErlMap && mapsEqual(a, b);
  if (a instanceof Pid)
    return (
      b instanceof Pid &&
      a.node === b.node &&
      a.id === b.id &&
      a.serial === b.serial &&
      a.creation === b.creation
    );
  if (a instanceof Ref)
    return b instanceof Ref && a.node === b.node && a.creation === b.creation && sameNumbers(a.ids, b.ids);
  if (a instanceof Port)
    return (
      b instanceof Port && a.node === b.node && compareIntegers(a.id, b.id) === 0 && a.creation === b.creation
    );
  if (a instanceof ExportFun)
    return b instanceof ExportFun && a.module === b.module && a.fun === b.fun && a.arity === b.arity;
  if (a instanceof Fun) return b instanceof Fun && compareFuns(a, b, false) === 0;
  return false;
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

function allEqual(a: Term[], b: Term[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!termEquals(a[i], b[i])) return false;
  return true;
}

function sameNumbers(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function mapsEqual(a: ErlMap, b: ErlMap): boolean {
  if (a.entries.length !== b.entries.length) return false;
  if (a.entries.length <= 8) {
    for (const [k, v] of a.entries) {
      const other = b.get(k, termEquals);
      if (other === undefined || !termEquals(v, other)) return false;
    }
    return true;
  }
  const x = sortedEntries(a);
  const y = sortedEntries(b);
  for (let i = 0; i < x.length; i++)
    if (!termEquals(x[i][0], y[i][0]) || !termEquals(x[i][1], y[i][1])) return false;
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

function compare(a: Term, b: Term, exact: boolean): number {
  if (a === b) return 0;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return compareNumbers(a as number | bigint | ErlFloat, b as number | bigint | ErlFloat, exact);
    case 1:
      return compareStrings((a as Atom).name, (b as Atom).name);
    case 2: {
      const x = a as Ref;
      const y = b as Ref;
      let c = compareStrings(x.node.name, y.node.name) || sign(x.ids.length - y.ids.length);
      // The last id word is the most significant (it is printed first: #Reference<0.last...first>).
      for (let i = x.ids.length - 1; c === 0 && i >= 0; i--) c = sign(x.ids[i] - y.ids[i]);
      return c || sign(x.creation - y.creation);
    }
    case 3: {
      if (a instanceof ExportFun) {
        if (!(b instanceof ExportFun)) return 1; // local funs sort before exports, as on the BEAM
        return (
          compareStrings(a.module.name, b.module.name) ||
          compareStrings(a.fun.name, b.fun.name) ||
          sign(a.arity - b.arity)
        );
      }
      if (b instanceof ExportFun) return -1;
      return compareFuns(a as Fun, b as Fun, exact);
    }
    case 4: {
      const x = a as Port;
      const y = b as Port;
      return (
        compareStrings(x.node.name, y.node.name) ||
        compareIntegers(x.id, y.id) ||
        sign(x.creation - y.creation)
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
    case 6: {
      const x = (a as Tuple).elements;
      const y = (b as Tuple).elements;
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      for (let i = 0; i < x.length; i++) {
        const c = compare(x[i], y[i], exact);
        if (c !== 0) return c;
      }
      return 0;
    }
    case 7:
      return compareMaps(a as ErlMap, b as ErlMap, exact);
    case 8:
      return 0;
    case 9:
      return compareLists(a as Term[] | ImproperList, b as Term[] | ImproperList, exact);
    default: {
      const c = compareBits(a as Bin, b as Bin);
      return c || sign(bitLength(a as Bin) - bitLength(b as Bin));
    }
  }
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

function compareFuns(a: Fun, b: Fun, exact: boolean): number {
  let c =
    compareStrings(a.module.name, b.module.name) ||
    sign(a.index - b.index) ||
    sign(a.oldUniq - b.oldUniq) ||
    sign(a.freeVars.length - b.freeVars.length);
  for (let i = 0; c === 0 && i < a.freeVars.length; i++) c = compare(a.freeVars[i], b.freeVars[i], exact);
  if (c !== 0) return c;
  // Not part of the BEAM's order, but needed for a total one.
  for (let i = 0; c === 0 && i < 16; i++) c = sign((a.uniq[i] ?? 0) - (b.uniq[i] ?? 0));
  return c || sign(a.arity - b.arity) || sign(a.oldIndex - b.oldIndex) || compare(a.pid, b.pid, exact);
}

/** Maps: by size, then keys in map-key order, then values in that key order. */
function compareMaps(a: ErlMap, b: ErlMap, exact: boolean): number {
  if (a.entries.length !== b.entries.length) return a.entries.length < b.entries.length ? -1 : 1;
  const x = sortedEntries(a);
  const y = sortedEntries(b);
  for (let i = 0; i < x.length; i++) {
    const c = compare(x[i][0], y[i][0], true);
    if (c !== 0) return c;
  }
  for (let i = 0; i < x.length; i++) {
    const c = compare(x[i][1], y[i][1], exact);
    if (c !== 0) return c;
  }
  return 0;
}

/** Lists compare as chains of cons cells: heads first, then the tails (`[1 | 2] < [1]`, as 2 < []). */
function compareLists(a: Term[] | ImproperList, b: Term[] | ImproperList, exact: boolean): number {
  const ae = Array.isArray(a) ? a : a.elements;
  const be = Array.isArray(b) ? b : b.elements;
  const at: Term = Array.isArray(a) ? [] : a.tail;
  const bt: Term = Array.isArray(b) ? [] : b.tail;
  const n = Math.min(ae.length, be.length);
  for (let i = 0; i < n; i++) {
    const c = compare(ae[i], be[i], exact);
    if (c !== 0) return c;
  }
  return compare(rest(ae, n, at), rest(be, n, bt), exact);
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
