// Where the replay is, in the editor: the current event's line (and the line that sent the message a
// receive takes), the hit counts at the end of the lines of open Elixir files, the setting that turns
// them off, and Next/Previous Hit of the line under the cursor.

import assert from "node:assert/strict";
import { join } from "node:path";
import * as vscode from "vscode";
import type { ElixirScopeApi } from "../../src/extension/api";
import { Atom, Tuple } from "../../src/core/terms";
import { DEMO_TRACE, holdLine, openDemo, type Demo } from "./demo";
import { api, moveBy, screenshot, startReplay, stopAll, until, workspace } from "./helpers";

describe("decorations: current line, sending line, hit counts", () => {
  let x: ElixirScopeApi;
  let session: vscode.DebugSession;
  let demo: Demo;
  const office = (): string => join(workspace(), "lib", "cinema_demo", "ticket_office.ex");
  const goto = (args: object) => moveBy(() => session.customRequest("elixirscope/goto", args));

  before(async () => {
    x = await api();
    demo = await openDemo(workspace());
    session = await startReplay({ trace: DEMO_TRACE, startAt: `seq:${demo.seq(demo.officeStates[0])}` });
  });
  after(async () => {
    demo?.replay.close();
    await vscode.workspace.getConfiguration("elixirscope").update("hitCounts.enabled", undefined, true);
    await stopAll();
  });

  it("marks the current event's line", async () => {
    // The first event whose line is in the workspace (not in gen_server.erl).
    const cur0 = x.services.current()!;
    let target = -1;
    let file: string | undefined;
    for (let i = 0; i < cur0.replay.eventCount && target < 0; i++) {
      const loc = cur0.replay.locationOf(i);
      file = loc && cur0.paths.toLocal(loc.file);
      if (file?.startsWith(workspace())) target = i;
    }
    assert.ok(target >= 0, "some event has a line in the demo's sources");
    await moveBy(() => vscode.commands.executeCommand("elixirscope.gotoIndex", target));
    const marks = await until("a current-line mark", () =>
      x.currentLines().find((m) => m.kind === "current"),
    );
    assert.equal(marks.file, file);
    const r = x.services.current()!;
    const loc = r.replay.locationOf(r.moment!.index)!;
    assert.equal(marks.line, loc.line);
  });

  it("marks the line that sent the message a receive takes", async () => {
    const cur = x.services.current()!;
    // The customer's reply: a receive in a customer process of a message the ticket office sent.
    const receive = cur.replay.getEventIndices({ kinds: ["receive"] }).find((i) => {
      const send = cur.replay.messageAt(i)?.send;
      return send !== undefined && cur.replay.locationOf(send) !== undefined;
    });
    assert.ok(receive !== undefined, "the recording has a receive whose send has a source line");
    await moveBy(() => vscode.commands.executeCommand("elixirscope.gotoIndex", receive));
    const sending = await until("a sending-line mark", () =>
      x.currentLines().find((m) => m.kind === "sending"),
    );
    const send = cur.replay.messageAt(receive)!.send!;
    assert.equal(sending.line, cur.replay.locationOf(send)!.line);
    assert.equal(sending.file, cur.paths.toLocal(cur.replay.locationOf(send)!.file));
  });

  it("shows hit counts in an open Elixir file from the recording's per-line counts", async () => {
    const doc = await vscode.workspace.openTextDocument(office());
    await vscode.window.showTextDocument(doc);
    const counts = await until("hit counts painted", () => {
      const c = x.hitCounts(office());
      return c && c.size > 0 ? c : undefined;
    });
    const cur = x.services.current()!;
    const recorded = cur.replay.sourceFiles().find((f) => f.endsWith("cinema_demo/ticket_office.ex"))!;
    assert.ok(recorded);
    for (const line of cur.replay.linesWithEvents(recorded))
      assert.equal(counts.get(line), cur.replay.eventsAt(recorded, line).length, `line ${line}`);
    // The hold clause's count is the core's count of that line in the same recording, and covers at
    // least every call of handle_call/3 that got a {:hold, ...} request (found from the calls' arguments).
    const hold = holdLine(office());
    const holds = demo.replay.getEvents({
      pids: [demo.office],
      kinds: ["call"],
      functions: ["CinemaDemo.TicketOffice.handle_call/3"],
      predicate: (e) => {
        const req = e.args?.[0];
        return req instanceof Tuple && req.elements[0] === Atom.of("hold");
      },
    }).length;
    assert.ok(holds > 0, "the recording has hold requests");
    assert.equal(counts.get(hold), demo.replay.eventsAt(demo.recordedOffice, hold).length, "the hold clause");
    assert.ok(counts.get(hold)! >= holds, `${counts.get(hold)} events on the hold clause, ${holds} holds`);
    assert.equal(counts.has(2), false, "a line with no events has no count");
    await goto({ index: demo.officeStates[1] });
    await vscode.commands.executeCommand("workbench.view.debug");
    await screenshot("replay-hit-counts");
  });

  it("goes to the next and previous hit of the line under the cursor", async () => {
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(office()));
    const hold = holdLine(office());
    editor.selection = new vscode.Selection(hold - 1, 4, hold - 1, 4);
    const from = await goto({ index: demo.officeStates[1] });
    const next = await moveBy(() => vscode.commands.executeCommand("elixirscope.nextHit"));
    const cur = x.services.current()!;
    const onLine = cur.replay.eventsAt(cur.paths.toRecorded(office()), hold).sort((a, b) => a - b);
    assert.equal(
      next.index,
      onLine.find((i) => i > from.index),
    );
    const prev = await moveBy(() => vscode.commands.executeCommand("elixirscope.previousHit"));
    assert.equal(prev.index, onLine.filter((i) => i < next.index).pop());
  });

  // Was skipped as timing out ("counts cleared") from fresh clones. The cause, seen in a full run here:
  // at the timeout only ticket_office.ex was visible. customer.ex had been opened as a preview, which the
  // debugger's late reveal of the stopped frame's file (after the previous test's moves; late on a busy
  // machine) replaced, and only visible editors are painted. It now uses ticket_office.ex itself.
  it("turns hit counts off with elixirscope.hitCounts.enabled", async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(office()), {
      preview: false,
    });
    await until("ticket_office.ex counts", () => (x.hitCounts(office())?.size ?? 0) > 0);
    await vscode.workspace.getConfiguration("elixirscope").update("hitCounts.enabled", false, true);
    await until("counts cleared", () => x.hitCounts(office())?.size === 0, 20_000).catch((e: Error) => {
      const cfg = vscode.workspace.getConfiguration("elixirscope");
      const seen = {
        setting: cfg.inspect("hitCounts.enabled"),
        visible: vscode.window.visibleTextEditors.map((ed) => ed.document.uri.toString()),
        painted: x.hitCounts(office())?.size ?? null,
      };
      throw new Error(`${e.message}: ${JSON.stringify(seen)}`);
    });
    await vscode.workspace.getConfiguration("elixirscope").update("hitCounts.enabled", true, true);
    await until("counts back", () => (x.hitCounts(office())?.size ?? 0) > 0);
  });
});
