// Breakpoint requests over DAP: line breakpoints and logpoints (every hit in the recording: the first
// page printed at once, the rest streamed in chunks that yield to other requests), breakpoint
// locations, function, exception and data breakpoints.

import { basename } from "node:path";
import { OutputEvent } from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { type StateTarget } from "../core/inspect/stateTargets";
import { type DataTarget, type LogLine, type PendingLogs } from "./breakpoints";
import { AdapterError } from "./errors";
import { LaunchSession } from "./launch";
import { MAX_LOG_LINES } from "./sessionBase";

/** Logpoint lines printed before the request's turn ends; later chunks wait for the event loop. */
const LOG_PAGE = 100;
const LOG_CHUNK = 250;

export abstract class BreakpointSession extends LaunchSession {
  // ── breakpoints ────────────────────────────────────────────────────────────

  protected override setBreakPointsRequest(
    response: DebugProtocol.SetBreakpointsResponse,
    args: DebugProtocol.SetBreakpointsArguments,
  ): void {
    let logs: PendingLogs | undefined;
    this.answer(response, () => {
      const given = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
      if (!Array.isArray(given) || given.some((b) => b === null || typeof b !== "object"))
        throw new AdapterError('setBreakpoints: "breakpoints" must be a list of {"line": N}');
      // Lines a client sent that are no lines are answered as such, never echoed back as numbers.
      const base = this.convertClientLineToDebugger(1) === 1 ? 1 : 0;
      const valid = (l: unknown): l is number => Number.isSafeInteger(l) && (l as number) >= base;
      const out: DebugProtocol.Breakpoint[] = given.map((b) =>
        valid(b.line)
          ? { verified: false }
          : { verified: false, message: `line ${JSON.stringify(b.line)} is not a line number` },
      );
      const wanted = given
        .map((b, i) => ({ b, i }))
        .filter(({ b }) => valid(b.line))
        .map(({ b, i }) => ({ i, bp: { ...b, line: this.convertClientLineToDebugger(b.line) } }));
      if (!this.loaded || !args.source?.path) {
        for (const { i, bp } of wanted)
          out[i] = {
            verified: false,
            line: this.convertDebuggerLineToClient(bp.line),
            message: this.loaded ? "the source has no path" : "no recording is loaded yet",
          };
        return { breakpoints: out };
      }
      const set = this.ctx.breakpoints.setSource(
        this.ctx.paths.toRecorded(args.source.path),
        wanted.map((w) => w.bp),
      );
      set.breakpoints.forEach((bp, k) => {
        out[wanted[k].i] =
          bp.line === undefined ? bp : { ...bp, line: this.convertDebuggerLineToClient(bp.line) };
      });
      logs = set.logs;
      return { breakpoints: out };
    });
    if (logs && logs.count > 0) this.streamLogs(logs, args.source!.path!);
  }

  /**
   * Prints a logpoint's first page now and the rest a chunk per event-loop turn, so that stepping and
   * other requests are answered meanwhile; stops when the session ends or the logpoint is removed.
   */
  private streamLogs(logs: PendingLogs, path: string): void {
    const end = Math.min(logs.count, MAX_LOG_LINES);
    const loaded = this.loaded;
    const print = (from: number, to: number): boolean => {
      try {
        const lines = logs.lines(from, to);
        this.batched(() => {
          for (const l of lines) this.printLog(l, path);
        });
        return true;
      } catch (e) {
        // The recording was closed under the stream (the session ended): nothing left to print to.
        this.log.error(`logpoint output stopped: ${e instanceof Error ? e.message : String(e)}`);
        return false;
      }
    };
    if (!print(0, Math.min(end, LOG_PAGE))) return;
    const rest = (from: number): void => {
      if (this.disconnected || this.loaded !== loaded) return;
      if (from < end) {
        if (print(from, Math.min(end, from + LOG_CHUNK))) setImmediate(rest, from + LOG_CHUNK);
      } else if (logs.count > MAX_LOG_LINES)
        this.say(
          `[logpoints] ${logs.count - MAX_LOG_LINES} more lines not printed (the first ${MAX_LOG_LINES} were): add a condition or a hit count to narrow them`,
        );
    };
    if (end > LOG_PAGE || logs.count > MAX_LOG_LINES) setImmediate(rest, LOG_PAGE);
  }

  /** One logpoint line: `[seq 120] text`, with the logpoint's source line and the moment to move to. */
  protected printLog(l: LogLine, path: string): void {
    const r = this.r;
    const seq = r.seqOf(l.index);
    const ev = new OutputEvent(`[seq ${seq}] ${l.text}\n`, "console") as DebugProtocol.OutputEvent;
    ev.body.source = { name: basename(path), path };
    ev.body.line = this.convertDebuggerLineToClient(l.line);
    ev.body.column = this.convertDebuggerColumnToClient(1);
    ev.body.data = { seq, index: l.index, position: r.positionOf(l.index) };
    this.sendEvent(ev);
  }

  protected override breakpointLocationsRequest(
    response: DebugProtocol.BreakpointLocationsResponse,
    args: DebugProtocol.BreakpointLocationsArguments,
  ): void {
    this.answer(response, () => {
      if (!args.source?.path) return { breakpoints: [] };
      const first = this.convertClientLineToDebugger(args.line);
      const last = this.convertClientLineToDebugger(args.endLine ?? args.line);
      const lines = this.r.linesWithEvents(this.ctx.paths.toRecorded(args.source.path));
      return {
        breakpoints: lines
          .filter((l) => l >= first && l <= last)
          .map((line) => ({ line: this.convertDebuggerLineToClient(line) })),
      };
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
