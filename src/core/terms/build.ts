// Short constructors for terms, for tests, fixtures and the trace writer: `tuple(atom("ok"), 1)`
// reads like the Elixir `{:ok, 1}` it stands for.

import {
  Atom,
  Bin,
  ErlFloat,
  ErlMap,
  ExportFun,
  ImproperList,
  Pid,
  Port,
  Ref,
  type Term,
  Tuple,
} from "./term";

const encoder = new TextEncoder();

export function atom(name: string): Atom {
  return Atom.of(name);
}

export function tuple(...elements: Term[]): Tuple {
  return new Tuple(elements);
}

/** A binary: a string is encoded as UTF-8 (an Elixir string), bytes are taken as they are. */
export function bin(content: string | Uint8Array | number[]): Bin {
  if (typeof content === "string") return new Bin(encoder.encode(content));
  return new Bin(content instanceof Uint8Array ? content : Uint8Array.from(content));
}

/** A bitstring of `bytes.length - 1` whole bytes and `bits` (1..8) high bits of the last byte. */
export function bits(bytes: Uint8Array | number[], bits: number): Bin {
  const b = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
  if (!(Number.isInteger(bits) && bits >= 1 && bits <= 8))
    throw new RangeError(`bits must be 1..8, got ${bits}`);
  if (b.length === 0 && bits !== 8)
    throw new RangeError("an empty bitstring has no last byte to take bits from");
  return new Bin(b, bits);
}

export function map(entries: Iterable<[Term, Term]>): ErlMap {
  return new ErlMap(Array.from(entries));
}

/** `[key: value, ...]`: a keyword list. */
export function keyword(entries: Iterable<[string, Term]>): Term[] {
  return Array.from(entries, ([k, v]) => new Tuple([Atom.of(k), v]));
}

export function pid(node: string | Atom, id: number, serial: number, creation = 0): Pid {
  return new Pid(typeof node === "string" ? Atom.of(node) : node, id, serial, creation);
}

export function ref(node: string | Atom, ids: number[], creation = 0): Ref {
  return new Ref(typeof node === "string" ? Atom.of(node) : node, ids, creation);
}

export function port(node: string | Atom, id: number | bigint, creation = 0): Port {
  return new Port(typeof node === "string" ? Atom.of(node) : node, id, creation);
}

/** `&module.fun/arity`; module names are full atoms (`"Elixir.String"`). */
export function exportFun(module: string, fun: string, arity: number): ExportFun {
  return new ExportFun(Atom.of(module), Atom.of(fun), arity);
}

export function float(value: number): ErlFloat {
  return new ErlFloat(value);
}

/** A charlist (`~c"abc"`): the list of the string's code points. */
export function charlist(s: string): number[] {
  return Array.from(s, (c) => c.codePointAt(0)!);
}

/**
 * `[e1, e2 | tail]`, normalised as the BEAM would hold it: a list tail is spliced in (the result is
 * then proper when that list is), and no elements leaves just the tail.
 */
export function improper(elements: Term[], tail: Term): Term {
  if (Array.isArray(tail)) return [...elements, ...tail];
  if (tail instanceof ImproperList) return improper([...elements, ...tail.elements], tail.tail);
  return elements.length === 0 ? tail : new ImproperList(elements, tail);
}
