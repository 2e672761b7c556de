// Where the debug adapter runs: inline in the extension host (the default: no process to start, the
// recording is loaded in a worker thread) or as `node dist/cli.js dap` (setting `elixirscope.adapter`),
// which keeps a misbehaving adapter out of the extension host. A tracker logs what failed.

import { join } from "node:path";
import * as vscode from "vscode";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { ElixirScopeSession } from "../debugAdapter/main";
import type { Services } from "./services";
import { commandEnv } from "../cli/commandEnv";

export class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly services: Services) {}

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.DebugAdapterDescriptor {
    const mode = this.services.setting<"inline" | "external">("adapter", "inline");
    this.services.log.info(`session ${session.name}: adapter ${mode}`);
    if (mode === "external") {
      const cli = join(this.services.context.extensionPath, "dist", "cli.js");
      // The extension host's executable is Electron on the desktop: run it as plain Node. An empty
      // NODE_EXTRA_CA_CERTS spares its start the parse of that CA bundle (the adapter does no TLS);
      // GLIBC_TUNABLES asks for huge pages for a first open's big arrays, as bin/elixirscope.js does.
      return new vscode.DebugAdapterExecutable(process.execPath, [cli, "dap"], {
        env: { ELECTRON_RUN_AS_NODE: "1", ...commandEnv(process.env) },
      });
    }
    return new vscode.DebugAdapterInlineImplementation(new NotifyingAdapter(this.services, session));
  }
}

/**
 * The inline session, with its user-facing errors (a launch that fails) shown as a notification:
 * VS Code shows an adapter's `showUser` error as a modal dialog, too heavy for "this file is damaged".
 * Its load progress is shown as a cancellable notification (VS Code's rendering of DAP progress has
 * no Cancel for it): Cancel aborts the session's load, the launch fails and the session ends.
 */
class NotifyingAdapter implements vscode.DebugAdapter {
  private readonly session: ElixirScopeSession;
  private readonly emitter = new vscode.EventEmitter<vscode.DebugProtocolMessage>();
  readonly onDidSendMessage = this.emitter.event;
  private readonly forward: vscode.Disposable;
  /** The load's progress notification: its reporter and how it ends. */
  private loading?: { report: (m?: string, p?: number) => void; end: () => void };

  constructor(
    private readonly services: Services,
    vsSession: vscode.DebugSession,
  ) {
    // The extension's cache: the session, the hovers and the diagram share one load and one cursor;
    // the session's abort signal goes with the adapter's acquire.
    const signal = services.loads.signal(vsSession, true);
    const cache = services.cache;
    this.session = new ElixirScopeSession({
      replays: { acquire: (paths, opts) => cache.acquire(paths, { ...opts, signal }) },
    });
    this.forward = this.session.onDidSendMessage((m) => {
      if (this.progress(vsSession, m as DebugProtocol.ProtocolMessage)) return;
      const r = m as DebugProtocol.Response;
      const error = r.type === "response" && !r.success ? r.body?.error : undefined;
      if (error?.showUser) {
        error.showUser = false;
        if (services.loads.cancelled(vsSession.id)) {
          void vscode.window.showInformationMessage(error.format);
          this.services.log.info(error.format);
        } else {
          void vscode.window.showErrorMessage(error.format);
          this.services.log.error(error.format);
        }
      }
      this.emitter.fire(m as vscode.DebugProtocolMessage);
    });
  }

  /** Turns the adapter's progress events into the notification; true when the message was one. */
  private progress(vsSession: vscode.DebugSession, m: DebugProtocol.ProtocolMessage): boolean {
    if (m.type !== "event") return false;
    const e = m as DebugProtocol.Event;
    if (e.event === "progressStart") {
      const body = (e as DebugProtocol.ProgressStartEvent).body;
      this.loading?.end();
      let end!: () => void;
      const done = new Promise<void>((r) => (end = r));
      const report = this.services.loads.show(vsSession, body.title, done);
      this.loading = { report, end };
      return true;
    }
    if (e.event === "progressUpdate") {
      const body = (e as DebugProtocol.ProgressUpdateEvent).body;
      this.loading?.report(body.message, body.percentage);
      return true;
    }
    if (e.event === "progressEnd") {
      this.loading?.end();
      this.loading = undefined;
      return true;
    }
    return false;
  }

  handleMessage(message: vscode.DebugProtocolMessage): void {
    this.session.handleMessage(message as DebugProtocol.ProtocolMessage);
  }

  dispose(): void {
    this.loading?.end();
    this.forward.dispose();
    this.emitter.dispose();
    this.session.dispose();
  }
}

/** Logs failed requests and adapter errors to the ElixirScope output channel. */
export class AdapterTrackerFactory implements vscode.DebugAdapterTrackerFactory {
  constructor(private readonly services: Services) {}

  createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    const log = this.services.log;
    return {
      onDidSendMessage: (m: DebugProtocol.ProtocolMessage) => {
        if (m.type !== "response") return;
        const r = m as DebugProtocol.Response;
        if (!r.success)
          log.warn(`${session.name}: ${r.command} failed: ${r.body?.error?.format ?? r.message}`);
      },
      onError: (e) => log.error(`${session.name}: ${e.message}`),
      onExit: (code, signal) => {
        if (code) log.warn(`${session.name}: adapter exited with ${code ?? signal}`);
      },
    };
  }
}
