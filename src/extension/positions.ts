// Positions people can share: "Copy Position" puts a vscode:// link on the clipboard that opens this
// trace at this moment (`vscode://elixirscope.elixirscope/open?trace=/abs/run.estrace&position=1a2b3c4d@612`);
// the URI handler and "Open Position…" take such a link (or a bare position for the running replay).

import * as vscode from "vscode";
import { replayConfig } from "./debugConfig";
import type { Services } from "./services";

export function positionLink(services: Services, trace: string, position: string): string {
  const base = `${vscode.env.uriScheme}://${services.context.extension.id}/open`;
  return `${base}?trace=${encodeURIComponent(trace)}&position=${encodeURIComponent(position)}`;
}

export async function copyPosition(services: Services): Promise<string> {
  const a = services.active;
  if (!a?.moment) throw new Error("no ElixirScope replay is stopped at a moment");
  const link = positionLink(services, a.traces[0], a.moment.position);
  await vscode.env.clipboard.writeText(link);
  services.log.info(`copied ${link}`);
  void vscode.window.setStatusBarMessage(`ElixirScope: copied position ${a.moment.position}`, 4000);
  return link;
}

/** A link (vscode://…/open?trace=…&position=…) or a bare position (`1a2b3c4d@612`) for the running replay. */
export async function openPosition(services: Services, text: string): Promise<void> {
  const t = text.trim();
  if (/^[0-9a-f]{8}@\d+$/.test(t)) return services.gotoMoment({ position: t });
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(t, true);
  } catch {
    throw new Error(`“${t}” is neither a position (1a2b3c4d@612) nor an ElixirScope link`);
  }
  return openUri(services, uri);
}

export async function openUri(services: Services, uri: vscode.Uri): Promise<void> {
  const q = new URLSearchParams(uri.query);
  const trace = q.get("trace");
  const position = q.get("position");
  if (!trace || !position || !/^[0-9a-f]{8}@\d+$/.test(position))
    throw new Error(`${uri.toString(true)}: an ElixirScope link needs ?trace=FILE&position=1a2b3c4d@N`);
  const running = services.active;
  if (running && running.traces.length === 1 && running.traces[0] === trace)
    return services.gotoMoment({ position });
  const folder =
    vscode.workspace.getWorkspaceFolder(vscode.Uri.file(trace)) ?? vscode.workspace.workspaceFolders?.[0];
  const ok = await vscode.debug.startDebugging(folder, { ...replayConfig(trace, folder), startAt: position });
  if (!ok) throw new Error(`could not start a replay of ${trace}`);
}

export class PositionUriHandler implements vscode.UriHandler {
  constructor(private readonly services: Services) {}

  async handleUri(uri: vscode.Uri): Promise<void> {
    try {
      await openUri(this.services, uri);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.services.log.error(msg);
      void vscode.window.showErrorMessage(`ElixirScope: ${msg}`);
    }
  }
}
