// What every part of the debug session shares: the loaded recording, the current moment, the client's
// capabilities, and the plumbing that answers a request (one-line errors) and stops somewhere (the
// stopped event and `elixirscope/moment`). The session's requests are layered on top of it by concern:
// inspection, navigation, launch, breakpoints, custom requests.

import {
  Event,
  InvalidatedEvent,
  DebugSession,
  OutputEvent,
  Response,
  StoppedEvent,
} from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { EventScopes } from "../core/inspect/eventScope";
import { exceptionSummary } from "../core/inspect/exceptions";
import { type ViewFrame } from "../core/inspect/frames";
import { PathMapper } from "../core/inspect/paths";
import { type StateTarget } from "../core/inspect/stateTargets";
import { Replay } from "../core/replay";
import { PassThrough, type Writable } from "node:stream";
import { Breakpoints } from "./breakpoints";
import { AdapterError, errorText } from "./errors";
import { type BadFrame, FrameReader } from "./framing";
import { type LaunchArgs } from "./launchArgs";
import { type Logger, SessionLogger } from "./logger";
import {
  cursorReason,
  cursorSource,
  type FileAccessor,
  localFiles,
  ownReplays,
  type ReplayLease,
  type ReplaySource,
  type SessionDeps,
} from "./sessionDeps";
import { CustomEvent, type MomentEventBody } from "./customProtocol";
import { checkRequest } from "./requestArgs";
import { ThreadDirectory } from "./threads";
import { VariableStore } from "./variables";

export type StopReason =
  | "entry"
  | "step"
  | "breakpoint"
  | "function breakpoint"
  | "exception"
  | "data breakpoint"
  | "goto"
  | "restart";

export interface Move {
  index: number;
  reason: StopReason;
  hitBreakpointIds?: number[];
  /** Shown with the stop (`End of the recording`); by default `Paused on <reason>`. */
  description?: string;
  /** Said in the Debug Console with the stop (why it stopped where it did). */
  note?: string;
}

/** Everything that exists once a recording is loaded. */
export interface Loaded {
  replay: Replay;
  /** The hold on the replay, released when the session ends. */
  lease: ReplayLease;
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

export const PROGRESS_ID = "elixirscope-load";
/** Logpoint lines printed at once at most: a client's console is not made for hundreds of thousands. */
export const MAX_LOG_LINES = 10_000;

export abstract class SessionBase extends DebugSession {
  protected readonly replays: ReplaySource;
  protected readonly files: FileAccessor;
  protected readonly log: Logger;
  /** This session, as the source of its moves of the shared cursor. */
  protected readonly cursorSource = cursorSource();
  protected loaded?: Loaded;
  protected current = 0;
  protected client: DebugProtocol.InitializeRequestArguments = { adapterID: "elixirscope" };
  protected readonly vars = new VariableStore();
  /** Frame ids of the current stop: id - 1 → where the frame was shown. */
  protected frames: Array<{ at: number; frame: ViewFrame; level: number }> = [];
  protected stackCache = new Map<number, ViewFrame[]>();
  /** Data breakpoint ids handed out by dataBreakpointInfo. */
  protected readonly dataIds = new Map<string, StateTarget>();
  /** Where the last `lastChange` landed, so that asking again from there goes further back. */
  protected lastChangeAt?: { key: string; index: number };
  protected configured = false;
  /** Recorded source paths with no file here, handed out as source references (index + 1). */
  protected readonly recordedSources: string[] = [];
  protected loading = false;
  /** Set by `disconnect`: a load still under way is dropped when it finishes. */
  protected disconnected = false;
  /** The stream messages are written to: held back (corked) while a batch of events is written. */
  private out?: NodeJS.WritableStream;
  protected pendingStart?: "entry" | "run";

