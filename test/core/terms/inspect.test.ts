// Checks `inspect` against what Elixir 1.14 (OTP 25) prints for the same terms.
//
// The expected strings were produced once by running `inspect/2` in Elixir and pasted here, so the
// tests need no Elixir; the few deliberate differences are marked where they occur.

import { strict as assert } from "node:assert";
import { describe, it } from "mocha";
import {
  atom,
  bin,
  bits,
  charlist,
  float,
  improper,
  map,
  pid,
  ref,
  port,
  tuple,
} from "../../../src/core/terms/build";
import { decodeEtf } from "../../../src/core/terms/decode";
import {
  formatFloat,
  inspect,
  inspectPretty,
  type InspectOptions,
  moduleName,
} from "../../../src/core/terms/inspect";
import { Atom, type Term } from "../../../src/core/terms/term";

const etf = (bytes: number[]): Term => decodeEtf(Uint8Array.from(bytes));

// [term, what Elixir 1.14 prints, options]
const ELIXIR: Array<[Term, string, InspectOptions?]> = [
  [1, "1"],
  [-12, "-12"],
  [123456789012345678901234567890n, "123456789012345678901234567890"],
  [-18446744073709551616n, "-18446744073709551616"],
  [float(1.0), "1.0"],
  [float(0.1), "0.1"],
  [float(-0.0), "-0.0"],
  [float(1.0e20), "1.0e20"],
  [float(1.0e-5), "1.0e-5"],
  [float(1.0e3), "1000.0"],
  [float(1.0e15), "1000000000000000.0"],
  [float(1.0e16), "1.0e16"],
  [float(0.30000000000000004), "0.30000000000000004"],
  [float(1.2e-4), "1.2e-4"],
  [float(123.456), "123.456"],
  [atom("ok"), ":ok"],
  [atom("nil"), "nil"],
  [atom("true"), "true"],
  [atom("false"), "false"],
  [atom("with space"), ':"with space"'],
  [atom("Elixir.Foo.Bar"), "Foo.Bar"],
  [atom("Elixir"), "Elixir"],
  [atom("Elixir.ElixirScope"), "ElixirScope"],
  [atom("Elixir.foo"), ':"Elixir.foo"'],
  [atom("+"), ":+"],
  [atom("::"), ':"::"'],
  [atom("foo?"), ":foo?"],
  [atom("cinema@host"), ":cinema@host"],
  [atom("\u{E9}"), ":\u{E9}"],
  [atom("\u{65E5}\u{672C}"), ":\u{65E5}\u{672C}"],
  [atom("\u{3A9}mega"), ':"\u{3A9}mega"'],
  [atom("\u{1}"), ':"\\x01"'],
  [atom('a"b'), ':"a\\"b"'],
  [atom("$truncated"), ':"$truncated"'],
  [atom("Foo"), ":Foo"],
  [atom(""), ':""'],
  [atom("1a"), ':"1a"'],
  [atom("#{x}"), ':"\\#{x}"'],
  [atom("\u{FF46}\u{FF55}\u{FF4C}\u{FF4C}"), ':"\u{FF46}\u{FF55}\u{FF4C}\u{FF4C}"'],
  [atom("\u{1C5}"), ':"\u{1C5}"'],
  [atom("\u{C9}t\u{E9}"), ":\u{C9}t\u{E9}"],
  [atom("..."), ":..."],
  [atom("%{}"), ":%{}"],
  [bin("hi\u{A}"), '"hi\\n"'],
  [bin(""), '""'],
  [bin('a"b#{x}\\\u{9}\u{7}\u{8}\u{7F}\u{1B}\u{C}\u{D}\u{B}'), '"a\\"b\\#{x}\\\\\\t\\a\\b\\d\\e\\f\\r\\v"'],
  [bin("\u{E9}\u{1F600}"), '"\u{E9}\u{1F600}"'],
  [bin("\u{FEFF}a"), '"\\uFEFFa"'],
  [bin("\u{1}\u{2}\u{3}"), "<<1, 2, 3>>"],
  [bin([255]), "<<255>>"],
  [bin("\u{85}"), "<<194, 133>>"],
  [bin("\u{0}"), "<<0>>"],
  [bin("abcdef"), '"abc" <> ...', { printableLimit: 3 }],
  [bin([97, 98, 99, 255]), '"abc" <> ...', { printableLimit: 3 }],
  [bin("\u{1}\u{2}\u{3}\u{4}\u{5}"), "<<1, 2, 3, ...>>", { limit: 3 }],
  [bits([128], 1), "<<1::size(1)>>"],
  [bits([1, 2, 48], 4), "<<1, 2, 3::size(4)>>"],
  [bits([1, 2, 48], 4), "<<1, 2, ...>>", { limit: 2 }],
  [[], "[]"],
  [[1, 2], "[1, 2]"],
  [improper([1], 2), "[1 | 2]"],
  [improper([1, 2], atom("c")), "[1, 2 | :c]"],
  [improper([97], 98), "[97 | 98]"],
  [[tuple(atom("a"), 1), tuple(atom("b"), 2)], "[a: 1, b: 2]"],
  [[tuple(atom("my key"), 1)], '["my key": 1]'],
  [[tuple(atom("Elixir.Foo"), 1)], "[{Foo, 1}]"],
  [[tuple(atom("a"), 1), tuple(bin("b"), 2)], '[{:a, 1}, {"b", 2}]'],
  [[tuple(atom("a"), 1, 2)], "[{:a, 1, 2}]"],
  [
    [tuple(atom("nil"), 1), tuple(atom("+"), 2), tuple(atom("::"), 3), tuple(atom("Elixir"), 4)],
    '[nil: 1, +: 2, "::": 3, "Elixir": 4]',
  ],
  [[1, 2, 3, 4], "[1, 2, 3, ...]", { limit: 3 }],
  [[1, 2, 3], "[1, 2, 3]", { limit: 3 }],
  [
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    "[[1, 2, ...], [4, ...]]",
    { limit: 3 },
  ],
  [tuple([1, 2, 3], tuple(4, 5, 6)), "{[1, 2, ...], {4, ...}}", { limit: 3 }],
  [[tuple(atom("a"), 1), tuple(atom("b"), 2), tuple(atom("c"), 3)], "[a: 1, b: 2, ...]", { limit: 2 }],
  [[127], "[127]"],
  [[0], "[0]"],
  [[97, 200], "[97, 200]"],
  [
    [
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
      29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54,
      55, 56, 57, 58, 59, 60,
    ],
    "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, ...]",
  ],
  [tuple(), "{}"],
  [tuple(atom("ok"), 1), "{:ok, 1}"],
  [tuple(atom("error"), tuple(atom("badarg"), [1])), "{:error, {:badarg, [1]}}"],
  [tuple(1, 2, 3, 4), "{1, 2, ...}", { limit: 2 }],
  [map([]), "%{}"],
  [
    map([
      [atom("a"), 1],
      [atom("b"), bin("x")],
    ]),
    '%{a: 1, b: "x"}',
  ],
  [
    map([
      [atom("b"), 2],
      [bin("a"), 1],
    ]),
    '%{:b => 2, "a" => 1}',
  ],
  [map([[1, 2]]), "%{1 => 2}"],
  [
    map([
      [atom("Elixir.Foo"), 1],
      [atom("a"), 2],
    ]),
    "%{Foo => 1, :a => 2}",
  ],
  [
    map([
      [atom("nil"), 2],
      [atom("true"), 1],
    ]),
    "%{nil: 2, true: 1}",
  ],
  [
    map([
      [atom("a"), 1],
      [atom("b"), 2],
      [atom("c"), 3],
    ]),
    "%{a: 1, b: 2, ...}",
    { limit: 2 },
  ],
  [map([[tuple(1, 2), [3]]]), "%{{1, 2} => [3]}"],
  [map([[atom("my key"), 1]]), '%{"my key": 1}'],
  [
    map([
      [atom("__struct__"), atom("Elixir.Foo")],
      [atom("a"), 1],
      [atom("b"), 2],
    ]),
    "%Foo{a: 1, b: 2}",
  ], // Elixir: %Foo{b: 2, a: 1} (definition order, unknown here),
  [
    map([
      [atom("__exception__"), atom("true")],
      [atom("__struct__"), atom("Elixir.Err")],
      [atom("message"), bin("boom")],
    ]),
    '%Err{message: "boom"}',
  ],
  [
    map([
      [atom("__struct__"), atom("Elixir.Range")],
      [atom("first"), 1],
      [atom("last"), 10],
      [atom("step"), 1],
    ]),
    "1..10",
  ],
  [
    map([
      [atom("__struct__"), atom("Elixir.Range")],
      [atom("first"), 1],
      [atom("last"), 10],
      [atom("step"), 2],
    ]),
    "1..10//2",
  ],
  [
    map([
      [atom("__struct__"), atom("Elixir.Range")],
      [atom("first"), 10],
      [atom("last"), 1],
      [atom("step"), -1],
    ]),
    "10..1//-1",
  ],
  [
    map([
      [atom("__struct__"), atom("Elixir.MapSet")],
      [
        atom("map"),
        map([
          [1, []],
          [atom("a"), []],
        ]),
      ],
      [atom("version"), 2],
    ]),
    "MapSet.new([1, :a])",
  ],
  [
    map([
      [atom("__struct__"), atom("Elixir.Date")],
      [atom("calendar"), atom("Elixir.Calendar.ISO")],
      [atom("day"), 2],
      [atom("month"), 1],
      [atom("year"), 2024],
    ]),
    "~D[2024-01-02]",
  ],
  [
    map([
      [atom("__struct__"), atom("Elixir.Time")],
      [atom("calendar"), atom("Elixir.Calendar.ISO")],
      [atom("hour"), 10],
      [atom("microsecond"), tuple(0, 0)],
      [atom("minute"), 0],
      [atom("second"), 0],
    ]),
    "~T[10:00:00]",
  ],
  [
    map([
      [atom("__struct__"), atom("Elixir.Time")],
      [atom("calendar"), atom("Elixir.Calendar.ISO")],
      [atom("hour"), 10],
      [atom("microsecond"), tuple(123000, 3)],
      [atom("minute"), 0],
      [atom("second"), 0],
    ]),
    "~T[10:00:00.123]",
  ],
  [
    map([
      [atom("__struct__"), atom("Elixir.NaiveDateTime")],
      [atom("calendar"), atom("Elixir.Calendar.ISO")],
      [atom("day"), 2],
      [atom("hour"), 10],
      [atom("microsecond"), tuple(1, 6)],
      [atom("minute"), 0],
      [atom("month"), 1],
      [atom("second"), 0],
      [atom("year"), 2024],
    ]),
    "~N[2024-01-02 10:00:00.000001]",
  ],
  [
    map([
      [atom("__struct__"), atom("Elixir.DateTime")],
      [atom("calendar"), atom("Elixir.Calendar.ISO")],
      [atom("day"), 2],
      [atom("hour"), 10],
      [atom("microsecond"), tuple(0, 0)],
      [atom("minute"), 0],
      [atom("month"), 1],
      [atom("second"), 0],
      [atom("std_offset"), 0],
      [atom("time_zone"), bin("Etc/UTC")],
      [atom("utc_offset"), 0],
      [atom("year"), 2024],
      [atom("zone_abbr"), bin("UTC")],
    ]),
    "~U[2024-01-02 10:00:00Z]",
  ],
  [
    map([
      [atom("__struct__"), atom("Elixir.DateTime")],
      [atom("calendar"), atom("Elixir.Calendar.ISO")],
      [atom("day"), 2],
      [atom("hour"), 10],
      [atom("microsecond"), tuple(120000, 3)],
      [atom("minute"), 0],
      [atom("month"), 1],
      [atom("second"), 0],
      [atom("std_offset"), 0],
      [atom("time_zone"), bin("Etc/UTC")],
      [atom("utc_offset"), 0],
      [atom("year"), 2024],
      [atom("zone_abbr"), bin("UTC")],
    ]),
    "~U[2024-01-02 10:00:00.120Z]",
  ],
  [
    map([
      [atom("__struct__"), atom("Elixir.Regex")],
      [atom("opts"), bin("i")],
      [
        atom("re_pattern"),
        tuple(
          atom("re_pattern"),
          0,
          0,
          0,
          bin([
            69, 82, 67, 80, 77, 0, 0, 0, 1, 0, 0, 0, 241, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 97,
            0, 98, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 131, 0, 9, 56, 97, 30, 47, 30, 98, 120, 0, 9, 0,
          ]),
        ),
      ],
      [atom("re_version"), tuple(bin("8.44 2020-02-12"), atom("little"))],
      [atom("source"), bin("a+/b")],
    ]),
    "~r/a+\\/b/i",
  ],
  [
    map([
      [atom("__struct__"), atom("Elixir.Regex")],
      [atom("opts"), bin("")],
      [
        atom("re_pattern"),
        tuple(
          atom("re_pattern"),
          0,
          0,
          0,
          bin([
            69, 82, 67, 80, 73, 0, 0, 0, 0, 0, 0, 0, 17, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 120,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 131, 0, 5, 29, 120, 120, 0, 5, 0,
          ]),
        ),
      ],
      [atom("re_version"), tuple(bin("8.44 2020-02-12"), atom("little"))],
      [atom("source"), bin("x")],
    ]),
    "~r/x/",
  ],
  [pid("nonode@nohost", 123, 0), "#PID<0.123.0>"],
  [
    etf([
      131, 113, 119, 13, 69, 108, 105, 120, 105, 114, 46, 83, 116, 114, 105, 110, 103, 119, 6, 117, 112, 99,
      97, 115, 101, 97, 1,
    ]),
    "&String.upcase/1",
  ],
  [etf([131, 113, 119, 5, 108, 105, 115, 116, 115, 119, 3, 109, 97, 112, 97, 2]), "&:lists.map/2"],
  [etf([131, 113, 119, 6, 101, 114, 108, 97, 110, 103, 119, 1, 43, 97, 2]), "&:erlang.+/2"],
  [
    etf([
      131, 113, 119, 13, 69, 108, 105, 120, 105, 114, 46, 75, 101, 114, 110, 101, 108, 119, 2, 58, 58, 97, 2,
    ]),
    "&Kernel.::/2",
  ],
  [
    etf([
      131, 112, 0, 0, 0, 79, 1, 63, 81, 96, 29, 123, 109, 188, 89, 204, 68, 16, 94, 75, 21, 218, 210, 0, 0, 0,
      0, 0, 0, 0, 1, 119, 11, 69, 108, 105, 120, 105, 114, 46, 68, 101, 109, 111, 97, 0, 98, 1, 250, 139, 0,
      88, 119, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115, 116, 0, 0, 0, 96, 0, 0, 0, 0, 0,
      0, 0, 0, 97, 7,
    ]),
    "#Function<0.33196800/1 in Demo>",
  ], // Elixir: ... in Demo.make/1> (the name is not in ETF),
  [
    tuple(
      atom("call"),
      0,
      1200,
      pid("nonode@nohost", 123, 0),
      tuple(atom("Elixir.Cinema.TicketOffice"), atom("reserve"), 2),
      [1, bin("ann")],
      atom("undefined"),
    ),
    '{:call, 0, 1200, #PID<0.123.0>, {Cinema.TicketOffice, :reserve, 2}, [1, "ann"], :undefined}',
  ],
  [
    map([
      [atom("a"), map([[atom("b"), [1, 2]]])],
      [atom("list"), [tuple(atom("x"), tuple(1, float(2.5)))]],
      [atom("s"), bin("str")],
    ]),
    '%{a: %{b: [1, 2]}, list: [x: {1, 2.5}], s: "str"}',
  ],
  [[bin("a"), atom("b"), [99, 100]], '["a", :b, [99, 100]]', { charlists: "as_lists" }],
];

