// Launching "ElixirScope: Replay" with or without a launch.json: the trace is the active .estrace
// tab, else picked from the workspace's **/*.estrace (newest first); sourceRoot is the workspace
// folder. Also `${command:elixirscope.pickTrace}` for launch.json entries that ask every time.

import { closeSync, openSync, readSync, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import * as vscode from "vscode";
import { DEBUG_TYPE, type Services } from "./services";

export const REPLAY_CONFIG_NAME = "ElixirScope: Replay";

/** The workspace's trace files, newest first. */
export async function tracesNewestFirst(): Promise<vscode.Uri[]> {
  const found = await vscode.workspace.findFiles(
    "**/*.estrace",
    "**/{node_modules,_build,deps,.git}/**",
    2000,
  );
  const mtime = (u: vscode.Uri): number => {
    try {
      return statSync(u.fsPath).mtimeMs;
    } catch {
      return 0;
    }
  };
  return found
    .map((u) => ({ u, t: mtime(u) }))
    .sort((a, b) => b.t - a.t || a.u.fsPath.localeCompare(b.u.fsPath))
    .map((x) => x.u);
}

/** The .estrace file in the active editor tab (a binary file has no text editor, only a tab). */
export function activeTraceFile(): string | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = (input as { uri?: unknown } | undefined)?.uri;
  return uri instanceof vscode.Uri && uri.scheme === "file" && uri.fsPath.endsWith(".estrace")
    ? uri.fsPath
    : undefined;
}

export async function pickTrace(): Promise<string | undefined> {
  const traces = await tracesNewestFirst();
  if (traces.length === 0) {
    void vscode.window.showErrorMessage(
      "ElixirScope: no .estrace file in this workspace. Record one (“ElixirScope: Record and Replay…”) or open one (“ElixirScope: Open Trace…”).",
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    traces.map((u) => ({
      label: vscode.workspace.asRelativePath(u, false),
      description: new Date(statSync(u.fsPath).mtimeMs).toLocaleString(),
      path: u.fsPath,
    })),
    { title: "ElixirScope: replay which recording?", placeHolder: "newest first", matchOnDescription: true },
  );
  return picked?.path;
}

export function replayConfig(trace: string, folder?: vscode.WorkspaceFolder): vscode.DebugConfiguration {
  return {
    type: DEBUG_TYPE,
    request: "launch",
    name: REPLAY_CONFIG_NAME,
    trace,
    ...(folder ? { sourceRoot: folder.uri.fsPath } : {}),
  };
}

export class ReplayConfigurationProvider implements vscode.DebugConfigurationProvider {
  constructor(private readonly services: Services) {}

  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [
      {
        type: DEBUG_TYPE,
        request: "launch",
        name: REPLAY_CONFIG_NAME,
        trace: "${command:elixirscope.pickTrace}",
        sourceRoot: "${workspaceFolder}",
        stopOnEntry: true,
      },
    ];
  }

  async resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    // F5 with no launch.json: an empty configuration.
    if (!config.type && !config.request && !config.name) {
      config.type = DEBUG_TYPE;
      config.request = "launch";
      config.name = REPLAY_CONFIG_NAME;
    }
    const active = activeTraceFile();
    if (config.trace === "${file}" && active) config.trace = active;
    if (config.trace === undefined || config.trace === "") {
      const trace = active ?? (await pickTrace());
      if (!trace) return undefined; // cancelled: no session
      config.trace = trace;
    }
    folder ??= vscode.workspace.workspaceFolders?.[0];
    if (config.sourceRoot === undefined && folder) config.sourceRoot = folder.uri.fsPath;
    if (config.cwd === undefined && folder) config.cwd = folder.uri.fsPath;
    if (config.logLevel === undefined) config.logLevel = this.services.setting("logLevel", "error");
    this.services.log.info(`launch ${config.name}: ${JSON.stringify(config.trace)}`);
    return config;
  }

  /** After ${…} substitution: a missing file or one that is not a trace is refused here, with a notification. */
  resolveDebugConfigurationWithSubstitutedVariables(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.DebugConfiguration | undefined {
    const traces: unknown[] = Array.isArray(config.trace) ? config.trace : [config.trace];
    for (const t of traces) {
      if (typeof t !== "string") continue; // the adapter explains a malformed "trace"
      const path = isAbsolute(t) || typeof config.cwd !== "string" ? t : resolve(config.cwd, t);
      const problem = traceProblem(path);
      if (problem) {
        this.services.log.error(problem);
        void vscode.window.showErrorMessage(`ElixirScope: ${problem}`);
        return undefined;
      }
    }
    return config;
  }
}

const MAGIC = Buffer.from([0x89, 0x45, 0x53, 0x54, 0x52, 0x43, 0x0d, 0x0a]);

/** Why `path` cannot be replayed at a glance (missing, a folder, not a trace), or undefined. */
export function traceProblem(path: string): string | undefined {
  let fd: number;
  try {
    if (statSync(path).isDirectory()) return `${path}: is a folder, not a trace file`;
    fd = openSync(path, "r");
  } catch {
    return `${path}: trace file not found (record one with “ElixirScope: Record and Replay…”)`;
  }
  try {
    const head = Buffer.alloc(MAGIC.length);
    const n = readSync(fd, head, 0, head.length, 0);
    if (n < MAGIC.length || !head.equals(MAGIC))
      return `${path}: not an ElixirScope trace (.estrace files start with the bytes 89 'ESTRC' 0D 0A)`;
    return undefined;
  } finally {
    closeSync(fd);
  }
}
