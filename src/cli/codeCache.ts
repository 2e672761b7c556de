// Loads a bundled part of the CLI (dist/cli-*.js) as Node's `require` would, but with a V8 code cache
// kept beside it (`<part>.v8cache`), so that a process does not compile the part's code again (Node 20
// has no `module.enableCompileCache`). The cache is written once, at exit, after the command ran (so it
// holds the functions that run compiled too), and rebuilt when it does not fit.

import { isAscii } from "node:buffer";
import {
  closeSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import type NodeModule from "node:module";
import { dirname } from "node:path";
import { Script } from "node:vm";
import { crc32 } from "../core/crc32";

/** How the cache was found: `used` by V8; otherwise why the part was compiled from its source. */
export type CacheState = "used" | "missing" | "stale" | "damaged" | "rejected";

export interface LoadedPart {
  exports: unknown;
  cache: CacheState;
  /** Writes the cache (what V8 compiled so far) unless V8 used it; false when it could not be written. */
  save(): boolean;
}

/**
 * The first line of a part as esbuild.mjs writes it: CommonJS's module wrapper is in the file, so the
 * source is compiled as read. Wrapped here, it was a cons string that V8 flattened (copied) to look
 * its compilation cache up: one more 0.4-0.56 MB string, ~120-140 more fresh pages per start
 * (`perf stat`; 20-70 µs each on this VM) and young-generation space.
 */
export const PART_HEAD = "(function (exports, require, module, __filename, __dirname) { // elixirscope part";
const HEAD_BYTES = Buffer.from(PART_HEAD, "latin1");

/**
 * What names a part's contents for its cache: the id esbuild.mjs writes after PART_HEAD (` ` and 16
 * hex digits of the part's SHA-256, taken when it is built), so that a start need not checksum the
 * 0.4-0.56 MB source; else (no id, or the zeros of a `--watch` build) the CRC-32 of the source.
 */
function sourceKey(source: Buffer): number {
  const at = HEAD_BYTES.length + 1;
  if (source.length >= at + 16 && source.subarray(0, HEAD_BYTES.length).equals(HEAD_BYTES)) {
    const id = source.toString("latin1", at, at + 16);
    if (/^[0-9a-f]{16}$/.test(id) && !/^0+$/.test(id)) return parseInt(id.slice(0, 8), 16);
  }
  return crc32(source);
}

// magic, source length, its key (sourceKey), payload length, its CRC-32. zlib's CRC-32 (native, through
// core/crc32.ts without loading node:zlib) rather than a sum in JS, which would run in the interpreter
// this early: 7-10 ms for the 0.24 MB cache of cli-replay.js.
const MAGIC = 0x38565345; // "ESV8"
const HEAD = 20;

/**
 * The cached code for a source of `sourceLength` bytes named `key`, or why there is none (V8 checks
 * only the source's length itself). Read into `room` when it fits (see loadPart).
 */
function readCache(
  file: string,
  sourceLength: number,
  key: number,
  room: Buffer,
): { data?: Buffer; state: CacheState } {
  let b: Buffer;
  try {
    b = readWhole(file, room);
  } catch {
    return { state: "missing" };
  }
  if (b.length < HEAD || b.readUInt32LE(0) !== MAGIC) return { state: "damaged" };
  if (b.readUInt32LE(4) !== sourceLength || b.readUInt32LE(8) !== key) return { state: "stale" };
  const data = b.subarray(HEAD);
  // A damaged payload must never reach V8: it does not check it in release builds.
  if (b.readUInt32LE(12) !== data.length || b.readUInt32LE(16) !== crc32(data)) return { state: "damaged" };
  return { data, state: "used" };
}

/** `code` is asked for only once the file could be created: a read-only install pays nothing at exit. */
function writeCache(file: string, sourceLength: number, key: number, code: () => Buffer): boolean {
  // Written aside and renamed: a process reading it meanwhile sees the old cache or the new one whole.
  const tmp = `${file}.${process.pid}.tmp`;
  let fd: number;
  try {
    fd = openSync(tmp, "wx");
  } catch {
    return false; // a read-only install: the part still runs, compiled each time
  }
  try {
    const data = code();
    const head = Buffer.alloc(HEAD);
    head.writeUInt32LE(MAGIC, 0);
    head.writeUInt32LE(sourceLength, 4);
    head.writeUInt32LE(key, 8);
    head.writeUInt32LE(data.length, 12);
    head.writeUInt32LE(crc32(data), 16);
    const all = Buffer.concat([head, data]);
    for (let at = 0; at < all.length;) at += writeSync(fd, all, at);
    closeSync(fd);
    renameSync(tmp, file);
    return true;
  } catch {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to remove
    }
    return false;
  }
}

