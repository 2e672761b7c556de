// Malformed ETF: every problem surfaces as an EtfError whose message says what is wrong and at which
// byte offset of the buffer handed in, the same from skipTerm and from the decoder.

import { strict as assert } from "node:assert";
import { deflateSync } from "node:zlib";
import { describe, it } from "mocha";
import { tuple } from "../../../src/core/terms/build";
import { decodeEtf, decodeTerm } from "../../../src/core/terms/decode";
import { encodeTerm } from "../../../src/core/terms/encode";
import { EtfError } from "../../../src/core/terms/errors";
import { etfBodyOffset, skipTerm } from "../../../src/core/terms/skip";
import { MAX_DEPTH, MAX_NESTING } from "../../../src/core/terms/tags";
import { type Term, Tuple } from "../../../src/core/terms/term";

/** Asserts that both decodeEtf and skipTerm reject `bytes` with exactly `message`. */
function rejects(bytes: number[], message: string, skipMessage = message): void {
  const b = Uint8Array.from(bytes);
  assert.throws(
    () => decodeEtf(b),
    (e: unknown) => e instanceof EtfError && e.message === message,
    `decodeEtf: expected ${message}`,
  );
  if (b[0] === 131 && b[1] !== 80)
    assert.throws(
      () => skipTerm(b, 1),
      (e: unknown) => e instanceof EtfError && e.message === skipMessage,
      `skipTerm: expected ${skipMessage}`,
    );
}

const bytesOf = (t: Term): number[] => [...encodeTerm(t)];

