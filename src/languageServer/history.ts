// The one place the language server asks the engine about a function's recorded calls: each call
// paired with its return or exception, counts, times and processes, through the Replay's
// per-function calls API (`functionCalls`), so that a hover's cost is the page of calls it shows,
// not the whole history.

import type { Replay } from "../core/replay";
import type { FunctionCall } from "../core/functionCalls";
import type { Term } from "../core/terms/term";
import type { Mfa } from "../core/types";
import type { CallOutcome } from "../core/lineHistory";

// How a call ended is the engine's own notion (the same pairing as the per-line history).
export type { CallOutcome };
export type { FunctionCallSummary as FunctionSummary } from "../core/functionCalls";

export interface CallRecord {
  /** The call event's index. */
  index: number;
  mfa: Mfa;
  pid: number;
  time: number;
  args: Term[];
  outcome: CallOutcome;
  durationNs?: number;
}

export class History {
  constructor(readonly replay: Replay) {}

  /** True when the recording has calls of `mfa`. */
  known(mfa: Mfa): boolean {
    return this.replay.functionCallIndices(mfa).length > 0;
  }

  summary(mfa: Mfa): ReturnType<Replay["functionCallSummary"]> {
    return this.replay.functionCallSummary(mfa);
  }

  /** Call indices of `mfa`, ascending (no decoding). */
  callIndices(mfa: Mfa): Int32Array {
    return this.replay.functionCallIndices(mfa);
  }

  /** One call, decoded with its outcome. */
  record(mfa: Mfa, callIndex: number): CallRecord {
    const c = this.replay.functionCall(mfa, callIndex);
    if (c) return toRecord(c);
    // Not a call of `mfa` (a caller's mistake): the event itself, as a call still running.
    const ev = this.replay.event(callIndex);
    return {
      index: callIndex,
      mfa: ev.mfa ?? mfa,
      pid: ev.pid,
      time: ev.time,
      args: ev.args ?? [],
      outcome: { kind: "running" },
    };
  }

  /**
   * The arguments of several calls, decoded together (nearby frames read at once) and only at the
   * positions `want` names (default: all); the others are `[]`, never decoded.
   */
  argsOf(calls: number[], want: (position: number) => boolean = () => true): Term[][] {
    return this.replay.callArgs(calls, want);
  }

  /** A page of calls, most recent first by default. */
  calls(
    mfa: Mfa,
    opts: { order?: "asc" | "desc"; offset?: number; limit?: number; pid?: number } = {},
  ): { total: number; calls: CallRecord[] } {
    const page = this.replay.functionCalls(mfa, {
      order: opts.order === "asc" ? "oldest" : "newest",
      offset: opts.offset,
      limit: opts.limit,
      pid: opts.pid,
    });
    return { total: page.total, calls: page.calls.map(toRecord) };
  }
}

function toRecord(c: FunctionCall): CallRecord {
  const r: CallRecord = {
    index: c.call,
    mfa: c.mfa,
    pid: c.pid,
    time: c.time,
    args: c.args,
    outcome: c.outcome,
  };
  if (c.durationNs !== undefined) r.durationNs = c.durationNs;
  return r;
}

export function sameMfa(a: Mfa | undefined, b: Mfa): boolean {
  return a !== undefined && a.fun === b.fun && a.arity === b.arity && a.module === b.module;
}
