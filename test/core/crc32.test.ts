// core/crc32.ts: zlib's CRC-32 without loading node:zlib — the same values as node:zlib's, in this
// process and in one run under --pending-deprecation (where it must not warn, so asks node:zlib).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { crc32 as zlibCrc32 } from "node:zlib";
import { crc32 } from "../../src/core/crc32";

const ROOT = join(__dirname, "../..");

/** Deterministic bytes, so that a failure can be replayed. */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) b[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
  return b;
}

describe("crc32 (without node:zlib)", () => {
  it("gives node:zlib's values for bytes, strings and a continued sum", () => {
    for (const n of [0, 1, 3, 4, 1000, 65536 + 7]) {
      const b = bytes(n, n + 1);
      assert.equal(crc32(b), zlibCrc32(b), `${n} bytes`);
      assert.equal(crc32(b.subarray(1)), zlibCrc32(b.subarray(1)), `${n} bytes, unaligned view`);
      assert.equal(crc32(b, 0xdeadbeef), zlibCrc32(b, 0xdeadbeef), `${n} bytes continued`);
    }
    for (const s of ["", "ElixirScope", "é→λ", "/a/b.estrace\n/c/d.estrace"])
      assert.equal(crc32(s), zlibCrc32(s), s);
    const b = bytes(5000, 9);
    assert.equal(crc32(b.subarray(2500), crc32(b.subarray(0, 2500))), zlibCrc32(b));
  });

  it("refuses what is neither bytes nor a string (the native function would abort the process)", () => {
    assert.throws(() => crc32(123 as unknown as string), TypeError);
    assert.throws(() => crc32({} as unknown as Uint8Array), TypeError);
  });

  it("under --pending-deprecation prints no warning and gives the same values", () => {
    const code = `const { crc32 } = require(${JSON.stringify(join(ROOT, "src/core/crc32.ts"))});
      process.stdout.write(String(crc32("ElixirScope")) + " " + String(crc32(Buffer.from([1, 2, 3]), 7)));`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--pending-deprecation", "-e", code], {
      encoding: "utf8",
      cwd: ROOT,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, `${zlibCrc32("ElixirScope")} ${zlibCrc32(Buffer.from([1, 2, 3]), 7)}`);
  });
});
