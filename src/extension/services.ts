// What every part of the extension shares: the one logger, the loaded recordings (core's ReplayCache), the
// ElixirScope debug sessions with the recording and the moment each stands at (kept in the lease's
// shared ReplayCursor too), and `gotoMoment`, the one way to move a replay (the hovers, the
// message-flow panel and the commands all use it). Other front ends (flowPanel, languageClient)
// receive this object in activation and listen to `onDidChange` or the cursor, not to the debug API.

import { isAbsolute, resolve } from "node:path";
import * as vscode from "vscode";
import type { ReplayCursor } from "../core/cursor";
import { Replay } from "../core/replay";
import { type ReplayLease, ReplayCache } from "../core/replayCache";
import { PathMapper, projectRoots } from "../core/inspect/paths";
import { LoadCancelledError } from "../core/errors";
import { Loads } from "./loading";

export const DEBUG_TYPE = "elixirscope";

/** The `elixirscope/moment` event's body: where a session stands after a move. */
export interface Moment {
  index: number;
  seq: number;
  position: string;
  threadId: number;
  time: number;
}

/** An ElixirScope debug session, its recording (once loaded) and its current moment. */
export interface ActiveReplay {
  readonly session: vscode.DebugSession;
  readonly traces: string[];
  lease?: ReplayLease;
  paths?: PathMapper;
  moment?: Moment;
  /** Settles when the recording is loaded for the extension's views (or failed to). */
  readonly ready: Promise<void>;
}

/** Where to go: an event index, or any moment the adapter understands ("seq:12", "1a2b3c4d@12", "first crash"). */
export type MomentTarget =
  { index: number } | { seq: number; file?: number } | { position: string } | { moment: string };

