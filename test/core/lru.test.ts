// The bounded caches: least recently used goes first, by entry count or by the weight each entry holds.

import assert from "node:assert/strict";
import { Lru } from "../../src/core/store/lru";

describe("Lru", () => {
  it("evicts the least recently used entry when full", () => {
    const c = new Lru<string, number>(2);
    c.set("a", 1);
    c.set("b", 2);
    assert.equal(c.get("a"), 1);
    c.set("c", 3);
    assert.equal(c.get("b"), undefined, "b was the least recent");
    assert.deepEqual([c.get("a"), c.get("c"), c.size], [1, 3, 2]);
    assert.deepEqual([c.hits, c.misses], [3, 1]);
  });

  it("bounds the total weight, keeping an entry heavier than the budget alone", () => {
    const c = new Lru<string, Int32Array>(10, (v) => v.length);
    c.set("a", new Int32Array(4));
    c.set("b", new Int32Array(4));
    c.set("c", new Int32Array(4));
    assert.equal(c.get("a"), undefined);
    assert.equal(c.size, 2);
    c.set("b", new Int32Array(1)); // replacing an entry gives its weight back
    c.set("d", new Int32Array(5));
    assert.deepEqual([c.get("b")?.length, c.get("c")?.length, c.get("d")?.length], [1, 4, 5]);
    c.set("huge", new Int32Array(50));
    assert.equal(c.size, 1);
    assert.equal(c.get("huge")?.length, 50);
    c.set("e", new Int32Array(2));
    assert.deepEqual([c.size, c.get("e")?.length], [1, 2]);
  });
});
