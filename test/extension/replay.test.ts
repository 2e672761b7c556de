// "ElixirScope: Replay" in a real VS Code: launched through the configuration provider on the Cinema
// Demo's double-booking recording, then inspected and moved through VS Code's own debug session.

import assert from "node:assert/strict";
import { join } from "node:path";
import * as vscode from "vscode";
import {
  api,
  moveBy,
  screenshot,
  startReplay,
  stopAll,
  threads,
  topFrames,
  variables,
  workspace,
} from "./helpers";

describe("replay: launch, inspect, step back and forth", () => {
  let session: vscode.DebugSession;
  const office = (): string => join(workspace(), "lib", "cinema_demo", "ticket_office.ex");

  before(async () => {
    // No sourceRoot and a relative trace: the provider fills in the workspace folder.
    session = await startReplay({ trace: "traces/double_booking.estrace", startAt: "seq:93" });
  });
  after(() => stopAll());

  it("fills in sourceRoot and cwd through the configuration provider", () => {
    assert.equal(session.type, "elixirscope");
    assert.equal(session.configuration.sourceRoot, workspace());
    assert.equal(session.configuration.cwd, workspace());
    console.log(
      `    host: VS Code ${vscode.version}, ${vscode.env.uiKind === vscode.UIKind.Web ? "web" : "desktop"}`,
    );
  });

  it("lists the processes alive at the moment as threads", async () => {
    const names = (await threads(session)).map((t) => t.name);
    assert.ok(
      names.some((n) => /CinemaDemo\.TicketOffice/.test(n)),
      names.join(", "),
    );
    assert.ok(
      names.some((n) => /CinemaDemo\.PaymentGateway/.test(n)),
      names.join(", "),
    );
  });

  it("shows the stack in the workspace's source file and line", async () => {
    assert.equal((await api()).services.current()!.moment!.seq, 93, "started at startAt");
    const m = await moveBy(() => session.customRequest("elixirscope/goto", { seq: 91 }));
    const frames = await topFrames(session, m.threadId);
    const inOffice = frames.find((f) => f.source?.path === office());
    assert.ok(inOffice, frames.map((f) => `${f.name} ${f.source?.path}:${f.line}`).join("\n"));
    assert.match(inOffice.name, /TicketOffice\.handle_call\/3/);
    // The engine places a handle_call/3 event on its clauses' lines (27 available?, 31 hold, ...).
    assert.ok([27, 31].includes(inOffice.line), `line ${inOffice.line}`);
  });

  it("shows the Process state scope with the GenServer's state", async () => {
    const m = await moveBy(() => session.customRequest("elixirscope/goto", { seq: 93 }));
    const frames = await topFrames(session, m.threadId);
    const scopes: Array<{ name: string; variablesReference: number }> = (
      await session.customRequest("scopes", { frameId: frames[0].id })
    ).scopes;
    const stateScope = scopes.find((s) => s.name === "Process state");
    assert.ok(stateScope, scopes.map((s) => s.name).join(", "));
    const vars = await variables(session, stateScope.variablesReference);
    const state = vars.find((v) => v.name.startsWith("state"));
    assert.ok(state, vars.map((v) => v.name).join(", "));
    const fields = await variables(session, state.variablesReference);
    assert.equal(fields.find((f) => f.name === "sold")?.value, "0");
    assert.match(fields.find((f) => f.name.startsWith("seats"))?.value ?? "", /1 => \{:held, "early-1"/);
    await screenshot("replay-stopped");
  });

  it("steps back and forward through VS Code's debug commands", async () => {
    const from = (await api()).services.current()!.moment!;
    const back = await moveBy(() => vscode.commands.executeCommand("workbench.action.debug.stepBack"));
    assert.ok(back.index < from.index, `stepped back from index ${from.index} to ${back.index}`);
    const fwd = await moveBy(() => vscode.commands.executeCommand("workbench.action.debug.stepOver"));
    assert.ok(fwd.seq > back.seq, `forward again: seq ${fwd.seq} after ${back.seq}`);
  });

  it("reverse-continues to a breakpoint on handle_call({:hold, ...})", async () => {
    await moveBy(() => session.customRequest("elixirscope/goto", { moment: "end" }));
    const bp = new vscode.SourceBreakpoint(
      new vscode.Location(vscode.Uri.file(office()), new vscode.Position(30, 0)),
    );
    vscode.debug.addBreakpoints([bp]);
    try {
      const hit = await moveBy(() =>
        vscode.commands.executeCommand("workbench.action.debug.reverseContinue"),
      );
      const frames = await topFrames(session, hit.threadId);
      assert.equal(frames[0].source?.path, office());
      assert.match(frames[0].name, /TicketOffice\.handle_call\/3/);
      const cur = (await api()).services.current()!;
      assert.equal(cur.replay.event(hit.index).mfa?.fun, "handle_call");
      // The last hold of the recording: nothing later on that line.
      const later = cur.replay
        .eventsAt(cur.paths.toRecorded(office()), 31)
        .filter((i) => i > hit.index && cur.replay.kindOf(i) === "call");
      assert.equal(later.length, 0, `hold calls after the stop: ${later.join(", ")}`);
    } finally {
      vscode.debug.removeBreakpoints([bp]);
    }
  });
});