describe("inspect: as Elixir 1.14 prints", () => {
  for (const [term, want, opts] of ELIXIR)
    it(`${want.length > 70 ? want.slice(0, 67) + "..." : want}${opts ? " " + JSON.stringify(opts) : ""}`, () => {
      assert.equal(inspect(term, opts), want);
    });
});

// Charlists: Elixir 1.14 prints 'abc'; we print the 1.15+ form ~c"abc" (same escapes, `"` quoted).
const CHARLISTS: Array<[Term, string, InspectOptions?]> = [
  [charlist("abc"), '~c"abc"'], // 1.14: 'abc'
  [charlist('a"b#{x}\\\n'), '~c"a\\"b\\#{x}\\\\\\n"'], // 1.14: 'a"b\#{x}\\\n'
  [[7], '~c"\\a"'], // 1.14: '\a'
  [[27], '~c"\\e"'], // 1.14: '\e'
  [charlist("abcdef"), '~c"abc" ++ ...', { printableLimit: 3 }], // 1.14: 'abc' ++ ...
  [[charlist("abc")], '[~c"abc"]'], // 1.14: ['abc']
  [[[]], "[[]]"],
  [charlist("abc"), "[97, 98, 99]", { charlists: "as_lists" }],
  [charlist("é"), "[233]"],
];

