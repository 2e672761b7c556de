// The index file's column rules: a column is stored by rule only when every row follows it (checked
// at the write), and reads back exactly, whole or one value at a time; otherwise it is stored as it is.

import assert from "node:assert/strict";
import fc from "fast-check";
import { createColumns, ensureCapacity, type EventColumns } from "../../src/core/store/columns";
import {
  type ColumnCoding,
  decodeCell,
  decodeColumn,
  encodeColumn,
  validCoding,
} from "../../src/core/store/columnCodec";

function columnsOf(n: number, fill: (cols: EventColumns, i: number) => void): EventColumns {
  const cols = createColumns();
  ensureCapacity(cols, n);
  for (let i = 0; i < n; i++) fill(cols, i);
  cols.length = n;
  return cols;
}

/** The column back from what the write gives, whole and by single values: both must equal `want`. */
function roundTrip(
  cols: EventColumns,
  name: "seq" | "time" | "file" | "tagHash",
  want: ArrayLike<number>,
): ColumnCoding | undefined {
  const n = cols.length;
  const { coding, array } = encodeColumn(cols, name, cols[name].subarray(0, n));
  if (!coding) {
    assert.deepEqual(Array.from(array!), Array.from(want));
    return undefined;
  }
  assert.ok(validCoding(name, coding));
  const whole = decodeColumn(coding, n, () => array!);
  assert.deepEqual(Array.from(whole), Array.from(want));
  if (coding.rule !== "sparse")
    for (let i = 0; i < n; i++)
      assert.equal(
        decodeCell(coding, i, () => array![i]),
        want[i],
      );
  return coding;
}

describe("index column rules", () => {
  it("store seq as base + row only when every seq follows, else the column", () => {
    const plain = columnsOf(100, (c, i) => (c.seq[i] = 7 + i));
    assert.deepEqual(
      roundTrip(
        plain,
        "seq",
        Array.from({ length: 100 }, (_, i) => 7 + i),
      ),
      {
        rule: "rows",
        base: 7,
      },
    );
    const gap = columnsOf(100, (c, i) => (c.seq[i] = i < 50 ? i : i + 1));
    assert.equal(roundTrip(gap, "seq", gap.seq.subarray(0, 100)), undefined);
  });

  it("store the file column as nothing only when every row is from file 0", () => {
    const one = columnsOf(10, () => undefined);
    assert.deepEqual(roundTrip(one, "file", new Uint8Array(10)), { rule: "zeros" });
    const two = columnsOf(10, (c, i) => (c.file[i] = i % 2));
    assert.equal(roundTrip(two, "file", two.file.subarray(0, 10)), undefined);
  });

  it("store times as 32-bit ticks of the coarsest unit that holds them exactly, else as they are", () => {
    const t0 = 1_764_000_000_000_000; // a monotonic clock in ns: below 2^53, every whole ns is exact
    const us = columnsOf(50, (c, i) => (c.time[i] = t0 + i * 3000));
    const coding = roundTrip(us, "time", us.time.subarray(0, 50));
    assert.equal(coding?.rule === "ticks" && coding.unit, 1000);
    // Beyond 2^32 ticks of any unit that holds them: kept as they are.
    const wide = columnsOf(3, (c, i) => (c.time[i] = 1000 + i * 5_000_000_001));
    assert.equal(roundTrip(wide, "time", wide.time.subarray(0, 3)), undefined);
    // Not whole nanoseconds (another file's clock shifted by a fraction), or going back: as they are.
    const frac = columnsOf(3, (c, i) => (c.time[i] = 10 + i * 0.5));
    assert.equal(roundTrip(frac, "time", frac.time.subarray(0, 3)), undefined);
    const back = columnsOf(3, (c, i) => (c.time[i] = 10 - i));
    assert.equal(roundTrip(back, "time", back.time.subarray(0, 3)), undefined);
  });

  it("store reply tags as the few rows that have one and their values, else the column", () => {
    const few = columnsOf(100, (c, i) => (c.tagHash[i] = i % 10 === 3 ? 0xdead0000 + i : 0));
    assert.deepEqual(roundTrip(few, "tagHash", few.tagHash.subarray(0, 100)), { rule: "sparse", count: 10 });
    const many = columnsOf(100, (c, i) => (c.tagHash[i] = i % 3 === 0 ? 7 : 0));
    assert.equal(roundTrip(many, "tagHash", many.tagHash.subarray(0, 100)), undefined);
    const none = columnsOf(10, () => undefined);
    assert.deepEqual(roundTrip(none, "tagHash", new Uint32Array(10)), { rule: "sparse", count: 0 });
    // A section that does not hold what its coding says is refused, not read as zeros.
    const coding: ColumnCoding = { rule: "sparse", count: 2 };
    assert.throws(() => decodeColumn(coding, 10, () => Uint32Array.from([5, 3, 1, 2])), RangeError);
    assert.throws(() => decodeColumn(coding, 10, () => Uint32Array.from([5, 10, 1, 2])), RangeError);
    assert.throws(() => decodeColumn(coding, 10, () => Uint32Array.from([5, 6, 1])), RangeError);
  });

  it("read back exactly whatever times they are given", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.double({ min: 0, max: 1e15, noNaN: true })),
          {
            minLength: 1,
            maxLength: 40,
          },
        ),
        fc.constantFrom(1, 1000, 1e6),
        (values, scale) => {
          const cols = columnsOf(values.length, (c, i) => (c.time[i] = values[i] * scale));
          roundTrip(cols, "time", cols.time.subarray(0, values.length));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reject rules a file names for another column or with bad values", () => {
    assert.ok(!validCoding("time", { rule: "rows", base: 0 }));
    assert.ok(!validCoding("seq", { rule: "rows", base: 0.5 }));
    assert.ok(!validCoding("time", { rule: "ticks", base: 0, unit: 7 }));
    assert.ok(!validCoding("pid", { rule: "zeros" }));
    assert.ok(!validCoding("pid", { rule: "dropped" }));
    assert.ok(validCoding("msgHash", { rule: "dropped" }));
  });
});
