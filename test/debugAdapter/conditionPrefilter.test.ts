// The condition pre-filter changes how fast a breakpoint's condition is answered, never what: random
// conditions on a real (generated) trace stop at exactly the same events, both ways, and logpoints
// with conditions print the same lines, with the pre-filter and without it.

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "../../bench/gen";
import { Replay } from "../../src/core/replay";
import { EventScopes } from "../../src/core/inspect/eventScope";
import { Breakpoints } from "../../src/debugAdapter/breakpoints";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** A random condition from the parts the pre-filter decides and parts it must leave to evaluation. */
function randomCondition(rand: () => number, seqMax: number, modules: string[]): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const leaf = (): string => {
    const int = (): string => String(pick([-1, 0, 1, 2, 3, 5, 7, 12, 40, 255, 256, 70000]));
    switch (Math.floor(rand() * 9)) {
      case 0:
        return `args[${pick([0, 1, 2, 5])}] ${pick(["==", "!=", "===", "!=="])} ${int()}`;
      case 1:
        return `args[${pick([0, 1])}] == ${pick([":ok", ":error", ":state", ":nope"])}`;
      case 2:
        return `kind == ${pick([":call", ":return", ":send", ":state"])}`;
      case 3:
        return `seq ${pick(["==", "!="])} ${Math.floor(rand() * seqMax)}`;
      case 4:
        return `module == :"${pick(modules)}"`;
      case 5:
        return `args[0] > ${int()}`; // undecided: evaluated
      case 6:
        return `length(args) == ${pick([1, 2, 3])}`; // undecided
      case 7:
        return `${int()} == args[1]`; // literal on the left
      default:
        return `args[1] == -${pick([1, 3])}`;
    }
  };
  const expr = (depth: number): string => {
    const r = rand();
    if (depth === 0 || r < 0.4) return leaf();
    if (r < 0.55) return `not (${expr(depth - 1)})`;
    return `(${expr(depth - 1)}) ${pick(["and", "or"])} (${expr(depth - 1)})`;
  };
  return expr(3);
}

describe("condition pre-filter in the debug adapter's breakpoints", function () {
  this.timeout(120_000);
  let r: Replay;
  before(async () => {
    const path = join(mkdtempSync(join(tmpdir(), "elixirscope-prefilter-")), "gen.estrace");
    generate({ events: 6000, seed: 5, out: path, servers: 3, workers: 8 });
    r = await Replay.open(path, { index: false });
  });
  after(() => r.close());

  const make = (prefilter: boolean): Breakpoints =>
    new Breakpoints(
      r,
      new EventScopes(r),
      () => true,
      () => undefined,
      prefilter,
    );

  /** Every stop of the breakpoints set, walking forward from the start and backward from the end. */
  const walk = (b: Breakpoints): string => {
    const out: number[] = [];
    for (let h = b.next(-1, true); h; h = b.next(h.index, true)) out.push(h.index);
    out.push(-1);
    for (let h = b.next(r.eventCount, false); h; h = b.next(h.index, false)) out.push(h.index);
    return out.join(",");
  };

  it("stops at the same events with and without it, over 150 random conditions", () => {
    const rand = rng(2024);
    const funs = r.functions().map((f) => `${f.module}.${f.fun}/${f.arity}`.replace(/^Elixir\./, ""));
    const modules = [...new Set(r.functions().map((f) => f.module))];
    let stops = 0;
    let decided = 0;
    for (let k = 0; k < 150; k++) {
      const condition = randomCondition(rand, r.eventCount, modules);
      const name = funs[Math.floor(rand() * funs.length)];
      const fast = make(true);
      const slow = make(false);
      const a = fast.setFunctions([{ name, condition }]);
      const b = slow.setFunctions([{ name, condition }]);
      assert.deepEqual(a, b, `verification of ${name} if ${condition}`);
      const got = walk(fast);
      assert.equal(got, walk(slow), `${name} if ${condition}`);
      stops += got.split(",").length - 1;
      if (got !== "-1") decided++;
    }
    // The conditions are not all trivially false: many stop somewhere.
    assert.ok(decided > 20, `only ${decided} of 150 conditions ever held`);
    assert.ok(stops > 200, `only ${stops} stops`);
  });

  it("prints the same logpoint lines with and without it", () => {
    const rand = rng(7);
    const modules = [...new Set(r.functions().map((f) => f.module))];
    const file = "/bench/lib/util.ex";
    const lines = r.linesWithEvents(file);
    assert.ok(lines.length > 0, "the generated trace has util.ex lines");
    for (let k = 0; k < 30; k++) {
      const condition = randomCondition(rand, r.eventCount, modules);
      const bps = lines.map((line) => ({ line, logMessage: "{seq} {args}", condition }));
      const texts = (b: Breakpoints): string[] => {
        const { breakpoints, logs } = b.setSource(file, bps);
        return [
          ...breakpoints.map((x) => `${x.verified} ${x.message}`),
          ...logs.lines(0, logs.count).map((l) => `${l.index}:${l.line}:${l.text}`),
        ];
      };
      assert.deepEqual(texts(make(true)), texts(make(false)), condition);
    }
  });
});
