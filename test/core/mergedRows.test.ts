// Ascending index lists walked as one merged list without repeats, from either end, equal the sorted
// union of the lists filtered; a walk stopped early visits the same prefix.

import assert from "node:assert/strict";
import fc from "fast-check";
import { countMerged, mergedRows, walkMerged } from "../../src/core/mergedRows";

const listArb = fc
  .uniqueArray(fc.nat(300), { maxLength: 60 })
  .map((xs) => Int32Array.from(xs.sort((a, b) => a - b)));

describe("merged index lists", () => {
  it("equal the sorted union filtered, in both directions, counted and built", () => {
    fc.assert(
      fc.property(
        fc.array(listArb, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 5 }),
        (lists, m) => {
          const keep = (r: number): boolean => r % m !== 0;
          const want = [...new Set(lists.flatMap((l) => Array.from(l)))].sort((a, b) => a - b).filter(keep);
          const forward: number[] = [];
          walkMerged(lists, false, keep, (r) => forward.push(r) > 0);
          const backward: number[] = [];
          walkMerged(lists, true, keep, (r) => backward.push(r) > 0);
          assert.deepEqual(forward, want);
          assert.deepEqual(backward, [...want].reverse());
          assert.equal(countMerged(lists, keep), want.length);
          assert.deepEqual(Array.from(mergedRows(lists, keep)), want);
        },
      ),
    );
  });

  it("stops where the visitor says", () => {
    fc.assert(
      fc.property(fc.array(listArb, { minLength: 1, maxLength: 4 }), fc.nat(20), (lists, stop) => {
        const all = [...new Set(lists.flatMap((l) => Array.from(l)))].sort((a, b) => b - a);
        const seen: number[] = [];
        walkMerged(
          lists,
          true,
          () => true,
          (r) => seen.push(r) < stop,
        );
        // The visit that answers "stop" is itself counted.
        assert.deepEqual(seen, all.slice(0, Math.max(1, stop)));
      }),
    );
  });
});
