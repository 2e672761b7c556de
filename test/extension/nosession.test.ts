// Moving the replay when no ElixirScope session runs: a hover's "go to this moment" link, Open Position
// with a bare position, Go to Event and a click in the message-flow diagram start the last replay
// again at that moment instead of failing silently.

import assert from "node:assert/strict";
import * as vscode from "vscode";
import type { ElixirScopeApi } from "../../src/extension/api";
import { api, duringDemoReplay, stopAll, until } from "./helpers";

describe("no debug session: links, Open Position, Go to Event and diagram clicks start the replay", () => {
  let x: ElixirScopeApi;
  const suite = duringDemoReplay(0);
  /** Waits for a session of the demo to stand at `index` (the restart's first stop is that moment). */
  const standsAt = (index: number) =>
    until(`the replay at index ${index}`, () => {
      const cur = x.services.current();
      return vscode.debug.activeDebugSession !== undefined && cur?.moment?.index === index
        ? cur.moment
        : undefined;
    });

  before(async () => {
    x = await api();
  });

  it("a hover's go-to link (elixirscope.goto with a position) starts the replay at that moment", async () => {
    await stopAll();
    const target = suite.demo.officeStates[2];
    await vscode.commands.executeCommand("elixirscope.goto", suite.demo.replay.positionOf(target));
    const m = await standsAt(target);
    assert.equal(m.seq, suite.demo.seq(target));
  });

  it("Open Position with a bare position starts the replay at it", async () => {
    await stopAll();
    const target = suite.demo.officeStates[3];
    await vscode.commands.executeCommand("elixirscope.openPosition", suite.demo.replay.positionOf(target));
    await standsAt(target);
  });

  it("Go to Event starts the last replay and goes to the event asked for", async () => {
    await stopAll();
    const target = suite.demo.officeStates[4];
    await vscode.commands.executeCommand("elixirscope.goToEvent", String(suite.demo.seq(target)));
    await standsAt(target);
  });

  it("a click in the message-flow diagram after the session ended starts the replay at that message", async () => {
    await vscode.commands.executeCommand("elixirscope.showMessageFlow");
    const panel = await until("the message-flow panel", () => x.flowPanels()[0]);
    await until("the webview to ask for its rows", () => panel.fromView.length > 0);
    await stopAll();
    // A message the ticket office took, clicked at its receiving end.
    const receive = suite.demo.replay
      .getEventIndices({ pids: [suite.demo.office], kinds: ["receive"] })
      .find((i) => suite.demo.replay.messageAt(i)?.send !== undefined && i > suite.demo.officeStates[1]);
    assert.ok(receive !== undefined, "the office received a message with a recorded send");
    await panel.receive({ type: "goto", index: receive, end: "receive", id: receive });
    await standsAt(receive);
    // The panel kept its recording: it follows the new session.
    await until("the diagram's line at the new moment", () => panel.cursor?.index === receive);
  });
});
