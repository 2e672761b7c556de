// What a debug session is given rather than reaching for itself, so that the extension can run it
// inline beside its other views (sharing one loaded replay and one moment) and tests can run many
// sessions in one process: where replays come from, how source files are read, and where logs go.

import { existsSync } from "node:fs";
import type { CursorReason } from "../core/cursor";
import { Replay } from "../core/replay";
import { ReplayCache, type ReplayLease } from "../core/replayCache";
import type { OpenOptions } from "../core/types";
import type { Logger } from "./logger";

export type { ReplayLease };

/**
 * Where a session gets its replay: the extension's shared ReplayCache (one load, one cursor for every
 * view of a recording), else a cache of the session's own.
 */
export interface ReplaySource {
  acquire(paths: string[], opts?: OpenOptions): Promise<ReplayLease>;
}

/** A session's own replay source: loads in a worker thread so the adapter keeps answering meanwhile. */
export function ownReplays(): ReplaySource {
  return new ReplayCache({ open: (paths, o) => Replay.open(paths, { ...o, worker: true }) });
}

let sessions = 0;

/**
 * Who moved the cursor, for the session to tell its own moves from other views' (in this process:
 * a count, not a UUID — node:crypto cost the standalone adapter ~5 % of its start).
 */
export function cursorSource(): string {
  return `debug-session:${++sessions}`;
}

/** The cursor's reason for a stop's reason. */
export function cursorReason(stop: string): CursorReason {
  switch (stop) {
    case "entry":
    case "step":
    case "goto":
    case "exception":
    case "restart":
      return stop;
    default:
      return "breakpoint";
  }
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

/** This machine's files. */
export const localFiles: FileAccessor = {
  exists: (path) => existsSync(path),
  // fs/promises is required on first use: the adapter's start need not load it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  readFile: (path) => (require("node:fs/promises") as typeof import("node:fs/promises")).readFile(path),
};
