// Function patterns: what each form matches, and that hostile patterns (runs of stars, huge texts)
// are answered by the glob walk or refused by the length limit instead of backtracking.

import assert from "node:assert/strict";
import {
  globMatch,
  matchesFunction,
  MAX_PATTERN_LENGTH,
  parseFunctionPattern,
} from "../../src/core/functionPattern";
import type { Mfa } from "../../src/core/types";

const mfa = (module: string, fun: string, arity: number): Mfa => ({ module, fun, arity });
const matches = (pattern: string, m: Mfa): boolean => matchesFunction(parseFunctionPattern(pattern), m);

describe("function patterns", () => {
  const reserve = mfa("Elixir.CinemaDemo.TicketOffice", "reserve", 3);
  const map = mfa("lists", "map", 2);

  it("match modules by their last segments, with or without Elixir.", () => {
    for (const p of [
      "CinemaDemo.TicketOffice.reserve/3",
      "TicketOffice.reserve/3",
      "TicketOffice.reserve",
      "TicketOffice.*",
      "Elixir.CinemaDemo.TicketOffice.reserve",
      "*.reserve/3",
      "reserve/3",
      "Ticket*.res*",
      "*Office.reserve/*",
      "*",
    ])
      assert.ok(matches(p, reserve), p);
    for (const p of [
      "Office.reserve",
      "TicketOffice.reserve/2",
      "TicketOffice.hold",
      ":TicketOffice.reserve",
    ])
      assert.ok(!matches(p, reserve), p);
  });

  it("match Erlang modules by their whole atom", () => {
    assert.ok(matches(":lists.map/2", map));
    assert.ok(matches(":li*.map", map));
    assert.ok(!matches(":list.map", map));
    assert.ok(matches('Mod."odd.name"/1', mfa("Elixir.Mod", "odd.name", 1)));
  });

  it("refuse malformed patterns with the usage hint", () => {
    for (const p of ["", "not a pattern!", "Mod.fun/x", "Mod.fun/", "a b"])
      assert.throws(() => parseFunctionPattern(p), /bad function pattern/, p);
  });

  it("answer runs of stars without backtracking (regression: 14 stars hung)", () => {
    const long = mfa(`Elixir.${"A".repeat(200)}`, "a".repeat(200), 1);
    assert.ok(!matches("**************x", long));
    assert.ok(!matches(`${"*a".repeat(60)}x`, long));
    assert.ok(matches(`*.${"*a".repeat(60)}*`, long));
    assert.ok(!globMatch("*".repeat(2000) + "b", "a".repeat(3000), 0));
  });

  it("refuse patterns over the length limit with one line", () => {
    assert.throws(
      () => parseFunctionPattern("a".repeat(100_000)),
      new RegExp(`100000 characters, the limit is ${MAX_PATTERN_LENGTH}`),
    );
    assert.doesNotThrow(() => parseFunctionPattern(`${"a".repeat(MAX_PATTERN_LENGTH - 2)}/1`));
  });
});
