// Breakpoint requests over DAP: line breakpoints and logpoints (printed at once, every hit in the
// recording), breakpoint locations, function, exception and data breakpoints.

import { basename } from "node:path";
import { OutputEvent } from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { type StateTarget } from "../core/inspect/stateTargets";
import { type DataTarget, type LogLine } from "./breakpoints";
import { LaunchSession } from "./launch";
import { MAX_LOG_LINES } from "./sessionBase";

export abstract class BreakpointSession extends LaunchSession {
  // ── breakpoints ────────────────────────────────────────────────────────────

  protected override setBreakPointsRequest(
    response: DebugProtocol.SetBreakpointsResponse,
    args: DebugProtocol.SetBreakpointsArguments,
  ): void {
    let logs: LogLine[] = [];
    this.answer(response, () => {
      const wanted = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
      if (!this.loaded || !args.source?.path)
        return {
          breakpoints: wanted.map((b) => ({
            verified: false,
            line: b.line,
            message: this.loaded ? "the source has no path" : "no recording is loaded yet",
          })),
        };
      const set = this.ctx.breakpoints.setSource(this.ctx.paths.toRecorded(args.source.path), wanted);
      logs = set.logs;
      return { breakpoints: set.breakpoints };
    });
    for (const l of logs.slice(0, MAX_LOG_LINES)) this.printLog(l, args.source.path!);
    if (logs.length > MAX_LOG_LINES)
      this.say(
        `[logpoints] ${logs.length - MAX_LOG_LINES} more lines not printed (the first ${MAX_LOG_LINES} were): add a condition or a hit count to narrow them`,
      );
  }

  /** One logpoint line: `[seq 120] text`, with the logpoint's source line and the moment to move to. */
  protected printLog(l: LogLine, path: string): void {
    const r = this.r;
    const e = r.event(l.index);
    const ev = new OutputEvent(`[seq ${e.seq}] ${l.text}\n`, "console") as DebugProtocol.OutputEvent;
    ev.body.source = { name: basename(path), path };
    ev.body.line = l.line;
    ev.body.column = 1;
    ev.body.data = { seq: e.seq, index: l.index, position: r.positionOf(l.index) };
    this.sendEvent(ev);
  }

  protected override breakpointLocationsRequest(
    response: DebugProtocol.BreakpointLocationsResponse,
    args: DebugProtocol.BreakpointLocationsArguments,
  ): void {
    this.answer(response, () => {
      if (!args.source?.path) return { breakpoints: [] };
      const last = args.endLine ?? args.line;
      const lines = this.r.linesWithEvents(this.ctx.paths.toRecorded(args.source.path));
      return { breakpoints: lines.filter((l) => l >= args.line && l <= last).map((line) => ({ line })) };
    });
  }

  protected override setFunctionBreakPointsRequest(
    response: DebugProtocol.SetFunctionBreakpointsResponse,
    args: DebugProtocol.SetFunctionBreakpointsArguments,
  ): void {
    this.answer(response, () => ({ breakpoints: this.ctx.breakpoints.setFunctions(args.breakpoints ?? []) }));
  }

  protected override setExceptionBreakPointsRequest(
    response: DebugProtocol.SetExceptionBreakpointsResponse,
    args: DebugProtocol.SetExceptionBreakpointsArguments,
  ): void {
    this.answer(response, () => ({
      breakpoints: this.ctx.breakpoints.setExceptions(args.filters ?? [], args.filterOptions ?? []),
    }));
  }

  protected override dataBreakpointInfoRequest(
    response: DebugProtocol.DataBreakpointInfoResponse,
    args: DebugProtocol.DataBreakpointInfoArguments,
  ): void {
    this.answer(response, () => {
      let target: StateTarget | undefined;
      try {
        target = this.stateTarget(args.variablesReference, args.name, args.frameId);
      } catch {
        target = undefined;
      }
      if (!target)
        return {
          dataId: null,
          description:
            "only a value inside a process's state can be watched (Process state, or state.seats[12])",
        };
      const id = `${target.pid}:${this.dataIds.size}:${target.text}`;
      this.dataIds.set(id, target);
      return {
        dataId: id,
        description: `${target.text} changes`,
        accessTypes: ["write" as const],
        canPersist: false,
      };
    });
  }

  protected override setDataBreakpointsRequest(
    response: DebugProtocol.SetDataBreakpointsResponse,
    args: DebugProtocol.SetDataBreakpointsArguments,
  ): void {
    this.answer(response, () => {
      const wanted = (args.breakpoints ?? []).map((b): DataTarget | undefined => {
        const t = this.dataIds.get(b.dataId);
        return t && { ...t, condition: b.condition, hitCondition: b.hitCondition };
      });
      const resolved = this.ctx.breakpoints.setData(wanted.filter((w): w is DataTarget => w !== undefined));
      return {
        breakpoints: wanted.map((w) =>
          w === undefined
            ? { verified: false, message: "unknown data id (ask dataBreakpointInfo for one)" }
            : resolved.shift()!,
        ),
      };
    });
  }
}
