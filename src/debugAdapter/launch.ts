// A session's life: initialize (what the adapter can do), launch (load the recording with progress,
// index what the session needs), configuration done (stop on entry or run to the first hit), disconnect.

import { basename } from "node:path";
import {
  InitializedEvent,
  ProgressEndEvent,
  ProgressStartEvent,
  ProgressUpdateEvent,
  TerminatedEvent,
} from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { EventScopes } from "../core/inspect/eventScope";
import { PathMapper, projectRoots } from "../core/inspect/paths";
import { selectProcesses } from "../core/inspect/processNames";
import { Replay } from "../core/replay";
import { Breakpoints, EXCEPTION_FILTERS } from "./breakpoints";
import { AdapterError, errorText } from "./errors";
import { type LaunchArgs, parseLaunchArgs } from "./launchArgs";
import { resolveMoment } from "../core/moment";
import { ThreadDirectory } from "./threads";
import { NavigationSession } from "./navigation";
import { type Loaded, PROGRESS_ID } from "./sessionBase";
import type { ReplayLease } from "./sessionDeps";
import { leftOut } from "../core/leftOut";

export abstract class LaunchSession extends NavigationSession {
  private follow?: { dispose(): void };

  // ── session life ───────────────────────────────────────────────────────────

  protected override initializeRequest(
    response: DebugProtocol.InitializeResponse,
    args: DebugProtocol.InitializeRequestArguments,
  ): void {
    this.client = args;
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
      this.log.setLevel?.(args.logLevel);
      this.log.info(`launch ${args.trace.join(", ")}`);
      if (progress) {
        this.sendEvent(
          new ProgressStartEvent(PROGRESS_ID, `Loading ${args.trace.map((t) => basename(t)).join(", ")}`),
        );
        started = true;
      }
      let lastPercent = -1;
      this.loading = true;
      const lease = await this.replays.acquire(args.trace, {
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
      const replay = lease.replay;
      if (started)
        this.sendEvent(
          new ProgressEndEvent(PROGRESS_ID, `${replay.eventCount.toLocaleString("en-US")} events`),
        );
      started = false;
      this.loading = false;
      if (this.disconnected) {
        lease.release();
        return;
      }
      this.loaded = this.setUp(lease, args);
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
        format: `ElixirScope: ${errorText(e, "launch", this.log)}`,
        showUser: true,
      });
      this.sendEvent(new TerminatedEvent());
    }
  }

  /** Indexes what the session needs of a freshly loaded recording; throws when it cannot be debugged as asked. */
  protected setUp(lease: ReplayLease, args: LaunchArgs): Loaded {
    const replay = lease.replay;
    try {
      if (replay.eventCount === 0)
        throw new AdapterError(`${args.trace.join(", ")}: the recording holds no events`);
      const problems = replay.problems;
      if (replay.indexStatus.note) this.say(`note: ${replay.indexStatus.note}`, "stderr");
      for (const p of problems.slice(0, 20)) this.say(`warning: ${p.text}`, "stderr");
      if (problems.length > 20)
        this.say(`warning: ${problems.length - 20} more damaged frames skipped`, "stderr");
      // What the recorder left out on purpose (hot helpers untraced, load shed, terms summarised).
      for (const line of leftOut(replay)) this.say(`left out: ${line}`, "console");
      const allowed = args.processes ? selectProcesses(replay, args.processes) : undefined;
      const threads = new ThreadDirectory(replay, allowed);
      const scopes = new EventScopes(replay);
      const label = (pid: number): string => threads.nameAt(replay.process(pid), this.current);
      this.vars.style = replay.termStyle();
      const loaded: Loaded = {
        replay,
        lease,
        args,
        paths: new PathMapper(
          args.pathMappings,
          args.sourceRoot,
          () => [...new Set([...replay.modules().map((m) => m.source), ...replay.sourceFiles()])],
          (p) => this.files.exists(p),
          projectRoots(replay.files),
        ),
        threads,
        scopes,
        label,
        breakpoints: new Breakpoints(replay, scopes, allowed && ((pid) => threads.isDebugged(pid)), (text) =>
          this.say(text, "stderr"),
        ),
      };
      // Running to the first breakpoint starts from the very beginning; a stop on entry at user code.
      this.current = args.startAt
        ? resolveMoment(replay, args.startAt)
        : args.stopOnEntry
          ? this.firstStop(replay, threads)
          : 0;
      this.follow = lease.cursor.onDidChange((c) => this.followCursor(c.index, c.source));
      return loaded;
    } catch (e) {
      lease.release();
      throw e;
    }
  }

  /**
   * Where a session stops on entry without `startAt`: the first call into the user's code (a module
   * the recording has the source of) by a debugged process, so that the first stop shows a source
   * line; else the first event of a debugged process.
   */
  protected firstStop(r: Replay, threads: ThreadDirectory): number {
    const modules = new Set(r.modules().map((m) => m.module));
    const user = r.getEventIndices({
      kinds: ["call"],
      limit: 1,
      predicate: (e) => e.mfa !== undefined && modules.has(e.mfa.module) && threads.isDebugged(e.pid),
    })[0];
    if (user !== undefined) return user;
    if (!threads.allowed) return 0;
    const firsts = [...threads.allowed].map((p) => r.process(p).firstEvent).filter((i) => i >= 0);
    return firsts.length ? Math.min(...firsts) : 0;
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.configured = true;
    if (this.loaded) this.begin();
  }

  /** Another view moved the shared moment: the session goes there too, as a stop the client shows. */
  protected followCursor(index: number, source: string | undefined): void {
    if (source === this.cursorSource || !this.loaded || index === this.current || this.pendingStart) return;
    if (!Number.isInteger(index) || index < 0 || index >= this.loaded.replay.eventCount) return;
    this.stopAt({ index, reason: "goto", note: undefined }, true);
  }

  /** Lets go of the recording (once): the shared replay closes when its last user releases it. */
  protected end(): void {
    this.follow?.dispose();
    this.follow = undefined;
    const lease = this.loaded?.lease;
    this.loaded = undefined;
    lease?.release();
  }

  override shutdown(): void {
    this.end();
    super.shutdown();
  }

  /** After launch and configuration: stop on entry, or run to the first breakpoint. */
  protected begin(): void {
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
    this.log.info("disconnect");
    this.disconnected = true;
    this.end();
    // Answers, then ends the process when it runs on its own (not inline in the extension host).
    super.disconnectRequest(response, args);
  }
}
