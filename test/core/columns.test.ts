// The narrow event columns: a value that does not fit (a frame 4 GiB into its file, a seq beyond 32
// bits, a frame of 64 KiB) widens its column once, keeping every value written before it.

import assert from "node:assert/strict";
import { createColumns, ensureCapacity, fitsColumn, widenColumn } from "../../src/core/store/columns";

describe("event columns", () => {
  it("widen a narrow column when a value does not fit, keeping the values so far", () => {
    const c = createColumns(4);
    c.frameOff[0] = 8;
    c.frameOff[1] = 0xffffffff;
    c.length = 2;
    assert.ok(c.frameOff instanceof Uint32Array);
    assert.ok(fitsColumn(c, "frameOff", 0xffffffff));
    assert.ok(!fitsColumn(c, "frameOff", 2 ** 32));
    widenColumn(c, "frameOff");
    assert.ok(c.frameOff instanceof Float64Array);
    c.frameOff[2] = 5 * 2 ** 32 + 7;
    c.length = 3;
    assert.deepEqual([...c.frameOff.subarray(0, 3)], [8, 0xffffffff, 5 * 2 ** 32 + 7]);
    // Growing keeps the wide type.
    ensureCapacity(c, 100);
    assert.ok(c.frameOff instanceof Float64Array);
    assert.equal(c.frameOff[2], 5 * 2 ** 32 + 7);
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
  });
});
