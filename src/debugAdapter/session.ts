// The time-travel debug session: a recording replayed over the Debug Adapter Protocol. The current
// moment is one event; processes are threads; the stack, arguments, GenServer state and message at
// that moment fill the usual views; every step, continue and breakpoint works forward and backward.
// No `vscode` import: VS Code runs it inline, `elixirscope dap` runs it over stdio.

import {
  Breakpoint,
  DebugSession,
  InitializedEvent,
  InvalidatedEvent,
  OutputEvent,
  ProgressEndEvent,
  ProgressStartEvent,
  ProgressUpdateEvent,
  Scope,
  Source,
  StackFrame,
  StoppedEvent,
  TerminatedEvent,
  Thread,
} from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { basename } from "node:path";
import { describeEvent, formatTime, processLabeler } from "../core/describe";
import { Replay } from "../core/replay";
import { mfaLabel } from "../core/store/eventDecode";
import { atom } from "../core/terms/build";
import { inspect } from "../core/terms/inspect";
import type { Term } from "../core/terms/term";
import type { ProcessInfo } from "../core/types";
import { Breakpoints, EXCEPTION_FILTERS } from "./breakpoints";
import { accessPath, parseExpr } from "./condition";
import { COMMANDS, evaluate, NAMES } from "./evaluate";
import { parseLaunchArgs, type LaunchRequestArguments } from "./launchArgs";
import { log } from "./logger";
import { PathMapper } from "./paths";
import { VariableStore, type Container } from "./variables";

type StopReason =
  "entry" | "step" | "breakpoint" | "function breakpoint" | "exception" | "data breakpoint" | "goto";

