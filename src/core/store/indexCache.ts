// Where the persistent index lives and when it is trusted: beside the trace as `<trace>.esindex`, or
// in `$XDG_CACHE_HOME/elixirscope` (default ~/.cache/elixirscope) when the trace's folder cannot be
// written. An index is used only if its checksum, format and the traces' size, mtime and first/last
// bytes all match; otherwise the traces are parsed again and the index rewritten (temp file + rename),
// its columns while the indexes are still being built (IndexWriter).

import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writev,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { crc32 } from "../crc32";
import type { EventColumns } from "./columns";
import type { StoreData, StoreIndexes } from "./store";
import { IndexLayout, type IndexWrite, openIndex, type TraceFingerprint } from "./indexFile";

/** What happened to the index on this open; `note` says why it was not reused or not saved (shown once). */
export interface IndexStatus {
  state: "reused" | "built" | "rebuilt" | "unsaved" | "off";
  /** The index file read or written. */
  file?: string;
  note?: string;
}

const END_BYTES = 64 * 1024;

/** Size, mtime and a hash of the first and last bytes of each trace; undefined when one cannot be read. */
export function fingerprints(paths: string[]): TraceFingerprint[] | undefined {
  const out: TraceFingerprint[] = [];
  for (const p of paths) {
    let fd: number;
    try {
      // Opening a FIFO blocks until someone writes to it: only regular files are opened at all.
      if (!statSync(p).isFile()) return undefined;
      fd = openSync(p, "r");
    } catch {
      return undefined;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) return undefined;
      const head = Buffer.alloc(Math.min(END_BYTES, st.size));
      readSync(fd, head, 0, head.length, 0);
      const tail = Buffer.alloc(Math.min(4096, st.size));
      readSync(fd, tail, 0, tail.length, st.size - tail.length);
      const ends = (
        (crc32(tail, crc32(head)) >>> 0).toString(16) + (crc32(head) >>> 0).toString(16)
      ).padStart(16, "0");
      out.push({ size: st.size, mtimeMs: st.mtimeMs, ends });
    } finally {
      closeSync(fd);
    }
  }
  return out;
}

/** Candidate index files for a set of traces, beside the first trace first, then in the cache folder. */
export function indexLocations(paths: string[]): string[] {
  return [indexBeside(paths), indexInCache(paths)];
}

/** Names the set of traces in file names: CRC-32 of their absolute paths. */
function setKey(abs: string[]): string {
  return (crc32(abs.join("\n")) >>> 0).toString(16).padStart(8, "0");
}

function indexBeside(paths: string[]): string {
  const abs = paths.map((p) => resolve(p));
  return abs.length === 1 ? `${abs[0]}.esindex` : `${abs[0]}.${setKey(abs)}.esindex`;
}

/** `node:os` is loaded only when this is asked: an open whose index is beside the trace does not need it. */
function indexInCache(paths: string[]): string {
  const abs = paths.map((p) => resolve(p));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { homedir } = require("node:os") as typeof import("node:os");
  const cacheRoot = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(cacheRoot, "elixirscope", `${basename(abs[0])}-${setKey(abs)}.esindex`);
}

export type IndexLookup =
  | { store: StoreData; status: IndexStatus }
  | { store?: undefined; fingerprints?: TraceFingerprint[]; note?: string };

/** The store from the first index that is valid for `paths`, or what the rebuild needs to know. */
export function readIndex(paths: string[]): IndexLookup {
  const fps = fingerprints(paths);
  if (!fps) return {};
  let note: string | undefined;
  for (const where of [indexBeside, indexInCache]) {
    const file = where(paths);
    if (!existsSync(file)) continue;
    try {
      return { store: openIndex(file, paths, fps), status: { state: "reused", file } };
    } catch (e) {
      // Only the first unusable file is worth a word: a stale one beside a read-only trace is
      // shadowed by the valid copy in the cache from then on.
      note ??= `index ${file} not used: ${(e as Error).message}; rebuilt`;
    }
  }
  return { fingerprints: fps, note };
}

/** A temporary file written beside the index file it will be renamed to. */
interface Temp {
  file: string;
  tmp: string;
  fd: number;
}

/**
 * Opened on this thread, so that writes can be handed to the thread pool at once: a write queued
 * after an asynchronous open would wait for this thread's next turn, after the index build.
 */
