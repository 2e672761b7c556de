// "ElixirScope: Show Message Flow": opens (or reveals) the message-flow webview beside the editor for
// one replay, with a strict CSP page whose only resources are the extension's dist/, and connects it
// to a FlowPanelSession that answers its pages and carries clicks to the debugger.

import * as vscode from "vscode";
import type { Replay } from "../core/replay";
import { flowPanelHtml } from "./flowPanelHtml";
import { FlowPanelSession, type FlowPanelDeps } from "./flowPanelSession";

export const SHOW_MESSAGE_FLOW = "elixirscope.showMessageFlow";
const VIEW_TYPE = "elixirscope.messageFlow";

/** One panel per replay: showing it again reveals the open one. */
const open = new Map<Replay, vscode.WebviewPanel>();

/** What an open panel's host saw and sent: the integration tests read it (the extension's API). */
export interface FlowPanelState {
  readonly title: string;
  /** The last current-moment line sent to the webview (event index, diagram row), and whether it was delivered. */
  cursor?: { index: number; row: number; delivered: boolean };
  /** The types of the messages the webview sent, in order (it asks for pages once it runs). */
  readonly fromView: string[];
  /** Handles a message as the webview's own would be (a click), through the same validation. */
  receive(m: unknown): Promise<void>;
}

export const flowPanelStates = new Map<vscode.WebviewPanel, FlowPanelState>();

export type ShowFlowDeps = Omit<FlowPanelDeps, "saveSvg" | "onMessage"> & {
  /** Where problems are written (an output channel); the session never throws at the host. */
  output?: vscode.OutputChannel;
  /** Lets go of the panel's hold on the replay (called when the panel closes, or is not needed). */
  release?: () => void;
};

export function showFlowPanel(extensionUri: vscode.Uri, deps: ShowFlowDeps): vscode.WebviewPanel {
  const existing = open.get(deps.replay);
  if (existing) {
    deps.release?.();
    existing.reveal(vscode.ViewColumn.Beside, true);
    return existing;
  }
  const dist = vscode.Uri.joinPath(extensionUri, "dist");
  const name = deps.replay.files.map((f) => f.path.split(/[\\/]/).pop()).join(", ");
  const panel = vscode.window.createWebviewPanel(
    VIEW_TYPE,
    `Message Flow: ${name}`,
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    { enableScripts: true, localResourceRoots: [dist] },
  );
  const web = panel.webview;
  web.html = flowPanelHtml({
    cspSource: web.cspSource,
    scriptUri: web.asWebviewUri(vscode.Uri.joinPath(dist, "webview.js")).toString(),
    styleUri: web.asWebviewUri(vscode.Uri.joinPath(dist, "webview.css")).toString(),
  });
  const fromView: string[] = [];
  const state: FlowPanelState = { title: panel.title, fromView, receive: (m) => session.handle(m) };
  const session = new FlowPanelSession(
    {
      ...deps,
      log: (m) => (deps.output ? deps.output.appendLine(m) : deps.log?.(m)),
      saveSvg: (svg) => saveSvg(svg),
      onMessage: (m) => fromView.push(m.type),
    },
    async (m) => {
      const delivered = await web.postMessage(m);
      if (m.type === "cursor") state.cursor = { index: m.index, row: m.position, delivered };
      return delivered;
    },
  );
  const sub = web.onDidReceiveMessage((m: unknown) => void session.handle(m));
  open.set(deps.replay, panel);
  flowPanelStates.set(panel, state);
  panel.onDidDispose(() => {
    open.delete(deps.replay);
    flowPanelStates.delete(panel);
    sub.dispose();
    session.dispose();
    deps.release?.();
  });
  return panel;
}

/** Registers the command; `deps()` gives the active replay's services, or undefined when there is none. */
export function registerShowMessageFlow(
  context: vscode.ExtensionContext,
  deps: () => Promise<ShowFlowDeps | undefined>,
): vscode.Disposable {
  const cmd = vscode.commands.registerCommand(SHOW_MESSAGE_FLOW, async () => {
    const d = await deps();
    if (!d) {
      void vscode.window.showInformationMessage(
        "ElixirScope: open a recording (start an ElixirScope debug session) to see its message flow.",
      );
      return undefined;
    }
    return showFlowPanel(context.extensionUri, d);
  });
  context.subscriptions.push(cmd);
  return cmd;
}

async function saveSvg(svg: string): Promise<void> {
  const uri = await vscode.window.showSaveDialog({
    filters: { SVG: ["svg"] },
    saveLabel: "Export SVG",
    defaultUri: vscode.workspace.workspaceFolders?.[0]
      ? vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, "message-flow.svg")
      : undefined,
  });
  if (!uri) return;
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(svg));
  void vscode.window.showInformationMessage(`ElixirScope: saved the message flow to ${uri.fsPath}`);
}
