// Equality and Erlang term order, against what `Enum.sort/1` gave on Elixir 1.14 / OTP 25 for the
// same terms (run once, pasted here, so the tests need no Erlang).
//
// Where the BEAM's order is unspecified (pids, ports, references of different nodes) we order nodes
// by name.

import { strict as assert } from "node:assert";
import { describe, it } from "mocha";
import {
  atom,
  bin,
  bits,
  exportFun,
  float,
  improper,
  map,
  pid,
  port,
  ref,
  tuple,
} from "../../../src/core/terms/build";
import { compareMapKeys, compareTerms, termEquals } from "../../../src/core/terms/equal";
import { inspect } from "../../../src/core/terms/inspect";
import { Bin, ErlMap, Fun, ImproperList, type Term } from "../../../src/core/terms/term";

const sorted = (ts: Term[]): string[] => [...ts].sort(compareTerms).map((t) => inspect(t));
const fun = (index: number, oldUniq: number): Fun =>
  new Fun(atom("Elixir.Demo"), 0, index, new Uint8Array(16), index, oldUniq, pid("a@h", 1, 0), []);

describe("termEquals", () => {
  it("compares integers by value whatever their JavaScript type, and never equal to a float", () => {
    assert.ok(termEquals(5, 5n));
    assert.ok(termEquals(2n ** 70n, 2n ** 70n));
    assert.ok(!termEquals(1, float(1)));
    assert.ok(!termEquals(float(1), 1));
    assert.ok(termEquals(float(0), float(-0)));
    assert.ok(!termEquals(1, 2));
  });

  it("compares maps regardless of entry order, with exact keys", () => {
    const entries: Array<[Term, Term]> = Array.from({ length: 20 }, (_, i) => [i, bin(`v${i}`)]);
    assert.ok(termEquals(map(entries), map([...entries].reverse())));
    assert.ok(
      termEquals(
        map([
          [atom("a"), 1],
          [atom("b"), 2],
        ]),
        map([
          [atom("b"), 2],
          [atom("a"), 1],
        ]),
      ),
    );
    assert.ok(!termEquals(map([[1, 1]]), map([[float(1), 1]])));
    assert.ok(!termEquals(map(entries), map([...entries.slice(1), [99, bin("v0")]])));
  });

  it("compares bitstrings by their significant bits only", () => {
    assert.ok(termEquals(new Bin(Uint8Array.from([1, 0xff]), 3), bits([1, 0xe0], 3)));
    assert.ok(!termEquals(bits([1, 0xe0], 3), bits([1, 0xe0], 4)));
    assert.ok(!termEquals(bin([1]), bits([1], 7)));
  });

  it("treats a list and an improper list of the same cells as equal", () => {
    assert.ok(termEquals(new ImproperList([1], [2]), [1, 2]));
    assert.ok(termEquals([1, 2], new ImproperList([1], [2])));
    assert.ok(!termEquals(improper([1], 2), [1, 2]));
  });

  it("compares pids, refs, ports and funs field by field", () => {
    assert.ok(termEquals(pid("a@h", 1, 2, 3), pid("a@h", 1, 2, 3)));
    assert.ok(!termEquals(pid("a@h", 1, 2, 3), pid("a@h", 1, 2, 4)));
    assert.ok(termEquals(ref("a@h", [1, 2, 3]), ref("a@h", [1, 2, 3])));
    assert.ok(termEquals(port("a@h", 7), port("a@h", 7n)));
    assert.ok(termEquals(fun(1, 2), fun(1, 2)));
    assert.ok(!termEquals(fun(1, 2), fun(1, 3)));
  });
});

