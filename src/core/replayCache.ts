// One loaded recording shared by every view that shows it: the debug session, the hovers, the gutter
// and the message-flow diagram each take a lease on the same Replay (and its one cursor) instead of
// loading the file again; the replay is closed when the last lease is released.

import { realpathSync, statSync } from "node:fs";
import { ReplayCursor } from "./cursor";
import { LoadCancelledError, ReplayError, TraceLoadError } from "./errors";
import { Replay } from "./replay";
import type { OpenOptions } from "./types";

/** One user's hold on a cached replay. */
export interface ReplayLease {
  readonly replay: Replay;
  /** The replay's one cursor, shared by every lease on it: the debug session moves it, views observe it. */
  readonly cursor: ReplayCursor;
  /** Identifies the loaded files' contents: real path, size and modification time of each. */
  readonly key: string;
  /** The real paths of the loaded files, in the order given. */
  readonly paths: string[];
  /** Lets go; the replay is closed when the last lease is released. Calling it again does nothing. */
  release(): void;
}

interface Entry {
  loading: Promise<{ replay: Replay; cursor: ReplayCursor }>;
  refs: number;
  /** Stops the load once every waiter has cancelled. */
  abort: AbortController;
  loaded?: { replay: Replay; cursor: ReplayCursor };
}

export class ReplayCache {
  private readonly entries = new Map<string, Entry>();
  private readonly open: typeof Replay.open;
  private disposed = false;

  /** `open` replaces `Replay.open` (to load in a worker, or to count loads in a test). */
  constructor(opts: { open?: typeof Replay.open } = {}) {
    this.open = opts.open ?? ((paths, o) => Replay.open(paths, o));
  }

  /**
   * A lease on the replay of `paths`, loading it unless the same files (same real path, size and
   * modification time) are already loaded or loading: concurrent acquires share one load. A file that
   * changed since is a new entry. A failed load rejects every waiter and is not kept. `opts` apply to
   * the load this call starts, if it starts one, except `signal`, which is this caller's: when it aborts,
   * this call rejects with a `LoadCancelledError`, and the load itself stops (its worker terminated, the
   * entry dropped) once no other caller is waiting for it. A loaded replay is not affected.
   */
  async acquire(paths: string | string[], opts: OpenOptions = {}): Promise<ReplayLease> {
    const { signal, ...openOpts } = opts;
    if (this.disposed) throw new ReplayError("the replay cache is disposed");
    const list = typeof paths === "string" ? [paths] : [...paths];
    if (list.length === 0) throw new TraceLoadError("(none)", "no trace file given");
    const ids = list.map(identify);
    if (signal?.aborted) throw new LoadCancelledError(list);
    const key = JSON.stringify(ids);
    const real = ids.map((i) => i.path);
    let entry = this.entries.get(key);
    if (!entry) {
      const abort = new AbortController();
      const e: Entry = {
        refs: 0,
        abort,
        loading: this.open(real, { ...openOpts, signal: abort.signal }).then(
          (replay) => {
            e.loaded = { replay, cursor: new ReplayCursor(replay) };
            return e.loaded;
          },
          (err: unknown) => {
            if (this.entries.get(key) === e) this.entries.delete(key);
            throw err;
          },
        ),
      };
      // A load every waiter cancelled rejects with nobody listening.
      e.loading.catch(() => undefined);
      this.entries.set(key, (entry = e));
    }
    entry.refs++;
    const e = entry;
    let loaded: { replay: Replay; cursor: ReplayCursor };
    let onAbort: (() => void) | undefined;
    try {
      loaded = await (signal
        ? Promise.race([
            e.loading,
            new Promise<never>((_, reject) => {
              onAbort = () => reject(new LoadCancelledError(list));
              signal.addEventListener("abort", onAbort, { once: true });
            }),
          ])
        : e.loading);
    } catch (err) {
      e.refs--;
      if (err instanceof LoadCancelledError && e.refs === 0) {
        // Nobody waits for it any more: stop the load (or close what it just finished) and forget it.
        if (this.entries.get(key) === e) this.entries.delete(key);
        if (e.loaded) this.closeEntry(e);
        else e.abort.abort();
      }
      throw err;
    } finally {
      if (onAbort) signal?.removeEventListener("abort", onAbort);
    }
    if (this.entries.get(key) !== e) {
      // Disposed while loading: nobody will release this replay, so it must not stay open.
      e.refs--;
      this.closeEntry(e);
      throw new ReplayError("the replay cache was disposed while the recording was loading");
    }
    let released = false;
    return {
      replay: loaded.replay,
      cursor: loaded.cursor,
      key,
      paths: real,
      release: () => {
        if (released) return;
        released = true;
        if (--e.refs > 0) return;
        if (this.entries.get(key) === e) this.entries.delete(key);
        this.closeEntry(e);
      },
    };
  }

  /** Entries loaded or loading. */
  get size(): number {
    return this.entries.size;
  }

  /** Closes every loaded replay (leases still held become unusable) and refuses further acquires. */
  dispose(): void {
    this.disposed = true;
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const e of all) this.closeEntry(e);
  }

  private closeEntry(e: Entry): void {
    if (!e.loaded) return;
    e.loaded.cursor.dispose();
    e.loaded.replay.close();
  }
}

interface FileIdentity {
  path: string;
  size: number;
  /** Modification time in nanoseconds, as text (a bigint does not survive JSON). */
  mtimeNs: string;
}

/**
 * Looked up synchronously: a realpath and a stat are ~0.1 ms each, while their callback forms started
 * libuv's thread pool and waited for two hops through it, 3-10 ms of a debug launch before its first
 * stop (the adapter uses the pool for nothing else until then). The index that follows is read
 * synchronously too.
 */
function identify(path: string): FileIdentity {
  try {
    const real = realpathSync.native(path);
    const st = statSync(real, { bigint: true });
    return { path: real, size: Number(st.size), mtimeNs: st.mtimeNs.toString() };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TraceLoadError(path, code === "ENOENT" ? "no such file" : `cannot open (${code ?? String(e)})`);
  }
}
