// The time-travel debug session: a recording replayed over the Debug Adapter Protocol. The current
// moment is one event; processes are threads; the stack, arguments, GenServer state and message at
// that moment fill the usual views; every step, continue and breakpoint works forward and backward.
// No `vscode` import: VS Code runs it inline, `elixirscope dap` runs it over stdio, any client can.
//
// Custom requests (DAP has one reverse step only):
//   elixirscope/goto {seq, file?} | {position} | {index} | {moment}   move there (hovers, the diagram, logpoint lines)
//   elixirscope/position                                             → {position, seq, index, threadId, time}
//   elixirscope/reverseStepIn [{threadId}]                           back into the last call that returned
//   elixirscope/reverseStepOut [{threadId}]                          back to the call that entered this frame
//   elixirscope/lastChange {variablesReference, name} | {expression} | {pid, path}
//                                                                    back to where that state value was last written;
//                                                                    asked again from there, the change before
// and a custom event `elixirscope/moment` {index, seq, position, threadId, time} after every move.

import { basename } from "node:path";
import {
  Event,
  InitializedEvent,
  InvalidatedEvent,
  LoggingDebugSession,
  OutputEvent,
  ProgressEndEvent,
  ProgressStartEvent,
  ProgressUpdateEvent,
  Response,
  StoppedEvent,
  TerminatedEvent,
} from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { describeEvent, formatTime } from "../core/describe";
import { Replay } from "../core/replay";
import { mfaLabel, moduleLabel } from "../core/store/eventDecode";
import { inspect } from "../core/terms/inspect";
import { Breakpoints, type DataTarget, EXCEPTION_FILTERS, type LogLine } from "./breakpoints";
import { completions } from "./completions";
import type { Scope } from "./condition";
import { AdapterError, errorText } from "./errors";
import { evaluate } from "./evaluate";
import { EventScopes } from "./eventScope";
import { exceptionInfo, exceptionSummary } from "./exceptions";
import { type ViewFrame, viewStack } from "./frames";
import { type LaunchArgs, parseLaunchArgs } from "./launchArgs";
import { configureLogging, log } from "./logger";
import { parseMoment, resolveMoment } from "../core/moment";
import { PathMapper } from "./paths";
import { frameScopes } from "./scopes";
import { type StateTarget, targetOfExpression, targetOfPidPath, targetOfVariable } from "./stateTargets";
import { selectProcesses, ThreadDirectory } from "./threads";
import { VariableStore } from "./variables";

type StopReason =
  | "entry"
  | "step"
  | "breakpoint"
  | "function breakpoint"
  | "exception"
  | "data breakpoint"
  | "goto"
  | "end of recording"
  | "start of recording";

interface Move {
  index: number;
  reason: StopReason;
  hitBreakpointIds?: number[];
  /** Said in the Debug Console with the stop (why it stopped where it did). */
  note?: string;
}

/** Everything that exists once a recording is loaded. */
interface Loaded {
  replay: Replay;
  args: LaunchArgs;
  paths: PathMapper;
  threads: ThreadDirectory;
  scopes: EventScopes;
  breakpoints: Breakpoints;
  label: (pid: number) => string;
}

/** Requests that need a loaded recording; before `launch` has loaded one they get an error. */
const NEEDS_RECORDING = new Set([
  "stackTrace",
  "scopes",
  "variables",
  "next",
  "stepIn",
  "stepOut",
  "stepBack",
  "continue",
  "reverseContinue",
  "restartFrame",
  "goto",
  "gotoTargets",
  "evaluate",
  "completions",
  "dataBreakpointInfo",
  "setDataBreakpoints",
  "setFunctionBreakpoints",
  "setExceptionBreakpoints",
  "exceptionInfo",
  "breakpointLocations",
]);

const PROGRESS_ID = "elixirscope-load";
/** Logpoint lines printed at once at most: a client's console is not made for hundreds of thousands. */
const MAX_LOG_LINES = 10_000;

