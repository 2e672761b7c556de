// The index file's pages are read once each: single values (a step, a stack, a binary search) read
// their pages alone, a later whole read reads only the pages still missing, a background prefetch
// brings every column into memory, and the answers are those of a store parsed from the trace.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "../../bench/gen";
import { Replay } from "../../src/core/replay";
import { fingerprints } from "../../src/core/store/indexCache";
import { openIndex } from "../../src/core/store/indexFile";
import { PAGE, pageSum, pageSums, readInto } from "../../src/core/store/indexPages";
import { cellOf } from "../../src/core/store/cells";
import { COLUMN_TYPES } from "../../src/core/store/columns";
import type { StoreData } from "../../src/core/store/store";
import { canonical } from "../helpers/canonical";
import { indexMeta } from "../helpers/indexMeta";

/** A trace of `events` events with its index saved beside it. */
async function indexed(events: number, seed: number): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), "elixirscope-pages-")), "gen.estrace");
  generate({ events, seed, out: path, servers: 3, workers: 8 });
  const r = await Replay.open(path);
  await r.indexSaved();
  r.close();
  return path;
}

/** Opens the index with a file accessor that records every byte range it reads. */
function counted(path: string): { store: StoreData; reads: Array<[number, number]> } {
  const reads: Array<[number, number]> = [];
  const store = openIndex(`${path}.esindex`, [path], fingerprints([path])!, (fd, b, at) => {
    reads.push([at, at + b.length]);
    readInto(fd, b, at);
  });
  return { store, reads };
}

/** The ranges that were read more than once (overlapping another read). */
function readTwice(reads: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...reads].sort((a, b) => a[0] - b[0]);
  return sorted.filter((r, i) => i > 0 && r[0] < sorted[i - 1][1]);
}

// The replay over a given store, and a replay's store: private, reached here to count the store's reads.
const replayOf = (store: StoreData): Replay =>
  new (Replay as unknown as new (s: StoreData, cacheSize: number) => Replay)(store, 4096);
const storeOf = (r: Replay): StoreData => (r as unknown as { store: StoreData }).store;

