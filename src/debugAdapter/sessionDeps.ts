// What a debug session is given rather than reaching for itself, so that the extension can run it
// inline beside its other views (sharing one loaded replay and one moment) and tests can run many
// sessions in one process: where replays come from, how source files are read, and where logs go.

import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { LoadProgress } from "../core/types";
import { Replay } from "../core/replay";
import type { Logger } from "./logger";

/** One user's hold on an open replay; `release` lets it go (the replay closes when nobody holds it). */
export interface ReplayLease {
  readonly replay: Replay;
  /** The shared current moment, when the source keeps one (other views move and watch it too). */
  readonly cursor?: MomentCursor;
  /** Identifies the recording (same files, same contents) across leases. */
  readonly key: string;
  readonly paths: readonly string[];
  release(): void;
}

export interface AcquireOptions {
  onProgress?: (p: LoadProgress) => void;
}

/** Where a session gets its replay: a shared cache in the extension, a fresh load on its own. */
export interface ReplaySource {
  acquire(paths: string[], opts?: AcquireOptions): Promise<ReplayLease>;
}

/** Why the moment moved, as a cursor reports it. */
export interface MomentChange {
  index: number;
  /** Who moved it; the session ignores its own moves. */
  reason?: string;
  source?: unknown;
}

/**
 * The current moment of a replay shared by several views. The session moves it on every stop and
 * follows it when another view moves it. (The core's ReplayCursor has this shape.)
 */
export interface MomentCursor {
  readonly index: number;
  moveTo(index: number, reason?: string, source?: unknown): void;
  onDidChange(listener: (e: MomentChange) => void): { dispose(): void };
}

/** How the session reads source files (the extension passes the workspace's file system). */
export interface FileAccessor {
  exists(path: string): boolean;
  readFile(path: string): Promise<Uint8Array>;
}

export interface SessionDeps {
  replays?: ReplaySource;
  files?: FileAccessor;
  logger?: Logger;
}

/** A replay per session, loaded in a worker thread, closed on release. */
export const openReplays: ReplaySource = {
  async acquire(paths, opts = {}) {
    const replay = await Replay.open(paths, { worker: true, onProgress: opts.onProgress });
    let released = false;
    return {
      replay,
      key: paths.join("\n"),
      paths,
      release() {
        if (released) return;
        released = true;
        replay.close();
      },
    };
  },
};

/** This machine's files. */
export const localFiles: FileAccessor = {
  exists: (path) => existsSync(path),
  readFile: (path) => readFile(path),
};
