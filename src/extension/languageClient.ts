// The ElixirScope language client in VS Code: runs the language server in the extension host over
// in-memory transports, on the replay the debug session already loaded (the shared services), and
// provides what the server's hovers and lenses link to: `elixirscope.goto` (move the replay to a
// position) and `elixirscope.showCalls` (a quick pick of a function's calls). Dims the functions
// that never ran when `elixirscope.hovers.dimUnexecuted` is on.
//
// Wiring (in `activate`): `context.subscriptions.push(new ElixirScopeLanguageClient(services))`.

import * as vscode from "vscode";
import { LanguageClient, type LanguageClientOptions } from "vscode-languageclient/node";
import type { Replay } from "../core/replay";
import type { ReplayCursor } from "../core/cursor";
import { followCursor, type MomentCursor } from "../languageServer/cursor";
import { startInProcessServer, type InProcessServer } from "../languageServer/inProcess";
import {
  CallsRequest,
  CLIENT_COMMANDS,
  DimmedNotification,
  type DimmedParams,
  type Settings,
} from "../languageServer/protocol";

/** What the client needs of the extension's shared services (`Services` in services.ts has it). */
export interface ReplayServices {
  current():
    | {
        replay: Replay;
        paths: { toLocal(recorded: string): string | undefined };
        /** The replay's shared cursor (from the core ReplayCache lease), when the services hold one. */
        cursor?: ReplayCursor;
        /** Else: the moment the debug session last reported. */
        moment?: { index: number };
      }
    | undefined;
  readonly onDidChange: vscode.Event<unknown>;
  gotoMoment(target: { index: number } | { position: string }): Promise<void>;
  setting<T>(key: string, fallback: T): T;
}

export class ElixirScopeLanguageClient implements vscode.Disposable {
  private client?: LanguageClient;
  private server?: InProcessServer;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly dimmed = vscode.window.createTextEditorDecorationType({ opacity: "0.45" });
  private readonly dimmedByUri = new Map<string, DimmedParams["ranges"]>();

  constructor(private readonly services: ReplayServices) {
    this.disposables.push(
      this.dimmed,
      vscode.commands.registerCommand(CLIENT_COMMANDS.goto, (target: unknown) => this.goto(target)),
      vscode.commands.registerCommand(CLIENT_COMMANDS.showCalls, (arg: unknown) => this.showCalls(arg)),
      // The client starts with the first loaded replay and then follows whichever is active.
      services.onDidChange(() => {
        if (!this.client && services.current()) void this.start();
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.paintAll()),
    );
    if (services.current()) void this.start();
  }

  private settings(): Partial<Settings> {
    return {
      printLimit: this.services.setting("hovers.printLimit", 10),
      recentCalls: this.services.setting("hovers.recentCalls", 5),
      dimUnexecuted: this.services.setting("hovers.dimUnexecuted", false),
      clientCommands: true,
    };
  }

  private async start(): Promise<void> {
    const services = this.services;
    let lastReplay: Replay | undefined;
    let lastIndex: number | undefined;
    const cursorListeners = new Set<(i: number | undefined) => void>();
    const traceListeners = new Set<() => void>();
    // Without a shared cursor, the moment the debug session reports, moved through the session.
    const reported: MomentCursor = {
      get index() {
        return services.current()?.moment?.index;
      },
      set: (index) => void services.gotoMoment({ index }),
      onDidChange: (l) => {
        cursorListeners.add(l);
        return { dispose: () => cursorListeners.delete(l) };
      },
    };
    this.disposables.push(
      services.onDidChange(() => {
        const cur = services.current();
        if (cur?.replay !== lastReplay) {
          lastReplay = cur?.replay;
          for (const l of traceListeners) l();
        }
        const index = cur?.moment?.index;
        if (index !== lastIndex) {
          lastIndex = index;
          for (const l of cursorListeners) l(index);
        }
      }),
    );
    lastReplay = services.current()?.replay;
    lastIndex = reported.index;
    this.server = startInProcessServer({
      replay: () => services.current()?.replay,
      toLocal: (p) => services.current()?.paths.toLocal(p),
      cursor: () => {
        const cur = services.current();
        return cur?.cursor ? followCursor(cur.cursor) : cur ? reported : undefined;
      },
      onDidChangeTrace: (l) => {
        traceListeners.add(l);
        return { dispose: () => traceListeners.delete(l) };
      },
    });
    const server = this.server;
    const options: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "elixir" },
        { scheme: "file", pattern: "**/*.{ex,exs}" },
      ],
      initializationOptions: this.settings(),
      synchronize: { configurationSection: "elixirscope" },
      // The hover's links run this extension's own commands.
      markdown: { isTrusted: { enabledCommands: [CLIENT_COMMANDS.goto] } },
    };
    this.client = new LanguageClient(
      "elixirscope",
      "ElixirScope",
      () => Promise.resolve({ reader: server.reader, writer: server.writer, detached: false }),
      options,
    );
    await this.client.start();
    this.disposables.push(
      this.client.onNotification(DimmedNotification, (p) => {
        this.dimmedByUri.set(p.uri, p.ranges);
        this.paintAll();
      }),
    );
  }

  private paintAll(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const ranges = this.dimmedByUri.get(editor.document.uri.toString()) ?? [];
      editor.setDecorations(
        this.dimmed,
        ranges.map((r) => new vscode.Range(r.start, 0, r.end, Number.MAX_SAFE_INTEGER)),
      );
    }
  }

  private async goto(target: unknown): Promise<void> {
    try {
      if (typeof target === "number") await this.services.gotoMoment({ index: target });
      else if (typeof target === "string") await this.services.gotoMoment({ position: target });
      else throw new Error(`cannot go to ${JSON.stringify(target)}: expected a position like 1a2b3c4d@120`);
    } catch (e) {
      void vscode.window.showErrorMessage(`ElixirScope: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async showCalls(arg: unknown): Promise<void> {
    const client = this.client;
    const a = arg as { uri?: unknown; line?: unknown; arity?: unknown } | undefined;
    if (!client || typeof a?.uri !== "string" || typeof a.line !== "number") return;
    const result = await client.sendRequest(CallsRequest, {
      uri: a.uri,
      line: a.line,
      arity: typeof a.arity === "number" ? a.arity : undefined,
      limit: 200,
    });
    if (!result || result.calls.length === 0) {
      void vscode.window.showInformationMessage("ElixirScope: no recorded calls of this function.");
      return;
    }
    const picked = await vscode.window.showQuickPick(
      result.calls.map((c) => ({ label: c.label, description: c.position, detail: c.detail, call: c })),
      {
        title: `${result.function}: ${result.total} calls${result.total > result.calls.length ? ` (the last ${result.calls.length})` : ""}`,
        matchOnDescription: true,
        matchOnDetail: true,
      },
    );
    if (picked) await this.goto(picked.call.position);
  }

  dispose(): void {
    void this.client?.stop().catch(() => undefined);
    this.server?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
