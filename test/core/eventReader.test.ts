// Reading many events at once (nearby frames in one read) and streaming them in order give exactly
// the events that reading them one by one gives, in the asked order, cached or not.

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "../../bench/gen";
import { FlowSource } from "../../src/core/flowSource";
import { Replay } from "../../src/core/replay";
import { canonical } from "../helpers/canonical";

describe("batched and streamed event reads", () => {
  let path: string;
  before(() => {
    path = join(mkdtempSync(join(tmpdir(), "elixirscope-reader-")), "gen.estrace");
    generate({ events: 3000, seed: 3, out: path, servers: 3, workers: 10 });
  });

  it("events(rows) equals event(row) for each, in any order, with repeats and cache hits", async () => {
    const one = await Replay.open(path, { index: false });
    const many = await Replay.open(path, { index: false, cacheSize: 50 });
    try {
      const n = one.eventCount;
      const rows: number[] = [];
      for (let i = 0; i < 600; i++) rows.push((i * 7919) % n);
      rows.push(rows[3], rows[3], 0, n - 1);
      many.event(rows[10]); // one already cached
      const got = many.events(rows);
      assert.equal(got.length, rows.length);
      assert.equal(canonical(got), canonical(rows.map((r) => one.event(r))));
      assert.deepEqual(
        many.getEvents({ kinds: ["send"], limit: 200 }).map((e) => e.index),
        one.getEventIndices({ kinds: ["send"], limit: 200 }),
      );
      assert.throws(() => many.events([0, n]), /out of range/);
    } finally {
      one.close();
      many.close();
    }
  });

  it("answers a query with decoded events without filling the cache, using what is cached", async () => {
    const r = await Replay.open(path, { index: false });
    try {
      const rows = r.getEventIndices({ kinds: ["call"], limit: 300 });
      const held = r.event(rows[7]); // cached before the query: handed back as is
      const got = r.getEvents({ kinds: ["call"], limit: 300 });
      assert.deepEqual(
        got.map((e) => e.index),
        rows,
      );
      assert.equal(got[7], held);
      assert.equal(r.stats().decodedCacheSize, 1);
      assert.equal(canonical(got), canonical(r.events(rows)));
      assert.equal(r.stats().decodedCacheSize, rows.length);
    } finally {
      r.close();
    }
  });

  it("a line's calls, a function's calls and a flow diagram page decode without filling the cache", async () => {
    const r = await Replay.open(path, { index: false });
    const cached = await Replay.open(path, { index: false });
    try {
      const file = r.recordedFiles()[0];
      const line = r.recordedLines(file)[0];
      const mfa = r.functions().find((f) => r.functionCallIndices(f).length > 20)!;
      const lines = r.lineCalls(file, line, { limit: 20 });
      const calls = r.functionCalls(mfa, { limit: 20 });
      const page = new FlowSource(r).page(0, 400);
      assert.ok(lines.calls.length > 0 && calls.calls.length > 0 && page.items.length > 0);
      // Handed over and dropped: kept, they would evict what stepping uses and age into the old heap.
      assert.equal(r.stats().decodedCacheSize, 0);
      // The same answers as from a replay whose cache holds every event they read.
      cached.events(Array.from({ length: cached.eventCount }, (_, i) => i));
      assert.equal(canonical(lines), canonical(cached.lineCalls(file, line, { limit: 20 })));
      assert.equal(canonical(calls), canonical(cached.functionCalls(mfa, { limit: 20 })));
      assert.deepEqual(page, new FlowSource(cached).page(0, 400));
    } finally {
      r.close();
      cached.close();
    }
  });

  it("streamEvents walks a range in order without filling the cache", async () => {
    const r = await Replay.open(path, { index: false });
    try {
      const n = r.eventCount;
      const streamed = [...r.streamEvents(5, n)];
      assert.equal(streamed.length, n - 5);
      assert.equal(r.stats().decodedCacheSize, 0);
      assert.deepEqual(
        streamed.map((e) => e.index),
        Array.from({ length: n - 5 }, (_, i) => i + 5),
      );
      assert.equal(
        canonical(streamed.slice(0, 300)),
        canonical(r.events(streamed.slice(0, 300).map((e) => e.index))),
      );
      assert.equal([...r.streamEvents(7, 7)].length, 0);
    } finally {
      r.close();
    }
  });
});