export class ElixirScopeSession extends DebugSession {
  private replay?: Replay;
  private current = 0;
  private paths = new PathMapper([]);
  private readonly vars = new VariableStore();
  private breakpoints?: Breakpoints;
  private allowed?: Set<number>;
  private supportsProgress = false;
  /** Frame ids of the current stop: frame id → [event index, frame level]. */
  private frames: Array<[number, number]> = [];
  /** Data breakpoint ids handed out by dataBreakpointInfo: id → what to watch. */
  private readonly dataIds = new Map<string, { pid: number; path: Term[]; text: string }>();
  /** Where "last change" last jumped from, so that asking again goes further back. */
  private lastChangeFrom?: { key: string; before: number };

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(
    response: DebugProtocol.InitializeResponse,
    args: DebugProtocol.InitializeRequestArguments,
  ): void {
    this.supportsProgress = args.supportsProgressReporting === true;
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsFunctionBreakpoints: true,
      supportsDataBreakpoints: true,
      supportsEvaluateForHovers: true,
      supportsCompletionsRequest: true,
      supportsGotoTargetsRequest: true,
      supportsRestartFrame: true,
      supportsLoadedSourcesRequest: true,
      supportsSteppingGranularity: true,
      supportsValueFormattingOptions: false,
      exceptionBreakpointFilters: EXCEPTION_FILTERS,
      completionTriggerCharacters: [".", " "],
    };
    this.sendResponse(response);
  }

  protected override async launchRequest(
    response: DebugProtocol.LaunchResponse,
    raw: DebugProtocol.LaunchRequestArguments,
  ): Promise<void> {
    try {
      const args = parseLaunchArgs(raw as LaunchRequestArguments);
      this.paths = new PathMapper(args.pathMappings, args.sourceRoot);
      const progressId = "elixirscope-load";
      if (this.supportsProgress)
        this.sendEvent(
          new ProgressStartEvent(progressId, `Loading ${args.trace.map((t) => basename(t)).join(", ")}`),
        );
      this.replay = await Replay.open(args.trace, {
        worker: true,
        onProgress: (p) => {
          if (this.supportsProgress)
            this.sendEvent(
              new ProgressUpdateEvent(
                progressId,
                `${p.events.toLocaleString("en-US")} events`,
              ) as DebugProtocol.ProgressUpdateEvent,
            );
        },
      });
      if (this.supportsProgress) this.sendEvent(new ProgressEndEvent(progressId));
      for (const p of this.replay.problems)
        this.sendEvent(new OutputEvent(`warning: ${p.text}\n`, "console"));
      if (this.replay.eventCount === 0)
        throw new Error(`${args.trace.join(", ")}: the recording holds no events`);
      if (args.processes) this.allowed = new Set(args.processes.map((p) => this.replay!.findProcess(p).id));
      this.breakpoints = new Breakpoints(this.replay);
      this.current = this.startAt(args.startAt);
      this.sendResponse(response);
      this.sendEvent(new InitializedEvent());
      this.pendingStop = args.stopOnEntry ? "entry" : "continue";
    } catch (e) {
      this.sendErrorResponse(response, {
        id: 1001,
        format: `ElixirScope: ${(e as Error).message}`,
        showUser: true,
      });
      this.sendEvent(new TerminatedEvent());
    }
  }

  private pendingStop?: "entry" | "continue";

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    if (this.pendingStop === "entry") this.stopAt(this.current, "entry");
    else if (this.pendingStop === "continue") this.run(true);
    this.pendingStop = undefined;
  }

  /** `startAt`: a seq, `seq:N`, `time:1.5ms`, a position string, `first crash`, `first exception`. */
  private startAt(spec: string | number | undefined): number {
    const r = this.replay!;
    if (spec === undefined) return 0;
    if (typeof spec === "number") return r.resolveMoment({ seq: spec });
    const s = spec.trim();
    let m: RegExpExecArray | null;
    if ((m = /^(?:seq:)?(\d+)$/.exec(s))) return r.resolveMoment({ seq: Number(m[1]) });
    if ((m = /^time:(\d+(?:\.\d+)?)(ns|us|µs|ms|s)?$/.exec(s)))
      return r.resolveMoment({
        time: Number(m[1]) * { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9 }[(m[2] ?? "ns") as "ns"],
      });
    if (/^[0-9a-f]{8}@\d+$/.test(s)) return r.parsePosition(s);
    if (s === "first crash" || s === "first exception") {
      const filters = s === "first crash" ? (["crash"] as const) : (["raise", "throw", "exit"] as const);
      const hit = r.findNext(0, "forward", [{ kind: "exception", filters: [...filters] }]);
      if (hit === undefined) throw new Error(`startAt "${s}": the recording has none`);
      return hit;
    }
    throw new Error(
      `startAt "${s}" is not a seq, seq:N, time:1.5ms, a position (1a2b3c4d@120), "first crash" or "first exception"`,
    );
  }

  // ── where we are ───────────────────────────────────────────────────────────

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const r = this.replay;
    if (!r) {
      response.body = { threads: [] };
      return this.sendResponse(response);
    }
    const alive = r.processesAliveAt(this.current).filter((p) => !this.allowed || this.allowed.has(p.id));
    const cur = r.process(r.pidOf(this.current));
    if (!alive.some((p) => p.id === cur.id)) alive.push(cur);
    response.body = { threads: alive.map((p) => new Thread(p.id + 1, this.threadName(p))) };
    this.sendResponse(response);
  }

  private threadName(p: ProcessInfo): string {
    const name = this.replay!.nameAt(p.id, this.current);
    return name ? `#PID${p.pid} ${name.replace(/^Elixir\./, "")}` : p.label;
  }

  /** The event that stands for a process at the current moment: its latest event at or before it. */
  private momentOf(pid: number): number | undefined {
    const r = this.replay!;
    if (r.pidOf(this.current) === pid) return this.current;
    return r.getEventIndices({ pids: [pid], indexRange: { to: this.current }, order: "desc", limit: 1 })[0];
  }

  protected override stackTraceRequest(
    response: DebugProtocol.StackTraceResponse,
    args: DebugProtocol.StackTraceArguments,
  ): void {
    const r = this.replay!;
    const at = this.momentOf(args.threadId - 1);
    if (at === undefined) {
      response.body = { stackFrames: [], totalFrames: 0 };
      return this.sendResponse(response);
    }
    const frames = r.stackAt(at);
    const start = args.startFrame ?? 0;
    const end = args.levels ? Math.min(frames.length, start + args.levels) : frames.length;
    const out: DebugProtocol.StackFrame[] = [];
    for (let level = start; level < end; level++) {
      const f = frames[level];
      const id = this.frames.push([at, level]);
      const name = f.mfa ? mfaLabel(f.mfa) : "(outside traced code)";
      const local = f.location ? this.paths.toLocal(f.location.file) : undefined;
      const frame = new StackFrame(id, name) as DebugProtocol.StackFrame;
      if (f.location && local) {
        frame.source = new Source(basename(local), local);
        frame.line = f.location.line;
        frame.column = 1;
      } else {
        frame.name = `${name} ${f.location ? `(${f.location.file}:${f.location.line}, not in this workspace)` : "(no source recorded)"}`;
        frame.presentationHint = "subtle";
        frame.line = 0;
        frame.column = 0;
      }
      out.push(frame);
    }
    response.body = { stackFrames: out, totalFrames: frames.length };
    this.sendResponse(response);
  }

  protected override scopesRequest(
    response: DebugProtocol.ScopesResponse,
    args: DebugProtocol.ScopesArguments,
  ): void {
    const r = this.replay!;
    const [at, level] = this.frames[args.frameId - 1] ?? [this.current, 0];
    const e = r.event(at);
    const frame = r.stackAt(at)[level];
    const scopes: DebugProtocol.Scope[] = [];
    const listScope = (name: string, variables: DebugProtocol.Variable[], expensive = false): void => {
      scopes.push(new Scope(name, this.vars.add({ kind: "list", variables }), expensive));
    };
    const callArgs =
      frame?.callIndex !== undefined && frame.callIndex >= 0
        ? r.event(frame.callIndex).args
        : level === 0
          ? e.args
          : undefined;
    if (callArgs)
      listScope(
        "Arguments",
        callArgs.map((a, i) => this.vars.variable(`args[${i}]`, a, `args[${i}]`)),
      );
    if (level === 0 && e.kind === "return" && e.value !== undefined)
      listScope("Return value", [this.vars.variable("value", e.value, "value")]);
    if (level === 0 && e.exception)
      listScope("Exception", [
        this.vars.variable("class", atom(e.exception.class)),
        this.vars.variable("reason", e.exception.reason, "reason"),
        this.vars.variable("stacktrace", e.exception.stacktrace),
      ]);
    const state = r.getStateAt(e.pid, at);
    if (state) {
      const vars: DebugProtocol.Variable[] = [];
      const before = state.index > 0 ? r.getStateAt(e.pid, state.index - 1) : undefined;
      const changes = before ? r.diffStates(before.state, state.state) : [];
      const top = this.vars.variable("state", state.state, "state", [], e.pid);
      vars.push(top);
      vars.push({
        name: "changed",
        value: before
          ? changes.length
            ? changes.map((c) => `${c.pathText || "state"} ${c.change}`).join(", ")
            : "nothing (the callback left the state as it was)"
          : "first recorded state",
        variablesReference: 0,
        presentationHint: { kind: "virtual" },
      });
      vars.push({
        name: "set by",
        value: `${state.callback ?? "?"} at seq ${r.event(state.index).seq}`,
        variablesReference: 0,
        presentationHint: { kind: "virtual" },
      });
      listScope("Process state", vars);
    }
    if (level === 0 && (e.kind === "send" || e.kind === "receive")) {
      const flow = r.messageAt(at);
      const label = processLabeler(r.processes());
      const vars = [this.vars.variable("msg", e.message!, "msg")];
      const peer = e.kind === "send" ? flow?.to : flow?.from;
      vars.push({
        name: e.kind === "send" ? "to" : "from",
        value: peer !== undefined ? label(peer) : inspectTo(e.to),
        variablesReference: 0,
      });
      if (flow)
        vars.push({
          name: "status",
          value:
            flow.status +
            (flow.latencyNs !== undefined ? ` (latency ${(flow.latencyNs / 1000).toFixed(1)} µs)` : ""),
          variablesReference: 0,
        });
      listScope("Message", vars);
    }
    listScope("Event", [
      { name: "kind", value: e.kind, variablesReference: 0 },
      { name: "seq", value: String(e.seq), variablesReference: 0 },
      { name: "time", value: formatTime(e.time), variablesReference: 0 },
      { name: "process", value: r.process(e.pid).label, variablesReference: 0 },
      {
        name: "summary",
        value: describeEvent(e, { processLabel: processLabeler(r.processes()) }),
        variablesReference: 0,
      },
      { name: "position", value: r.positionOf(at), variablesReference: 0 },
    ]);
    response.body = { scopes };
    this.sendResponse(response);
  }

  protected override variablesRequest(
    response: DebugProtocol.VariablesResponse,
    args: DebugProtocol.VariablesArguments,
  ): void {
    const c = this.vars.get(args.variablesReference);
    let variables: DebugProtocol.Variable[] = [];
    if (c?.kind === "list") variables = c.variables;
    else if (c?.kind === "term") variables = this.vars.children(c, args.start ?? 0, args.count || undefined);
    response.body = { variables };
    this.sendResponse(response);
  }

  // ── moving through time ────────────────────────────────────────────────────

  protected override nextRequest(
    response: DebugProtocol.NextResponse,
    args: DebugProtocol.NextArguments,
  ): void {
    this.step(response, args.granularity === "instruction" ? "instruction" : "over", "forward");
  }
  protected override stepInRequest(
    response: DebugProtocol.StepInResponse,
    args: DebugProtocol.StepInArguments,
  ): void {
    this.step(response, args.granularity === "instruction" ? "instruction" : "in", "forward");
  }
  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.step(response, "out", "forward");
  }
  protected override stepBackRequest(
    response: DebugProtocol.StepBackResponse,
    args: DebugProtocol.StepBackArguments,
  ): void {
    this.step(response, args.granularity === "instruction" ? "instruction" : "over", "backward");
  }
  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    this.run(true);
  }
  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    this.sendResponse(response);
    this.run(false);
  }

  private step(
    response: DebugProtocol.Response,
    how: "in" | "over" | "out" | "instruction",
    dir: "forward" | "backward",
  ): void {
    const r = this.replay!;
    this.sendResponse(response);
    const next =
      how === "instruction"
        ? dir === "forward"
          ? this.current + 1 < r.eventCount
            ? this.current + 1
            : undefined
          : this.current > 0
            ? this.current - 1
            : undefined
        : r.step(this.current, how, dir);
    if (next === undefined) {
      this.sendEvent(
        new OutputEvent(
          `${dir === "forward" ? "End" : "Start"} of the recording for this process.\n`,
          "console",
        ),
      );
      this.stopAt(this.current, "step");
    } else this.stopAt(next, "step");
  }

  /** Continue (forward) or reverse-continue to the nearest breakpoint hit, else to the end (start). */
  private run(forward: boolean): void {
    const r = this.replay!;
    const hit = this.breakpoints!.next(this.current, forward);
    if (hit) {
      this.stopAt(hit.index, hit.reason, [hit.id]);
      return;
    }
    const edge = forward ? r.eventCount - 1 : 0;
    this.sendEvent(
      new OutputEvent(
        `${forward ? "End" : "Start"} of the recording: no breakpoint ${forward ? "after" : "before"} seq ${r.event(this.current).seq}.\n`,
        "console",
      ),
    );
    this.stopAt(edge, "step");
  }

  private stopAt(index: number, reason: StopReason, hitBreakpointIds?: number[]): void {
    this.current = index;
    this.vars.reset();
    this.frames = [];
    const e = this.replay!.event(index);
    const ev = new StoppedEvent(reason, e.pid + 1) as DebugProtocol.StoppedEvent;
    ev.body.allThreadsStopped = true;
    ev.body.description = `seq ${e.seq}: ${e.kind} ${describeEvent(e, { width: 80 })}`;
    if (hitBreakpointIds) ev.body.hitBreakpointIds = hitBreakpointIds;
    this.sendEvent(ev);
  }

  /** Jumps to a moment chosen from outside (a hover, the diagram, a logpoint line) and refreshes the views. */
  private moveTo(index: number): void {
    this.stopAt(index, "goto");
    this.sendEvent(new InvalidatedEvent(["threads", "stacks", "variables"]));
  }

  protected override restartFrameRequest(
    response: DebugProtocol.RestartFrameResponse,
    args: DebugProtocol.RestartFrameArguments,
  ): void {
    const [at, level] = this.frames[args.frameId - 1] ?? [];
    const f = at !== undefined ? this.replay!.stackAt(at)[level] : undefined;
    if (!f || f.callIndex < 0)
      return this.sendErrorResponse(response, 2001, "this frame's entry was not recorded");
    this.sendResponse(response);
    this.stopAt(f.callIndex, "step");
  }

  protected override gotoTargetsRequest(
    response: DebugProtocol.GotoTargetsResponse,
    args: DebugProtocol.GotoTargetsArguments,
  ): void {
    const r = this.replay!;
    const file = this.paths.toRecorded(args.source.path ?? "");
    const events = r.eventsAt(file, args.line).filter((i) => r.kindOf(i) === "call");
    const label = processLabeler(r.processes());
    response.body = {
      targets: events.slice(0, 50).map((i) => {
        const e = r.event(i);
        return {
          id: i + 1,
          label: `seq ${e.seq} ${formatTime(e.time)} ${label(e.pid)}: ${describeEvent(e, { width: 60 })}`,
          line: args.line,
        };
      }),
    };
    this.sendResponse(response);
  }

  protected override gotoRequest(
    response: DebugProtocol.GotoResponse,
    args: DebugProtocol.GotoArguments,
  ): void {
    if (!this.replay || args.targetId < 1 || args.targetId > this.replay.eventCount)
      return this.sendErrorResponse(response, 2002, "no such goto target");
    this.sendResponse(response);
    this.stopAt(args.targetId - 1, "goto");
  }

  // ── breakpoints ────────────────────────────────────────────────────────────

  protected override setBreakPointsRequest(
    response: DebugProtocol.SetBreakpointsResponse,
    args: DebugProtocol.SetBreakpointsArguments,
  ): void {
    const path = args.source.path;
    if (!this.breakpoints || !path) {
      response.body = {
        breakpoints: (args.breakpoints ?? []).map((b) => ({
          ...new Breakpoint(false, b.line),
          message: "no recording loaded",
        })),
      };
      return this.sendResponse(response);
    }
    const { verified, logs } = this.breakpoints.setSource(
      this.paths.toRecorded(path),
      args.breakpoints ?? [],
    );
    response.body = { breakpoints: verified };
    this.sendResponse(response);
    // Logpoints are retroactive: every hit in the recording prints now, in order, with its moment.
    for (const l of logs) {
      for (const hit of l.logs ?? []) {
        const e = this.replay!.event(hit.index);
        const out = new OutputEvent(`[seq ${e.seq}] ${hit.text}\n`, "console") as DebugProtocol.OutputEvent;
        const loc = this.replay!.locationOf(hit.index);
        const local = loc && this.paths.toLocal(loc.file);
        if (loc && local) {
          out.body.source = new Source(basename(local), local);
          out.body.line = loc.line;
        }
        out.body.data = { seq: e.seq, position: this.replay!.positionOf(hit.index) };
        this.sendEvent(out);
      }
    }
  }

  protected override setFunctionBreakPointsRequest(
    response: DebugProtocol.SetFunctionBreakpointsResponse,
    args: DebugProtocol.SetFunctionBreakpointsArguments,
  ): void {
    response.body = { breakpoints: this.breakpoints ? this.breakpoints.setFunctions(args.breakpoints) : [] };
    this.sendResponse(response);
  }

  protected override setExceptionBreakPointsRequest(
    response: DebugProtocol.SetExceptionBreakpointsResponse,
    args: DebugProtocol.SetExceptionBreakpointsArguments,
  ): void {
    this.breakpoints?.setExceptions(args.filters ?? []);
    this.sendResponse(response);
  }

  protected override dataBreakpointInfoRequest(
    response: DebugProtocol.DataBreakpointInfoResponse,
    args: DebugProtocol.DataBreakpointInfoArguments,
  ): void {
    const target = this.stateTarget(args.variablesReference, args.name);
    response.body = target
      ? {
          dataId: target.id,
          description: `${target.text} changes`,
          accessTypes: ["write"],
          canPersist: false,
        }
      : { dataId: null, description: "only values inside a process's state can be watched" };
    this.sendResponse(response);
  }

  protected override setDataBreakpointsRequest(
    response: DebugProtocol.SetDataBreakpointsResponse,
    args: DebugProtocol.SetDataBreakpointsArguments,
  ): void {
    const wanted = args.breakpoints.map((b) => ({
      ...this.dataIds.get(b.dataId),
      hitCondition: b.hitCondition,
    }));
    const known = wanted.filter(
      (w): w is { pid: number; path: Term[]; text: string; hitCondition: string | undefined } =>
        w.pid !== undefined,
    );
    const resolved = this.breakpoints ? this.breakpoints.setData(known) : [];
    response.body = {
      breakpoints: wanted.map((w) =>
        w.pid === undefined ? { verified: false, message: "unknown data id" } : resolved.shift()!,
      ),
    };
    this.sendResponse(response);
  }

  /** A value inside Process State (by its variable), or a `state...` expression: what a data breakpoint watches. */
  private stateTarget(
    ref: number | undefined,
    name: string,
  ): { id: string; pid: number; path: Term[]; text: string } | undefined {
    let pid: number | undefined;
    let path: Term[] | undefined;
    let text = name;
    if (ref !== undefined) {
      const c: Container | undefined = this.vars.get(ref);
      if (c?.kind === "term" && c.path && c.pid !== undefined) {
        const key = this.vars.keyOf(c, name);
        if (key !== undefined) {
          pid = c.pid;
          path = [...c.path, key];
          text = this.vars.children(c).find((v) => v.name === name)?.evaluateName ?? name;
        }
      } else if (c?.kind === "list") {
        const v = c.variables.find((x) => x.name === name && x.evaluateName === "state");
        if (v) {
          pid = this.replay!.pidOf(this.current);
          path = [];
          text = "state";
        }
      }
    } else {
      try {
        const p = accessPath(parseExpr(name), {});
        if (p?.root === "state") {
          pid = this.replay!.pidOf(this.current);
          path = p.path;
        }
      } catch {
        return undefined;
      }
    }
    if (pid === undefined || path === undefined) return undefined;
    const id = `${pid}:${this.dataIds.size}:${text}`;
    this.dataIds.set(id, { pid, path, text: `${this.replay!.process(pid).label} ${text}` });
    return { id, pid, path, text };
  }

  // ── the console, hovers, and custom requests ───────────────────────────────

  protected override evaluateRequest(
    response: DebugProtocol.EvaluateResponse,
    args: DebugProtocol.EvaluateArguments,
  ): void {
    if (!this.replay) return this.sendErrorResponse(response, 3000, "no recording loaded");
    try {
      const [at] = args.frameId ? (this.frames[args.frameId - 1] ?? [this.current]) : [this.current];
      const answer = evaluate(this.replay, at, args.expression);
      if (answer.goto !== undefined) this.moveTo(answer.goto);
      if (answer.term !== undefined) {
        const v = this.vars.variable(args.expression, answer.term, args.expression);
        response.body = {
          result: v.value,
          type: v.type,
          variablesReference: v.variablesReference,
          namedVariables: v.namedVariables,
          indexedVariables: v.indexedVariables,
        };
      } else response.body = { result: answer.text ?? "", variablesReference: 0 };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 3001, format: (e as Error).message, showUser: false });
    }
  }

  protected override completionsRequest(
    response: DebugProtocol.CompletionsResponse,
    args: DebugProtocol.CompletionsArguments,
  ): void {
    const prefix =
      args.text
        .slice(0, args.column - 1)
        .split(/[\s([{,]/)
        .pop() ?? "";
    const words = [...COMMANDS, ...NAMES, "pid=", "fun=", "kind=", "limit="];
    response.body = {
      targets: words
        .filter((w) => w.startsWith(prefix))
        .map((w) => ({ label: w, start: args.column - 1 - prefix.length, length: prefix.length })),
    };
    this.sendResponse(response);
  }

  protected override loadedSourcesRequest(response: DebugProtocol.LoadedSourcesResponse): void {
    const sources = (this.replay?.modules() ?? []).map((m) => {
      const local = this.paths.toLocal(m.source);
      return new Source(m.module.replace(/^Elixir\./, ""), local ?? m.source);
    });
    response.body = { sources };
    this.sendResponse(response);
  }

  protected override customRequest(
    command: string,
    response: DebugProtocol.Response,
    args: Record<string, unknown> | undefined,
  ): void {
    const r = this.replay;
    if (!r) return this.sendErrorResponse(response, 4000, "no recording loaded");
    try {
      switch (command) {
        case "elixirscope/goto": {
          const index =
            typeof args?.position === "string"
              ? r.parsePosition(args.position)
              : r.resolveMoment({ seq: Number(args?.seq) });
          this.sendResponse(response);
          this.moveTo(index);
          return;
        }
        case "elixirscope/position":
          response.body = { position: r.positionOf(this.current), seq: r.event(this.current).seq };
          return this.sendResponse(response);
        case "elixirscope/reverseStepIn":
        case "elixirscope/reverseStepOut": {
          const next = r.step(this.current, command.endsWith("In") ? "in" : "out", "backward");
          this.sendResponse(response);
          this.stopAt(next ?? this.current, "step");
          return;
        }
        case "elixirscope/lastChange": {
          const target =
            typeof args?.expression === "string"
              ? this.stateTarget(undefined, args.expression)
              : this.stateTarget(Number(args?.variablesReference), String(args?.name ?? ""));
          if (!target)
            throw new Error(
              "last change works on a value inside a process's state (Process state scope, or an expression like state.seats[12])",
            );
          const key = `${target.pid}|${target.text}`;
          const before =
            this.lastChangeFrom?.key === key && this.lastChangeFrom.before > 0
              ? this.lastChangeFrom.before
              : this.current + 1;
          const hit = r.lastChange(target.pid, target.path, before);
          if (hit === undefined) throw new Error(`${target.text} was not changed before this moment`);
          this.sendResponse(response);
          this.lastChangeFrom = { key, before: hit };
          this.stopAt(hit, "data breakpoint");
          return;
        }
        default:
          return super.customRequest(command, response, args);
      }
    } catch (e) {
      this.sendErrorResponse(response, { id: 4001, format: (e as Error).message, showUser: true });
    }
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    log("disconnect");
    this.replay?.close();
    this.replay = undefined;
    this.sendResponse(response);
  }
}

function inspectTo(t: Term | undefined): string {
  return t === undefined ? "?" : inspect(t, { limit: 5 });
}