describe("inspect: charlists in the Elixir 1.15+ form", () => {
  for (const [term, want, opts] of CHARLISTS)
    it(`${want}${opts ? " " + JSON.stringify(opts) : ""}`, () => assert.equal(inspect(term, opts), want));
});

// [IEEE-754 bits, Elixir 1.14's inspect] for chosen and random floats (OTP 25, Ryu shortest form).
const FLOATS: Array<[string, string]> = [
  ["3F1A36E2EB1C432D", "0.0001"],
  ["3F1F75104D551D69", "1.2e-4"],
  ["3F1A36371EA531A8", "9.999e-5"],
  ["3F202E4B6CE5DC68", "1.2345e-4"],
  ["4341C37937E08000", "1.0e16"],
  ["4340000000000000", "9007199254740992.0"],
  ["4374000000000001", "9.007199254740994e16"],
  ["4376345785D8A000", "1.0e17"],
  ["437B69B4BA630F35", "1.2345678901234568e17"],
  ["3FB999999999999A", "0.1"],
  ["3FE0000000000000", "0.5"],
  ["3FF0000000000000", "1.0"],
  ["4024000000000000", "10.0"],
  ["54B249AD2594C37D", "1.0e100"],
  ["2B2BFF2EE48E0530", "1.0e-100"],
  ["E61ACF033D1A4", "2.0e-308"],
  ["1", "5.0e-324"],
  ["7FEFFFFFFFFFFFFF", "1.7976931348623157e308"],
  ["400921F9F01B866E", "3.14159"],
  ["444B1AE4D6E2EF50", "1.0e21"],
  ["4480F0CF064DD592", "1.0e22"],
  ["4331C37937E08000", "5000000000000000.0"],
  ["43338A388A43C000", "5500000000000000.0"],
  ["3F20624DD2F1A9FC", "1.25e-4"],
  ["3F50624DD2F1A9FC", "0.001"],
  ["3F847AE147AE147B", "0.01"],
  ["4058E00000000000", "99.5"],
  ["3FD3333333333333", "0.3"],
  ["97D314BE3951A093", "-6.53468353945955e-194"],
  ["FC7FF8A2F582E34D", "-4.9851158333601884e291"],
  ["24E98885A6121932", "7.194467599807537e-131"],
  ["21CEAB588465D16", "1.7271697728304971e-298"],
  ["7FA2654A123BC84E", "6.458936399761465e306"],
  ["EC650BC3629A6745", "-1.4170183379999262e214"],
  ["7FA589C88956272C", "7.562324880587704e306"],
  ["D5F5E629A080594B", "-1.2556373219028908e106"],
  ["94157B4629AC301F", "-6.380995826193905e-212"],
  ["8C5356C02A5A334A", "-2.701062829352345e-249"],
  ["50E87C0652EABCFF", "5.8063014057452216e81"],
  ["4EBA388BDCE7F4CF", "1.8096989131394705e71"],
  ["D071738F2203F303", "-3.233175021628099e79"],
  ["88E53CD37D5952C", "1.8369964990277807e-267"],
  ["229344C2EC5F8572", "3.950319300034929e-142"],
  ["21FD4D17558C2EFF", "5.8663311660336024e-145"],
  ["EB768EF3CDE2BB69", "-4.635167578160085e209"],
  ["F776679B15D5491D", "-2.8897182253764906e267"],
  ["7D6D334C859F0597", "1.4919502898177512e296"],
  ["80AE24E1238BFD91", "-2.1463283413057956e-305"],
  ["A69F328E9F0F94BA", "-1.1798353770976995e-122"],
  ["40C24C3D962D2AEF", "9368.48114552113"],
  ["73C93886CFAFB682", "5.642939609736692e249"],
  ["6B8BE9F51B4FB073", "1.1471163123502876e210"],
  ["B565D524ECB9EF22", "-1.823543393150359e-51"],
  ["A4E162F0802AB626", "-4.898956873806408e-131"],
  ["2CAF14B426C6E57D", "1.862535582585753e-93"],
  ["8456424D4A804C9E", "-9.136285127943592e-288"],
  ["C87D219F8F06EAF0", "-1.5860610625122043e41"],
  ["C1970EEE2F1C7E8F", "-96713611.77782653"],
  ["DF9F93C679A76822", "-4.1345865817250965e152"],
  ["BF0CE55AB7982D43", "-5.511458489245804e-5"],
  ["7E3DB3AD074DAD90", "1.2431952156484464e300"],
  ["190A1412CF56F4C0", "4.682457683173397e-188"],
  ["8FD49822CF0AAB43", "-2.0726691972227847e-232"],
  ["45D2A24408107AD3", "2.306758971697625e28"],
  ["C5D154B95BCA888", "4.0620527471284446e-249"],
  ["2606CF0CB14CBB0E", "1.6847443726197388e-125"],
  ["B364608E8D8B518C", "-3.962733515446447e-61"],
  ["190AB570245592F9", "4.795635408299857e-188"],
  ["3C61F7CCD85C8C1D", "7.792364600418767e-18"],
  ["3D74BCF6DE629F29", "1.178826887400116e-12"],
  ["418D476B997F9430", "61402483.187294364"],
  ["3BBE3F5ECFEFC271", "6.405165837907641e-21"],
  ["4370BD886D5701B4", "7.539189239985645e16"],
  ["40C110A6E8D6F818", "8737.30398070444"],
  ["436885C04B7E2728", "5.521968310263635e16"],
  ["40206AFB362637B3", "8.208947841801864"],
  ["4414ED6759FCFD92", "9.65104055317255e19"],
  ["3F34A9D5CC7E6E00", "3.1529874513022693e-4"],
  ["3DB378C20BAA12EC", "1.770941789830216e-11"],
  ["3F16031E19862DAE", "8.396979536067522e-5"],
  ["4160CECEC582A2E8", "8812150.17219682"],
  ["439804478B0F6AC6", "4.326467048504488e17"],
  ["4475CCD014F27B7F", "6.434239112935684e21"],
  ["3CCFD0A77C5AA453", "8.83045182249842e-16"],
  ["4156B6F362F201D6", "5954509.5460209455"],
  ["3FDEB633BA4BF31C", "0.47987073128733626"],
  ["40D391B328196F00", "20038.79932247009"],
  ["407B7AAF08758888", "439.6677326766153"],
  ["3E7668FB6D2C1173", "8.34840776891313e-8"],
  ["43849263676D4ACD", "1.852945654030893e17"],
  ["42025610EEB9A9AC", "9844170199.207848"],
  ["442068ADD9449B3E", "1.513454145094769e20"],
  ["42997CF91BA04661", "7006136494097.595"],
  ["3F4C88056768C11F", "8.70707167285576e-4"],
  ["3CF6021577B3BBD4", "4.886788766838136e-15"],
  ["3F410A4A8B9C5D86", "5.200256339063381e-4"],
  ["4008097C41347374", "3.0046315282947322"],
  ["3F0CD21FE7D660D4", "5.497131221971074e-5"],
  ["3C9A8FA5D469C5E0", "9.215241108739554e-17"],
  ["42CE324079F88EEB", "66402357866781.836"],
  ["4084B18065937D89", "662.1876937411008"],
  ["4478993772FF242D", "7.260196435531207e21"],
  ["3FAB06FAF714CA7D", "0.052787630711823554"],
  ["43648EF14587A0BD", "4.629333151193649e16"],
  ["44140E0A12ABCC9B", "9.248663076739264e19"],
  ["3E10BA0B04F2316B", "9.73623865370652e-10"],
  ["3C422A3A81A51202", "1.969448393127227e-18"],
  ["3CF29FF720D20C5E", "4.135550707918324e-15"],
  ["408F400000000000", "1000.0"],
  ["416312D000000000", "10000000.0"],
  ["42374876E8000000", "100000000000.0"],
  ["430C6BF526340000", "1000000000000000.0"],
  ["43E158E460913D00", "1.0e19"],
  ["44B52D02C7E14AF7", "1.0000000000000001e23"],
  ["4589D971E4FE8402", "1.0e27"],
  ["465F8DEF8808B024", "1.0e31"],
  ["4733426172C74D82", "1.0e35"],
  ["48078287F49C4A1D", "1.0e39"],
  ["C059000000000000", "-100.0"],
  ["C12E848000000000", "-1000000.0"],
  ["C202A05F20000000", "-10000000000.0"],
  ["C2D6BCC41E900000", "-100000000000000.0"],
  ["C3ABC16D674EC800", "-1.0e18"],
  ["C480F0CF064DD592", "-1.0e22"],
  ["C554ADF4B7320335", "-1.0e26"],
  ["C6293E5939A08CEA", "-1.0e30"],
  ["C6FED09BEAD87C03", "-1.0e34"],
  ["C7D2CED32A16A1B1", "-1.0e38"],
];