export class Services implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  /** Loads each recording once (in a worker: the extension host never blocks) for every view. */
  readonly cache = new ReplayCache({ open: (paths, o) => Replay.open(paths, { ...o, worker: true }) });
  /** Each session's load: its abort signal and progress notification. */
  readonly loads = new Loads();
  private readonly replays = new Map<string, ActiveReplay>();
  /** The last replay that ran, to start again where a link or click points once it has ended. */
  private last?: { config: vscode.DebugConfiguration; folder?: vscode.WorkspaceFolder; position?: string };
  private readonly changed = new vscode.EventEmitter<ActiveReplay | undefined>();
  /** Fires when a replay starts, ends, finishes loading, or moves. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly context: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel("ElixirScope", { log: true });
    this.disposables.push(
      this.log,
      this.changed,
      this.loads,
      vscode.debug.onDidStartDebugSession((s) => {
        if (s.type === DEBUG_TYPE) this.attach(s);
      }),
      vscode.debug.onDidTerminateDebugSession((s) => this.detach(s)),
      vscode.debug.onDidChangeActiveDebugSession(() => this.changed.fire(this.active)),
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        if (e.event !== "elixirscope/moment") return;
        const r = this.replays.get(e.session.id);
        if (!r) return;
        r.moment = e.body as Moment;
        // The shared cursor follows the session, so that views observing it (the diagram) move too.
        if (r.lease && r.moment.index !== r.lease.cursor.index && r.moment.index < r.lease.replay.eventCount)
          r.lease.cursor.moveTo(r.moment.index, "external", "debug");
        this.changed.fire(r);
      }),
    );
  }

  /** The replay of the focused debug session, else the one most recently started. */
  get active(): ActiveReplay | undefined {
    const s = vscode.debug.activeDebugSession;
    if (s && this.replays.has(s.id)) return this.replays.get(s.id);
    return [...this.replays.values()].pop();
  }

  /** The active replay once its recording is loaded, with the moment it stands at. */
  current():
    | { active: ActiveReplay; replay: Replay; cursor: ReplayCursor; paths: PathMapper; moment?: Moment }
    | undefined {
    const a = this.active;
    if (!a?.lease || !a.paths) return undefined;
    return { active: a, replay: a.lease.replay, cursor: a.lease.cursor, paths: a.paths, moment: a.moment };
  }

  /**
   * Moves the active replay (through its debug session, so every view follows). With none running, a
   * hover's link, a diagram click or Go to Event starts the last replay again at that moment.
   */
  async gotoMoment(target: MomentTarget | number): Promise<void> {
    const a = this.active;
    if (!a) return this.replayAgain(startAtOf(target));
    await a.session.customRequest(
      "elixirscope/goto",
      typeof target === "number" ? { index: target } : target,
    );
  }

  /**
   * With no replay running, starts the last one again (at `startAt`, else where it stood) and settles
   * once its recording is loaded for the views; says what to do when there was none.
   */
  async replayAgain(startAt?: string): Promise<void> {
    const last = this.last;
    if (!last)
      throw new Error(
        "no ElixirScope replay is running: start one with F5 (Run and Debug → “ElixirScope: Replay”) or “ElixirScope: Open Trace…”",
      );
    const at = startAt ?? last.position;
    let listener: vscode.Disposable | undefined;
    const loaded = new Promise<void>((resolve) => {
      listener = this.onDidChange(() => {
        if (this.current()?.moment) resolve();
      });
    });
    const config: vscode.DebugConfiguration = {
      ...last.config,
      ...(at !== undefined ? { startAt: at } : {}),
    };
    this.log.info(`no replay running: starting ${String(config.trace)} again at ${at ?? "its start"}`);
    try {
      const ok = await vscode.debug.startDebugging(last.folder, config);
      if (!ok) throw new Error(`could not start the replay of ${String(config.trace)} again`);
      await loaded;
    } finally {
      listener?.dispose();
    }
  }

  /** The `elixirscope.print.*` limits for one-line event descriptions. */
  printLimits(): { limit: number; width: number } {
    return { limit: this.setting("print.limit", 8), width: this.setting("print.width", 160) };
  }

  setting<T>(key: string, fallback: T): T {
    return vscode.workspace.getConfiguration("elixirscope").get<T>(key, fallback);
  }

  private attach(session: vscode.DebugSession): void {
    const cfg = session.configuration;
    const cwd = typeof cfg.cwd === "string" ? cfg.cwd : session.workspaceFolder?.uri.fsPath;
    const given = typeof cfg.trace === "string" ? [cfg.trace] : Array.isArray(cfg.trace) ? cfg.trace : [];
    const traces = given
      .filter((t: unknown): t is string => typeof t === "string" && t !== "")
      .map((t: string) => (isAbsolute(t) || !cwd ? t : resolve(cwd, t)));
    let settle!: () => void;
    const entry: ActiveReplay = { session, traces, ready: new Promise<void>((r) => (settle = r)) };
    this.replays.set(session.id, entry);
    this.changed.fire(entry);
    if (traces.length === 0) return settle();
    this.last = { config: { ...cfg }, folder: session.workspaceFolder };
    this.cache.acquire(traces, { signal: this.loads.signal(session) }).then(
      (lease) => {
        if (this.replays.get(session.id) !== entry) return lease.release();
        entry.lease = lease;
        const r = lease.replay;
        if (entry.moment && entry.moment.index < r.eventCount)
          lease.cursor.moveTo(entry.moment.index, "external", "debug");
        const sources = [...new Set([...r.modules().map((m) => m.source), ...r.sourceFiles()])];
        entry.paths = new PathMapper(
          mappingsOf(cfg.pathMappings),
          typeof cfg.sourceRoot === "string" ? cfg.sourceRoot : session.workspaceFolder?.uri.fsPath,
          sources,
          undefined,
          projectRoots(r.files),
        );
        this.log.info(`replay ${session.name}: ${r.eventCount} events from ${traces.join(", ")}`);
        settle();
        this.changed.fire(entry);
      },
      (e: unknown) => {
        // The adapter reports a bad trace to the user; here it only means no views for it.
        const text = `replay ${session.name}: ${e instanceof Error ? e.message : String(e)}`;
        if (e instanceof LoadCancelledError) this.log.info(text);
        else this.log.warn(text);
        settle();
      },
    );
  }

  private detach(session: vscode.DebugSession): void {
    this.loads.end(session.id);
    const entry = this.replays.get(session.id);
    if (!entry) return;
    this.replays.delete(session.id);
    const last = this.last;
    if (last && last.config.trace === session.configuration.trace && entry.moment)
      last.position = entry.moment.position;
    entry.lease?.release();
    this.changed.fire(this.active);
  }

  dispose(): void {
    for (const r of this.replays.values()) r.lease?.release();
    this.replays.clear();
    this.cache.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** A goto target as a launch's `startAt`. */
function startAtOf(target: MomentTarget | number): string {
  if (typeof target === "number") return `index:${target}`;
  if ("index" in target) return `index:${target.index}`;
  if ("seq" in target) return `seq:${target.seq}`;
  if ("position" in target) return target.position;
  return target.moment;
}

function mappingsOf(v: unknown): Array<{ from: string; to: string }> {
  if (Array.isArray(v))
    return v.filter(
      (m): m is { from: string; to: string } => typeof m?.from === "string" && typeof m?.to === "string",
    );
  if (v && typeof v === "object")
    return Object.entries(v as Record<string, unknown>)
      .filter(([, to]) => typeof to === "string")
      .map(([from, to]) => ({ from, to: to as string }));
  return [];
}
