// The replay cache: one load per recording however many views ask at once, ref-counted leases with one
// shared cursor, the replay closed with the last lease, a changed file loaded anew, and a failed load
// not kept, and a load cancelled by its callers' abort signals.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { generate } from "../../bench/gen";
import { LoadCancelledError } from "../../src/core/errors";
import { Replay } from "../../src/core/replay";
import { ReplayCache } from "../../src/core/replayCache";
import { ticketTrace, tempTrace } from "../helpers/fixtures";

/** `Replay.open` counting its loads; with a gate, each load waits until the test opens it. */
function counting(gate?: Promise<void>): {
  open: typeof Replay.open;
  loads: string[][];
  started: Promise<void>;
} {
  const loads: string[][] = [];
  let start!: () => void;
  const started = new Promise<void>((r) => (start = r));
  return {
    loads,
    started,
    open: async (paths, opts) => {
      loads.push(typeof paths === "string" ? [paths] : paths);
      start();
      await gate;
      return Replay.open(paths, opts);
    },
  };
}

describe("ReplayCache", () => {
  it("shares one load between concurrent acquires, and one cursor between the leases", async () => {
    const path = tempTrace(ticketTrace().builder.toBuffer());
    const link = join(dirname(path), "link.estrace");
    symlinkSync(path, link);
    const { open, loads } = counting();
    const cache = new ReplayCache({ open });
    const [a, b, c] = await Promise.all([cache.acquire(path), cache.acquire([link]), cache.acquire(path)]);
    assert.equal(loads.length, 1, "one load for three acquires, the symlink included");
    assert.equal(a.replay, b.replay);
    assert.equal(a.replay, c.replay);
    assert.equal(a.cursor, b.cursor);
    assert.equal(a.key, b.key);
    assert.deepEqual(b.paths, [path]);
    assert.equal(cache.size, 1);
    const seen: number[] = [];
    b.cursor.onDidChange((e) => seen.push(e.index));
    a.cursor.moveTo(4, "step", "debug");
    assert.deepEqual(seen, [4]);
    assert.equal(c.cursor.index, 4);
    cache.dispose();
  });

  it("closes the replay when the last lease is released, once however often release is called", async () => {
    const cache = new ReplayCache();
    const path = tempTrace(ticketTrace().builder.toBuffer());
    const a = await cache.acquire(path);
    const b = await cache.acquire(path);
    a.release();
    a.release();
    assert.equal(cache.size, 1, "a second release of the same lease does not count");
    assert.equal(b.replay.event(0).seq, 0, "still open for b");
    b.release();
    assert.equal(cache.size, 0);
    assert.throws(() => b.replay.event(0), /this replay is closed/);
    assert.throws(() => b.cursor.moveTo(1, "goto"), /disposed/);
    const again = await cache.acquire(path);
    assert.notEqual(again.replay, b.replay, "a fresh load after the last release");
    assert.equal(again.replay.event(0).seq, 0);
    again.release();
  });

  it("loads a changed file as a new entry while the old one lives on for its leases", async () => {
    const { open, loads } = counting();
    const cache = new ReplayCache({ open });
    const path = tempTrace(ticketTrace().builder.toBuffer());
    const old = await cache.acquire(path);
    // Same size, another modification time: a recorder rewrote it.
    utimesSync(path, new Date(), new Date(Date.now() + 5_000));
    const fresh = await cache.acquire(path);
    assert.equal(loads.length, 2);
    assert.notEqual(old.key, fresh.key);
    assert.notEqual(old.replay, fresh.replay);
    assert.equal(cache.size, 2);
    old.release();
    assert.equal(cache.size, 1);
    assert.equal(fresh.replay.eventCount, 21);
    fresh.release();
    assert.equal(cache.size, 0);
  });

  it("does not keep a failed load, and every waiter hears the failure", async () => {
    let go!: () => void;
    const { open, loads, started } = counting(new Promise((r) => (go = r)));
    const cache = new ReplayCache({ open });
    const path = tempTrace(Buffer.from("not a trace at all"));
    const both = Promise.allSettled([cache.acquire(path), cache.acquire(path)]);
    await started;
    // Both acquires have looked the file up before the load may end (each is one realpath and one stat).
    await new Promise((r) => setTimeout(r, 50));
    go();
    const results = await both;
    assert.equal(loads.length, 1);
    for (const r of results) {
      assert.equal(r.status, "rejected");
      assert.match(String((r as PromiseRejectedResult).reason), /t\.estrace/);
    }
    assert.equal(cache.size, 0);
    writeFileSync(path, ticketTrace().builder.toBuffer());
    const ok = await cache.acquire(path);
    assert.equal(loads.length, 2);
    assert.equal(ok.replay.eventCount, 21);
    ok.release();
    await assert.rejects(
      cache.acquire(join(dirname(path), "missing.estrace")),
      /missing\.estrace: no such file/,
    );
    await assert.rejects(cache.acquire([]), /no trace file given/);
  });

  it("closes what it holds when disposed, a load in flight included", async () => {
    let go!: () => void;
    const gated = counting(new Promise((r) => (go = r)));
    const cache = new ReplayCache({ open: gated.open });
    const path = tempTrace(ticketTrace().builder.toBuffer());
    const pending = cache.acquire(path);
    await gated.started;
    const direct = new ReplayCache();
    const held = await direct.acquire(path);
    cache.dispose();
    direct.dispose();
    go();
    await assert.rejects(pending, /disposed/);
    assert.throws(() => held.replay.event(0), /closed/);
    assert.equal(cache.size, 0);
    await assert.rejects(cache.acquire(path), /the replay cache is disposed/);
  });

  it("cancels one waiter without stopping a load another still waits for, and stops it with the last", async () => {
    let go!: () => void;
    const signals: Array<AbortSignal | undefined> = [];
    const gated = counting(new Promise((r) => (go = r)));
    const cache = new ReplayCache({
      open: (paths, opts) => {
        signals.push(opts?.signal);
        return gated.open(paths, opts);
      },
    });
    const path = tempTrace(ticketTrace().builder.toBuffer());
    const [one, two] = [new AbortController(), new AbortController()];
    const first = cache.acquire(path, { signal: one.signal });
    const second = cache.acquire(path, { signal: two.signal });
    await gated.started;
    // The second acquire joins the load once it has identified the file (two fs calls).
    await new Promise((r) => setTimeout(r, 100));
    one.abort();
    await assert.rejects(
      first,
      (e: Error) => e instanceof LoadCancelledError && /was cancelled/.test(e.message),
    );
    assert.equal(signals[0]?.aborted, false, "the load goes on for the other waiter");
    go();
    const lease = await second;
    assert.equal(lease.replay.eventCount, 21);
    lease.release();
    assert.equal(cache.size, 0);

    // The only waiter cancels: the load's own signal aborts and nothing stays in the cache.
    let go2!: () => void;
    const gated2 = counting(new Promise((r) => (go2 = r)));
    const seen: Array<AbortSignal | undefined> = [];
    const cache2 = new ReplayCache({
      open: (paths, opts) => {
        seen.push(opts?.signal);
        return gated2.open(paths, opts);
      },
    });
    const only = new AbortController();
    const pending = cache2.acquire(path, { signal: only.signal });
    await gated2.started;
    only.abort();
    await assert.rejects(pending, LoadCancelledError);
    assert.equal(seen[0]?.aborted, true, "the load was told to stop");
    assert.equal(cache2.size, 0);
    go2();
    // An already aborted signal loads nothing.
    await assert.rejects(cache2.acquire(path, { signal: only.signal }), LoadCancelledError);
    assert.equal(gated2.loads.length, 1);
  });

  it("stops a load in a worker thread, and on the caller's thread, when its signal aborts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "elixirscope-cancel-"));
    try {
      const big = join(dir, "big.estrace");
      generate({ events: 60_000, seed: 3, out: big });
      for (const worker of [true, false]) {
        const abort = new AbortController();
        let progressed = 0;
        const opening = Replay.open(big, {
          worker,
          index: false,
          signal: abort.signal,
          onProgress: () => {
            if (++progressed === 1) abort.abort();
          },
        });
        if (worker) setImmediate(() => abort.abort());
        await assert.rejects(opening, LoadCancelledError, `worker: ${worker}`);
      }
      // Unaborted, the same file loads (the cancel left nothing behind).
      const r = await Replay.open(big, { worker: true, index: false });
      assert.ok(r.eventCount >= 60_000);
      r.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