describe("inspect: floats as Elixir prints them", () => {
  it(`prints ${FLOATS.length} floats exactly`, () => {
    const view = new DataView(new ArrayBuffer(8));
    for (const [hex, want] of FLOATS) {
      view.setBigUint64(0, BigInt("0x" + hex));
      const x = view.getFloat64(0);
      assert.equal(formatFloat(x), want, hex);
      assert.equal(inspect(float(x)), want, hex);
    }
  });
});

describe("inspect: the recorder's truncation marker", () => {
  const marker = (type: string, size: number, preview: Term): Term =>
    tuple(atom("$truncated"), atom(type), size, preview);

  it("shows the preview and how much was cut", () => {
    assert.equal(inspect(marker("list", 100, [1, 2, 3])), "[1, 2, 3, …(97 entries truncated)]");
    assert.equal(inspect(marker("map", 10001, map([[atom("a"), 1]]))), "%{a: 1, …(10000 entries truncated)}");
    assert.equal(inspect(marker("tuple", 3, tuple(1, 2))), "{1, 2, …(1 entry truncated)}");
    assert.equal(inspect(marker("binary", 1000, bin("abc"))), '"abc"…(997 bytes truncated)');
    assert.equal(inspect(marker("binary", 4, bin([0, 1, 2]))), "<<0, 1, 2>>…(1 byte truncated)");
    assert.equal(inspect(marker("term", 123456, atom("nil"))), "…(term of 123456 bytes truncated)");
    assert.equal(inspect(marker("list", 100, [tuple(atom("a"), 1)])), "[a: 1, …(99 entries truncated)]");
  });

  it("counts what the limit hides in the same note", () => {
    assert.equal(inspect(marker("list", 100, [1, 2, 3]), { limit: 2 }), "[1, 2, …(98 entries truncated)]");
  });

  it("prints look-alikes that are not markers as tuples", () => {
    assert.equal(inspect(tuple(atom("$truncated"), atom("list"), -1, [])), '{:"$truncated", :list, -1, []}');
    assert.equal(inspect(tuple(atom("$truncated"), atom("map"), 3, [])), '{:"$truncated", :map, 3, []}');
  });
});

