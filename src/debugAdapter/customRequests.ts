// The adapter's own requests (DAP has one reverse step only): goto a moment, the current position,
// reverse step in/out, the last change of a state value, the previous/next state change, and event
// search. What each takes and answers is typed in customProtocol.ts; arguments are checked here.

import type { DebugProtocol } from "@vscode/debugprotocol";
import { type StateTarget, targetOfPidPath } from "../core/inspect/stateTargets";
import { AdapterError } from "./errors";
import { parseMoment, resolveMoment } from "../core/moment";
import { ThreadDirectory } from "./threads";
import { searchEvents } from "../core/inspect/eventSearch";
import { BreakpointSession } from "./breakpointRequests";
import { CustomRequest, type PositionBody, type SearchEventsBody } from "./customProtocol";
import type { Move } from "./sessionBase";

export abstract class CustomRequestSession extends BreakpointSession {
  // ── the console, hovers, and custom requests ───────────────────────────────

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    if (!command.startsWith("elixirscope/")) return super.customRequest(command, response, args);
    if (!this.loaded) return this.fail(response, new AdapterError(`${command}: no recording is loaded`));
    const a = (args ?? {}) as Record<string, unknown>;
    switch (command) {
      case "elixirscope/goto":
        return this.move(response, () => ({ index: this.gotoIndex(a), reason: "goto" }), true);
      case "elixirscope/position":
        return this.answer(response, (): PositionBody => {
          const r = this.r;
          const e = r.event(this.current);
          return {
            position: r.positionOf(this.current),
            seq: e.seq,
            index: this.current,
            threadId: ThreadDirectory.threadId(e.pid),
            time: e.time,
          };
        });
      case "elixirscope/reverseStepIn":
      case "elixirscope/reverseStepOut":
        return this.move(response, () =>
          this.stepFrom(a.threadId, command.endsWith("In") ? "in" : "out", false),
        );
      case "elixirscope/lastChange":
        return this.move(response, () => this.lastChange(a));
      case "elixirscope/stateChange":
        return this.move(response, () => this.stateChange(a));
      case "elixirscope/searchEvents":
        return this.answer(response, (): SearchEventsBody => {
          if (typeof a.query !== "string")
            throw new AdapterError('elixirscope/searchEvents: "query" must be text');
          if (
            a.limit !== undefined &&
            (typeof a.limit !== "number" || !Number.isInteger(a.limit) || a.limit < 1)
          )
            throw new AdapterError('elixirscope/searchEvents: "limit" must be a positive integer');
          const { replay, scopes, label } = this.ctx;
          return searchEvents(replay, scopes, a.query, a.limit ?? 50, label);
        });
      default:
        return this.fail(
          response,
          new AdapterError(`unknown request ${command} (${Object.values(CustomRequest).join(", ")})`),
        );
    }
  }

  /** `{seq, file?}`, `{position}`, `{index}` or `{moment}` (any moment text, e.g. "first crash"). */
  protected gotoIndex(a: Record<string, unknown>): number {
    const r = this.r;
    if (typeof a.position === "string") return r.parsePosition(a.position);
    if (a.index !== undefined) {
      if (typeof a.index !== "number") throw new AdapterError("elixirscope/goto: index must be a number");
      return r.resolveMoment(a.index);
    }
    if (a.seq !== undefined) {
      if (typeof a.seq !== "number" || !Number.isInteger(a.seq))
        throw new AdapterError("elixirscope/goto: seq must be an integer");
      if (a.file !== undefined && typeof a.file !== "number")
        throw new AdapterError("elixirscope/goto: file must be a number");
      return r.resolveMoment({ seq: a.seq, file: a.file as number | undefined });
    }
    if (a.moment !== undefined) return resolveMoment(r, parseMoment(a.moment, "elixirscope/goto: moment"));
    throw new AdapterError(
      'elixirscope/goto needs {"seq": N}, {"position": "1a2b3c4d@N"}, {"index": N} or {"moment": "first crash"}',
    );
  }

  /** To the next (previous) change of the GenServer state of the thread's process. */
  protected stateChange(a: Record<string, unknown>): Move {
    const { replay: r, threads, label } = this.ctx;
    if (a.direction !== "forward" && a.direction !== "backward")
      throw new AdapterError('elixirscope/stateChange: "direction" must be "forward" or "backward"');
    const pid = a.threadId === undefined ? r.pidOf(this.current) : threads.pidOfThread(a.threadId);
    if (r.stateHistory(pid).length === 0)
      throw new AdapterError(`${label(pid)} has no recorded GenServer state`);
    const from = this.momentOf(pid) ?? this.current;
    const hit = r.findNext(from, a.direction, [{ kind: "stateChange", pid, path: [] }]);
    if (hit === undefined)
      throw new AdapterError(
        `${label(pid)}: no ${a.direction === "forward" ? "later" : "earlier"} state change`,
      );
    return { index: hit, reason: "step", description: "state change" };
  }

  /**
   * Back to where a value in a process's state was last written before now. Asked again while standing
   * where the last answer landed, it goes on to the change before that one.
   */
  protected lastChange(a: Record<string, unknown>): Move {
    const r = this.r;
    let target: StateTarget | undefined;
    if (a.pid !== undefined) target = targetOfPidPath(r, a.pid, a.path, "elixirscope/lastChange");
    else if (typeof a.expression === "string") target = this.stateTarget(undefined, a.expression);
    else if (typeof a.variablesReference === "number" && typeof a.name === "string")
      target = this.stateTarget(a.variablesReference, a.name);
    else
      throw new AdapterError(
        'elixirscope/lastChange needs {"variablesReference", "name"} of a Process state value, {"expression": "state.seats[12]"} or {"pid", "path"}',
      );
    if (!target)
      throw new AdapterError(
        "last change works on a value inside a process's state (the Process state scope, or an expression like state.seats[12])",
      );
    const key = `${target.pid}|${target.text}`;
    const again = this.lastChangeAt?.key === key && this.lastChangeAt.index === this.current;
    const hit = r.lastChange(target.pid, target.path, again ? this.current : this.current + 1);
    if (hit === undefined)
      throw new AdapterError(
        `${target.text} was not written ${again ? "before this change" : "before this moment"}`,
      );
    this.lastChangeAt = { key, index: hit };
    return {
      index: hit,
      reason: "data breakpoint",
      note: `${target.text}: last written at seq ${r.event(hit).seq}`,
    };
  }
}
