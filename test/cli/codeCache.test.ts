// The CLI's V8 code cache (src/cli/codeCache.ts): written after a part ran, used by the next load, and
// rebuilt — never trusted — when the part changed (even keeping its length) or the cache was damaged.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheFileOf, loadPart, PART_HEAD } from "../../src/cli/codeCache";

// A part big enough for V8 to cache real code, with a function that runs only after the load.
function partSource(answer: number): string {
  const helpers = Array.from(
    { length: 200 },
    (_, i) => `function h${i}(x) { return x * ${i + 1} + ${i}; }\nexports.h${i} = h${i};`,
  ).join("\n");
  return `"use strict";\nexports.answer = () => ${answer};\nexports.dir = __dirname;\n${helpers}\n`;
}

function load(file: string): { answer: number; cache: string; save: () => boolean } {
  // Each load is a fresh module: drop what the previous one registered.
  delete require.cache[file];
  const part = loadPart(file);
  const exp = part.exports as { answer: () => number; h7: (x: number) => number };
  assert.equal(exp.h7(1), 15);
  return { answer: exp.answer(), cache: part.cache, save: part.save };
}

describe("CLI code cache", () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "elixirscope-v8cache-"));
    file = join(dir, "cli-part.js");
    writeFileSync(file, partSource(41));
  });

  it("is written after the first load and used by the next", () => {
    const first = load(file);
    assert.equal(first.cache, "missing");
    assert.equal(first.answer, 41);
    assert.ok(first.save());
    assert.ok(statSync(`${file}.v8cache`).size > 20);
    const second = load(file);
    assert.equal(second.cache, "used");
    assert.equal(second.answer, 41);
    assert.ok(require.cache[file], "the part is registered as a module");
  });

  it("is rebuilt when the part changed, even to a source of the same length", () => {
    load(file).save();
    const before = readFileSync(file, "utf8");
    writeFileSync(file, partSource(42));
    assert.equal(readFileSync(file, "utf8").length, before.length);
    const changed = load(file);
    assert.equal(changed.cache, "stale");
    assert.equal(changed.answer, 42, "the new source runs, not the cached code");
    assert.ok(changed.save());
    const again = load(file);
    assert.equal(again.cache, "used");
    assert.equal(again.answer, 42);
  });

  it("reads the cache into the source's buffer whichever of the two is larger", () => {
    // The source read first, then the cache into the same memory (loadPart): neither may spoil the other.
    for (const padding of [0, 300_000]) {
      writeFileSync(file, `${partSource(50)}/* ${"x".repeat(padding)} */\n`);
      assert.equal(load(file).cache, padding ? "stale" : "missing");
      assert.ok(load(file).save());
      const cacheBytes = statSync(`${file}.v8cache`).size;
      const sourceBytes = statSync(file).size;
      assert.equal(cacheBytes > sourceBytes, padding === 0, `cache ${cacheBytes}, source ${sourceBytes}`);
      const again = load(file);
      assert.equal(again.cache, "used");
      assert.equal(again.answer, 50);
    }
  });

  it("keeps one cache per semi-space setting, so that runs with and without it do not replace each other's", () => {
    const argv = process.execArgv;
    const withFlag = <T>(f: () => T): T => {
      process.execArgv = [...argv, "--min-semi-space-size=2"];
      try {
        return f();
      } finally {
        process.execArgv = argv;
      }
    };
    const flagged = withFlag(() => cacheFileOf(file));
    assert.notEqual(flagged, cacheFileOf(file));
    assert.match(flagged, /\.[0-9a-f]{8}\.v8cache$/);
    assert.ok(load(file).save());
    assert.equal(withFlag(() => load(file)).cache, "missing");
    assert.ok(withFlag(() => load(file).save()));
    // Alternating: each finds its own, as V8 wants it.
    for (let i = 0; i < 2; i++) {
      assert.equal(load(file).cache, "used");
      assert.equal(withFlag(() => load(file)).cache, "used");
    }
    assert.ok(statSync(flagged).size > 20);
  });

  it("is ignored when damaged (a changed byte, cut short, not a cache) and then rewritten", () => {
    load(file).save();
    const good = readFileSync(`${file}.v8cache`);
    const flipped = Buffer.from(good);
    flipped[flipped.length >> 1] ^= 0x40;
    for (const bad of [
      flipped,
      good.subarray(0, good.length - 100),
      good.subarray(0, 10),
      Buffer.from("x"),
    ]) {
      writeFileSync(`${file}.v8cache`, bad);
      const r = load(file);
      assert.equal(r.cache, "damaged");
      assert.equal(r.answer, 41);
      assert.ok(r.save());
      assert.equal(load(file).cache, "used");
    }
  });

  it("is left out when it cannot be written, and the part still runs", () => {
    // A folder where the cache belongs: neither read nor replaced (as root, too).
    mkdirSync(`${file}.v8cache`);
    writeFileSync(join(`${file}.v8cache`, "x"), "");
    const r = load(file);
    assert.equal(r.cache, "missing");
    assert.equal(r.answer, 41);
    assert.equal(r.save(), false);
    assert.deepEqual(
      readdirSync(dir).sort(),
      ["cli-part.js", "cli-part.js.v8cache"],
      "no temporary file left",
    );
  });

  it("compiles a part written already wrapped (as esbuild.mjs writes them) as it is, cached the same", () => {
    writeFileSync(file, `${PART_HEAD}\n${partSource(43)}\n})\n//# sourceMappingURL=cli-part.js.map\n`);
    const first = load(file);
    assert.equal(first.answer, 43);
    assert.ok(first.save());
    const second = load(file);
    assert.equal(second.cache, "used");
    assert.equal(second.answer, 43);
    // Its own `exports`, `module`, `__dirname`: as Node's wrapper gives them.
    assert.equal((require.cache[file]!.exports as { dir: string }).dir, dir);
  });

  it("matches a built part's cache by the id in its first line, and rebuilds it when the id changes", () => {
    const built = (answer: number, id: string): void =>
      writeFileSync(file, `${PART_HEAD} ${id}\n${partSource(answer)}\n})\n`);
    built(44, "0123456789abcdef");
    load(file).save();
    assert.equal(load(file).cache, "used");
    // Another build of the same length: another id.
    built(45, "fedcba9876543210");
    const rebuilt = load(file);
    assert.equal(rebuilt.cache, "stale");
    assert.equal(rebuilt.answer, 45);
    assert.ok(rebuilt.save());
    assert.equal(load(file).cache, "used");
    // The zeros of a build that did not fill the id in: the source itself is checked.
    built(46, "0000000000000000");
    assert.equal(load(file).cache, "stale");
    load(file).save();
    built(47, "0000000000000000");
    const same = load(file);
    assert.equal(same.cache, "stale");
    assert.equal(same.answer, 47);
  });

  it("keeps no module of a part that throws while it loads", () => {
    writeFileSync(file, `throw new Error("broken part");`);
    delete require.cache[file];
    assert.throws(() => loadPart(file), /broken part/);
    assert.equal(require.cache[file], undefined);
  });
});
