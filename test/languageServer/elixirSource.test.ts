// Reading def heads, aliases and calls from Elixir source, and matching parameter patterns against
// recorded arguments (which clause ran, what each variable was bound to).

import { strict as assert } from "node:assert";
import { atom, bin, map, tuple } from "../../src/core/terms/build";
import { inspect } from "../../src/core/terms/inspect";
import type { Term } from "../../src/core/terms/term";
import { aritiesOf, callAt, readSource, wordAt } from "../../src/languageServer/elixirSource";
import { matchPattern, parsePattern, patternVars } from "../../src/languageServer/pattern";

const SRC = `defmodule Shop.Cart do
  alias Shop.{Stock, Prices}
  alias Shop.Payments.Gateway, as: Pay

  def add(cart, item, qty \\\\ 1) when qty > 0 do
    Stock.take(item, qty) |> Prices.of()
  end

  defp total(%{items: items} = cart), do: Pay.charge(cart, length(items))
  def available?(x), do: x
end
`;

describe("language server: reading Elixir source", function () {
  it("finds def heads with parameters, defaults, guards and their module", function () {
    const f = readSource(SRC);
    assert.deepEqual(
      f.defs.map((d) => [d.kind, d.name, d.line, d.params.map((p) => p.text), d.hasGuard, d.module]),
      [
        ["def", "add", 4, ["cart", "item", "qty \\\\ 1"], true, "Shop.Cart"],
        ["defp", "total", 8, ["%{items: items} = cart"], false, "Shop.Cart"],
        ["def", "available?", 9, ["x"], false, "Shop.Cart"],
      ],
    );
    assert.deepEqual(aritiesOf(f.defs[0]), [3, 2]);
    assert.equal(SRC.slice(f.defs[1].params[0].start).startsWith("%{items"), true);
    assert.deepEqual(Object.fromEntries(f.aliases), {
      Stock: "Shop.Stock",
      Prices: "Shop.Prices",
      Pay: "Shop.Payments.Gateway",
      Cart: "Shop.Cart",
    });
  });

  it("reads the word and the call under the cursor, counting a pipe's argument", function () {
    const at = (needle: string, d = 1): number => SRC.indexOf(needle) + d;
    assert.equal(wordAt(SRC, at("available?"))?.word, "available?");
    assert.equal(wordAt(SRC, at("available?", 9))?.word, "available?");
    assert.deepEqual(callAt(SRC, at("take(")), {
      module: "Stock",
      fun: "take",
      arity: 2,
      start: at("take(", 0),
    });
    assert.equal(callAt(SRC, at("of()"))?.arity, 1);
    assert.equal(callAt(SRC, at("charge("))?.module, "Pay");
    assert.equal(callAt(SRC, at("cart, item")), undefined);
  });
});

describe("language server: parameter patterns", function () {
  const m = (src: string, v: Term): [string, Record<string, string>] => {
    const b = new Map<string, Term>();
    const r = matchPattern(parsePattern(src), v, b);
    return [r, Object.fromEntries([...b].map(([k, x]) => [k, inspect(x)]))];
  };

  it("matches literals, tuples, lists, maps and structs, binding variables", function () {
    assert.deepEqual(m("{:hold, seat, customer}", tuple(atom("hold"), 3, bin("al"))), [
      "yes",
      { seat: "3", customer: '"al"' },
    ]);
    assert.deepEqual(m("{:hold, seat, _}", tuple(atom("confirm"), 3, 1))[0], "no");
    assert.deepEqual(m("[h | t]", [1, 2, 3]), ["yes", { h: "1", t: "[2, 3]" }]);
    assert.deepEqual(m("[]", [1])[0], "no");
    assert.deepEqual(m("%{items: items} = cart", map([[atom("items"), [1]]])), [
      "yes",
      { items: "[1]", cart: "%{items: [1]}" },
    ]);
    const s = map([
      [atom("__struct__"), atom("Elixir.Shop.Item")],
      [atom("id"), 7],
    ]);
    assert.deepEqual(m("%Shop.Item{id: id}", s), ["yes", { id: "7" }]);
    assert.deepEqual(m("%Other{id: id}", s)[0], "no");
    assert.deepEqual(m('"abc"', bin("abc"))[0], "yes");
    assert.deepEqual(m("x \\\\ 5", 9), ["yes", { x: "9" }]);
    assert.deepEqual(m("{a, a}", tuple(1, 2))[0], "no");
  });

  it("says maybe for what it cannot read, and still names its variables", function () {
    const p = parsePattern("<<size::8, rest::binary>>");
    assert.equal(p.t, "opaque");
    assert.equal(matchPattern(p, bin("x"), new Map()), "maybe");
    assert.deepEqual(
      patternVars(p).map((v) => v.name),
      ["size", "rest", "binary"],
    );
    assert.equal(matchPattern(parsePattern("^pinned"), 1, new Map()), "maybe");
  });
});