describe("errors: malformed ETF", () => {
  it("reports the version byte", () => {
    rejects([130, 97, 1], "expected the ETF version byte 131, found 130 (at byte 0)");
    rejects([], "expected the ETF version byte 131, found the end of the data (at byte 0)");
    assert.throws(() => etfBodyOffset(Uint8Array.from([0, 1]), 1), /found 1 \(at byte 1\)/);
  });

  it("reports unknown and unsupported tags", () => {
    rejects([131, 1], "unknown ETF tag 1 (at byte 1)");
    rejects([131, 104, 1, 200], "unknown ETF tag 200 (at byte 3)");
    rejects(
      [131, 82, 0],
      "ATOM_CACHE_REF (tag 82) only occurs in distribution messages and is not supported (at byte 1)",
    );
    rejects(
      [131, 121, 1, 2, 3, 4],
      "LOCAL_EXT (tag 121, term_to_binary with :local) can only be decoded by the node that wrote it (at byte 1)",
    );
    rejects([131, 104, 1, 80, 0], "a compressed term (tag 80) may only follow the version byte (at byte 3)");
    rejects([131, 104, 1, 131], "unexpected ETF version byte 131 inside a term (at byte 3)");
  });

  it("reports truncated data with the offset of the term that is cut", () => {
    rejects([131, 104, 2, 97, 1], "term runs past the end of the data (no tag byte left) (at byte 5)");
    rejects([131, 109, 0, 0, 0, 5, 1, 2], "binary runs past the end of the data (at byte 1)");
    rejects([131, 109, 0, 0], "binary header runs past the end of the data (at byte 1)");
    rejects([131, 119, 5, 97], "atom runs past the end of the data (at byte 1)");
    rejects([131, 98, 0, 0], "integer runs past the end of the data (at byte 1)");
    rejects([131, 88, 119, 1, 97, 0, 0], "pid runs past the end of the data (at byte 1)");
  });

  it("reports counts that the remaining bytes cannot hold, before allocating anything", () => {
    rejects(
      [131, 108, 255, 255, 255, 255, 106],
      "list claims 4294967295 elements but only 1 bytes follow (at byte 1)",
    );
    rejects([131, 116, 0, 1, 0, 0, 97, 1], "map claims 65536 elements but only 2 bytes follow (at byte 1)");
    rejects([131, 105, 0, 0, 1, 0, 97], "tuple claims 256 elements but only 1 bytes follow (at byte 1)");
  });

  it("reports a term that ends before the data does", () => {
    assert.throws(
      () => decodeEtf(Uint8Array.from([131, 97, 1, 0])),
      (e: unknown) =>
        e instanceof EtfError &&
        e.message === "term ends at byte 3 but the data goes on to byte 4 (at byte 3)",
    );
    // skipTerm only finds the end: the caller compares it with the frame's.
    assert.equal(skipTerm(Uint8Array.from([131, 97, 1, 0]), 1), 3);
  });

  it("reports malformed fields inside pids, references, funs and numbers", () => {
    rejects([131, 88, 97, 1], "pid node must be an atom, found tag 97 (at byte 2)");
    rejects(
      [131, 90, 0, 6, 119, 1, 97, 0, 0, 0, 0],
      "reference has 6 id words; 1 to 5 are allowed (at byte 1)",
    );
    rejects([131, 110, 1, 2, 5], "big integer sign byte must be 0 or 1, found 2 (at byte 3)");
    rejects(
      [131, 77, 0, 0, 0, 1, 9, 0],
      "bitstring of 1 bytes cannot have 9 bits in its last byte (at byte 6)",
    );
    rejects([131, 70, 127, 240, 0, 0, 0, 0, 0, 0], "float is not finite (NaN or infinity) (at byte 1)");
    rejects(
      [131, 113, 119, 1, 109, 119, 1, 102, 98, 0, 0, 0, 1],
      "export fun arity must be a SMALL_INTEGER_EXT (at byte 8)",
    );
    const text = [...Buffer.from("not a float")];
    rejects(
      [131, 99, ...text, ...new Array<number>(31 - text.length).fill(0)],
      'FLOAT_EXT text "not a float" is not a finite float (at byte 1)',
    );
  });

  it("checks a fun's Size field against its contents", () => {
    const good = [
      131, 112, 0, 0, 0, 79, 1, 156, 52, 230, 92, 169, 40, 121, 49, 75, 145, 44, 146, 214, 41, 144, 167, 0, 0,
      0, 0, 0, 0, 0, 1, 119, 11, 69, 108, 105, 120, 105, 114, 46, 68, 101, 109, 111, 97, 0, 98, 4, 225, 167,
      50, 88, 119, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115, 116, 0, 0, 0, 96, 0, 0, 0,
      0, 0, 0, 0, 0, 97, 7,
    ];
    decodeEtf(Uint8Array.from(good));
    const bad = good.slice();
    bad[5] = 78; // one byte short
    rejects(bad, "fun's Size field says it ends at byte 80, but its contents end at byte 81 (at byte 81)");
  });

  it("cuts terms deeper than MAX_DEPTH; the skipper refuses nesting past MAX_NESTING", () => {
    const deep = (n: number): number[] => [
      131,
      ...new Array<number>(n).fill(0).flatMap(() => [104, 1]),
      97,
      1,
    ];
    const cutAt = (t: unknown): number => {
      let d = 0;
      while (t instanceof Tuple && t.elements.length === 1) {
        t = t.elements[0];
        d++;
      }
      return d;
    };
    // The off-by-one at the limit: one level under it, at it and past it all decode, cut the same way.
    assert.equal(cutAt(decodeEtf(Uint8Array.from(deep(MAX_DEPTH - 2)))), MAX_DEPTH - 2);
    for (const n of [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 10_000])
      assert.equal(cutAt(decodeEtf(Uint8Array.from(deep(n)))), MAX_DEPTH - 1, `${n}`);
    assert.doesNotThrow(() => skipTerm(Uint8Array.from(deep(MAX_NESTING)), 1));
    assert.throws(
      () => skipTerm(Uint8Array.from(deep(MAX_NESTING + 1)), 1),
      new RegExp(`term nests deeper than ${MAX_NESTING} levels`),
    );
    // Lists in tail position do not nest: a long chain of one-element LIST_EXTs decodes flat.
    const chain = [131, ...new Array<number>(20000).fill(0).flatMap(() => [108, 0, 0, 0, 1, 97, 7]), 106];
    assert.equal((decodeEtf(Uint8Array.from(chain)) as number[]).length, 20000);
    assert.equal(skipTerm(Uint8Array.from(chain), 1), chain.length);
  });

  it("reports compressed terms that do not inflate or do not match their size", () => {
    const inner = encodeTerm(tuple(1, 2)).subarray(1);
    const z = [...deflateSync(inner)];
    const ok = [131, 80, 0, 0, 0, inner.length, ...z];
    assert.deepEqual(decodeEtf(Uint8Array.from(ok)), tuple(1, 2));
    rejects(
      [131, 80, 0, 0, 0, inner.length + 1, ...z],
      `compressed term inflates to ${inner.length} bytes, its header says ${inner.length + 1} (at byte 1)`,
    );
    assert.throws(
      () => decodeEtf(Uint8Array.from([131, 80, 0, 0, 0, 9, 1, 2, 3])),
      (e: unknown) =>
        e instanceof EtfError && /^compressed term does not inflate \(.+\) \(at byte 1\)$/.test(e.message),
    );
    const badInner = [...deflateSync(Uint8Array.from([104, 2, 97, 1]))];
    rejects(
      [131, 80, 0, 0, 0, 4, ...badInner],
      "in the compressed term, at byte 4 of its inflated data: term runs past the end of the data (no tag byte left) (at byte 1)",
    );
  });

  it("keeps the bare reason and offset on the error", () => {
    try {
      decodeTerm(Uint8Array.from([104, 1, 97]), 0);
      assert.fail("should throw");
    } catch (e) {
      assert.ok(e instanceof EtfError);
      assert.equal(e.reason, "integer runs past the end of the data");
      assert.equal(e.offset, 2);
      assert.equal(e.name, "EtfError");
    }
  });

  it("reports offsets relative to the buffer given, not to the term", () => {
    const bytes = Uint8Array.from([0, 0, 0, ...bytesOf(tuple(1, 2)).slice(0, -1)]);
    assert.throws(() => decodeEtf(bytes, 3), /integer runs past the end of the data \(at byte 8\)/);
    assert.throws(() => skipTerm(bytes, 4), /integer runs past the end of the data \(at byte 8\)/);
  });
});

describe("errors: compressed terms out of place", () => {
  it("tells skipTerm and decodeTerm callers to use decodeEtf for a compressed blob", () => {
    const b = Uint8Array.from([131, 80, 0, 0, 0, 2, 1, 2]);
    const msg =
      "a compressed term (tag 80) must be inflated first: decode it whole with decodeEtf (at byte 1)";
    assert.throws(
      () => skipTerm(b, 1),
      (e: unknown) => e instanceof EtfError && e.message === msg,
    );
    assert.throws(
      () => decodeTerm(b, 1),
      (e: unknown) => e instanceof EtfError && e.message === msg,
    );
  });
});
