// Terms as trees: every child's evaluate name reads that very child back through the expression
// language, improper lists included (where Access does not apply: hd/tl chains).

import assert from "node:assert/strict";
import { evalExpr, parseExpr } from "../../../src/core/inspect/expression";
import { childrenOf } from "../../../src/core/inspect/termView";
import { atom, keyword, map, tuple } from "../../../src/core/terms/build";
import { termEquals } from "../../../src/core/terms/equal";
import { inspect } from "../../../src/core/terms/inspect";
import { ImproperList, type Term } from "../../../src/core/terms/term";

describe("inspect: term views", () => {
  it("gives every child an evaluate name that evaluates back to it", () => {
    const improper = new ImproperList([1, atom("two"), tuple(3, 4)], atom("tail"));
    const x = map([
      [atom("cells"), improper],
      [atom("pair"), new ImproperList([1], 2)],
      [atom("opts"), keyword([["a", 1]])],
      [atom("t"), tuple(1, [2, 3])],
    ]);
    const walk = (t: Term, name: string, depth: number): number => {
      let n = 0;
      for (const ch of childrenOf(t, name)) {
        assert.ok(ch.evaluateName, `${ch.label} under ${name} has an evaluate name`);
        const back = evalExpr(parseExpr(ch.evaluateName), { x });
        assert.ok(
          termEquals(back, ch.value),
          `${ch.evaluateName} → ${inspect(back)}, shown ${inspect(ch.value)}`,
        );
        n += 1 + (depth > 0 ? walk(ch.value, ch.evaluateName, depth - 1) : 0);
      }
      return n;
    };
    assert.ok(walk(x, "x", 3) >= 14);
    assert.deepEqual(
      childrenOf(improper, "x.cells").map((c) => c.evaluateName),
      ["hd(x.cells)", "hd(tl(x.cells))", "hd(tl(tl(x.cells)))", "tl(tl(tl(x.cells)))"],
    );
  });
});
