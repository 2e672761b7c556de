// The expression language of conditions, logpoints and the console, on its own: what parses, what it
// evaluates to over Elixir terms, and the one-line errors for what does not.

import assert from "node:assert/strict";
import { atom, bin, keyword, map, pid, tuple } from "../../../src/core/terms/build";
import { inspect } from "../../../src/core/terms/inspect";
import type { Term } from "../../../src/core/terms/term";
import { applyHitCondition } from "../../../src/core/inspect/hitCondition";
import { compileLogMessage } from "../../../src/core/inspect/logMessage";
import { accessPath, evalExpr, parseExpr, type Scope } from "../../../src/core/inspect/expression";

const seats = map([
  [
    12,
    map([
      [atom("status"), atom("reserved")],
      [atom("by"), bin("ann")],
    ]),
  ],
  [13, atom("free")],
]);
const scope: Scope = {
  args: [12, bin("ann"), keyword([["timeout", 5000]])],
  state: map([
    [atom("seats"), seats],
    [atom("sold"), 1],
    [bin("key"), tuple(atom("ok"), 2)],
  ]),
  msg: tuple(atom("reserve"), 3),
  value: undefined,
  pid: pid("n@h", 1, 0),
};

const ev = (src: string, s: Scope = scope): string => inspect(evalExpr(parseExpr(src), s));

