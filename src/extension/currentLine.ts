// Where the replay is, in the editor: the current event's source line is highlighted, and when the
// current event receives a message, so is the line that sent it (often in another process's code).

import * as vscode from "vscode";
import type { Services } from "./services";

export interface MarkedLine {
  kind: "current" | "sending";
  file: string;
  /** 1-based, as the recording and the Debug Adapter Protocol count. */
  line: number;
}

export class CurrentLine implements vscode.Disposable {
  private readonly current = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor("elixirscope.currentEventBackground"),
    overviewRulerColor: new vscode.ThemeColor("elixirscope.currentEventBackground"),
    overviewRulerLane: vscode.OverviewRulerLane.Center,
  });
  private readonly sending = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor("elixirscope.sendingLineBackground"),
    after: { color: new vscode.ThemeColor("editorCodeLens.foreground"), margin: "0 0 0 2em" },
  });
  /** What is marked now (the tests read it). */
  marks: MarkedLine[] = [];
  private sendLabel = "";
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly services: Services) {
    this.disposables = [
      this.current,
      this.sending,
      services.onDidChange(() => this.update()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.paint()),
    ];
  }

  private update(): void {
    this.marks = [];
    const cur = this.services.current();
    if (cur?.moment && cur.moment.index < cur.replay.eventCount) {
      const r = cur.replay;
      const at = cur.moment.index;
      const here = r.locationOf(at);
      const local = here && cur.paths.toLocal(here.file);
      if (here && local) this.marks.push({ kind: "current", file: local, line: here.line });
      if (r.kindOf(at) === "receive") {
        const send = r.messageAt(at)?.send;
        const from = send !== undefined ? r.locationOf(send) : undefined;
        const fromLocal = from && cur.paths.toLocal(from.file);
        if (send !== undefined && from && fromLocal) {
          this.marks.push({ kind: "sending", file: fromLocal, line: from.line });
          this.sendLabel = `⇢ sent the message received at seq ${cur.moment.seq} (seq ${r.event(send).seq})`;
        }
      }
    }
    this.paint();
  }

  private paint(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const mine = this.marks.filter((m) => m.file === editor.document.uri.fsPath);
      const range = (m: MarkedLine): vscode.Range => {
        const line = Math.min(Math.max(m.line - 1, 0), editor.document.lineCount - 1);
        return new vscode.Range(line, 0, line, 0);
      };
      editor.setDecorations(this.current, mine.filter((m) => m.kind === "current").map(range));
      editor.setDecorations(
        this.sending,
        mine
          .filter((m) => m.kind === "sending")
          .map((m) => ({ range: range(m), renderOptions: { after: { contentText: this.sendLabel } } })),
      );
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
