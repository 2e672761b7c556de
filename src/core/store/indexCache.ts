// Where the persistent index lives and when it is trusted: beside the trace as `<trace>.esindex`, or
// in `$XDG_CACHE_HOME/elixirscope` (default ~/.cache/elixirscope) when the trace's folder cannot be
// written. An index is used only if its checksum, format and the traces' size, mtime and first/last
// bytes all match; otherwise the traces are parsed again and the index rewritten (temp file + rename).

import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join, resolve } from "node:path";
import { crc32 } from "node:zlib";
import type { FileHandle } from "node:fs/promises";
import type { StoreData } from "./store";
import { encodeIndex, openIndex, type TraceFingerprint } from "./indexFile";

// Required when an index is saved, not at every open (loading fs/promises costs a CLI run ~3 ms).
// `require`, not process.getBuiltinModule: VS Code 1.90's Node (20.9) lacks it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fsp = (): typeof import("node:fs/promises") => require("node:fs/promises");

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
  const abs = paths.map((p) => resolve(p));
  const key = (crc32(abs.join("\n")) >>> 0).toString(16).padStart(8, "0");
  const beside = abs.length === 1 ? `${abs[0]}.esindex` : `${abs[0]}.${key}.esindex`;
  const cacheRoot = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return [beside, join(cacheRoot, "elixirscope", `${basename(abs[0])}-${key}.esindex`)];
}

export type IndexLookup =
  | { store: StoreData; status: IndexStatus }
  | { store?: undefined; fingerprints?: TraceFingerprint[]; note?: string };

/** The store from the first index that is valid for `paths`, or what the rebuild needs to know. */
export function readIndex(paths: string[]): IndexLookup {
  const fps = fingerprints(paths);
  if (!fps) return {};
  let note: string | undefined;
  for (const file of indexLocations(paths)) {
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

/**
 * Saves the index beside the traces or, failing that, in the cache folder. The bytes are written by
 * libuv's thread pool while the caller goes on; the store's arrays must not change until it settles.
 * Never rejects.
 */
export async function writeIndex(
  store: StoreData,
  fps: TraceFingerprint[],
  note: string | undefined,
): Promise<IndexStatus> {
  const paths = store.files.map((f) => f.path);
  let buffers: Buffer[];
  try {
    buffers = encodeIndex(store, fps);
  } catch (e) {
    return { state: "unsaved", note: `index not saved: ${(e as Error).message}` };
  }
  const errors: string[] = [];
  const [beside, cached] = indexLocations(paths);
  for (const file of [beside, cached]) {
    try {
      if (file === cached) await fsp().mkdir(join(cached, ".."), { recursive: true });
      await writeAtomically(file, buffers);
      return { state: note ? "rebuilt" : "built", file, ...(note ? { note } : {}) };
    } catch (e) {
      errors.push(`${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return { state: "unsaved", note: `${note ? `${note}; ` : ""}index not saved (${errors.join("; ")})` };
}

/**
 * Writes `buffers` back to back from `position`. writev takes at most IOV_MAX buffers and may write
 * partially: it goes on from where it stopped.
 */
async function writeAllAt(fh: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let pending = buffers;
  let at = position;
  while (pending.length > 0) {
    let { bytesWritten: n } = await fh.writev(pending.slice(0, 512), at);
    if (n <= 0) throw new Error("the disk accepted no more bytes");
    at += n;
    let k = 0;
    while (k < pending.length && n >= pending[k].length) n -= pending[k++].length;
    pending = pending.slice(k);
    if (n > 0) pending[0] = pending[0].subarray(n);
  }
}

/** The buffers cut into `parts` runs of about equal bytes, each with its file position. */
export function splitWrites(buffers: Buffer[], parts: number): Array<{ at: number; buffers: Buffer[] }> {
  const total = buffers.reduce((a, b) => a + b.length, 0);
  const out: Array<{ at: number; buffers: Buffer[] }> = [];
  let at = 0;
  let run: Buffer[] = [];
  let runAt = 0;
  for (let b of buffers) {
    while (b.length > 0) {
      const bound = Math.ceil((total * (out.length + 1)) / parts);
      const take = out.length === parts - 1 ? b.length : Math.min(b.length, bound - at);
      run.push(b.subarray(0, take));
      at += take;
      b = b.subarray(take);
      if (at >= bound && out.length < parts - 1) {
        out.push({ at: runAt, buffers: run });
        run = [];
        runAt = at;
      }
    }
  }
  if (run.length > 0) out.push({ at: runAt, buffers: run });
  return out;
}

/**
 * Writes a temporary file beside `file` and renames it over: a reader sees the old file or the new one,
 * never half. Two halves are written at once (two pool threads): copying ~90 MB into the page cache
 * is the kernel's work, and the first open waits for it.
 */
async function writeAtomically(file: string, buffers: Buffer[]): Promise<void> {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  const fh = await fsp().open(tmp, "wx");
  try {
    try {
      // Both settle before the file is closed: a failed half must not leave the other writing.
      const done = await Promise.allSettled(
        splitWrites(buffers, 2).map((w) => writeAllAt(fh, w.buffers, w.at)),
      );
      for (const d of done) if (d.status === "rejected") throw d.reason;
    } finally {
      await fh.close();
    }
    await fsp().rename(tmp, file);
  } catch (e) {
    await fsp()
      .unlink(tmp)
      .catch(() => undefined);
    throw e;
  }
}
