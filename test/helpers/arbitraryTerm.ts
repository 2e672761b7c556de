// fast-check generators for Erlang terms, covering every type of the Term model (big integers,
// bitstrings, improper lists, maps with term keys, pids, refs, ports, funs). Shared by property tests.

import fc from "fast-check";
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
} from "../../src/core/terms/term";
import { termEquals } from "../../src/core/terms/equal";

/** Any well-formed Unicode string (lone surrogates replaced), as atom names and UTF-8 binaries need. */
const wellFormed = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: "binary", maxLength }).map((s) => new TextDecoder().decode(new TextEncoder().encode(s)));

export const arbitraryAtom: fc.Arbitrary<Atom> = fc
  .oneof(
    fc.constantFrom(
      "ok",
      "error",
      "nil",
      "true",
      "false",
      "undefined",
      "Elixir.Cinema.TicketOffice",
      "with space",
      "é",
      "😀",
      "",
    ),
    fc.stringMatching(/^[a-z_][a-zA-Z0-9_@]{0,12}[?!]?$/),
    wellFormed(8),
  )
  .map((name) => Atom.of(name));

const node = fc.constantFrom("nonode@nohost", "cinema@host", "a@b", "é@h").map((n) => Atom.of(n));
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const i32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });

export const arbitraryInteger: fc.Arbitrary<number | bigint> = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  i32,
  fc.maxSafeInteger(),
  fc.bigInt({ min: -(1n << 520n), max: 1n << 520n }),
  fc.bigInt({ min: -(1n << 2100n), max: 1n << 2100n }), // beyond 255 digit bytes: LARGE_BIG_EXT
);

export const arbitraryFloat: fc.Arbitrary<ErlFloat> = fc
  .double({ noNaN: true, noDefaultInfinity: true })
  .map((x) => new ErlFloat(x));

export const arbitraryBinary: fc.Arbitrary<Bin> = fc.oneof(
  wellFormed(12).map((s) => new Bin(new TextEncoder().encode(s))),
  fc.uint8Array({ maxLength: 24 }).map((b) => new Bin(b)),
  fc
    .tuple(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 7 }))
    .map(([b, bits]) => new Bin(b, bits)),
);

export const arbitraryPid: fc.Arbitrary<Pid> = fc
  .tuple(node, u32, u32, u32)
  .map(([n, id, serial, creation]) => new Pid(n, id, serial, creation));

export const arbitraryRef: fc.Arbitrary<Ref> = fc
  .tuple(node, fc.array(u32, { minLength: 1, maxLength: 5 }), u32)
  .map(([n, ids, creation]) => new Ref(n, ids, creation));

export const arbitraryPort: fc.Arbitrary<Port> = fc
  .tuple(node, fc.oneof(u32, fc.maxSafeNat(), fc.bigInt({ min: 1n << 53n, max: (1n << 64n) - 1n })), u32)
  .map(([n, id, creation]) => new Port(n, id, creation));

const arbitraryExport: fc.Arbitrary<ExportFun> = fc
  .tuple(arbitraryAtom, arbitraryAtom, fc.integer({ min: 0, max: 255 }))
  .map(([m, f, a]) => new ExportFun(m, f, a));

/** A term that holds no other term. */
export const arbitraryLeaf: fc.Arbitrary<Term> = fc.oneof(
  arbitraryInteger,
  arbitraryFloat,
  arbitraryAtom,
  arbitraryBinary,
  arbitraryPid,
  arbitraryRef,
  arbitraryPort,
  arbitraryExport,
  fc.constant<Term>([]),
);

/** Any term, nested a few levels deep. */
export const arbitraryTerm: fc.Arbitrary<Term> = fc.letrec<{ term: Term }>((tie) => {
  const term = tie("term");
  const elements = fc.array(term, { maxLength: 5 });
  return {
    term: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      arbitraryLeaf,
      elements.map((es) => new Tuple(es)),
      elements,
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 10 }), // a STRING_EXT charlist
      fc
        .tuple(
          fc.array(term, { minLength: 1, maxLength: 4 }),
          arbitraryLeaf.filter((t) => !Array.isArray(t)),
        )
        .map(([es, tail]) => new ImproperList(es, tail)),
      fc
        .uniqueArray(fc.tuple(term, term), { maxLength: 5, comparator: (a, b) => termEquals(a[0], b[0]) })
        .map((entries) => new ErlMap(entries)),
      // Larger maps: beyond 8 entries equality sorts them, beyond 32 the BEAM stops sorting them.
      fc
        .uniqueArray(fc.tuple(arbitraryLeaf, arbitraryLeaf), {
          minLength: 9,
          maxLength: 40,
          comparator: (a, b) => termEquals(a[0], b[0]),
        })
        .map((entries) => new ErlMap(entries)),
      fc
        .tuple(
          arbitraryAtom,
          fc.integer({ min: 0, max: 255 }),
          u32,
          fc.uint8Array({ minLength: 16, maxLength: 16 }),
          i32,
          i32,
          arbitraryPid,
          fc.array(term, { maxLength: 3 }),
        )
        .map(
          ([m, arity, index, uniq, oldIndex, oldUniq, pid, free]) =>
            new Fun(m, arity, index, uniq, oldIndex, oldUniq, pid, free),
        ),
    ),
  };
}).term;
