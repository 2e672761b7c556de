// The condition pre-filter never contradicts a full evaluation: wherever it says a condition
// certainly holds or certainly does not, decoding the event and evaluating the condition agrees.

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "../../bench/gen";
import {
  type ArgMemo,
  type ColumnSource,
  compileColumnFilter,
  MAYBE,
  NO,
  YES,
} from "../../src/core/columnFilter";
import { atom, bin, float, pid, tuple } from "../../src/core/terms/build";
import { encodeTerm } from "../../src/core/terms/encode";
import type { Term } from "../../src/core/terms/term";
import { Replay } from "../../src/core/replay";
import { evalExpr, ExprError, parseExpr, truthy } from "../../src/core/inspect/expression";
import { EventScopes } from "../../src/core/inspect/eventScope";

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

  // Argument tests remember what they read of each call (ColumnSource.memo): a condition asked
  // again, or another literal on the same argument, answers from the memo. Cold, warm and without
  // a memo must agree on every row.
  const argConditions = [
    "args[0] == 12",
    "args[0] === 12",
    "args[0] != 1",
    "args[0] !== 1",
    "args[1] == :ok",
    "args[1] == :state",
    "args[0] == :ok",
    "args[1] == -1",
    "args[2] == 0",
    "args[1] === 1",
    "args[0] == 1099511627776",
    "args[1] == 70000",
  ];
  const sameWithMemo = (src: ColumnSource, rows: number): void => {
    const memo: ArgMemo = new Map();
    // Candidates: every row, then every other row (a second list of the same memo), then every row again.
    const all = Array.from({ length: rows }, (_, i) => i);
    const plain = { ...src, memo: undefined, candidates: undefined };
    const lists = [all, all.filter((i) => i % 2 === 1), all];
    for (const [pass, candidates] of lists.entries())
      for (const c of argConditions) {
        const a = compileColumnFilter(parseExpr(c), plain)!;
        const b = compileColumnFilter(parseExpr(c), { ...src, memo, candidates })!;
        // Rows outside the candidates too: answered from the bytes, not the memo.
        for (let i = rows - 1; i >= 0; i--) assert.equal(b(i), a(i), `${c}, pass ${pass}, row ${i}`);
      }
    assert.ok(memo.size > 0, "the memo was not used");
  };

  it("answers argument tests the same from its memo as from the bytes", () => {
    sameWithMemo(r.columnSource(), r.eventCount);
  });

  it("answers argument tests the same from its memo on odd and damaged call frames", () => {
    const call = (args: Term): Uint8Array =>
      encodeTerm(
        tuple(atom("call"), 1, 2, pid("n@h", 1, 0), tuple(atom("M"), atom("f"), 2), args, atom("undefined")),
      );
    const frames: Uint8Array[] = [
      call([12, atom("ok")]),
      call([1, atom("state"), 0]),
      call([float(12), float(1)]),
      call([2n ** 60n, -(2n ** 60n)]),
      call([2 ** 40, 70000]), // beyond 32 bits: read again from the bytes each time
      call([12, 255, 0]), // a string: one byte per element
      call([bin("x"), tuple(1, 2)]),
      call([atom("ok")]),
      call(atom("nope")),
      call([-1, -1, -1]),
      call([12, atom("ok")]).subarray(0, 40), // cut short
      encodeTerm(tuple(atom("call"), 1, 2)),
    ];
    const src: ColumnSource = {
      kindOf: () => "call",
      seqOf: (i) => i,
      mfaOf: () => undefined,
      frameBytes: (i) => frames[i],
    };
    sameWithMemo(src, frames.length);
  });
});
