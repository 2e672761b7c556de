// The tagged JSON form, row by row as the table in docs/trace-format.md specifies it, and the
// errors bad JSON gets (what is wrong, and where).

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
import { decodeEtf } from "../../../src/core/terms/decode";
import { encodeTerm } from "../../../src/core/terms/encode";
import { termEquals } from "../../../src/core/terms/equal";
import { jsonToTerm, termToJson } from "../../../src/core/terms/json";
import { Fun, type Term } from "../../../src/core/terms/term";

const NEW_FUN = [
  131, 112, 0, 0, 0, 79, 1, 156, 52, 230, 92, 169, 40, 121, 49, 75, 145, 44, 146, 214, 41, 144, 167, 0, 0, 0,
  0, 0, 0, 0, 1, 119, 11, 69, 108, 105, 120, 105, 114, 46, 68, 101, 109, 111, 97, 0, 98, 4, 225, 167, 50, 88,
  119, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115, 116, 0, 0, 0, 96, 0, 0, 0, 0, 0, 0, 0,
  0, 97, 7,
];

// [term, its JSON form]: one row per row of the table in docs/trace-format.md.
const TABLE: Array<[string, Term, unknown]> = [
  ["small integer", 42, 42],
  ["negative integer", -7, -7],
  ["big integer", 123456789012345678901234567890n, { $int: "123456789012345678901234567890" }],
  ["integer 2^53", 2n ** 53n, { $int: "9007199254740992" }],
  ["float", float(1.5), { $float: 1.5 }],
  ["whole float", float(1), { $float: 1 }],
  ["negative zero", float(-0), { $float: "-0.0" }],
  ["atom", atom("ok"), { $atom: "ok" }],
  ["nil", atom("nil"), { $atom: "nil" }],
  ["UTF-8 binary", bin("héllo"), "héllo"],
  ["binary with a BOM", bin("\uFEFFx"), "\uFEFFx"],
  ["non-UTF-8 binary", bin([255, 0, 1]), { $bin: "/wAB" }],
  ["bitstring", bits([1, 0xa0], 3), { $bits: "AaA=", bits: 3 }],
  ["list", [1, bin("a")], [1, "a"]],
  ["charlist", [97, 98], [97, 98]],
  ["improper list", improper([1, 2], atom("c")), { $improper: [1, 2], tail: { $atom: "c" } }],
  ["tuple", tuple(atom("ok"), 1), { $tuple: [{ $atom: "ok" }, 1] }],
  [
    "map",
    map([
      [atom("a"), 1],
      [bin("b"), [2]],
    ]),
    {
      $map: [
        [{ $atom: "a" }, 1],
        ["b", [2]],
      ],
    },
  ],
  ["pid", pid("n@h", 123, 0), { $pid: "<0.123.0>", node: "n@h" }],
  ["pid with creation", pid("n@h", 123, 4, 7), { $pid: "<0.123.4>", node: "n@h", creation: 7 }],
  ["reference", ref("n@h", [1, 2, 3], 5), { $ref: [1, 2, 3], node: "n@h", creation: 5 }],
  ["port", port("n@h", 12), { $port: 12, node: "n@h" }],
  ["64-bit port", port("n@h", 2n ** 60n + 1n), { $port: "1152921504606846977", node: "n@h" }],
  ["export fun", exportFun("Elixir.Mod", "fun", 2), { $export: ["Elixir.Mod", "fun", 2] }],
  [
    "fun",
    decodeEtf(Uint8Array.from(NEW_FUN)),
    {
      $fun: "9c34e65ca92879314b912c92d62990a7",
      module: "Elixir.Demo",
      arity: 1,
      index: 0,
      old_index: 0,
      old_uniq: 81897266,
      pid: { $pid: "<0.96.0>", node: "nonode@nohost" },
      free: [7],
    },
  ],
];

