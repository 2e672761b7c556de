// core/isoTime.ts: the text of Date's toISOString without making a Date, for every kind of time value.

import assert from "node:assert/strict";
import { isoTime } from "../../src/core/isoTime";

describe("isoTime", () => {
  it("writes what Date.prototype.toISOString writes", () => {
    const values = [
      0, -0, 1, -1, 999, -999, 0.5, -0.5, 1764000000000, 1764000000000.9, 951782400000 /* 2000-02-29 */,
      -62198755200000 /* year 0 */, -62198755200001, 253402300799999 /* 9999-12-31 */, 253402300800000,
      8.64e15, -8.64e15, -1e15, 1e15, 4102444800000, -2208988800000, 68169600000 /* 1972-02-29 */,
    ];
    let x = 12345;
    for (let i = 0; i < 2000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      values.push((x / 2 ** 32 - 0.5) * 2 * 8.64e15, (x / 2 ** 32) * 4e12 - 1e12);
    }
    for (const v of values) assert.equal(isoTime(v), new Date(v).toISOString(), String(v));
  });

  it("refuses what Date refuses: no valid time value", () => {
    for (const v of [NaN, Infinity, -Infinity, 8.64e15 + 1, -8.64e15 - 1])
      assert.throws(() => isoTime(v), RangeError, String(v));
  });
});