// The loader's class without `require("node:module")`, which loads the ES module loader too (~2 ms).
const Module = module.constructor as typeof NodeModule;

/**
 * The whole file, read into `room` when it fits (a view of it), else into a buffer of its own. Read
 * through its descriptor: a file that grew meanwhile is read whole all the same.
 */
function readWhole(file: string, room: Buffer): Buffer {
  const fd = openSync(file, "r");
  try {
    let b = room;
    let at = 0;
    for (;;) {
      if (at === b.length) {
        // Full: the end, unless one more byte can be read (the file grew since its size was taken).
        const probe = Buffer.alloc(1);
        if (readSync(fd, probe, 0, 1, at) === 0) return b;
        const more = Buffer.allocUnsafe(Math.max(fstatSync(fd).size, 2 * b.length, 4096));
        b.copy(more, 0, 0, at);
        more[at++] = probe[0];
        b = more;
      }
      const n = readSync(fd, b, at, b.length - at, at);
      if (n === 0) return b.subarray(0, at);
      at += n;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Where the cache of `file` is kept: `<file>.v8cache`, or `<file>.<key>.v8cache` in a process that sets
 * V8's semi-space size (bin/elixirscope.js does; `node dist/cli.js` does not). V8 rejects a cache made
 * under other flags, and each kind of run would replace the other's cache at every exit. Other flags
 * (a profiler's) are rare runs: they share the plain one.
 */
export function cacheFileOf(file: string): string {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].filter((a) =>
    /^--(min|max)[-_]semi[-_]space[-_]size\b/.test(a),
  );
  if (flags.length === 0) return `${file}.v8cache`;
  return `${file}.${crc32(flags.join(" ")).toString(16).padStart(8, "0")}.v8cache`;
}

/** Loads the CommonJS file `file` (absolute path) with its cache (cacheFileOf); registered in require.cache. */
export function loadPart(file: string): LoadedPart {
  const cacheFile = cacheFileOf(file);
  // One buffer holds the source, then, once the source is a string, the cache (smaller than its
  // part's source: 0.24 of 0.32 MB at cli-replay.js), which so needs no fresh pages of its own (~60
  // page faults of 20-70 µs each on this VM). No stat: Node 20's Stats makes four Dates (and the
  // process's first Date sets up V8's date cache and ICU's time zone).
  const source = readFileSync(file);
  const sourceLength = source.length;
  const key = sourceKey(source);
  // A part as esbuild.mjs writes it is already wrapped (a file that is not, a test's, is wrapped here).
  const wrapped = source.subarray(0, HEAD_BYTES.length).equals(HEAD_BYTES);
  // An ASCII part (esbuild.mjs escapes the rest) is decoded as one byte per character: no UTF-8
  // decoding, and half the memory of the two-byte string a single other character would force.
  const text = isAscii(source) ? source.toString("latin1") : source.toString("utf8");
  // From here on `source` may be overwritten: the cache is read into the same buffer when it fits.
  const found = readCache(cacheFile, sourceLength, key, source);
  const script = new Script(wrapped ? text : Module.wrap(text), {
    filename: file,
    cachedData: found.data,
  });
  const cache: CacheState = found.data && script.cachedDataRejected ? "rejected" : found.state;
  const m = new Module(file, module);
  m.filename = file;
  require.cache[file] = m;
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  try {
    wrapper.call(m.exports, m.exports, Module.createRequire(file), m, file, dirname(file));
  } catch (e) {
    delete require.cache[file]; // as Node does: a part that failed to load is not kept
    throw e;
  }
  m.loaded = true;
  return {
    exports: m.exports,
    cache,
    save: () => cache === "used" || writeCache(cacheFile, sourceLength, key, () => script.createCachedData()),
  };
}

// Process-wide (the parts hold their own copy of this module): set by a part, read at exit by main's copy.
const UNUSUAL = Symbol.for("elixirscope.codeCache.unusualRun");

/**
 * Tells the loader that this run is not what later runs will do, so that its compiled code is not
 * kept: a command that parsed a trace (its first open) compiles the parser, later runs read the
 * index instead. A cache written then is a third larger and still leaves the index reader to be
 * compiled by every later run (1M trace: 193M instructions per `info` instead of 184M).
 */
export function unusualRun(): void {
  (globalThis as { [UNUSUAL]?: boolean })[UNUSUAL] = true;
}

/** `require(file)` through the cache, which is written when the process exits if it did not fit. */
export function requireCached(file: string): unknown {
  const hit = require.cache[file];
  if (hit) return hit.exports;
  const part = loadPart(file);
  if (part.cache !== "used")
    process.once("exit", () => {
      if (!(globalThis as { [UNUSUAL]?: boolean })[UNUSUAL]) part.save();
    });
  return part.exports;
}