describe("compareTerms: Erlang term order", () => {
  it("orders types number < atom < reference < fun < port < pid < tuple < map < [] < list < bitstring", () => {
    const all: Term[] = [
      bin("b"),
      [1],
      [],
      map([]),
      tuple(),
      pid("a@h", 1, 0),
      port("a@h", 1),
      exportFun("m", "f", 1),
      ref("a@h", [1]),
      atom("a"),
      float(2.5),
    ];
    assert.deepEqual(sorted(all), [
      "2.5",
      ":a",
      "#Reference<0.1>",
      "&:m.f/1",
      "#Port<0.1>",
      "#PID<0.1.0>",
      "{}",
      "%{}",
      "[]",
      "[1]",
      '"b"',
    ]);
  });

  it("orders numbers by value across integers, bigints and floats", () => {
    // Elixir: [0.5, 1.0, 1, 2] (1.0 == 1, kept in input order); ours puts the integer first.
    assert.deepEqual(sorted([float(1), 1, 2, float(0.5)]), ["0.5", "1", "1.0", "2"]);
    assert.deepEqual(sorted([2n ** 64n, float(1e19), -(2n ** 64n), float(-1e300), 3]), [
      "-1.0e300",
      "-18446744073709551616",
      "3",
      "1.0e19",
      "18446744073709551616",
    ]);
    assert.ok(compareTerms(2n ** 53n + 1n, float(2 ** 53)) > 0);
    assert.ok(compareTerms(float(0.5), 0n) > 0);
  });

  it("orders atoms by code point", () => {
    const names = ["é", "z", "a", "ü", "😀", "\uFFFD"];
    assert.deepEqual(sorted(names.map(atom)), [":a", ":z", ":é", ":ü", ':"\uFFFD"', ':"😀"']);
  });

  it("orders bitstrings bit by bit, a prefix first", () => {
    const ts = [bits([0x20], 3), bin([1]), bits([0], 1), bin([0]), bin(""), bits([1, 0x20], 4)];
    assert.deepEqual(sorted(ts), [
      '""',
      "<<0::size(1)>>",
      "<<0>>",
      "<<1>>",
      "<<1, 2::size(4)>>",
      "<<1::size(3)>>",
    ]);
  });

  it("orders lists cell by cell, tails included", () => {
    const ts = [improper([1], 2), [1, 2], [1], [], improper([0], atom("a")), improper([1], atom("a"))];
    assert.deepEqual(sorted(ts), ["[]", "[0 | :a]", "[1 | 2]", "[1 | :a]", "[1]", "[1, 2]"]);
  });

  it("orders tuples by size, then elements", () => {
    assert.deepEqual(sorted([tuple(1, 2), tuple(3), tuple(1, 1), tuple()]), [
      "{}",
      "{3}",
      "{1, 1}",
      "{1, 2}",
    ]);
  });

  it("orders maps by size, then keys (integers before floats), then values", () => {
    const ts = [
      map([[atom("a"), 1]]),
      map([[atom("b"), 0]]),
      map([[1, 2]]),
      map([[float(1), 1]]),
      map([
        [atom("a"), 1],
        [atom("b"), 2],
      ]),
      map([[atom("a"), 0]]),
    ];
    assert.deepEqual(sorted(ts), [
      "%{1 => 2}",
      "%{1.0 => 1}",
      "%{a: 0}",
      "%{a: 1}",
      "%{b: 0}",
      "%{a: 1, b: 2}",
    ]);
    const x = map([
      [2, atom("x")],
      [float(1), atom("y")],
    ]);
    const y = map([
      [1, atom("y")],
      [float(2), atom("x")],
    ]);
    assert.ok(compareTerms(y, x) < 0);
  });

  it("orders references by node, creation, length, then their most significant word (the last)", () => {
    const ts = [
      ref("b@h", [1, 2, 3], 1),
      ref("b@h", [2, 1, 3], 1),
      ref("b@h", [3, 2, 1], 1),
      ref("a@h", [9, 9, 9], 1),
      ref("b@h", [1, 2, 3], 2),
      ref("b@h", [1, 2], 1),
      ref("b@h", [1, 2, 3, 4], 1),
    ];
    const order = [...ts].sort(compareTerms).map((r) => ts.indexOf(r));
    assert.deepEqual(order, [3, 5, 2, 1, 0, 6, 4]);
  });

  it("orders pids of a node by serial, id, creation; ports by creation, then id", () => {
    const ps = [pid("b@h", 1, 2, 1), pid("b@h", 2, 1, 1), pid("b@h", 1, 1, 2), pid("b@h", 1, 1, 1)];
    assert.deepEqual(
      [...ps].sort(compareTerms).map((p) => ps.indexOf(p)),
      [3, 2, 1, 0],
    );
    assert.ok(compareTerms(port("b@h", 1, 2), port("b@h", 2, 1)) > 0);
    assert.ok(compareTerms(port("b@h", 1, 1), port("b@h", 2, 1)) < 0);
  });

  it("puts local funs before export funs, exports by module, name, arity", () => {
    const ts: Term[] = [
      exportFun("Elixir.Enum", "map", 2),
      fun(9, 1),
      exportFun("Elixir.Enum", "at", 2),
      fun(8, 1),
    ];
    assert.deepEqual(sorted(ts), [
      "#Function<8.1/0 in Demo>",
      "#Function<9.1/0 in Demo>",
      "&Enum.at/2",
      "&Enum.map/2",
    ]);
  });
});

describe("compareMapKeys", () => {
  it("puts every integer before every float, at any depth", () => {
    assert.ok(compareMapKeys(2, float(1)) < 0);
    assert.ok(compareMapKeys(tuple(5), tuple(float(0.5))) < 0);
    assert.ok(compareTerms(tuple(5), tuple(float(0.5))) > 0);
    const keys = [float(1), 2, float(0.5), 1].sort(compareMapKeys).map((k) => inspect(k));
    assert.deepEqual(keys, ["1", "2", "0.5", "1.0"]);
  });

  it("sorts an ErlMap's keys as term_to_binary writes them", () => {
    const m = new ErlMap([
      [bin("k"), 3],
      [float(1), atom("a")],
      [tuple(1), []],
      [2, atom("b")],
    ]);
    assert.deepEqual(
      m.entries
        .map(([k]) => k)
        .sort(compareMapKeys)
        .map((k) => inspect(k)),
      ["2", "1.0", "{1}", '"k"'],
    );
  });
});
