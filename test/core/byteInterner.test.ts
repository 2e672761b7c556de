// The load's byte-string interner: exact byte identity (not the hash) decides a match, at any key
// length, in any buffer and at any offset, through table and pool growth.

import assert from "node:assert/strict";
import { ByteInterner } from "../../src/core/reader/byteInterner";
import { rng } from "../../bench/rng";

describe("ByteInterner", () => {
  it("finds every added key by its bytes wherever they sit, and nothing else", () => {
    const r = rng(7);
    const t = new ByteInterner();
    const keys: Buffer[] = [];
    // Lengths around the word and hashed-tail sizes; many keys share their last 16 bytes.
    for (let i = 0; i < 5000; i++) {
      const len = 1 + Math.floor(r() * 40);
      const k = Buffer.alloc(len, 7);
      if (len >= 2) k.writeUInt16BE(i, 0);
      else k[0] = i & 0xff;
      keys.push(k);
    }
    const distinct = new Map<string, number>();
    for (const k of keys) {
      const hex = k.toString("hex");
      // Each key copied into a bigger buffer at an odd offset, then that buffer is scribbled over.
      const host = Buffer.alloc(k.length + 11, 0xee);
      k.copy(host, 5);
      const found = t.find(host, 5, 5 + k.length);
      assert.equal(found, distinct.get(hex) ?? -1, hex);
      if (found < 0) distinct.set(hex, t.add(host, 5, 5 + k.length, distinct.size));
      host.fill(0);
    }
    for (const [hex, id] of distinct) {
      const b = Buffer.from(`ab${hex}`, "hex");
      assert.equal(t.find(b, 1, b.length), id);
      b[b.length - 1] ^= 1;
      const flipped = b.subarray(1).toString("hex");
      assert.equal(t.find(b, 1, b.length), distinct.get(flipped) ?? -1);
    }
    assert.equal(t.find(Buffer.alloc(3), 0, 0), -1, "the empty key was never added");
  });

  it("tells apart keys that differ only in their first byte", () => {
    const t = new ByteInterner();
    const a = Buffer.alloc(40, 1);
    const b = Buffer.from(a);
    b[0] = 2;
    t.add(a, 0, 40, 10);
    assert.equal(t.find(b, 0, 40), -1);
    t.add(b, 0, 40, 11);
    assert.deepEqual([t.find(a, 0, 40), t.find(b, 0, 40)], [10, 11]);
  });
});
