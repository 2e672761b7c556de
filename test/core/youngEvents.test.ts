// Decoded events stay in the young generation even after many were kept: V8 moves an object
// literal's allocations to the old heap once most of them survive (the cache's do), which made every
// later, short-lived event an old-heap allocation (bench/README, "The ~27 ms spikes").

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { generate } from "../../bench/gen";
import { Replay } from "../../src/core/replay";

setFlagsFromString("--allow-natives-syntax");
// Compiled after the flag is set; the flag only changes what the parser accepts.
const isYoung = new Function("o", "return %InYoungGeneration(o)") as (o: object) => boolean;

describe("decoded events and V8's allocation-site pretenuring", () => {
  let path: string;
  before(() => {
    path = join(mkdtempSync(join(tmpdir(), "elixirscope-young-")), "gen.estrace");
    generate({ events: 30_000, seed: 5, out: path, servers: 3, workers: 10 });
  });

  it("a query's events are young after 25,000 events were kept in the cache", async () => {
    const r = await Replay.open(path, { index: false, cacheSize: 100_000 });
    try {
      // Every one of these survives the scavenges that run meanwhile: the feedback V8 pretenures on.
      for (let i = 0; i < 25_000; i++) r.event(i);
      // A scavenge in the middle of a query may move a page of its live events to the old heap
      // whole: the best of three queries must have none there.
      let fewest = Infinity;
      for (let k = 0; k < 3; k++) {
        const got = r.getEvents({ kinds: ["call"], indexRange: { from: 25_000 + k }, limit: 200 });
        assert.ok(got.length > 100);
        fewest = Math.min(fewest, got.filter((e) => !isYoung(e)).length);
      }
      assert.equal(fewest, 0, `${fewest} of 200 fresh events were allocated in the old heap`);
    } finally {
      r.close();
    }
  });
});