  constructor(deps: SessionDeps = {}) {
    super();
    this.replays = deps.replays ?? ownReplays();
    this.files = deps.files ?? localFiles;
    this.log =
      deps.logger ?? new SessionLogger((text, category) => this.sendEvent(new OutputEvent(text, category)));
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  // The library writes the frames; the adapter's own reader parses them, since the library's ends or
  // wedges the session on one malformed frame. The library is handed a stream that never speaks.
  override start(inStream: NodeJS.ReadableStream, outStream: NodeJS.WritableStream): void {
    super.start(new PassThrough(), outStream);
    this.out = outStream;
    const reader = new FrameReader({
      message: (m) => this.handleMessage(m as unknown as DebugProtocol.ProtocolMessage),
      bad: (b) => this.refuseFrame(b),
    });
    inStream.on("data", (chunk: Buffer | string) => reader.push(Buffer.from(chunk)));
    inStream.on("end", () => {
      reader.end();
      this.shutdown();
    });
    inStream.on("error", (e: Error) => {
      this.log.error(`reading the client's messages failed: ${e.message}`);
      this.shutdown();
    });
    inStream.resume();
  }

  /**
   * Runs `send` with the output held back, so that the messages it sends leave in one write: a
   * logpoint's page is a hundred output events, a hundred write calls (and as many reads for the
   * client) otherwise.
   */
  protected batched<T>(send: () => T): T {
    const out = this.out as (NodeJS.WritableStream & Partial<Pick<Writable, "cork" | "uncork">>) | undefined;
    if (!out?.cork || !out.uncork) return send();
    out.cork();
    try {
      return send();
    } finally {
      out.uncork();
    }
  }

  /** Reports a frame that could not be served: an error response when its request is known. */
  refuseFrame(b: BadFrame): void {
    this.log.verbose(`Bad frame from client: ${b.problem}`);
    const format = `bad frame: ${b.problem}`;
    if (b.request)
      this.sendErrorResponse(
        new Response({ type: "request", seq: b.request.seq, command: b.request.command }),
        { id: 1001, format, showUser: false },
      );
    else this.say(`elixirscope: ${format}`, "stderr");
  }

  // Every message in and out is traced at the verbose level; output events are not, or the trace of
  // one would be traced in turn.
  override sendEvent(event: DebugProtocol.Event): void {
    if (event.event !== "output" && this.tracing()) this.log.verbose(`To client: ${JSON.stringify(event)}`);
    super.sendEvent(event);
  }

  override sendResponse(response: DebugProtocol.Response): void {
    if (this.tracing()) this.log.verbose(`To client: ${JSON.stringify(response)}`);
    super.sendResponse(response);
  }

  // The library expands `{name}` in a message from `variables`, and throws on `{_name}` when there are
  // none: messages quote what the client sent, so they are passed with an empty set to expand nothing.
  protected override sendErrorResponse(
    response: DebugProtocol.Response,
    codeOrMessage: number | DebugProtocol.Message,
    format?: string,
  ): void {
    const message =
      typeof codeOrMessage === "number"
        ? { id: codeOrMessage, format: format ?? "error", showUser: false }
        : codeOrMessage;
    super.sendErrorResponse(response, { ...message, variables: {} });
  }

  protected override dispatchRequest(request: DebugProtocol.Request): void {
    if (this.tracing())
      this.log.verbose(`From client: ${request.command}(${JSON.stringify(request.arguments)})`);
    const refused =
      checkRequest(request.command, request.arguments) ??
      (!this.loaded && NEEDS_RECORDING.has(request.command)
        ? `${request.command}: no recording is loaded (launch with a "trace" first)`
        : undefined);
    if (refused !== undefined) {
      this.sendErrorResponse(new Response(request), { id: 1000, format: refused, showUser: false });
      return;
    }
    // `pathFormat` defaults to "path" in the protocol; the library refuses an initialize without it.
    if (request.command === "initialize" && request.arguments && request.arguments.pathFormat === undefined)
      request.arguments = { ...request.arguments, pathFormat: "path" };
    try {
      super.dispatchRequest(request);
    } catch (e) {
      // A bug in one handler must cost one request, never the session.
      this.sendErrorResponse(new Response(request), {
        id: 2001,
        format: errorText(e, request.command, this.log),
        showUser: false,
      });
    }
  }

  // ── plumbing ───────────────────────────────────────────────────────────────

  private tracing(): boolean {
    return this.log.tracing?.() ?? true;
  }

  protected get r(): Replay {
    if (!this.loaded) throw new AdapterError("no recording is loaded");
    return this.loaded.replay;
  }

  protected get ctx(): Loaded {
    if (!this.loaded) throw new AdapterError("no recording is loaded");
    return this.loaded;
  }

  /** Answers with the body `compute` returns, or with a one-line error when it throws. */
  protected answer<R extends DebugProtocol.Response>(response: R, compute: () => R["body"]): void {
    try {
      response.body = compute();
    } catch (e) {
      this.fail(response, e);
      return;
    }
    this.sendResponse(response);
  }

  protected fail(response: DebugProtocol.Response, e: unknown, showUser = false): void {
    this.sendErrorResponse(response, {
      id: 2000,
      format: errorText(e, response.command, this.log),
      showUser,
    });
  }

  /** Answers a move: the response first, then the stop where `target` says (nothing moves on an error). */
  protected move(response: DebugProtocol.Response, target: () => Move, fromOutside = false): void {
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

  protected say(text: string, category = "console"): void {
    this.sendEvent(new OutputEvent(`${text}\n`, category));
  }

  protected stopAt(m: Move, fromOutside: boolean): void {
    const r = this.r;
    this.current = m.index;
    this.vars.reset();
    this.frames = [];
    this.stackCache.clear();
    // The stop names the event by its columns alone: decoding it (its frame read from the trace) is
    // left to the stack trace the client asks for next.
    const pid = r.pidOf(m.index);
    const seq = r.seqOf(m.index);
    const ev = new StoppedEvent(m.reason, ThreadDirectory.threadId(pid)) as DebugProtocol.StoppedEvent;
    ev.body.allThreadsStopped = true;
    ev.body.description = `${m.description ?? `Paused on ${m.reason}`} at seq ${seq}`;
    if (m.hitBreakpointIds?.length) ev.body.hitBreakpointIds = m.hitBreakpointIds;
    if (m.reason === "exception") ev.body.text = exceptionSummary(r, m.index, this.ctx.label);
    this.sendEvent(ev);
    // From the first stop on, the recording's columns are read into memory between requests.
    r.prefetch();
    try {
      this.loaded?.lease.cursor.moveTo(m.index, cursorReason(m.reason), this.cursorSource);
    } catch (e) {
      // A cursor disposed with its cache must not break stepping in the session that still runs.
      this.log.warn(`the shared moment could not follow: ${errorText(e, "cursor")}`);
    }
    this.sendEvent(
      new Event(CustomEvent.moment, {
        index: m.index,
        seq,
        position: r.positionOf(m.index),
        threadId: ThreadDirectory.threadId(pid),
        time: r.timeOf(m.index),
        reason: m.reason,
      } satisfies MomentEventBody),
    );
    if (fromOutside && this.client.supportsInvalidatedEvent)
      this.sendEvent(new InvalidatedEvent(["threads", "stacks", "variables"]));
  }
}
