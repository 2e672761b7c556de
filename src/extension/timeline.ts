// The "ElixirScope Timeline" view in Run and Debug: the recording's landmarks around the current
// moment — crashes and exceptions anywhere, state changes of the process the replay is in — with the
// current moment between them. Clicking one moves the replay there.

import * as vscode from "vscode";
import { describeEvent, processLabeler } from "../core/describe";
import type { Replay } from "../core/replay";
import { shortTime } from "./eventSearch";
import type { Services } from "./services";

export type LandmarkKind = "crash" | "exception" | "state" | "now";

export interface Landmark {
  kind: LandmarkKind;
  index: number;
  seq: number;
  label: string;
  description: string;
}

/** Landmarks of each kind shown before and after the current moment. */
const AROUND = 8;

export function landmarksAround(
  r: Replay,
  at: number,
  print: { limit: number; width: number } = { limit: 8, width: 90 },
  around = AROUND,
): Landmark[] {
  const label = processLabeler(r.processes());
  const make = (kind: LandmarkKind, index: number): Landmark => {
    const e = r.event(index);
    const what = kind === "now" ? "now" : kind === "state" ? "state change" : kind;
    return {
      kind,
      index,
      seq: e.seq,
      label: `${what}: ${describeEvent(e, { processLabel: label, limit: print.limit, width: Math.min(print.width, 120) })}`,
      description: `seq ${e.seq} · ${shortTime(e.time)} · ${label(e.pid)}`,
    };
  };
  const out = new Map<number, Landmark>();
  const walk = (kind: LandmarkKind, next: (from: number, forward: boolean) => number | undefined): void => {
    for (const forward of [false, true]) {
      let from = at;
      for (let n = 0; n < around; n++) {
        const hit = next(from, forward);
        if (hit === undefined) break;
        if (!out.has(hit)) out.set(hit, make(kind, hit));
        from = hit;
      }
    }
  };
  walk("crash", (from, fwd) =>
    r.findNext(from, fwd ? "forward" : "backward", [{ kind: "exception", filters: ["crash"] }]),
  );
  walk("exception", (from, fwd) =>
    r.findNext(from, fwd ? "forward" : "backward", [
      { kind: "exception", filters: ["raise", "throw", "exit"] },
    ]),
  );
  const pid = r.pidOf(at);
  walk("state", (from, fwd) =>
    fwd
      ? r.getEventIndices({ pids: [pid], kinds: ["state"], indexRange: { from: from + 1 }, limit: 1 })[0]
      : from === 0
        ? undefined
        : r.getEventIndices({
            pids: [pid],
            kinds: ["state"],
            indexRange: { to: from - 1 },
            order: "desc",
            limit: 1,
          })[0],
  );
  out.set(at, make("now", at));
  return [...out.values()].sort((a, b) => a.index - b.index || (a.kind === "now" ? 1 : -1));
}

const ICONS: Record<LandmarkKind, vscode.ThemeIcon> = {
  crash: new vscode.ThemeIcon("error", new vscode.ThemeColor("errorForeground")),
  exception: new vscode.ThemeIcon("warning"),
  state: new vscode.ThemeIcon("symbol-variable"),
  now: new vscode.ThemeIcon("debug-stackframe"),
};

export class TimelineView implements vscode.TreeDataProvider<Landmark>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  /** What the view shows now (the tests read it). */
  items: Landmark[] = [];
  private readonly listener: vscode.Disposable;

  constructor(services: Services) {
    this.listener = services.onDidChange(() => {
      const cur = services.current();
      this.items = cur?.moment ? landmarksAround(cur.replay, cur.moment.index, services.printLimits()) : [];
      this.changed.fire();
    });
  }

  getTreeItem(l: Landmark): vscode.TreeItem {
    const item = new vscode.TreeItem(l.label, vscode.TreeItemCollapsibleState.None);
    item.description = l.description;
    item.iconPath = ICONS[l.kind];
    item.tooltip = `${l.label}\n${l.description}`;
    if (l.kind !== "now")
      item.command = { title: "Go There", command: "elixirscope.gotoIndex", arguments: [l.index] };
    return item;
  }

  getChildren(parent?: Landmark): Landmark[] {
    return parent ? [] : this.items;
  }

  dispose(): void {
    this.listener.dispose();
    this.changed.dispose();
  }
}