export class ElixirScopeSession extends LoggingDebugSession {
  private loaded?: Loaded;
  private current = 0;
  private client: DebugProtocol.InitializeRequestArguments = { adapterID: "elixirscope" };
  private readonly vars = new VariableStore();
  /** Frame ids of the current stop: id - 1 → where the frame was shown. */
  private frames: Array<{ at: number; frame: ViewFrame; level: number }> = [];
  private stackCache = new Map<number, ViewFrame[]>();
  /** Data breakpoint ids handed out by dataBreakpointInfo. */
  private readonly dataIds = new Map<string, StateTarget>();
  /** Where the last `lastChange` landed, so that asking again from there goes further back. */
  private lastChangeAt?: { key: string; index: number };
  private configured = false;
  private onStreams = false;
  private loading = false;
  /** Set by `disconnect`: a load still under way is dropped when it finishes. */
  private disconnected = false;
  private pendingStart?: "entry" | "run";

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  override start(inStream: NodeJS.ReadableStream, outStream: NodeJS.WritableStream): void {
    super.start(inStream, outStream);
    this.onStreams = true;
    configureLogging("error");
  }

  protected override dispatchRequest(request: DebugProtocol.Request): void {
    if (!this.loaded && NEEDS_RECORDING.has(request.command)) {
      const response = new Response(request);
      this.sendErrorResponse(response, {
        id: 1000,
        format: `${request.command}: no recording is loaded (launch with a "trace" first)`,
        showUser: false,
      });
      return;
    }
    super.dispatchRequest(request);
  }

  // ── plumbing ───────────────────────────────────────────────────────────────

  private get r(): Replay {
    if (!this.loaded) throw new AdapterError("no recording is loaded");
    return this.loaded.replay;
  }

  private get ctx(): Loaded {
    if (!this.loaded) throw new AdapterError("no recording is loaded");
    return this.loaded;
  }

  /** Answers with the body `compute` returns, or with a one-line error when it throws. */
  private answer<R extends DebugProtocol.Response>(response: R, compute: () => R["body"]): void {
    try {
      response.body = compute();
    } catch (e) {
      this.fail(response, e);
      return;
    }
    this.sendResponse(response);
  }

  private fail(response: DebugProtocol.Response, e: unknown, showUser = false): void {
    this.sendErrorResponse(response, { id: 2000, format: errorText(e, response.command), showUser });
  }

  /** Answers a move: the response first, then the stop where `target` says (nothing moves on an error). */
  private move(response: DebugProtocol.Response, target: () => Move, fromOutside = false): void {
    let m: Move;
    try {
      m = target();
    } catch (e) {
      this.fail(response, e);
      return;
    }
    this.sendResponse(response);
    if (m.note) this.say(m.note);
    this.stopAt(m, fromOutside);
  }

  private say(text: string, category = "console"): void {
    this.sendEvent(new OutputEvent(`${text}\n`, category));
  }

  private stopAt(m: Move, fromOutside: boolean): void {
    const r = this.r;
    this.current = m.index;
    this.vars.reset();
    this.frames = [];
    this.stackCache.clear();
    const e = r.event(m.index);
    const ev = new StoppedEvent(m.reason, ThreadDirectory.threadId(e.pid)) as DebugProtocol.StoppedEvent;
    ev.body.allThreadsStopped = true;
    ev.body.description = `Paused on ${m.reason} at seq ${e.seq}`;
    if (m.hitBreakpointIds?.length) ev.body.hitBreakpointIds = m.hitBreakpointIds;
    if (m.reason === "exception") ev.body.text = exceptionSummary(r, m.index, this.ctx.label);
    this.sendEvent(ev);
    this.sendEvent(
      new Event("elixirscope/moment", {
        index: m.index,
        seq: e.seq,
        position: r.positionOf(m.index),
        threadId: ThreadDirectory.threadId(e.pid),
        time: e.time,
      }),
    );
    if (fromOutside && this.client.supportsInvalidatedEvent)
      this.sendEvent(new InvalidatedEvent(["threads", "stacks", "variables"]));
  }

  // ── session life ───────────────────────────────────────────────────────────

