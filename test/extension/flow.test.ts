// "ElixirScope: Show Message Flow" in the real workbench: the panel opens on the demo trace during a
// session, its webview runs (it asks the host for rows and reports what it drew), and a debugger step
// moves its current-moment line (the host's cursor message, delivered to the webview).

import assert from "node:assert/strict";
import * as vscode from "vscode";
import type { ElixirScopeApi } from "../../src/extension/api";
import { api, duringDemoReplay, moveBy, screenshot, until } from "./helpers";

describe("message flow: the diagram panel follows the debugger", () => {
  let x: ElixirScopeApi;
  const suite = duringDemoReplay(0);

  before(async () => {
    x = await api();
  });

  it("opens on the demo trace and moves its current-moment line with a step", async () => {
    // Room for the editor and the diagram side by side (the screenshot below).
    for (const c of [
      "workbench.action.closeSidebar",
      "workbench.action.closePanel",
      "workbench.action.closeAuxiliaryBar",
    ])
      await vscode.commands.executeCommand(c);
    await vscode.commands.executeCommand("elixirscope.showMessageFlow");
    const panel = await until("the message-flow panel", () => x.flowPanels()[0]);
    assert.equal(panel.title, "Message Flow: double_booking.estrace");
    await until("the webview to draw its rows", () => panel.fromView.includes("rendered"), 60_000);
    // A step in the debugger: the diagram's line goes to the new moment, and back with a step back.
    const fwd = await moveBy(() => vscode.commands.executeCommand("workbench.action.debug.stepOver"));
    const seen = await until("the diagram's line at the step", () =>
      panel.cursor?.index === fwd.index ? panel.cursor : undefined,
    );
    assert.equal(seen.delivered, true, "the webview took the message");
    const back = await moveBy(() => vscode.commands.executeCommand("workbench.action.debug.stepBack"));
    assert.ok(back.index < fwd.index, `stepped back: ${fwd.index} → ${back.index}`);
    await until("the diagram's line back", () => panel.cursor?.index === back.index);
    await moveBy(() => vscode.commands.executeCommand("elixirscope.gotoIndex", suite.demo.officeStates[3]));
    await until("the diagram's line at a hold", () => panel.cursor?.index === suite.demo.officeStates[3]);
    await screenshot("message-flow-panel");
  });
});
