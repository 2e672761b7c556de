// The timeline of each process: its call stack at any event (from the call nesting the store built)
// and the moves a debugger makes through it — step in/over/out, forward and backward — jumping over
// whole nested calls through their matched call/return pairs rather than walking their events.

import type { Correlator } from "./correlator";
import { type CellName, cellOf, pidRowIndex } from "./store/cells";
import { KIND_CODES } from "./store/columns";
import type { StoreData } from "./store/store";
import type { Direction, SourceLocation, StackFrame } from "./types";

export type StepKind = "in" | "over" | "out";

export class Timeline {
  constructor(
    private readonly store: StoreData,
    private readonly correlator: Correlator,
  ) {}

  /** The process's events before/after `row`. */
  nextInProcess(row: number, dir: Direction): number | undefined {
    // Single values: the first step after a launch reads a few pages, not whole columns.
    const pid = cellOf(this.store, "pid", row);
    return this.pidRowAt(pid, pidRowIndex(this.store, pid, row) + (dir === "forward" ? 1 : -1));
  }

  /** Row `i` of the processes' rows (`ix.byPid.rows`) when it is one of `pid`'s, else undefined. */
  private pidRowAt(pid: number, i: number): number | undefined {
    const { offsets } = this.store.ix.byPid;
    return i >= offsets[pid] && i < offsets[pid + 1] ? cellOf(this.store, "ix.byPid.rows", i) : undefined;
  }

  /** The call event whose frame is on top at `row` (-1 at the process's top level). */
  frameAt(row: number): number {
    const k = cellOf(this.store, "kind", row);
    return k === KIND_CODES.call ? row : cellOf(this.store, "ix.link", row);
  }

  /** The call stack at `row`, innermost frame first. */
  stackAt(row: number): StackFrame[] {
    // Single values (cellOf), not whole columns: the first stop of a launch shows a stack.
    const { tables } = this.store;
    const at = (name: CellName, r: number): number => cellOf(this.store, name, r);
    const frames: StackFrame[] = [];
    const k = at("kind", row);
    let top = this.frameAt(row);
    if ((k === KIND_CODES.return || k === KIND_CODES.exception) && top < 0) {
      // A return whose call was not recorded (the recording began inside it): its frame is still known.
      frames.push({
        callIndex: -1,
        mfa: tables.mfas[at("mfa", row)],
        location: this.correlator.definition(at("mfa", row)),
        depth: at("ix.depth", row),
      });
      top = -1;
    }
    let child = -1;
    for (let f = top; f >= 0; f = at("ix.link", f)) {
      const location: SourceLocation | undefined =
        child < 0
          ? this.correlator.frameLocation(f)
          : (this.correlator.callSite(child) ?? this.correlator.frameLocation(f));
      frames.push({ callIndex: f, mfa: tables.mfas[at("mfa", f)], location, depth: at("ix.depth", f) });
      child = f;
    }
    if (frames.length === 0) {
      // Outside any traced call (a GenServer loop receiving, a state snapshot): one frame for the
      // callback or initial call so that a debugger always has somewhere to stand.
      const mfa = at("mfa", row);
      frames.push({
        callIndex: -1,
        mfa: mfa >= 0 ? tables.mfas[mfa] : undefined,
        location: mfa >= 0 && k !== KIND_CODES.spawn ? this.correlator.definition(mfa) : undefined,
        depth: 0,
      });
    }
    return frames;
  }

  step(row: number, how: StepKind, dir: Direction): number | undefined {
    if (how === "in") return this.nextInProcess(row, dir);
    const at = (name: CellName, r: number): number => cellOf(this.store, name, r);
    if (how === "over") return this.overTo(row, at("ix.depth", row), dir);
    // out
    const k = at("kind", row);
    if (dir === "forward") {
      if (k === KIND_CODES.return || k === KIND_CODES.exception)
        return this.overTo(row, at("ix.depth", row) - 1, dir);
      const f = this.frameAt(row);
      if (f < 0) return undefined;
      if (at("ix.match", f) >= 0) return at("ix.match", f);
      return this.overTo(row, at("ix.depth", f) - 1, dir);
    }
    if (k === KIND_CODES.call) return at("ix.link", row) >= 0 ? at("ix.link", row) : undefined;
    const f = this.frameAt(row);
    return f >= 0 ? f : undefined;
  }

  /** The next (previous) event of the process at depth ≤ `maxDepth`, jumping over deeper calls whole. */
  private overTo(row: number, maxDepth: number, dir: Direction): number | undefined {
    const at = (name: CellName, r: number): number => cellOf(this.store, name, r);
    // Walked by place in the process's rows: a place is searched for only after a jump.
    const pid = at("pid", row);
    const by = dir === "forward" ? 1 : -1;
    let i = pidRowIndex(this.store, pid, row) + by;
    let r = this.pidRowAt(pid, i);
    while (r !== undefined && at("ix.depth", r) > maxDepth) {
      const k = at("kind", r);
      if (dir === "forward" && k === KIND_CODES.call && at("ix.match", r) >= 0) {
        r = at("ix.match", r);
        i = pidRowIndex(this.store, pid, r);
      } else if (
        dir === "backward" &&
        (k === KIND_CODES.return || k === KIND_CODES.exception) &&
        at("ix.link", r) >= 0
      ) {
        // A callback run from untraced code (a server's `init/1`, `handle_call/3`) has no caller line
        // to step back over: stepping back from the event after it goes into it, to its end.
        if (maxDepth === 0 && this.frameAt(row) < 0) return r;
        r = at("ix.link", r);
        i = pidRowIndex(this.store, pid, r);
      }
      i += by;
      r = this.pidRowAt(pid, i);
    }
    return r;
  }
}
