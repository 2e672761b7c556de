// The status bar item that says where the replay is — `seq 612 · +25.7 ms · 612/686` — and opens
// Go to Event when clicked.

import * as vscode from "vscode";
import { shortTime } from "./eventSearch";
import type { Services } from "./services";

export class MomentStatus implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem("elixirscope.moment", vscode.StatusBarAlignment.Left, 50);
  private readonly listener: vscode.Disposable;

  constructor(private readonly services: Services) {
    this.item.name = "ElixirScope moment";
    this.item.command = "elixirscope.goToEvent";
    this.item.tooltip = "ElixirScope: where the replay is. Click to go to another event.";
    this.listener = services.onDidChange(() => this.update());
  }

  private update(): void {
    const cur = this.services.current();
    if (!cur?.moment) {
      this.item.hide();
      return;
    }
    const m = cur.moment;
    this.item.text = `$(history) seq ${m.seq} · ${shortTime(m.time)} · ${m.index + 1}/${cur.replay.eventCount}`;
    this.item.show();
  }

  dispose(): void {
    this.listener.dispose();
    this.item.dispose();
  }
}
