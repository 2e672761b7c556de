// Loading a recording, visible and cancellable: each debug session's loads (the adapter's and the views')
// share one abort signal, so Cancel on the progress notification (or "ElixirScope: Cancel Loading")
// stops the shared load in the core cache, whose last waiter gone terminates the load worker.

import { basename } from "node:path";
import * as vscode from "vscode";

interface Load {
  readonly session: vscode.DebugSession;
  readonly abort: AbortController;
  /** While loading: the progress notification's title and the latest progress reported. */
  title?: string;
  message?: string;
  percentage?: number;
  /** True when the inline adapter loads: a cancel fails its launch, which ends the session. */
  inline: boolean;
}

export interface LoadState {
  title: string;
  message?: string;
  percentage?: number;
}

export class Loads implements vscode.Disposable {
  private readonly loads = new Map<string, Load>();

  /** The abort signal of a session's loads (made on first use). */
  signal(session: vscode.DebugSession, inline = false): AbortSignal {
    return this.entry(session, inline).abort.signal;
  }

  /** Whether the session's load was cancelled (its failure is then a notice, not an error). */
  cancelled(sessionId: string): boolean {
    return this.loads.get(sessionId)?.abort.signal.aborted ?? false;
  }

  /**
   * Shows a cancellable progress notification until `done` settles; Cancel aborts the session's loads.
   * `report` takes the adapter's progress (text, percentage).
   */
  show(
    session: vscode.DebugSession,
    title: string,
    done: Promise<unknown>,
  ): (message: string | undefined, percentage: number | undefined) => void {
    const load = this.entry(session, false);
    load.title = title;
    load.message = load.percentage = undefined;
    let report: (message: string | undefined, percentage: number | undefined) => void = () => undefined;
    let settled = false;
    void done.finally(() => {
      settled = true;
      if (load.title === title) load.title = undefined;
    });
    // A load that ends within a moment shows no notification at all (no flash on every launch).
    const timer = setTimeout(() => {
      if (!settled) this.notify(session, title, done, (r) => (report = r));
    }, 400);
    void done.finally(() => clearTimeout(timer));
    return (message, percentage) => {
      load.message = message ?? load.message;
      load.percentage = percentage ?? load.percentage;
      report(message, percentage);
    };
  }

  private notify(
    session: vscode.DebugSession,
    title: string,
    done: Promise<unknown>,
    setReport: (r: (message: string | undefined, percentage: number | undefined) => void) => void,
  ): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `ElixirScope: ${title}`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => this.cancel(session.id));
        let shown = 0;
        setReport((message, percentage) => {
          const increment = percentage === undefined ? undefined : Math.max(0, percentage - shown);
          if (percentage !== undefined) shown = Math.max(shown, percentage);
          progress.report({ message, increment });
        });
        return done.then(
          () => undefined,
          () => undefined,
        );
      },
    );
  }

  /** The loads in progress: what their notifications show. */
  running(): LoadState[] {
    return [...this.loads.values()].flatMap((l) =>
      l.title ? [{ title: l.title, message: l.message, percentage: l.percentage }] : [],
    );
  }

  /**
   * Stops the loads of a session (of every loading session when none is given). The inline adapter's
   * launch then fails and ends its session; an external adapter's session is stopped.
   */
  cancel(sessionId?: string): number {
    let n = 0;
    for (const [id, l] of this.loads) {
      if (sessionId !== undefined && id !== sessionId) continue;
      if (sessionId === undefined && l.title === undefined) continue;
      if (l.abort.signal.aborted) continue;
      l.abort.abort();
      n++;
      if (!l.inline) void vscode.debug.stopDebugging(l.session);
    }
    return n;
  }

  /** The session ended: a load still running for it stops. */
  end(sessionId: string): void {
    this.loads.get(sessionId)?.abort.abort();
    this.loads.delete(sessionId);
  }

  dispose(): void {
    for (const l of this.loads.values()) l.abort.abort();
    this.loads.clear();
  }

  private entry(session: vscode.DebugSession, inline: boolean): Load {
    let l = this.loads.get(session.id);
    if (!l) this.loads.set(session.id, (l = { session, abort: new AbortController(), inline }));
    if (inline) l.inline = true;
    return l;
  }
}

/** "Loading a.estrace, b.estrace": the title for a session's traces. */
export function loadingTitle(traces: string[]): string {
  return `Loading ${traces.map((t) => basename(t)).join(", ")}`;
}