describe("debug adapter: the expression language", () => {
  it("reads args, state, msg and paths as Elixir's Access does", () => {
    assert.equal(ev("args[0] == 12"), "true");
    assert.equal(ev("state.seats[12].status == :reserved"), "true");
    assert.equal(ev("state.seats[12].status"), ":reserved");
    assert.equal(ev("state.seats[99]"), "nil");
    assert.equal(ev('state["key"]'), "{:ok, 2}");
    assert.equal(ev('elem(state["key"], 1)'), "2");
    assert.equal(ev("args[2][:timeout]"), "5000");
    assert.equal(ev("args[-1][:timeout]"), "5000");
    assert.equal(ev("msg == {:reserve, 3}"), "true");
    assert.equal(ev("msg != {:reserve, 4}"), "true");
    assert.equal(ev("value"), "nil", "a name without a value at this event is nil in a condition");
  });

  it("has Elixir's operators, precedence and truthiness", () => {
    assert.equal(ev("length(args) > 1 and not is_nil(msg)"), "true");
    assert.equal(ev("length(args) > 1 && !(msg == :ping)"), "true");
    assert.equal(ev("false or nil || 3 == 3"), "true");
    assert.equal(ev("1 + 2 * 3 == 7"), "true");
    assert.equal(ev("(1 + 2) * 3"), "9");
    assert.equal(ev("10 / 4"), "2.5");
    assert.equal(ev("-args[0] + 1"), "-11");
    assert.equal(ev("1 == 1.0"), "true");
    assert.equal(ev("1 === 1.0"), "false");
    assert.equal(ev('1 < :atom and :atom < "bin"'), "true", "term order");
    assert.equal(ev("args[0] in [11, 12]"), "true");
    assert.equal(ev("args[0] not in [11, 12]"), "false");
    assert.equal(ev("9_007_199_254_740_993 > 9_007_199_254_740_992"), "true", "big integers stay exact");
    assert.equal(ev("div(7, 2) + rem(7, 2)"), "4");
  });

  it("builds literals: atoms, aliases, strings, tuples, lists, keyword lists and maps", () => {
    assert.equal(ev(':"with space"'), ':"with space"');
    assert.equal(ev("CinemaDemo.TicketOffice"), "CinemaDemo.TicketOffice");
    assert.equal(ev('"a\\"b\\n"'), '"a\\"b\\n"');
    assert.equal(ev("[a: 1, b: :two]"), "[a: 1, b: :two]");
    assert.equal(ev('%{status: :reserved, by: "ann"} == state.seats[12]'), "true");
    assert.equal(ev("%{1 => :x, :y => 2}"), "%{1 => :x, :y => 2}");
    assert.equal(ev("{}"), "{}");
    assert.equal(ev("1.5e3"), "1500.0");
  });

  it("knows the functions people reach for", () => {
    assert.equal(ev("Map.get(state.seats, 13)"), ":free");
    assert.equal(ev("Map.get(state.seats, 14, :none)"), ":none");
    assert.equal(ev("Map.has_key?(state.seats, 12)"), "true");
    assert.equal(ev("Map.keys(state.seats) == [12, 13]"), "true");
    assert.equal(ev("Enum.member?(args, 12)"), "true");
    assert.equal(ev("Enum.count(state.seats)"), "2");
    assert.equal(ev('String.contains?(args[1], "nn")'), "true");
    assert.equal(ev('String.starts_with?(args[1], "a")'), "true");
    assert.equal(ev("Keyword.get(args[2], :timeout)"), "5000");
    assert.equal(ev("List.last(args)"), "[timeout: 5000]");
    assert.equal(ev("hd(tl(args))"), '"ann"');
    assert.equal(ev("is_pid(pid) and is_map(state) and is_binary(args[1]) and is_integer(args[0])"), "true");
    assert.equal(
      ev("is_float(1.0) and is_number(1) and is_boolean(false) and is_atom(:a) and is_tuple(msg)"),
      "true",
    );
    assert.equal(ev("abs(-3) + map_size(state) + tuple_size(msg) + byte_size(args[1])"), "11");
  });

  it("says what is wrong in one line, with the column", () => {
    const err = (src: string, s: Scope = scope): string => {
      try {
        evalExpr(parseExpr(src), s, { strict: true });
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    assert.equal(err("args[0] =="), "the expression ends too early");
    assert.equal(err("args[0] = 1"), 'unexpected "=" at column 9');
    assert.equal(err("(1 + 2"), 'expected ")" at the end');
    assert.equal(err("foo.bar"), 'unknown name "foo" at column 1 (known here: args, state, msg, value, pid)');
    assert.equal(err("value"), '"value" has no value at this event');
    assert.equal(err("length(1)"), "length/1 at column 1 needs a list");
    assert.match(err("nope(1, 2)"), /^unknown function nope\/2 at column 1 \(known: length\/1, /);
    assert.equal(err("1 / 0"), "division by zero at column 3");
    assert.equal(err(":a + 1"), '"+" at column 4 needs numbers');
    assert.equal(err("1 in 2"), 'the right side of "in" at column 3 must be a list');
    assert.equal(err("a: 1"), '"a:" at column 1 belongs inside [...] or %{...}');
    assert.equal(err(""), "the expression is empty");
    assert.equal(err("args # x"), 'unexpected "#" at column 6');
    assert.ok(!err("x").includes("\n"));
  });

  it("turns access expressions into state paths for data breakpoints", () => {
    const path = (src: string): string | undefined => {
      const p = accessPath(parseExpr(src));
      return p && `${p.root} ${p.path.map((t: Term) => inspect(t)).join(" ")}`;
    };
    assert.equal(path("state.seats[12].status"), "state :seats 12 :status");
    assert.equal(path('state["key"]'), 'state "key"');
    assert.equal(path("elem(state.tag, 1)"), "state :tag 1");
    assert.equal(path("length(state)"), undefined);
  });

  it("interpolates logpoint messages and applies hit counts", () => {
    const render = compileLogMessage("seat {args[0]} for {args[1]}: {{literal}} {state.seats[12]}");
    assert.equal(render(scope), 'seat 12 for "ann": {literal} %{status: :reserved, by: "ann"}');
    assert.equal(compileLogMessage("{%{a: {1, 2}}}")(scope), "%{a: {1, 2}}", "braces inside an expression");
    assert.equal(
      compileLogMessage("{nope}")(scope),
      '<unknown name "nope" at column 1 (known here: args, state, msg, value, pid)>',
    );
    assert.throws(() => compileLogMessage("open {args"), /"\{" at column 6 is never closed/);
    const hits = [10, 20, 30, 40, 50];
    assert.deepEqual(applyHitCondition(hits, "2"), [20]);
    assert.deepEqual(applyHitCondition(hits, "== 9"), []);
    assert.deepEqual(applyHitCondition(hits, ">= 4"), [40, 50]);
    assert.deepEqual(applyHitCondition(hits, "> 4"), [50]);
    assert.deepEqual(applyHitCondition(hits, "< 3"), [10, 20]);
    assert.deepEqual(applyHitCondition(hits, "<= 1"), [10]);
    assert.deepEqual(applyHitCondition(hits, "% 2"), [20, 40]);
    assert.throws(() => applyHitCondition(hits, "twice"), /bad hit count "twice"/);
  });
});

describe("expression language: hostile input", () => {
  it("resolves only the recording's names, never JavaScript's", () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"])
      assert.throws(() => evalExpr(parseExpr(name), { args: [] }), /unknown name/, name);
  });

  it("refuses expressions too deep or too long with one line, no stack overflow", () => {
    assert.throws(() => parseExpr(`${"(".repeat(5000)}1${")".repeat(5000)}`), /too (deep|long)/);
    assert.throws(() => parseExpr(Array.from({ length: 100_000 }, () => "1").join(" + ")), /too long/);
    assert.throws(() => parseExpr(Array.from({ length: 500 }, () => "1").join(" + ")), /too deep/);
    assert.throws(() => parseExpr(`${"[".repeat(150)}${"]".repeat(150)}`), /too deep/);
    assert.throws(() => parseExpr(`${"not ".repeat(300)}true`), /too deep/);
    assert.equal(evalExpr(parseExpr(Array.from({ length: 50 }, () => "1").join(" + ")), {}), 50);
  });
});
