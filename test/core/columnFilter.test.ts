// The condition pre-filter never contradicts a full evaluation: wherever it says a condition
// certainly holds or certainly does not, decoding the event and evaluating the condition agrees.

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "../../bench/gen";
import { compileColumnFilter, MAYBE, NO, YES } from "../../src/core/columnFilter";
import { Replay } from "../../src/core/replay";
import { evalExpr, ExprError, parseExpr, truthy } from "../../src/debugAdapter/condition";
import { EventScopes } from "../../src/debugAdapter/eventScope";

describe("condition pre-filter over columns and raw bytes", () => {
  let r: Replay;
  before(async () => {
    const path = join(mkdtempSync(join(tmpdir(), "elixirscope-filter-")), "gen.estrace");
    generate({ events: 3000, seed: 11, out: path, servers: 3, workers: 8 });
    r = await Replay.open(path, { index: false });
  });
  after(() => r.close());

  const decided = [
    "args[1] == -1",
    "args[1] == 5",
    "args[0] == 12",
    "args[0] != 12",
    "args[0] === 7",
    "kind == :call",
    "kind == :send and args[0] == 1",
    "not (kind == :return)",
    "seq == 40 or seq == 41",
    'module == :"Elixir.Bench.Util"',
    "args[1] == :ok",
  ];
  const undecided = ["args[0] > 3", "length(args) == 2", "msg == {:ok, 1}", "state.items == %{}"];

  for (const src of [...decided, ...undecided])
    it(`agrees with evaluation: ${src}`, () => {
      const expr = parseExpr(src);
      const filter = compileColumnFilter(expr, r.columnSource());
      if (undecided.includes(src)) {
        assert.equal(filter, undefined, "decided what it cannot know");
        return;
      }
      assert.ok(filter, "nothing decided");
      const scopes = new EventScopes(r);
      let certain = 0;
      for (let i = 0; i < r.eventCount; i++) {
        const v: number = filter(i);
        if (v === MAYBE) continue;
        certain++;
        let real: boolean;
        try {
          real = truthy(evalExpr(expr, scopes.of(r.event(i))));
        } catch (e) {
          if (!(e instanceof ExprError)) throw e;
          real = false;
        }
        assert.equal(
          v === YES,
          real,
          `event ${i}: pre-filter ${v === NO ? "no" : "yes"}, evaluation ${real}`,
        );
      }
      assert.ok(certain > r.eventCount / 4, `only ${certain} events decided`);
    });
});
