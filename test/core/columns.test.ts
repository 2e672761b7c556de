// The narrow event columns: a value that does not fit (a frame 4 GiB into its file, a seq beyond 32
// bits, a frame of 64 KiB) widens its column once, keeping every value written before it.

import assert from "node:assert/strict";
import {
  columnArrays,
  createColumns,
  ensureCapacity,
  fitsColumn,
  widenColumn,
} from "../../src/core/store/columns";
import { prefault } from "../../src/core/store/prefault";
import { parseStore } from "../../src/core/store/store";
import { type PackedStore, packStore, unpackStore } from "../../src/core/storeTransfer";
import { MessageChannel } from "node:worker_threads";
import { ticketTracePath } from "../helpers/fixtures";

describe("event columns", () => {
  it("widen a narrow column when a value does not fit, keeping the values so far", () => {
    const c = createColumns(4);
    c.frameOff[0] = 8;
    c.frameOff[1] = 0xffffffff;
    c.length = 2;
    assert.equal(c.frameOff.constructor, Uint32Array);
    assert.ok(fitsColumn(c, "frameOff", 0xffffffff));
    assert.ok(!fitsColumn(c, "frameOff", 2 ** 32));
    widenColumn(c, "frameOff");
    assert.equal(c.frameOff.constructor, Float64Array);
    c.frameOff[2] = 5 * 2 ** 32 + 7;
    c.length = 3;
    assert.deepEqual([...c.frameOff.subarray(0, 3)], [8, 0xffffffff, 5 * 2 ** 32 + 7]);
    // Growing keeps the wide type.
    ensureCapacity(c, 100);
    assert.equal(c.frameOff.constructor, Float64Array);
    assert.equal(c.frameOff[2], 5 * 2 ** 32 + 7);
  });

  it("grow into one buffer, shared or not, each column in its own aligned part, values kept", async () => {
    for (const shared of [false, true]) {
      const c = createColumns(4);
      columnArrays(c).forEach((a, k) => a.fill(k + 1));
      c.length = 4;
      ensureCapacity(c, 1000, shared);
      const arrays = columnArrays(c);
      const buffer = arrays[0].buffer;
      assert.equal(buffer instanceof SharedArrayBuffer, shared);
      const parts = arrays
        .map((a) => [a.byteOffset, a.byteOffset + a.byteLength])
        .sort((x, y) => x[0] - y[0]);
      for (let k = 0; k < arrays.length; k++) {
        assert.equal(arrays[k].buffer, buffer, `column ${k} is not in the one buffer`);
        assert.equal(arrays[k].length, 1000);
        assert.equal(arrays[k].byteOffset % 64, 0);
        assert.deepEqual([...arrays[k].subarray(0, 5)], [k + 1, k + 1, k + 1, k + 1, 0]);
        if (k > 0) assert.ok(parts[k][0] >= parts[k - 1][1], "two columns overlap");
      }
      // Writing every row of one column leaves the others as they were.
      c.time.fill(-1);
      arrays.forEach((a, k) => a !== c.time && assert.equal(a[3], k + 1));
      // A store on such a buffer crosses to another thread and back whole.
      const store = await parseStore([ticketTracePath()]);
      const n = store.cols.length;
      ensureCapacity(store.cols, n * 2, shared);
      const packed = packStore(store);
      const { port1, port2 } = new MessageChannel();
      const got = new Promise<PackedStore["data"]>((resolve) => port2.once("message", resolve));
      port1.postMessage(packed.data, packed.transfer);
      const back = unpackStore(await got);
      port1.close();
      const want = await parseStore([ticketTracePath()]);
      for (const name of ["seq", "time", "pid", "kind", "frameOff", "argFp3"] as const)
        assert.deepEqual([...back.cols[name].subarray(0, n)], [...want.cols[name]], name);
    }
  });

  it("tell which values fit each narrow type", () => {
    const c = createColumns(1);
    assert.ok(fitsColumn(c, "frameLen", 0xffff));
    assert.ok(!fitsColumn(c, "frameLen", 0x10000));
    assert.ok(!fitsColumn(c, "seq", -1));
    assert.ok(!fitsColumn(c, "seq", 2 ** 32));
    assert.ok(fitsColumn(c, "seq", 2 ** 32 - 1));
    widenColumn(c, "seq");
    assert.ok(fitsColumn(c, "seq", -1));
    assert.ok(fitsColumn(c, "clause", -128) && fitsColumn(c, "clause", 127));
    assert.ok(!fitsColumn(c, "clause", 128) && !fitsColumn(c, "clause", -129));
    widenColumn(c, "clause");
    assert.ok(fitsColumn(c, "clause", 0x7fff));
    assert.ok(fitsColumn(c, "aux", 0x7fff) && !fitsColumn(c, "aux", 0x8000));
  });

  it("are faulted in by another thread without losing a value the parse wrote meanwhile", async () => {
    const n = 1 << 21;
    const a = new Uint32Array(new SharedArrayBuffer(n * 4));
    const b = new Uint8Array(new SharedArrayBuffer(n));
    const run = prefault([{ arrays: [a, b], from: 0, to: n, ahead: 0 }]);
    run.written(n, true);
    // Written while the thread touches the same pages (its atomic add of 0 keeps every value).
    for (let i = 0; i < n; i++) {
      a[i] = i + 1;
      b[i] = (i % 255) + 1;
    }
    await run.done;
    let bad = 0;
    for (let i = 0; i < n; i++) if (a[i] !== i + 1 || b[i] !== (i % 255) + 1) bad++;
    assert.equal(bad, 0);
  });

  it("cross to another thread as shared memory when a parse put them there", async () => {
    const store = await parseStore([ticketTracePath()]);
    // As a big parse leaves them: columns on shared memory (prefault.ts), the rest ordinary.
    const shared = new Int32Array(new SharedArrayBuffer(store.cols.length * 4));
    shared.set(store.cols.pid);
    store.cols.pid = shared;
    const packed = packStore(store);
    assert.ok(!packed.transfer.includes(shared.buffer as never), "shared memory is not transferable");
    const { port1, port2 } = new MessageChannel();
    const got = new Promise<PackedStore["data"]>((resolve) => port2.once("message", resolve));
    port1.postMessage(packed.data, packed.transfer);
    const back = unpackStore(await got);
    port1.close();
    assert.deepEqual([...back.cols.pid], [...shared]);
    assert.ok(back.cols.pid.buffer instanceof SharedArrayBuffer);
  });
});
