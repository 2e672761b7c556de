// The debugging commands the toolbar, the Call Stack and Variables menus and the palette offer on top
// of what DAP has: reverse step into/out, previous/next state change, Last Change, Open Trace…,
// and the internal "go to index" the timeline's items run.

import * as vscode from "vscode";
import { replayConfig } from "./debugConfig";
import type { Services } from "./services";

/** The process the replay stands in (VS Code's focused thread can lag behind a move made from outside). */
function threadId(services: Services): number | undefined {
  return services.active?.moment?.threadId;
}

function session(services: Services): vscode.DebugSession {
  const a = services.active;
  if (!a) throw new Error("no ElixirScope replay is running");
  return a.session;
}

export async function reverseStep(services: Services, into: boolean): Promise<void> {
  await session(services).customRequest(into ? "elixirscope/reverseStepIn" : "elixirscope/reverseStepOut", {
    threadId: threadId(services),
  });
}

/** Next (or previous) state change of the process the replay is in. */
export async function stepStateChange(services: Services, forward: boolean): Promise<void> {
  const cur = services.current();
  if (!cur?.moment) throw new Error("no ElixirScope replay is stopped at a moment");
  const r = cur.replay;
  const at = cur.moment.index;
  const pid = r.pidOf(at);
  const hit = forward
    ? r.getEventIndices({ pids: [pid], kinds: ["state"], indexRange: { from: at + 1 }, limit: 1 })[0]
    : at === 0
      ? undefined
      : r.getEventIndices({
          pids: [pid],
          kinds: ["state"],
          indexRange: { to: at - 1 },
          order: "desc",
          limit: 1,
        })[0];
  if (hit === undefined)
    throw new Error(`${r.process(pid).label} has no ${forward ? "later" : "earlier"} state change`);
  await services.gotoMoment(hit);
}

/** The Variables view's context menu passes the variable and the scope or value holding it. */
interface VariableContext {
  container?: { variablesReference?: number };
  variable?: { name?: string; evaluateName?: string };
}

export async function lastChange(services: Services, ctx?: VariableContext): Promise<void> {
  const s = session(services);
  const v = ctx?.variable;
  if (v?.evaluateName) await s.customRequest("elixirscope/lastChange", { expression: v.evaluateName });
  else if (v?.name && ctx?.container?.variablesReference !== undefined)
    await s.customRequest("elixirscope/lastChange", {
      variablesReference: ctx.container.variablesReference,
      name: v.name,
    });
  else {
    const expression = await vscode.window.showInputBox({
      title: "ElixirScope: Last Change",
      prompt: "A value inside a process's state",
      placeHolder: "state.seats[12]",
    });
    if (expression) await s.customRequest("elixirscope/lastChange", { expression });
  }
}

export async function openTrace(file?: vscode.Uri): Promise<boolean> {
  const uri =
    file ??
    (
      await vscode.window.showOpenDialog({
        title: "ElixirScope: open a recording",
        canSelectMany: false,
        filters: { "ElixirScope traces": ["estrace"] },
      })
    )?.[0];
  if (!uri) return false;
  const folder = vscode.workspace.getWorkspaceFolder(uri) ?? vscode.workspace.workspaceFolders?.[0];
  return vscode.debug.startDebugging(folder, replayConfig(uri.fsPath, folder));
}