  protected override initializeRequest(
    response: DebugProtocol.InitializeResponse,
    args: DebugProtocol.InitializeRequestArguments,
  ): void {
    this.client = args;
    // Inline in the extension host nothing called `start`: the library's logger needs its client here.
    if (!this.onStreams) configureLogging("error", (e) => this.sendEvent(e));
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsSteppingGranularity: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsFunctionBreakpoints: true,
      supportsDataBreakpoints: true,
      supportsBreakpointLocationsRequest: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS,
      supportsExceptionFilterOptions: true,
      supportsExceptionInfoRequest: true,
      supportsEvaluateForHovers: true,
      supportsClipboardContext: true,
      supportsCompletionsRequest: true,
      completionTriggerCharacters: [".", "="],
      supportsGotoTargetsRequest: true,
      supportsRestartFrame: true,
      supportsLoadedSourcesRequest: true,
      supportsDelayedStackTraceLoading: true,
      supportsValueFormattingOptions: false,
      supportsSetVariable: false,
    };
    this.sendResponse(response);
  }

  protected override async launchRequest(
    response: DebugProtocol.LaunchResponse,
    raw: unknown,
  ): Promise<void> {
    const progress = this.client.supportsProgressReporting === true;
    let started = false;
    try {
      if (this.loaded || this.loading)
        throw new AdapterError(
          "this session has launched already: start a new session for another recording",
        );
      const args = parseLaunchArgs(raw);
      configureLogging(args.logLevel);
      log.info(`launch ${args.trace.join(", ")}`);
      if (progress) {
        this.sendEvent(
          new ProgressStartEvent(PROGRESS_ID, `Loading ${args.trace.map((t) => basename(t)).join(", ")}`),
        );
        started = true;
      }
      let lastPercent = -1;
      this.loading = true;
      const replay = await Replay.open(args.trace, {
        worker: true,
        onProgress: (p) => {
          if (!progress) return;
          const percent = p.bytesTotal > 0 ? Math.floor((100 * p.bytesRead) / p.bytesTotal) : 0;
          if (percent === lastPercent) return;
          lastPercent = percent;
          const ev = new ProgressUpdateEvent(PROGRESS_ID, `${p.events.toLocaleString("en-US")} events`);
          (ev as DebugProtocol.ProgressUpdateEvent).body.percentage = percent;
          this.sendEvent(ev);
        },
      });
      if (started)
        this.sendEvent(
          new ProgressEndEvent(PROGRESS_ID, `${replay.eventCount.toLocaleString("en-US")} events`),
        );
      started = false;
      this.loading = false;
      if (this.disconnected) {
        replay.close();
        return;
      }
      this.loaded = this.setUp(replay, args);
      response.body = {};
      this.sendResponse(response);
      this.pendingStart = args.stopOnEntry ? "entry" : "run";
      this.sendEvent(new InitializedEvent());
      if (this.configured) this.begin();
    } catch (e) {
      this.loading = false;
      if (started) this.sendEvent(new ProgressEndEvent(PROGRESS_ID, "failed"));
      this.sendErrorResponse(response, {
        id: 1001,
        format: `ElixirScope: ${errorText(e, "launch")}`,
        showUser: true,
      });
      this.sendEvent(new TerminatedEvent());
    }
  }

  /** Indexes what the session needs of a freshly loaded recording; throws when it cannot be debugged as asked. */
  private setUp(replay: Replay, args: LaunchArgs): Loaded {
    try {
      if (replay.eventCount === 0)
        throw new AdapterError(`${args.trace.join(", ")}: the recording holds no events`);
      const problems = replay.problems;
      if (replay.indexStatus.note) this.say(`note: ${replay.indexStatus.note}`, "stderr");
      for (const p of problems.slice(0, 20)) this.say(`warning: ${p.text}`, "stderr");
      if (problems.length > 20)
        this.say(`warning: ${problems.length - 20} more damaged frames skipped`, "stderr");
      const allowed = args.processes ? selectProcesses(replay, args.processes) : undefined;
      const sources = [...new Set([...replay.modules().map((m) => m.source), ...replay.sourceFiles()])];
      const threads = new ThreadDirectory(replay, allowed);
      const scopes = new EventScopes(replay);
      const label = (pid: number): string => threads.nameAt(replay.process(pid), this.current);
      const loaded: Loaded = {
        replay,
        args,
        paths: new PathMapper(args.pathMappings, args.sourceRoot, sources),
        threads,
        scopes,
        label,
        breakpoints: new Breakpoints(
          replay,
          scopes,
          (pid) => threads.isDebugged(pid),
          (text) => this.say(text, "stderr"),
        ),
      };
      this.current = args.startAt ? resolveMoment(replay, args.startAt) : this.firstDebugged(replay, threads);
      return loaded;
    } catch (e) {
      replay.close();
      throw e;
    }
  }

  /** Where a session starts without `startAt`: the first event, or the first of a debugged process. */
  private firstDebugged(r: Replay, threads: ThreadDirectory): number {
    if (!threads.allowed) return 0;
    const firsts = [...threads.allowed].map((p) => r.process(p).firstEvent).filter((i) => i >= 0);
    return firsts.length ? Math.min(...firsts) : 0;
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.configured = true;
    if (this.loaded) this.begin();
  }

  /** After launch and configuration: stop on entry, or run to the first breakpoint. */
  private begin(): void {
    const how = this.pendingStart;
    this.pendingStart = undefined;
    if (how === "entry") this.stopAt({ index: this.current, reason: "entry" }, false);
    else if (how === "run") {
      const m = this.runTo(true, true);
      if (m.note) this.say(m.note);
      this.stopAt(m, false);
    }
  }

  protected override disconnectRequest(
    response: DebugProtocol.DisconnectResponse,
    args: DebugProtocol.DisconnectArguments,
  ): void {
    log.info("disconnect");
    this.disconnected = true;
    this.loaded?.replay.close();
    this.loaded = undefined;
    // Answers, then ends the process when it runs on its own (not inline in the extension host).
    super.disconnectRequest(response, args);
  }

  // ── where we are ───────────────────────────────────────────────────────────

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    this.answer(response, () => ({
      threads: this.loaded ? this.loaded.threads.threadsAt(this.current) : [],
    }));
  }

  /** The event that stands for a process at the current moment: its latest event at or before it. */
  private momentOf(pid: number): number | undefined {
    const r = this.r;
    if (r.pidOf(this.current) === pid) return this.current;
    return r.getEventIndices({ pids: [pid], indexRange: { to: this.current }, order: "desc", limit: 1 })[0];
  }

  private stackOf(at: number): ViewFrame[] {
    let s = this.stackCache.get(at);
    if (!s) this.stackCache.set(at, (s = viewStack(this.r, at, this.outsideName(this.r.pidOf(at)))));
    return s;
  }

  /** The frame of a process between traced calls: its server loop, or its initial call. */
  private outsideName(pid: number): string {
    const p = this.r.process(pid);
    if (p.module) return `${moduleLabel(p.module)} (server loop, not traced)`;
    if (p.initialCall) return `${mfaLabel(p.initialCall)} (not traced)`;
    return "(outside traced functions)";
  }

  protected override stackTraceRequest(
    response: DebugProtocol.StackTraceResponse,
    args: DebugProtocol.StackTraceArguments,
  ): void {
    this.answer(response, () => {
      const at = this.momentOf(this.ctx.threads.pidOfThread(args.threadId));
      if (at === undefined) return { stackFrames: [], totalFrames: 0 };
      const frames = this.stackOf(at);
      const start = Math.max(0, args.startFrame ?? 0);
      const end = args.levels ? Math.min(frames.length, start + args.levels) : frames.length;
      const out: DebugProtocol.StackFrame[] = [];
      for (let level = start; level < end; level++) out.push(this.dapFrame(at, frames[level], level));
      return { stackFrames: out, totalFrames: frames.length };
    });
  }

  private dapFrame(at: number, f: ViewFrame, level: number): DebugProtocol.StackFrame {
    // The same frame keeps its id through a stop, however often the client asks for the stack.
    let id = this.frames.findIndex((x) => x.at === at && x.level === level) + 1;
    if (id === 0) id = this.frames.push({ at, frame: f, level });
    const local = f.location && this.ctx.paths.toLocal(f.location.file);
    const frame: DebugProtocol.StackFrame = {
      id,
      name: f.name,
      line: 0,
      column: 0,
      canRestart: f.callIndex !== undefined,
    };
    if (f.location && local) {
      frame.source = {
        name: basename(local),
        path: local,
        presentationHint: f.untraced ? "deemphasize" : undefined,
      };
      frame.line = f.location.line;
      frame.column = 1;
    } else if (f.location) frame.name += ` (${f.location.file}:${f.location.line}, not in this workspace)`;
    else if (f.mfa) frame.name += " (no source recorded)";
    if (f.approximate) frame.name += " (line unknown: showing the function's definition)";
    if (f.untraced || f.approximate || (f.location && !local)) frame.presentationHint = "subtle";
    return frame;
  }

  private frameOf(frameId: number | undefined): { at: number; frame: ViewFrame; level: number } {
    if (frameId === undefined) {
      const frames = this.stackOf(this.current);
      return { at: this.current, frame: frames[0], level: 0 };
    }
    const f = this.frames[frameId - 1];
    if (!f) throw new AdapterError(`no frame ${frameId} at this moment (frames change when the moment does)`);
    return f;
  }

  protected override scopesRequest(
    response: DebugProtocol.ScopesResponse,
    args: DebugProtocol.ScopesArguments,
  ): void {
    this.answer(response, () => {
      const { at, frame, level } = this.frameOf(args.frameId);
      return {
        scopes: frameScopes(
          { replay: this.r, vars: this.vars, label: this.ctx.label },
          at,
          frame,
          level === 0,
        ),
      };
    });
  }

  protected override variablesRequest(
    response: DebugProtocol.VariablesResponse,
    args: DebugProtocol.VariablesArguments,
  ): void {
    this.answer(response, () => {
      const c = this.vars.get(args.variablesReference);
      if (!c) throw new AdapterError(`no variables reference ${args.variablesReference} at this moment`);
      const start = args.start ?? 0;
      if (c.kind === "list") {
        if (args.filter === "indexed") return { variables: [] };
        return { variables: c.variables.slice(start, args.count ? start + args.count : undefined) };
      }
      return { variables: this.vars.children(c, args.filter, start, args.count || undefined) };
    });
  }

  protected override loadedSourcesRequest(response: DebugProtocol.LoadedSourcesResponse): void {
    this.answer(response, () => {
      if (!this.loaded) return { sources: [] };
      return {
        sources: this.r.modules().map((m) => {
          const local = this.ctx.paths.toLocal(m.source);
          return { name: m.module.replace(/^Elixir\./, ""), path: local ?? m.source };
        }),
      };
    });
  }

  protected override exceptionInfoRequest(
    response: DebugProtocol.ExceptionInfoResponse,
    args: DebugProtocol.ExceptionInfoArguments,
  ): void {
    this.answer(response, () =>
      exceptionInfo(this.r, this.momentOf(this.ctx.threads.pidOfThread(args.threadId)), this.ctx.label),
    );
  }

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

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    response.body = { allThreadsContinued: true };
    this.move(response, () => this.runTo(true));
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    this.move(response, () => this.runTo(false));
  }

  /**
   * One step of the thread asked for (from its latest event at or before the current moment), or with
   * `instruction` granularity one event of any debugged process. At an end it stays, and says so.
   */
  private stepFrom(threadId: unknown, how: "in" | "over" | "out" | "instruction", forward: boolean): Move {
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
    const to = from === undefined ? undefined : r.step(from, how, forward ? "forward" : "backward");
    if (to !== undefined) return { index: to, reason: "step" };
    const what =
      how === "out" ? "no caller frame to step out to" : `no ${forward ? "later" : "earlier"} event`;
    return {
      index: this.current,
      reason: "step",
      note: `${label(pid)}: ${what}${forward ? "" : " (going back)"}; staying at seq ${r.event(this.current).seq}.`,
    };
  }

  /** To the nearest breakpoint hit after (before) the current moment, else to the end (start). */
  private runTo(forward: boolean, fromStart = false): Move {
    const { replay: r, breakpoints } = this.ctx;
    // Running from entry includes the entry event itself.
    const from = fromStart && forward ? this.current - 1 : this.current;
    const hit = from < 0 ? this.firstHit() : breakpoints.next(from, forward);
    if (hit) return { index: hit.index, reason: hit.reason, hitBreakpointIds: hit.ids };
    const edge = forward ? r.eventCount - 1 : 0;
    return {
      index: edge,
      reason: forward ? "end of recording" : "start of recording",
      note: `${forward ? "End" : "Start"} of the recording: no breakpoint ${forward ? "after" : "before"} seq ${r.event(this.current).seq}.`,
    };
  }

  /** The first hit at or after event 0 (breakpoint search is strictly after its start). */
  private firstHit(): ReturnType<Breakpoints["next"]> {
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
      return { index: frame.callIndex, reason: "step" };
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
        .eventsAt(file, args.line)
        .filter((i) => r.kindOf(i) === "call" && threads.isDebugged(r.pidOf(i)));
      // The nearest after the current moment first (a client jumps to the first target), then going back.
      const after = events.filter((i) => i > this.current);
      const before = events.filter((i) => i <= this.current).reverse();
      return {
        targets: [...after, ...before].slice(0, 100).map((i) => {
          const e = r.event(i);
          return {
            id: i + 1,
            label: `seq ${e.seq} ${formatTime(e.time)} ${label(e.pid)}: ${describeEvent(e, { width: 80 })}`,
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
  private printLog(l: LogLine, path: string): void {
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

  /** What a data breakpoint watches: a Process state variable, or a `state...` expression at a frame. */
  private stateTarget(ref: number | undefined, name: string, frameId?: number): StateTarget | undefined {
    if (ref !== undefined) return targetOfVariable(this.r, this.vars, ref, name);
    return targetOfExpression(this.r, name, frameId !== undefined ? this.frameOf(frameId).at : this.current);
  }

  // ── the console, hovers, and custom requests ───────────────────────────────

  /** The names an expression sees in a frame: the event's, with that frame's own arguments. */
  private scopeOf(frameId: number | undefined): { at: number; scope: Scope } {
    const { at, frame } = this.frameOf(frameId);
    const r = this.r;
    const args = frame?.callIndex !== undefined ? r.event(frame.callIndex).args : undefined;
    return { at, scope: this.ctx.scopes.of(r.event(at), args) };
  }

  protected override evaluateRequest(
    response: DebugProtocol.EvaluateResponse,
    args: DebugProtocol.EvaluateArguments,
  ): void {
    let goto: number | undefined;
    this.answer(response, () => {
      const { at, scope } = this.scopeOf(args.frameId);
      const a = evaluate({ replay: this.r, scopes: this.ctx.scopes, at, scope }, args.expression);
      if ("text" in a) {
        goto = a.goto;
        return { result: a.text, variablesReference: 0 };
      }
      if (args.context === "clipboard")
        return {
          result: inspect(a.term, { limit: Infinity, printableLimit: Infinity }),
          variablesReference: 0,
        };
      const v = this.vars.variable(args.expression, a.term, args.expression.trim());
      return {
        result: v.value,
        type: v.type,
        variablesReference: v.variablesReference,
        namedVariables: v.namedVariables,
        indexedVariables: v.indexedVariables,
        presentationHint: v.presentationHint,
      };
    });
    if (goto !== undefined) this.stopAt({ index: goto, reason: "goto" }, true);
  }

  protected override completionsRequest(
    response: DebugProtocol.CompletionsResponse,
    args: DebugProtocol.CompletionsArguments,
  ): void {
    this.answer(response, () => {
      const { scope } = this.scopeOf(args.frameId);
      const column = this.convertClientColumnToDebugger(args.column);
      const targets = completions(this.r, scope, args.text ?? "", column).map((t) => ({
        ...t,
        start: this.convertDebuggerColumnToClient((t.start ?? 0) + 1),
      }));
      return { targets };
    });
  }

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    if (!command.startsWith("elixirscope/")) return super.customRequest(command, response, args);
    if (!this.loaded) return this.fail(response, new AdapterError(`${command}: no recording is loaded`));
    const a = (args ?? {}) as Record<string, unknown>;
    switch (command) {
      case "elixirscope/goto":
        return this.move(response, () => ({ index: this.gotoIndex(a), reason: "goto" }), true);
      case "elixirscope/position":
        return this.answer(response, () => {
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
      default:
        return this.fail(
          response,
          new AdapterError(
            `unknown request ${command} (elixirscope/goto, elixirscope/position, elixirscope/reverseStepIn, elixirscope/reverseStepOut, elixirscope/lastChange)`,
          ),
        );
    }
  }

  /** `{seq, file?}`, `{position}`, `{index}` or `{moment}` (any moment text, e.g. "first crash"). */
  private gotoIndex(a: Record<string, unknown>): number {
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

  /**
   * Back to where a value in a process's state was last written before now. Asked again while standing
   * where the last answer landed, it goes on to the change before that one.
   */
  private lastChange(a: Record<string, unknown>): Move {
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
