// The in-memory model of an Erlang/Elixir term decoded from the External Term Format.
// Every type the BEAM can send stays distinct: integers are `number` (or `bigint` beyond 2^53),
// floats are boxed so that `1.0` is not `1`, binaries are bytes (Elixir strings are UTF-8 binaries),
// proper lists are arrays and charlists are lists of integers, as on the BEAM.

/** An atom. Interned: two atoms with the same name are the same object, so `===` compares them. */
export class Atom {
  private static readonly table = new Map<string, Atom>();
  private constructor(readonly name: string) {}
  static of(name: string): Atom {
    let atom = Atom.table.get(name);
    if (atom === undefined) {
      atom = new Atom(name);
      Atom.table.set(name, atom);
    }
    return atom;
  }
  toString(): string {
    return this.name;
  }
}

export const TRUE = Atom.of("true");
export const FALSE = Atom.of("false");
export const NIL = Atom.of("nil");
export const UNDEFINED = Atom.of("undefined");

/** A float (boxed, so that integer and float stay apart). */
export class ErlFloat {
  constructor(readonly value: number) {}
}

/** A binary, or a bitstring when `bits` (the bits used in the last byte, 1..8) is below 8. */
export class Bin {
  constructor(
    readonly bytes: Uint8Array,
    readonly bits: number = 8,
  ) {}
}

export class Tuple {
  constructor(readonly elements: Term[]) {}
}

/** A list whose tail is not `[]`: `[1, 2 | :tail]`. Proper lists are plain arrays. */
export class ImproperList {
  constructor(
    readonly elements: Term[],
    readonly tail: Term,
  ) {}
}

/** A map, entries in the order ETF gave them (the BEAM's own order for small maps). */
export class ErlMap {
  constructor(readonly entries: Array<[Term, Term]>) {}
  get(key: Term, eq: (a: Term, b: Term) => boolean): Term | undefined {
    for (const [k, v] of this.entries) if (eq(k, key)) return v;
    return undefined;
  }
}

export class Pid {
  constructor(
    readonly node: Atom,
    readonly id: number,
    readonly serial: number,
    readonly creation: number,
  ) {}
  /** `<0.123.0>` style, as `inspect/1` prints a pid of the local node. */
  toString(): string {
    return `#PID<0.${this.id}.${this.serial}>`;
  }
}

export class Ref {
  constructor(
    readonly node: Atom,
    readonly ids: number[],
    readonly creation: number,
  ) {}
}

export class Port {
  constructor(
    readonly node: Atom,
    readonly id: number | bigint,
    readonly creation: number,
  ) {}
}

/** A closure (NEW_FUN_EXT). Its captured environment is kept as terms. */
export class Fun {
  constructor(
    readonly module: Atom,
    readonly arity: number,
    readonly index: number,
    readonly uniq: Uint8Array,
    readonly oldIndex: number,
    readonly oldUniq: number,
    readonly pid: Term,
    readonly freeVars: Term[],
  ) {}
}

/** An external fun, `&Mod.fun/arity` (EXPORT_EXT). */
export class ExportFun {
  constructor(
    readonly module: Atom,
    readonly fun: Atom,
    readonly arity: number,
  ) {}
}

export type Term =
  | number
  | bigint
  | ErlFloat
  | Atom
  | Bin
  | Tuple
  | Term[]
  | ImproperList
  | ErlMap
  | Pid
  | Ref
  | Port
  | Fun
  | ExportFun;

/** Marker the recorder leaves for a term it cut: `{:"$truncated", type, size, preview}`. */
export const TRUNCATED = Atom.of("$truncated");
