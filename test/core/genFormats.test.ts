// The bench's synthetic recording written as today's recorder writes it (trace format 3: pids as
// numbers, functions and call sites by position in the header's table) answers exactly as the same
// recording written whole (format 1), so that the bench's figures for the two compare like for like.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "../../bench/gen";
import { Replay } from "../../src/core/replay";
import { engineViews } from "../helpers/formatTwins";

describe("the bench's generator", () => {
  it("writes the same recording in format 3 as in format 1, smaller", async () => {
    const dir = mkdtempSync(join(tmpdir(), "elixirscope-gen-"));
    const [f1, f3] = [join(dir, "f1.estrace"), join(dir, "f3.estrace")];
    const opts = { events: 3000, seed: 4, servers: 3, workers: 6 };
    assert.deepEqual(generate({ ...opts, out: f1 }), generate({ ...opts, out: f3, format: 3 }));
    const [a, b] = [await Replay.open(f1, { index: false }), await Replay.open(f3, { index: false })];
    try {
      assert.equal(a.problems.length, 0);
      assert.equal(b.problems.length, 0);
      assert.equal(b.eventCount, a.eventCount);
      assert.equal(engineViews(b), engineViews(a));
      assert.ok(readFileSync(f3).length < readFileSync(f1).length * 0.8, "format 3 is not smaller");
    } finally {
      a.close();
      b.close();
    }
  });
});
