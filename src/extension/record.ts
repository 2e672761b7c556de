// "ElixirScope: Record and Replay…": runs the recorder's mix task (recorder/README.md) for the
// workspace's Mix project as a task in a terminal — a script or an expression, with the options of
// the `elixirscope.record.*` settings — and launches the replay once the trace is written.

import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import { replayConfig } from "./debugConfig";
import type { Services } from "./services";

export interface RecordOptions {
  /** A script path relative to the project (`scenarios/demo.exs`), or `-e CODE`. */
  run: string;
  out: string;
  prefixes: string[];
  processes: "new" | "all";
  maxEvents?: number;
}

/** The `mix elixir_scope.record` command line for these options (words quoted for a POSIX shell). */
export function recordCommand(o: RecordOptions): string {
  const q = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const words = ["mix", "elixir_scope.record", "--out", q(o.out), "--processes", o.processes];
  for (const p of o.prefixes) words.push("--prefix", q(p));
  if (o.maxEvents) words.push("--max-events", String(o.maxEvents));
  const run = o.run.trim();
  if (run.startsWith("-e ")) words.push("-e", q(run.slice(3).trim()));
  else words.push("--", ...run.split(/\s+/).map(q));
  return words.join(" ");
}

export async function recordAndReplay(services: Services, given?: Partial<RecordOptions>): Promise<void> {
  const folder = await pickMixFolder();
  if (!folder) return;
  const root = folder.uri.fsPath;
  const mixExs = readFileSync(join(root, "mix.exs"), "utf8");
  if (!mixExs.includes("elixir_scope_recorder"))
    throw new Error(
      `${join(root, "mix.exs")}: the recorder is not a dependency; add {:elixir_scope_recorder, path: "${join(services.context.extensionPath, "recorder")}", only: [:dev, :test]} to deps and run mix deps.get`,
    );
  const run =
    given?.run ??
    (await vscode.window.showInputBox({
      title: "ElixirScope: record what?",
      prompt:
        "A script of the project with its arguments (scenarios/demo.exs arg), or -e followed by Elixir code",
      value: services.context.workspaceState.get<string>("elixirscope.lastRecord") ?? "",
      validateInput: (v) => (v.trim() === "" ? "say what to run" : undefined),
    }));
  if (!run) return;
  await services.context.workspaceState.update("elixirscope.lastRecord", run);
  const options: RecordOptions = {
    run,
    out: given?.out ?? services.setting("record.out", "elixir_scope.estrace"),
    prefixes: given?.prefixes ?? services.setting<string[]>("record.prefixes", []),
    processes: given?.processes ?? services.setting<"new" | "all">("record.processes", "new"),
    maxEvents: given?.maxEvents ?? (services.setting<number>("record.maxEvents", 0) || undefined),
  };
  const out = join(root, options.out);
  const before = existsSync(out) ? statSync(out).mtimeMs : -1;
  const command = recordCommand(options);
  services.log.info(`record in ${root}: ${command}`);
  const task = new vscode.Task(
    { type: "elixirscope-record" },
    folder,
    "record",
    "ElixirScope",
    new vscode.ShellExecution(command, { cwd: root }),
  );
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated };
  const execution = await vscode.tasks.executeTask(task);
  const code = await new Promise<number | undefined>((resolve) => {
    const d = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution !== execution) return;
      d.dispose();
      resolve(e.exitCode);
    });
  });
  if (code !== 0) throw new Error(`the recording failed (mix exited with ${code}): see the terminal`);
  if (!existsSync(out) || statSync(out).mtimeMs === before)
    throw new Error(`the recording finished but ${out} was not written`);
  await vscode.debug.startDebugging(folder, replayConfig(out, folder));
}

async function pickMixFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) =>
    existsSync(join(f.uri.fsPath, "mix.exs")),
  );
  if (folders.length === 0)
    throw new Error("Record and Replay needs a workspace folder with a mix.exs (a Mix project)");
  if (folders.length === 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: "record which Mix project?" });
}
