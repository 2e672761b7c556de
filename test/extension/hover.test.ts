// Hovers in the real workbench: during a replay of the demo, the hover over a function of an .ex file
// shows its recorded history (checked against the recording), and the rendered hover is screenshotted.

import assert from "node:assert/strict";
import { join } from "node:path";
import * as vscode from "vscode";
import { sourceLines } from "./demo";
import { duringDemoReplay, eventually, pageTexts, screenshot, workspace } from "./helpers";

describe("hovers: a function's recorded history", () => {
  const suite = duringDemoReplay(3);
  const office = (): string => join(workspace(), "lib", "cinema_demo", "ticket_office.ex");

  it("shows hold/2's calls, processes and latest calls as the recording has them", async () => {
    const doc = await vscode.workspace.openTextDocument(office());
    const editor = await vscode.window.showTextDocument(doc);
    const [line] = sourceLines(office(), /^\s*def hold\(seat, customer\)/);
    assert.ok(line, "ticket_office.ex defines hold/2");
    const at = new vscode.Position(line - 1, doc.lineAt(line - 1).text.indexOf("hold") + 1);
    // The recording's own answer: every call of hold/2, by which processes, the latest last.
    const calls = suite.demo.replay.getEvents({
      kinds: ["call"],
      functions: ["CinemaDemo.TicketOffice.hold/2"],
    });
    assert.ok(calls.length > 2, `${calls.length} calls of hold/2`);
    const pids = new Set(calls.map((e) => e.pid));
    // The language client starts with the replay: ask until its hover answers.
    const text = await eventually(
      "a hover with the recorded history",
      async () => {
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
          "vscode.executeHoverProvider",
          doc.uri,
          at,
        );
        return hovers
          .flatMap((h) => h.contents)
          .map((c) => (typeof c === "string" ? c : c.value))
          .find((v) => /hold\/2\*\* — \d+ calls/.test(v));
      },
      60_000,
    );
    assert.match(text, new RegExp(`CinemaDemo\\.TicketOffice\\.hold/2\\*\\* — ${calls.length} calls`));
    assert.match(text, new RegExp(`by ${pids.size} process`));
    const latest = calls[calls.length - 1];
    assert.ok(
      text.includes(suite.demo.replay.positionOf(latest.index)),
      "the latest call's moment is linked",
    );

    // The hover as a person sees it: the editor's own hover widget, then a screenshot of it (with the
    // side bar and panel closed, so that the editor has the room).
    for (const c of [
      "workbench.action.closeSidebar",
      "workbench.action.closePanel",
      "workbench.action.joinAllGroups",
    ])
      await vscode.commands.executeCommand(c);
    editor.selection = new vscode.Selection(at, at);
    editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenter);
    await eventually("the hover widget on the page", async () => {
      await vscode.commands.executeCommand("editor.action.showHover");
      return (await pageTexts(".monaco-hover")).find((t) => /hold\/2/.test(t));
    });
    await screenshot("hover-hold");
  });
});