describe("inspect: options", () => {
  it("appends the node of pids, refs and ports from other nodes when localNode is given", () => {
    const local = pid("a@h", 1, 0);
    const remote = pid("b@h", 2, 0);
    assert.equal(inspect([local, remote]), "[#PID<0.1.0>, #PID<0.2.0>]");
    assert.equal(inspect([local, remote], { localNode: "a@h" }), "[#PID<0.1.0>, #PID<0.2.0>@b@h]");
    assert.equal(inspect(ref("b@h", [3, 2, 1]), { localNode: "a@h" }), "#Reference<0.1.2.3>@b@h");
    assert.equal(inspect(port("b@h", 5), { localNode: atom("b@h") }), "#Port<0.5>");
  });

  it("cuts collections nested deeper than depth", () => {
    const t = map([[atom("a"), [tuple(1, map([[1, 2]]))]]]);
    assert.equal(inspect(t, { depth: 1 }), "%{a: [...]}");
    assert.equal(inspect(t, { depth: 2 }), "%{a: [{...}]}");
    assert.equal(inspect(t, { depth: 3 }), "%{a: [{1, %{...}}]}");
    assert.equal(inspect(t), "%{a: [{1, %{1 => 2}}]}");
  });

  it("breaks long values over lines, two spaces deeper per level, with maxWidth", () => {
    const state = map([
      [
        atom("seats"),
        map(Array.from({ length: 4 }, (_, i): [Term, Term] => [i + 1, atom(i % 2 ? "free" : "taken")])),
      ],
      [atom("name"), bin("Odeon")],
    ]);
    assert.equal(inspect(state, { maxWidth: 200 }), inspect(state));
    assert.equal(
      inspectPretty(state, 30),
      [
        "%{",
        "  seats: %{",
        "    1 => :taken,",
        "    2 => :free,",
        "    3 => :taken,",
        "    4 => :free",
        "  },",
        '  name: "Odeon"',
        "}",
      ].join("\n"),
    );
  });

  it("prints module names without the Elixir. prefix", () => {
    assert.equal(moduleName(atom("Elixir.Cinema.TicketOffice")), "Cinema.TicketOffice");
    assert.equal(moduleName("lists"), "lists");
    assert.equal(moduleName(Atom.of("Elixir")), "Elixir");
  });

  it("follows the limit into nested binaries and maps as Elixir does", () => {
    assert.equal(
      inspect(
        [
          bin([1, 2, 3]),
          map([
            [1, 2],
            [3, 4],
          ]),
        ],
        { limit: 3 },
      ),
      "[<<1, 2, ...>>, %{1 => 2, ...}]",
    );
    assert.equal(inspect(bits([1, 2, 48], 4), { limit: 2 }), "<<1, 2, ...>>");
  });
});

describe("inspect: pretty layout of wrapped values", () => {
  it("breaks the list inside MapSet.new(...)", () => {
    const set = map([
      [atom("__struct__"), atom("Elixir.MapSet")],
      [atom("map"), map(Array.from({ length: 3 }, (_, i): [Term, Term] => [bin(`element-${i}`), []]))],
      [atom("version"), 2],
    ]);
    assert.equal(inspect(set), 'MapSet.new(["element-0", "element-1", "element-2"])');
    assert.equal(inspectPretty(set, 30), 'MapSet.new([\n  "element-0",\n  "element-1",\n  "element-2"\n])');
  });
});
