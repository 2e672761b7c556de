// Hit counts: in open .ex/.exs files, each line with recorded events shows how many at its end
// (setting `elixirscope.hitCounts.enabled`), and "Next/Previous Hit" move the replay to the next or
// previous event of the line under the cursor.

import * as vscode from "vscode";
import type { Services } from "./services";

export class HitCounts implements vscode.Disposable {
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor("elixirscope.hitCountForeground"), margin: "0 0 0 1.5em" },
  });
  /** Per local file: 1-based line → event count, as last painted (the tests read it). */
  readonly painted = new Map<string, Map<number, number>>();
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly services: Services) {
    this.disposables = [
      this.decoration,
      // A replay that starts, loads or ends changes the counts; a mere move does not.
      services.onDidChange(() => this.paintAll()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.paintAll()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration("elixirscope.hitCounts")) this.paintAll();
      }),
    ];
  }

  private key = "";

  private paintAll(): void {
    const cur = this.services.current();
    const enabled = this.services.setting("hitCounts.enabled", true);
    const editors = vscode.window.visibleTextEditors.filter((e) => /\.exs?$/.test(e.document.uri.fsPath));
    const key = `${enabled}|${cur?.active.session.id}|${editors.map((e) => e.document.uri.fsPath).join(",")}`;
    if (key === this.key) return;
    this.key = key;
    this.painted.clear();
    for (const editor of editors) {
      const counts = enabled && cur ? this.countsOf(editor.document.uri.fsPath) : new Map<number, number>();
      this.painted.set(editor.document.uri.fsPath, counts);
      const last = editor.document.lineCount - 1;
      editor.setDecorations(
        this.decoration,
        [...counts]
          .filter(([line]) => line - 1 <= last)
          .map(([line, n]) => ({
            range: new vscode.Range(line - 1, Number.MAX_SAFE_INTEGER, line - 1, Number.MAX_SAFE_INTEGER),
            renderOptions: { after: { contentText: `${n} hit${n === 1 ? "" : "s"}` } },
            hoverMessage: `ElixirScope: ${n} recorded event${n === 1 ? "" : "s"} on this line`,
          })),
      );
    }
  }

  /** Line → number of recorded events there, for a workspace file. */
  countsOf(local: string): Map<number, number> {
    const cur = this.services.current();
    const counts = new Map<number, number>();
    if (!cur) return counts;
    const recorded = cur.paths.toRecorded(local);
    for (const line of cur.replay.linesWithEvents(recorded))
      counts.set(line, cur.replay.eventsAt(recorded, line).length);
    return counts;
  }

  /** Moves to the next (or previous) recorded event of the line under the cursor. */
  async goToHit(forward: boolean): Promise<void> {
    const cur = this.services.current();
    const editor = vscode.window.activeTextEditor;
    if (!cur || !editor) throw new Error("Next/Previous Hit needs a running replay and an open Elixir file");
    const line = editor.selection.active.line + 1;
    const events = cur.replay
      .eventsAt(cur.paths.toRecorded(editor.document.uri.fsPath), line)
      .sort((a, b) => a - b);
    if (events.length === 0) throw new Error(`line ${line} has no recorded events`);
    const at = cur.moment?.index ?? -1;
    const target = forward ? events.find((i) => i > at) : events.filter((i) => i < at).pop();
    if (target === undefined)
      throw new Error(`no ${forward ? "later" : "earlier"} event on line ${line} (${events.length} in all)`);
    await this.services.gotoMoment(target);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
