// The current moment of a replay, shared: the debug session moves it, and the other views of the same
// recording (hovers, gutter decorations, the message-flow diagram) observe it through change events
// instead of each keeping a clock of its own.

import { ReplayError } from "./errors";
import type { Replay } from "./replay";

/** Something to let go of: a listener, a lease, a view. */
export interface Disposable {
  dispose(): void;
}

/** Why the cursor moved, so that an observer can react differently to a stop and to its own request. */
export type CursorReason = "entry" | "step" | "breakpoint" | "goto" | "exception" | "restart" | "external";

/** One move of the cursor. */
export interface CursorChange {
  /** The event index now current. */
  index: number;
  /** The event index current before. */
  previous: number;
  reason: CursorReason;
  /** Who moved it (`"debug"`, `"diagram"`...), so that a view can ignore its own moves. */
  source?: string;
}

export class ReplayCursor implements Disposable {
  private current: number;
  private listeners: Array<(e: CursorChange) => void> = [];
  private disposed = false;

  /** A cursor on `replay` at `index` (default: the first event). */
  constructor(
    readonly replay: Replay,
    index = 0,
  ) {
    this.current = replay.eventCount === 0 ? 0 : this.checked(index);
  }

  /** The event index of the current moment. */
  get index(): number {
    return this.current;
  }

  /**
   * Moves to `index` and tells every listener. A move to where the cursor already is says nothing,
   * except a `goto` (someone asked to be shown that moment again). Throws `ReplayError` for an index
   * outside the recording; a listener that throws is reported on the console and the others still hear.
   */
  moveTo(index: number, reason: CursorReason, source?: string): void {
    if (this.disposed) throw new ReplayError("this cursor is disposed");
    const next = this.checked(index);
    const previous = this.current;
    if (next === previous && reason !== "goto") return;
    this.current = next;
    const change: CursorChange =
      source === undefined ? { index, previous, reason } : { index, previous, reason, source };
    // A copy, so that a listener that unsubscribes (or subscribes) while hearing does not skip another.
    for (const l of [...this.listeners]) {
      try {
        l(change);
      } catch (e) {
        // One broken view must not stop the others (or the debug session) from following the moment.
        console.error(`elixirscope: a cursor listener failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  /** Calls `listener` on every move until the returned `Disposable` is disposed. */
  onDidChange(listener: (e: CursorChange) => void): Disposable {
    if (this.disposed) return { dispose: () => undefined };
    this.listeners.push(listener);
    return {
      dispose: () => {
        this.listeners = this.listeners.filter((l) => l !== listener);
      },
    };
  }

  /** Drops every listener; later moves throw. */
  dispose(): void {
    this.disposed = true;
    this.listeners = [];
  }

  private checked(index: number): number {
    const n = this.replay.eventCount;
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= n)
      throw new ReplayError(
        `event index ${String(index)} is out of range (this trace has events 0 to ${n - 1})`,
      );
    return index;
  }
}
