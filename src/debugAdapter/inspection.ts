// The session's views of the current moment: threads, the stack of a thread, the scopes and variables
// of a frame, loaded sources, exception details, and the Debug Console's evaluate and completions.

import { basename } from "node:path";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { completions } from "../core/inspect/completions";
import { evaluate } from "../core/inspect/console";
import { exceptionInfo } from "../core/inspect/exceptions";
import type { Scope } from "../core/inspect/expression";
import { type ViewFrame, viewStack } from "../core/inspect/frames";
import { type StateTarget, targetOfExpression } from "../core/inspect/stateTargets";
import { mfaLabel, moduleLabel } from "../core/store/eventDecode";
import { inspect } from "../core/terms/inspect";
import { targetOfVariable } from "./dataTargets";
import { AdapterError } from "./errors";
import { frameScopes } from "./scopes";
import { SessionBase } from "./sessionBase";

export abstract class InspectionSession extends SessionBase {
  // ── where we are ───────────────────────────────────────────────────────────

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    this.answer(response, () => ({
      threads: this.loaded ? this.loaded.threads.threadsAt(this.current) : [],
    }));
  }

  /** The event that stands for a process at the current moment: its latest event at or before it. */
  protected momentOf(pid: number): number | undefined {
    const r = this.r;
    if (r.pidOf(this.current) === pid) return this.current;
    return r.getEventIndices({ pids: [pid], indexRange: { to: this.current }, order: "desc", limit: 1 })[0];
  }

  protected stackOf(at: number): ViewFrame[] {
    let s = this.stackCache.get(at);
    if (!s) this.stackCache.set(at, (s = viewStack(this.r, at, this.outsideName(this.r.pidOf(at)))));
    return s;
  }

  /** The frame of a process between traced calls: its server loop, or its initial call. */
  protected outsideName(pid: number): string {
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

  protected dapFrame(at: number, f: ViewFrame, level: number): DebugProtocol.StackFrame {
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
      frame.line = this.convertDebuggerLineToClient(f.location.line);
      frame.column = this.convertDebuggerColumnToClient(1);
    } else if (f.location) frame.name += ` (${f.location.file}:${f.location.line}, not in this workspace)`;
    else if (f.mfa) frame.name += " (no source recorded)";
    if (f.approximate) frame.name += " (line unknown: showing the function's definition)";
    if (f.untraced || f.approximate || (f.location && !local)) frame.presentationHint = "subtle";
    return frame;
  }

  protected frameOf(frameId: number | undefined): { at: number; frame: ViewFrame; level: number } {
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
        sources: this.r.modules().map((m): DebugProtocol.Source => {
          const name = m.module.replace(/^Elixir\./, "");
          const local = this.ctx.paths.toLocal(m.source);
          if (local) return { name, path: local };
          // Not on this machine: a reference the client can ask about, answered with why it is missing.
          return {
            name,
            sourceReference: this.sourceReference(m.source),
            origin: "recorded elsewhere: not on this machine",
            presentationHint: "deemphasize",
          };
        }),
      };
    });
  }

  /** The reference of a recorded path that has no file here (stable for the session). */
  protected sourceReference(recorded: string): number {
    const at = this.recordedSources.indexOf(recorded);
    return at >= 0 ? at + 1 : this.recordedSources.push(recorded);
  }

  protected override async sourceRequest(
    response: DebugProtocol.SourceResponse,
    args: DebugProtocol.SourceArguments,
  ): Promise<void> {
    try {
      const ref = args.sourceReference;
      const recorded = ref > 0 ? this.recordedSources[ref - 1] : undefined;
      const path = ref > 0 ? undefined : args.source?.path;
      if (ref > 0 && recorded === undefined) throw new AdapterError(`no source reference ${ref}`);
      // Only a source of the recording is served, from where it maps here: never any file asked for.
      const recordedPath = path !== undefined && this.loaded ? this.ctx.paths.toRecorded(path) : undefined;
      const local =
        recordedPath !== undefined && this.ctx.paths.isRecorded(recordedPath)
          ? this.ctx.paths.toLocal(recordedPath)
          : undefined;
      if (local === undefined)
        throw new AdapterError(
          `${recorded ?? path ?? "this source"} is not available: the recording holds no copy of its source, and no file here maps to it (set "sourceRoot" or "pathMappings")`,
        );
      const content = Buffer.from(await this.files.readFile(local)).toString("utf8");
      response.body = { content, mimeType: "text/x-elixir" };
      this.sendResponse(response);
    } catch (e) {
      this.fail(response, e);
    }
  }

  protected override exceptionInfoRequest(
    response: DebugProtocol.ExceptionInfoResponse,
    args: DebugProtocol.ExceptionInfoArguments,
  ): void {
    this.answer(response, () => ({
      ...exceptionInfo(this.r, this.momentOf(this.ctx.threads.pidOfThread(args.threadId)), this.ctx.label),
      breakMode: "always" as const,
    }));
  }

  /** What a data breakpoint watches: a Process state variable, or a `state...` expression at a frame. */
  protected stateTarget(ref: number | undefined, name: string, frameId?: number): StateTarget | undefined {
    if (ref !== undefined) return targetOfVariable(this.r, this.vars, ref, name);
    return targetOfExpression(this.r, name, frameId !== undefined ? this.frameOf(frameId).at : this.current);
  }

  /** The names an expression sees in a frame: the event's, with that frame's own arguments. */
  protected scopeOf(frameId: number | undefined): { at: number; scope: Scope } {
    const { at, frame } = this.frameOf(frameId);
    const r = this.r;
    const args = frame?.callIndex !== undefined ? r.event(frame.callIndex).args : undefined;
    const call = frame?.callIndex !== undefined && frame.callIndex >= 0 ? frame.callIndex : undefined;
    return { at, scope: this.ctx.scopes.of(r.event(at), args, call) };
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
          result: inspect(a.term, { limit: Infinity, printableLimit: Infinity, ...this.r.termStyle() }),
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
}