function openTemp(file: string, makeFolder: boolean): Temp {
  if (makeFolder) mkdirSync(join(file, ".."), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  return { file, tmp, fd: openSync(tmp, "wx") };
}

function discard(t: Temp): void {
  if (t.fd >= 0) closeFd(t);
  rmSync(t.tmp, { force: true });
}

/** Closes the file once: its descriptor number may be another file's afterwards. */
function closeFd(t: Temp): void {
  const fd = t.fd;
  t.fd = -1;
  try {
    closeSync(fd);
  } catch {
    // Nothing more to do with it.
  }
}

/** Closes the temporary file and renames it over the index file: a reader sees the old file or the new one, never half. */
function commit(t: Temp): void {
  const fd = t.fd;
  t.fd = -1;
  closeSync(fd);
  renameSync(t.tmp, t.file);
  removeStaleTemps(t.file);
}

/**
 * Removes the temporary files of `file` that processes no longer running left (a first open killed
 * while it wrote: its file is opened when the parse ends). A live process's are its own business.
 */
export function removeStaleTemps(file: string): void {
  const dir = dirname(file);
  const prefix = `${basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = name.startsWith(prefix) ? /^(\d+)\.[a-z0-9]*\.tmp$/.exec(name.slice(prefix.length)) : null;
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
      continue;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ESRCH") continue;
    }
    rmSync(join(dir, name), { force: true });
  }
}

function why(file: string, e: unknown): string {
  return `${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
}

/**
 * Saves the index of a store being built, beside the traces or, failing that, in the cache folder.
 * `columns` hands the columns to libuv's thread pool as soon as the parse is over, so that the kernel
 * copies them into the page cache (the larger part of a first open's write, on this VM ~5-30 µs per
 * fresh 4 KiB page) on the other core while this thread builds the indexes; `finish` writes the rest
 * while it sums the pages, then renames the file into place. The arrays written must not change until
 * `finish` settles (those given to `columns` and `indexes` not at all: see IndexLayout).
 */
export class IndexWriter {
  private readonly layout = new IndexLayout();
  private readonly runs: IndexWrite[] = [];
  /** The temporary file the parts are being written to, or why it could not be opened. */
  private early: { temp: Temp } | { failed: unknown } | undefined;
  /** The writes handed to the thread pool so far. */
  private readonly written: Array<Promise<void>> = [];

  constructor(
    private readonly paths: string[],
    private readonly fps: TraceFingerprint[],
    private readonly note: string | undefined,
  ) {}

  /** Starts writing columns that no longer change (IndexLayout.columns): the first call opens the file. */
  columns(cols: EventColumns, only?: string[], scratch?: Uint32Array): void {
    if (!this.early)
      try {
        this.early = { temp: openTemp(indexLocations(this.paths)[0], false) };
      } catch (e) {
        this.early = { failed: e };
      }
    this.write(this.layout.columns(cols, only, scratch));
  }

  /** Starts writing indexes that are built and no longer change. */
  indexes(part: Partial<StoreIndexes>): void {
    if (this.early) this.write(this.layout.indexes(part));
  }

  private write(run: IndexWrite): void {
    this.runs.push(run);
    if (!this.early || "failed" in this.early) return;
    const w = writeRuns(this.early.temp.fd, [run]);
    // Awaited by `finish` or `abort`; meanwhile a failure is no unhandled rejection.
    w.catch(() => undefined);
    this.written.push(w);
  }

  /** Removes what `columns` and `indexes` wrote (the parse or the build failed). Never rejects. */
  async abort(): Promise<void> {
    if (!this.early || "failed" in this.early) return;
    await Promise.allSettled(this.written);
    discard(this.early.temp);
  }

  /** Writes the rest of the store's index and puts the file in place. Never rejects. */
  async finish(store: StoreData): Promise<IndexStatus> {
    const saved = (file: string): IndexStatus => ({
      state: this.note ? "rebuilt" : "built",
      file,
      ...(this.note ? { note: this.note } : {}),
    });
    const errors: string[] = [];
    const tried = new Set<string>();
    let rest: IndexWrite;
    let tail: IndexWrite[];
    let target: Temp | undefined;
    const pending: Array<Promise<void>> = [];
    try {
      rest = this.layout.rest(store);
      if (this.early) {
        tried.add(indexLocations(this.paths)[0]);
        if ("failed" in this.early) errors.push(why(indexLocations(this.paths)[0], this.early.failed));
        else {
          target = this.early.temp;
          pending.push(...this.written, writeRuns(target.fd, [rest]));
        }
      }
      // Sums the pages of every section while the thread pool writes them.
      tail = this.layout.tail(store, this.fps);
    } catch (e) {
      await Promise.allSettled(pending);
      await this.abort();
      return { state: "unsaved", note: `index not saved: ${(e as Error).message}` };
    }
    if (target) {
      pending.push(writeRuns(target.fd, tail));
      try {
        for (const d of await Promise.allSettled(pending)) if (d.status === "rejected") throw d.reason;
        commit(target);
        return saved(target.file);
      } catch (e) {
        errors.push(why(target.file, e));
        discard(target);
      }
    }
    const all = [...this.runs, rest, ...tail];
    const [beside, cached] = indexLocations(this.paths);
    for (const file of [beside, cached]) {
      if (tried.has(file)) continue;
      try {
        const t = openTemp(file, file === cached);
        try {
          await writeRuns(t.fd, all);
          commit(t);
        } catch (e) {
          discard(t);
          throw e;
        }
        return saved(file);
      } catch (e) {
        errors.push(why(file, e));
      }
    }
    return {
      state: "unsaved",
      note: `${this.note ? `${this.note}; ` : ""}index not saved (${errors.join("; ")})`,
    };
  }
}

/**
 * Writes every run at its place, each on a pool thread (handed over before this returns); settles once
 * all have: a failed one must not leave the others writing into a closed file.
 */
async function writeRuns(fd: number, runs: IndexWrite[]): Promise<void> {
  const done = await Promise.allSettled(runs.map((r) => writeAllAt(fd, r.buffers, r.at)));
  for (const d of done) if (d.status === "rejected") throw d.reason;
}

/**
 * Writes `buffers` back to back from `position`. writev takes at most IOV_MAX buffers and may write
 * partially: it goes on from where it stopped.
 */
function writeAllAt(fd: number, buffers: Buffer[], position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const next = (pending: Buffer[], at: number): void => {
      // Empty buffers write nothing: a run of them (the sections of a trace with no events) is done.
      while (pending.length > 0 && pending[0].length === 0) pending = pending.slice(1);
      if (pending.length === 0) return resolve();
      writev(fd, pending.slice(0, 512), at, (err, n) => {
        if (err) return reject(err);
        if (n <= 0) return reject(new Error("the disk accepted no more bytes"));
        let k = 0;
        let left = n;
        while (k < pending.length && left >= pending[k].length) left -= pending[k++].length;
        const rest = pending.slice(k);
        if (left > 0) rest[0] = rest[0].subarray(left);
        next(rest, at + n);
      });
    };
    next(buffers, position);
  });
}
