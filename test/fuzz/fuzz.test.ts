// The fuzzers in the test suite: seeded, bounded runs (about a minute each) of trace mutations,
// JSON Lines mutations and command-line abuse through the real CLI code in a child process, and of
// DAP frames and requests against the real stdio adapter, each asserting the contract for hostile
// input, no hang and bounded peak memory. Longer runs:
// `node --import tsx test/fuzz/run.ts --count 20000 --seed 7`.

import assert from "node:assert/strict";
import { MAX_RSS_KB } from "../helpers/cliRun";
import { type FuzzResult, runFuzz } from "./harness";

/** Seeds and mutant counts for CI; a different seed per kind keeps the runs independent. */
export const CI_RUNS = [
  { kind: "trace", seed: 14, count: 400 },
  { kind: "jsonl", seed: 1414, count: 200 },
  { kind: "args", seed: 141414, count: 400 },
  { kind: "dap", seed: 8014, count: 300 },
] as const;

export function report(r: FuzzResult): string {
  if (r.broken) return `${r.kind} seed ${r.seed}: ${r.broken}`;
  return r.failures
    .slice(0, 5)
    .map((f) => `${r.kind} seed ${r.seed} case ${f.case} (${f.how}) ${JSON.stringify(f.argv)}: ${f.problem}`)
    .join("\n");
}

describe("fuzzers (seeded, bounded)", function () {
  this.timeout(300_000);
  for (const run of CI_RUNS)
    it(`${run.kind}: ${run.count} mutants, seed ${run.seed}`, () => {
      const r = runFuzz(run.kind, run.seed, run.count, 240_000);
      assert.equal(r.broken, undefined, report(r));
      assert.deepEqual(r.failures, [], report(r));
      assert.ok(r.maxRssKb > 0 && r.maxRssKb < MAX_RSS_KB, `peak memory ${r.maxRssKb} KiB`);
    });
});