describe("index pages", () => {
  let path: string;
  let plain: Replay;
  before(async () => {
    path = await indexed(20000, 11);
    plain = await Replay.open(path, { index: false });
  });
  after(() => plain.close());

  it("never reads a page twice: probes, a binary search, then the whole column", () => {
    const { store, reads } = counted(path);
    const n = store.cols.length;
    const time = (row: number): number => cellOf(store, "time", row);
    // A binary search for 200 random moments: ~15 probes each, many on the same pages.
    let seed = 5;
    for (let k = 0; k < 200; k++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      const want = plain.timeOf(seed % n);
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (time(mid) < want) lo = mid + 1;
        else hi = mid;
      }
      assert.equal(time(lo), want);
    }
    const probed = reads.length;
    assert.ok(probed > 1, "the probes read nothing from the file");
    // Single values of other columns, then every column whole: pages already read are not read again.
    for (let row = 0; row < n; row += 997) cellOf(store, "kind", row);
    // Not the message hashes: the index does not keep them (only pairing at build time reads them).
    for (const name of Object.keys(COLUMN_TYPES).filter((c) => c !== "msgHash"))
      void (store.cols as unknown as Record<string, unknown>)[name];
    assert.deepEqual(readTwice(reads), []);
    // Each whole read fills the gaps between the pages read before in one call per gap, not per page.
    assert.ok(reads.length < probed + 400, `${reads.length} reads`);
    assert.deepEqual(Array.from(store.cols.time), Array.from(storeOf(plain).cols.time.subarray(0, n)));
    store.close!();
  });

  it("steps and stacks from single pages as from a parsed store", () => {
    const { store, reads } = counted(path);
    const r = replayOf(store);
    const n = r.eventCount;
    for (let i = 0; i < n; i += 61) {
      const at = (x: Replay): string =>
        canonical([
          x.step(i, "in", "forward"),
          x.step(i, "over", "forward"),
          x.step(i, "out", "forward"),
          x.step(i, "in", "backward"),
          x.step(i, "over", "backward"),
          x.step(i, "out", "backward"),
          x.stackAt(i),
          x.event(i),
        ]);
      assert.equal(at(r), at(plain), `at ${i}`);
      // The first moves read single pages: the per-event columns stayed on disk (later ones, past
      // 4096 values of a column, read it whole).
      if (i === 61 * 3)
        for (const c of ["pid", "kind", "mfa", "time"])
          assert.ok(Object.getOwnPropertyDescriptor(store.cols, c)?.get, `cols.${c} was read whole`);
    }
    assert.deepEqual(readTwice(reads), []);
    r.close();
  });

  it("decodes a batch of events from their fields' pages, not whole columns, as a parsed store does", () => {
    const { store, reads } = counted(path);
    const r = replayOf(store);
    const n = r.eventCount;
    // A logpoint's first page: a hundred calls of one function, then a batch spread over the trace.
    const calls = plain.getEventIndices({ kinds: ["call"], limit: 100 });
    const spread = Array.from({ length: 300 }, (_, i) => (i * 7919) % n);
    for (const rows of [calls, spread]) {
      assert.equal(canonical(r.events(rows, false)), canonical(plain.events(rows, false)));
      for (const c of ["seq", "time", "pid", "mfa", "frameOff", "frameLen"])
        assert.ok(Object.getOwnPropertyDescriptor(store.cols, c)?.get, `cols.${c} was read whole`);
    }
    assert.deepEqual(readTwice(reads), []);
    r.close();
  });

  it("answers an event's message (as the scopes of a stop ask) from single pages", () => {
    const { store, reads } = counted(path);
    const r = replayOf(store);
    const rows = [
      ...plain.getEventIndices({ kinds: ["send"], limit: 40 }),
      ...plain.getEventIndices({ kinds: ["receive"], limit: 40 }),
      ...Array.from({ length: 40 }, (_, i) => (i * 4909) % r.eventCount),
    ];
    for (const i of rows) assert.deepEqual(r.messageAt(i), plain.messageAt(i), `at ${i}`);
    for (const c of ["kind", "pid", "peer", "time", "aux", "flags"])
      assert.ok(Object.getOwnPropertyDescriptor(store.cols, c)?.get, `cols.${c} was read whole`);
    assert.ok(Object.getOwnPropertyDescriptor(store.ix, "partner")?.get, "ix.partner was read whole");
    assert.deepEqual(readTwice(reads), []);
    r.close();
  });

  it("lists a rare kind's events from the index's stored rows, without reading the kind column", () => {
    const { store, reads } = counted(path);
    const r = replayOf(store);
    // The kinds a launch reads (thread names, crashes, spawns): few rows each in this trace.
    for (const kind of ["spawn", "exit", "link", "register", "overload"] as const) {
      const want = plain.getEventIndices({ kinds: [kind] });
      assert.ok(want.length < r.eventCount / 32, `${kind} is rare here`);
      assert.deepEqual(r.getEventIndices({ kinds: [kind] }), want, kind);
    }
    assert.ok(Object.getOwnPropertyDescriptor(store.cols, "kind")?.get, "cols.kind was read whole");
    // A common kind's rows are found in the kind column.
    assert.deepEqual(
      r.getEventIndices({ kinds: ["call"], limit: 50 }),
      plain.getEventIndices({ kinds: ["call"], limit: 50 }),
    );
    assert.deepEqual(readTwice(reads), []);
    r.close();
  });

  it("prefetch brings every column and index into memory off the request path", async () => {
    const { store } = counted(path);
    store.prefetch!();
    // Columns stored by rule too (decoded a part per turn), but not the message hashes (not kept).
    const prefetched = Object.keys(COLUMN_TYPES).filter((c) => !c.startsWith("argFp") && c !== "msgHash");
    const codings = indexMeta(readFileSync(`${path}.esindex`)).codings;
    assert.ok(codings.seq && codings.file && codings.time, "the trace has columns stored by rule");
    const inMemory = (): boolean =>
      prefetched.every((c) => !Object.getOwnPropertyDescriptor(store.cols, c)?.get) &&
      ["depth", "link", "partner"].every((k) => !Object.getOwnPropertyDescriptor(store.ix, k)?.get);
    // Nothing is read in the call itself: the reads go to the thread pool.
    assert.ok(Object.getOwnPropertyDescriptor(store.cols, "pid")?.get);
    for (let turn = 0; turn < 10000 && !inMemory(); turn++) await new Promise((r) => setImmediate(r));
    assert.ok(inMemory(), "prefetch did not finish");
    // The argument fingerprints stay on disk until a condition asks for them.
    assert.ok(Object.getOwnPropertyDescriptor(store.cols, "argFp0")?.get, "argFp0 was prefetched");
    for (const c of Object.keys(COLUMN_TYPES).filter((x) => x !== "msgHash")) {
      const got = (store.cols as unknown as Record<string, ArrayLike<number>>)[c];
      const want = (storeOf(plain).cols as unknown as Record<string, Float64Array>)[c].subarray(
        0,
        store.cols.length,
      );
      assert.deepEqual(Array.from(got), Array.from(want), c);
    }
    assert.deepEqual(Array.from(store.ix.byPid.rows), Array.from(storeOf(plain).ix.byPid.rows));
    store.close!();
  });

  it("prefetch leaves a damaged page for the request that needs it, which says so", async () => {
    const damaged = join(mkdtempSync(join(tmpdir(), "elixirscope-pages-")), "damaged.esindex");
    const good = readFileSync(`${path}.esindex`);
    const meta = indexMeta(good);
    const bad = Buffer.from(good);
    bad[meta.sections.find((x) => x.name === "cols.pid")!.offset + 5 * 4096 + 1] ^= 0xff;
    writeFileSync(damaged, bad);
    const store = openIndex(damaged, [path], fingerprints([path])!);
    store.prefetch!();
    for (let turn = 0; turn < 2000; turn++) await new Promise((r) => setImmediate(r));
    assert.equal(cellOf(store, "pid", 0), storeOf(plain).cols.pid[0]);
    assert.throws(() => store.cols.pid, /esindex: section cols\.pid is damaged \(checksum mismatch\)/);
    store.close!();
  });

  it("sums a section's pages as the file holds them (zero-padded), whatever lies past its end", () => {
    for (const length of [0, 1, 3, 4, 4095, 4096, 4097, 8190, 12_289]) {
      for (const offset of [0, 4, 1]) {
        // Spare capacity past the section's end holds non-zero bytes: it must not count.
        const backing = new Uint8Array(offset + length + 8).fill(0xa5);
        for (let i = 0; i < backing.length; i++) backing[i] = (i * 31 + 7) & 0xff;
        const bytes = backing.subarray(offset, offset + length);
        const padded = new Uint8Array((length + 3) & ~3);
        padded.set(bytes);
        const words = new Int32Array(padded.buffer);
        const want = Array.from({ length: Math.ceil(padded.length / PAGE) }, (_, p) =>
          pageSum(words, p * (PAGE / 4), Math.min(words.length, (p + 1) * (PAGE / 4))),
        );
        assert.deepEqual(Array.from(pageSums(bytes)), want, `${length} bytes at ${offset}`);
      }
    }
  });
});
