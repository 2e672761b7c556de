// The extension's shared loaded recordings: one Replay per set of trace files, loaded once (in a
// worker, so the extension host never blocks) and shared by everything that reads the same trace
// (hit counts, the timeline, Go to Event, the status bar), released when the last user lets go.

import { Replay } from "../core/replay";
import type { LoadProgress } from "../core/types";

export interface TraceLease {
  readonly replay: Replay;
  readonly key: string;
  readonly paths: readonly string[];
  release(): void;
}

interface Entry {
  loading: Promise<Replay>;
  refs: number;
  /** Progress listeners of everyone waiting for the same load. */
  listeners: Set<(p: LoadProgress) => void>;
}

export class TraceCache {
  private readonly entries = new Map<string, Entry>();

  static keyOf(paths: readonly string[]): string {
    return [...paths].sort().join("\n");
  }

  async acquire(paths: readonly string[], onProgress?: (p: LoadProgress) => void): Promise<TraceLease> {
    const key = TraceCache.keyOf(paths);
    let entry = this.entries.get(key);
    if (!entry) {
      const listeners = new Set<(p: LoadProgress) => void>();
      const loading = Replay.open([...paths], {
        worker: true,
        onProgress: (p) => listeners.forEach((l) => l(p)),
      });
      entry = { loading, refs: 0, listeners };
      this.entries.set(key, entry);
      // A failed load is forgotten at once so that the next attempt reads the file again.
      loading.catch(() => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      });
    }
    entry.refs++;
    if (onProgress) entry.listeners.add(onProgress);
    let replay: Replay;
    try {
      replay = await entry.loading;
    } catch (e) {
      entry.refs--;
      throw e;
    } finally {
      if (onProgress) entry.listeners.delete(onProgress);
    }
    const held = entry;
    let released = false;
    return {
      replay,
      key,
      paths: [...paths],
      release: () => {
        if (released) return;
        released = true;
        if (--held.refs === 0 && this.entries.get(key) === held) {
          this.entries.delete(key);
          replay.close();
        }
      },
    };
  }

  /** How many distinct recordings are loaded (for the tests and the log). */
  get size(): number {
    return this.entries.size;
  }

  dispose(): void {
    for (const e of this.entries.values())
      e.loading.then(
        (r) => r.close(),
        () => undefined,
      );
    this.entries.clear();
  }
}
