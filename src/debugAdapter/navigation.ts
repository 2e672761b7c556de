// Moving through time: steps of every granularity both ways, continue and reverse continue to the
// nearest breakpoint hit, restarting a frame, and goto targets on a source line.

import type { DebugProtocol } from "@vscode/debugprotocol";
import { describeEvent } from "../core/describe";
import { Breakpoints } from "./breakpoints";
import { AdapterError } from "./errors";
import { InspectionSession } from "./inspection";
import type { Move } from "./sessionBase";

export abstract class NavigationSession extends InspectionSession {
  // ── moving through time ────────────────────────────────────────────────────

  protected override nextRequest(
    response: DebugProtocol.NextResponse,
    args: DebugProtocol.NextArguments,
  ): void {
    this.move(response, () =>
      this.stepFrom(args.threadId, args.granularity === "instruction" ? "instruction" : "over", true),
    );
  }

  protected override stepInRequest(
    response: DebugProtocol.StepInResponse,
    args: DebugProtocol.StepInArguments,
  ): void {
    this.move(response, () =>
      this.stepFrom(args.threadId, args.granularity === "instruction" ? "instruction" : "in", true),
    );
  }

  protected override stepOutRequest(
    response: DebugProtocol.StepOutResponse,
    args: DebugProtocol.StepOutArguments,
  ): void {
    this.move(response, () => this.stepFrom(args.threadId, "out", true));
  }

  protected override stepBackRequest(
    response: DebugProtocol.StepBackResponse,
    args: DebugProtocol.StepBackArguments,
  ): void {
    this.move(response, () =>
      this.stepFrom(args.threadId, args.granularity === "instruction" ? "instruction" : "over", false),
    );
  }

  protected override continueRequest(
    response: DebugProtocol.ContinueResponse,
    args: DebugProtocol.ContinueArguments,
  ): void {
    response.body = { allThreadsContinued: true };
    this.move(response, () => {
      this.ctx.threads.pidOfThread(args.threadId);
      return this.runTo(true);
    });
  }

  protected override reverseContinueRequest(
    response: DebugProtocol.ReverseContinueResponse,
    args: DebugProtocol.ReverseContinueArguments,
  ): void {
    this.move(response, () => {
      this.ctx.threads.pidOfThread(args.threadId);
      return this.runTo(false);
    });
  }

  /**
   * One step of the thread asked for (from its latest event at or before the current moment), or with
   * `instruction` granularity one event of any debugged process. At an end it stays, and says so.
   */
  protected stepFrom(threadId: unknown, how: "in" | "over" | "out" | "instruction", forward: boolean): Move {
    const { replay: r, threads, label } = this.ctx;
    if (how === "instruction") {
      const d = forward ? 1 : -1;
      let i = this.current + d;
      while (i >= 0 && i < r.eventCount && !threads.isDebugged(r.pidOf(i))) i += d;
      if (i >= 0 && i < r.eventCount) return { index: i, reason: "step" };
      return { index: this.current, reason: "step", note: `${forward ? "End" : "Start"} of the recording.` };
    }
    const pid = threadId === undefined ? r.pidOf(this.current) : threads.pidOfThread(threadId);
    const from = this.momentOf(pid);
    const dir = forward ? "forward" : "backward";
    // Where the call structure gives no step (before the process's first traced call, after its last
    // return, or out of its outermost frame), the process's next (previous) event is the step: a step
    // moves whenever there is anywhere to go.
    const to =
      from === undefined
        ? undefined
        : (r.step(from, how, dir) ?? r.nextInProcess(from, dir) ?? this.anyDebugged(from, forward));
    if (to !== undefined) return { index: to, reason: "step" };
    const what =
      how === "out" ? "no caller frame to step out to" : `no ${forward ? "later" : "earlier"} event`;
    return {
      index: this.current,
      reason: "step",
      note: `${label(pid)}: ${what}${forward ? "" : " (going back)"}; staying at seq ${r.event(this.current).seq}.`,
    };
  }

  /** The nearest event of any debugged process after (before) `from`. */
  protected anyDebugged(from: number, forward: boolean): number | undefined {
    const { replay: r, threads } = this.ctx;
    const d = forward ? 1 : -1;
    for (let i = from + d; i >= 0 && i < r.eventCount; i += d) if (threads.isDebugged(r.pidOf(i))) return i;
    return undefined;
  }

  /** To the nearest breakpoint hit after (before) the current moment, else to the end (start). */
  protected runTo(forward: boolean, fromStart = false): Move {
    const { replay: r, breakpoints } = this.ctx;
    // Running from entry includes the entry event itself.
    const from = fromStart && forward ? this.current - 1 : this.current;
    const hit = from < 0 ? this.firstHit() : breakpoints.next(from, forward);
    if (hit) return { index: hit.index, reason: hit.reason, hitBreakpointIds: hit.ids };
    const edge = forward ? r.eventCount - 1 : 0;
    return {
      index: edge,
      reason: "step",
      description: `${forward ? "End" : "Start"} of the recording`,
      note: `${forward ? "End" : "Start"} of the recording: no breakpoint ${forward ? "after" : "before"} seq ${r.event(this.current).seq}.`,
    };
  }

  /** The first hit at or after event 0 (breakpoint search is strictly after its start). */
  protected firstHit(): ReturnType<Breakpoints["next"]> {
    const { breakpoints } = this.ctx;
    const later = breakpoints.next(0, true);
    const atZero = this.r.eventCount > 1 ? breakpoints.next(1, false) : undefined;
    return atZero && atZero.index === 0 ? atZero : later;
  }

  protected override restartFrameRequest(
    response: DebugProtocol.RestartFrameResponse,
    args: DebugProtocol.RestartFrameArguments,
  ): void {
    this.move(response, () => {
      const { frame } = this.frameOf(args.frameId);
      if (frame.callIndex === undefined)
        throw new AdapterError(`${frame.name}: the recording does not hold where this frame was entered`);
      return { index: frame.callIndex, reason: "restart", description: "Restarted frame" };
    });
  }

  protected override gotoTargetsRequest(
    response: DebugProtocol.GotoTargetsResponse,
    args: DebugProtocol.GotoTargetsArguments,
  ): void {
    this.answer(response, () => {
      const { replay: r, paths, threads, label } = this.ctx;
      if (!args.source?.path) throw new AdapterError("gotoTargets needs a source with a path");
      const file = paths.toRecorded(args.source.path);
      const events = r
        .eventsAt(file, this.convertClientLineToDebugger(args.line))
        .filter((i) => r.kindOf(i) === "call" && threads.isDebugged(r.pidOf(i)));
      // The nearest after the current moment first (a client jumps to the first target), then going back.
      const after = events.filter((i) => i > this.current);
      const before = events.filter((i) => i <= this.current).reverse();
      return {
        targets: [...after, ...before].slice(0, 100).map((i) => {
          const e = r.event(i);
          return {
            id: i + 1,
            label: `seq ${e.seq} ${r.timeLabel(i)} ${label(e.pid)}: ${describeEvent(e, { width: 80, termStyle: r.termStyle() })}`,
            line: args.line,
          };
        }),
      };
    });
  }

  protected override gotoRequest(
    response: DebugProtocol.GotoResponse,
    args: DebugProtocol.GotoArguments,
  ): void {
    this.move(response, () => {
      if (!Number.isInteger(args.targetId) || args.targetId < 1 || args.targetId > this.r.eventCount)
        throw new AdapterError(`no goto target ${args.targetId}`);
      return { index: args.targetId - 1, reason: "goto" };
    });
  }
}
