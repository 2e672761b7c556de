// The extension's entry: builds the shared services, then registers each part — the `elixirscope`
// debugger (configuration provider, inline or external adapter), the commands, the status bar, the
// current-line and hit-count decorations, the timeline view, the vscode:// link handler, and the
// other front ends on the same services: the hovers (languageClient) and the message-flow panel.
// Every registration goes into context.subscriptions, so deactivation disposes all of it.

import * as vscode from "vscode";
import { AdapterFactory, AdapterTrackerFactory } from "./adapterFactory";
import type { ElixirScopeApi } from "./api";
import { lastChange, openTrace, reverseStep, stepStateChange } from "./commands";
import { CurrentLine } from "./currentLine";
import { pickTrace, ReplayConfigurationProvider } from "./debugConfig";
import { GotoEvent } from "./gotoEvent";
import { flowPanelStates, registerShowMessageFlow } from "./flowPanel";
import { HitCounts } from "./hitCounts";
import { ElixirScopeLanguageClient } from "./languageClient";
import { copyPosition, openPosition, PositionUriHandler } from "./positions";
import { recordAndReplay } from "./record";
import { DEBUG_TYPE, Services } from "./services";
import { MomentStatus } from "./statusBar";
import { TimelineView } from "./timeline";

export function activate(context: vscode.ExtensionContext): ElixirScopeApi {
  const services = new Services(context);
  const gotoEvent = new GotoEvent(services);
  const currentLine = new CurrentLine(services);
  const hitCounts = new HitCounts(services);
  const status = new MomentStatus(services);
  const timeline = new TimelineView(services);

  /** A command that reports its failure as one notification instead of throwing into VS Code. */
  const command = (id: string, run: (...args: never[]) => unknown): vscode.Disposable =>
    vscode.commands.registerCommand(id, async (...args: never[]) => {
      try {
        return await run(...args);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        services.log.error(`${id}: ${msg}`);
        void vscode.window.showErrorMessage(`ElixirScope: ${msg}`);
        return undefined;
      }
    });

  context.subscriptions.push(
    services,
    gotoEvent,
    currentLine,
    hitCounts,
    status,
    timeline,
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ReplayConfigurationProvider(services)),
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      new ReplayConfigurationProvider(services),
      vscode.DebugConfigurationProviderTriggerKind.Dynamic,
    ),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new AdapterFactory(services)),
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, new AdapterTrackerFactory(services)),
    vscode.window.registerTreeDataProvider("elixirscope.timeline", timeline),
    vscode.window.registerUriHandler(new PositionUriHandler(services)),
    command("elixirscope.pickTrace", () => pickTrace()),
    command("elixirscope.openTrace", (file?: vscode.Uri) => openTrace(file)),
    // Arguments (a script, an output file) skip the questions: for keybindings and the tests.
    command("elixirscope.recordAndReplay", (given?: Parameters<typeof recordAndReplay>[1]) =>
      recordAndReplay(services, given && typeof given === "object" ? given : undefined),
    ),
    command("elixirscope.goToEvent", (query?: string) =>
      gotoEvent.run(typeof query === "string" ? query : undefined),
    ),
    command("elixirscope.gotoIndex", (index: number) => services.gotoMoment(index)),
    command("elixirscope.reverseStepIn", () => reverseStep(services, true)),
    command("elixirscope.reverseStepOut", () => reverseStep(services, false)),
    command("elixirscope.previousStateChange", () => stepStateChange(services, false)),
    command("elixirscope.nextStateChange", () => stepStateChange(services, true)),
    command("elixirscope.lastChange", (ctx?: Parameters<typeof lastChange>[1]) => lastChange(services, ctx)),
    command("elixirscope.copyPosition", () => copyPosition(services)),
    command("elixirscope.openPosition", async (text?: string) => {
      const given =
        typeof text === "string"
          ? text
          : await vscode.window.showInputBox({
              title: "ElixirScope: Open Position",
              prompt: "A copied link (vscode://…/open?trace=…&position=…) or a position of this replay",
              placeHolder: "1a2b3c4d@612",
            });
      if (given) await openPosition(services, given);
    }),
    command("elixirscope.cancelLoad", () => {
      if (services.loads.cancel() === 0)
        void vscode.window.showInformationMessage("ElixirScope: no recording is loading");
    }),
    command("elixirscope.nextHit", () => hitCounts.goToHit(true)),
    command("elixirscope.previousHit", () => hitCounts.goToHit(false)),
  );
  context.subscriptions.push(new ElixirScopeLanguageClient(services));
  registerShowMessageFlow(context, async () => {
    const cur = services.current();
    if (!cur) return undefined;
    // The panel holds the recording itself: it stays usable after the session ends, and a click then
    // starts the replay again at that moment (gotoMoment) on the same loaded recording.
    const lease = await services.cache.acquire(cur.active.traces);
    const r = lease.replay;
    return {
      replay: r,
      cursor: lease.cursor,
      release: () => lease.release(),
      goto: (index: number) => services.gotoMoment(index),
      // A thread is selected by standing at that process's latest event up to now.
      selectThread: async (pid: number) => {
        const at = services.current()?.moment?.index ?? cur.cursor.index;
        const hit =
          r.getEventIndices({ pids: [pid], indexRange: { to: at }, order: "desc", limit: 1 })[0] ??
          r.getEventIndices({ pids: [pid], limit: 1 })[0];
        if (hit !== undefined) await services.gotoMoment(hit);
      },
      openSource: async (file: string, line: number) => {
        const local = services.current()?.paths.toLocal(file);
        if (!local) {
          void vscode.window.showWarningMessage(
            `ElixirScope: ${file} is not in this workspace (see pathMappings)`,
          );
          return;
        }
        const doc = await vscode.workspace.openTextDocument(local);
        const pos = new vscode.Position(Math.max(line - 1, 0), 0);
        await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), preview: true });
      },
      log: (m: string) => services.log.warn(m),
    };
  });
  services.log.info(`ElixirScope ${context.extension.packageJSON.version} activated`);

  return {
    services,
    gotoEvent,
    currentLines: () => currentLine.marks,
    hitCounts: (fsPath) => hitCounts.painted.get(fsPath),
    timeline: () => timeline.items,
    statusText: () => (status.item.text ? status.item.text : undefined),
    loading: () => services.loads.running(),
    flowPanels: () => [...flowPanelStates.values()],
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions, which VS Code disposes.
}