describe("json: the tagged JSON form", () => {
  for (const [name, term, json] of TABLE) {
    it(`${name}: ${JSON.stringify(json)}`, () => {
      assert.deepEqual(termToJson(term), json);
      const back = jsonToTerm(JSON.parse(JSON.stringify(json)));
      assert.ok(termEquals(back, term));
      assert.deepEqual(encodeTerm(back), encodeTerm(term));
    });
  }

  it("keeps the fun's bytes exactly", () => {
    const f = jsonToTerm(termToJson(decodeEtf(Uint8Array.from(NEW_FUN))));
    assert.ok(f instanceof Fun);
    assert.deepEqual([...encodeTerm(f)], NEW_FUN);
  });

  it("accepts a float written as a numeric string", () => {
    assert.ok(termEquals(jsonToTerm({ $float: "2.5e3" }), float(2500)));
  });
});

describe("json: errors name what is wrong and where", () => {
  const bad: Array<[unknown, string, string?]> = [
    [1.5, 'at the top level: 1.5 is not an integer; write a float as {"$float": 1.5}'],
    [true, 'at the top level: JSON boolean is not a term; write the atom as {"$atom": "true"}'],
    [null, 'at the top level: JSON null is not a term; write the atom as {"$atom": "nil"}'],
    [
      { a: 1 },
      'at the top level: an object must have one "$" tag ($atom, $tuple, $map, ...), found keys ["a"]',
    ],
    [{ $atom: "a", $tuple: [] }, 'at the top level: an object must have one "$" tag, found $atom, $tuple'],
    [{ $nope: 1 }, 'at the top level: unknown tag "$nope"'],
    [{ $atom: 1 }, "at $atom: expected a string, found 1"],
    [{ $atom: "a", extra: 1 }, 'at the top level: unexpected key "extra" next to "$atom"'],
    [[1, { $map: [[1, 2], [3]] }], "at [1].$map[1]: expected a [key, value] pair, found [3]"],
    [
      { $map: [[1, { $tuple: [1.5] }]] },
      'at $map[0][1].$tuple[0]: 1.5 is not an integer; write a float as {"$float": 1.5}',
    ],
    [{ $int: "12x" }, 'at $int: "12x" is not a decimal integer'],
    [{ $float: "NaN" }, 'at $float: expected a finite number, found "NaN"'],
    [{ $bin: "not base64!" }, "at $bin: expected base64 data"],
    [{ $bits: "AQ==", bits: 9 }, "at bits: expected the bits used in the last byte (1..8), found 9"],
    [{ $pid: "0.1.2", node: "a@b" }, 'at $pid: expected "<0.ID.SERIAL>", found "0.1.2"'],
    [{ $pid: "<0.1.2>" }, "at node: expected a string, found undefined"],
    [{ $ref: [], node: "a@b" }, "at $ref: a reference has 1 to 5 ids, found 0"],
    [{ $ref: [-1], node: "a@b" }, "at $ref[0]: expected an integer 0..4294967295, found -1"],
    [{ $port: -1, node: "a@b" }, "at $port: expected a port number, found -1"],
    [{ $export: ["M", "f"] }, 'at $export: expected ["Module", "fun", arity], found ["M","f"]'],
    [{ $improper: [], tail: 1 }, "at $improper: an improper list needs at least one element"],
    [
      { $improper: [1], tail: [2] },
      "at tail: the tail of an improper list cannot be a list (append the elements instead)",
    ],
    [{ $improper: [1] }, 'at the top level: "$improper" needs a "tail"'],
    [{ $fun: "00", module: "M" }, "at $fun: expected the 16-byte uniq as 32 hex digits"],
  ];
  for (const [json, message] of bad)
    it(message, () => {
      assert.throws(
        () => jsonToTerm(json),
        (e: unknown) => e instanceof Error && e.message === message,
      );
    });

  it("starts paths at the name the caller gives", () => {
    assert.throws(
      () => jsonToTerm([0, 1, { $map: [[1, 2.5]] }], "args"),
      (e: unknown) =>
        e instanceof Error &&
        e.message === 'at args[2].$map[0][1]: 2.5 is not an integer; write a float as {"$float": 2.5}',
    );
  });

  it("refuses terms nested too deep for JSON with a clear error", () => {
    let t: Term = 1;
    for (let i = 0; i < 1500; i++) t = tuple(t);
    assert.throws(() => termToJson(t), /termToJson: term nests deeper than 1000 levels/);
    let j: unknown = 1;
    for (let i = 0; i < 1500; i++) j = [j];
    assert.throws(() => jsonToTerm(j), /nests deeper than 1000 levels/);
  });
});
