// "ElixirScope: Go to Event…": a quick pick over the active recording's events that searches as one
// types (see eventSearch.ts) and moves the replay to the one picked. With a text argument (from a
// keybinding or a test) it goes straight to the first match.

import * as vscode from "vscode";
import { type EventHit, searchEvents, shortTime } from "./eventSearch";
import type { Services } from "./services";

type Item = vscode.QuickPickItem & { hit: EventHit };

export class GotoEvent implements vscode.Disposable {
  /** The open quick pick, for the tests (they type into it like a person would). */
  picker?: vscode.QuickPick<Item>;

  constructor(private readonly services: Services) {}

  async run(query?: string): Promise<void> {
    // With no replay running, the last one starts again where it stood (or says what to do).
    if (!this.services.active) await this.services.replayAgain();
    const cur = this.services.current();
    if (!cur) throw new Error("Go to Event needs a running replay: start one with F5");
    if (typeof query === "string") {
      const hit = searchEvents(cur.replay, query, 1)[0];
      if (!hit) throw new Error(`no event matches “${query}”`);
      return this.services.gotoMoment(hit.index);
    }
    const pick = vscode.window.createQuickPick<Item>();
    this.picker = pick;
    pick.title = `ElixirScope: Go to Event (${cur.replay.eventCount} events)`;
    pick.placeholder = "seq, kind (receive, exception…), function (TicketOffice.hold), process or words";
    pick.matchOnDescription = true;
    pick.matchOnDetail = true;
    const fill = (): void => {
      const c = this.services.current();
      if (!c) return;
      const from = pick.value.trim() === "" ? (c.moment?.index ?? 0) : 0;
      pick.items = searchEvents(c.replay, pick.value, 200, from, this.services.printLimits()).map((hit) => ({
        label: `seq ${hit.seq}`,
        description: `${shortTime(hit.time)} · ${hit.process} · ${hit.kind}`,
        detail: hit.text,
        // The search already filtered: keep VS Code's fuzzy filter from hiding what it found.
        alwaysShow: true,
        hit,
      }));
    };
    fill();
    const done = new Promise<Item | undefined>((resolve) => {
      pick.onDidChangeValue(fill);
      pick.onDidAccept(() => resolve(pick.selectedItems[0] ?? pick.activeItems[0]));
      pick.onDidHide(() => resolve(undefined));
    });
    pick.show();
    const chosen = await done;
    pick.dispose();
    if (this.picker === pick) this.picker = undefined;
    if (chosen) await this.services.gotoMoment(chosen.hit.index);
  }

  dispose(): void {
    this.picker?.dispose();
  }
}
