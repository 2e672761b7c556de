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
import { DEMO_TRACE, field, heldSeats, holdLine, openDemo, sourceLines, type Demo } from "./demo";

describe("replay: launch, inspect, step back and forth", () => {
  let session: vscode.DebugSession;
  // The recording's own facts (see demo.ts): the office's first handle_call state change is a hold.
  let demo: Demo;
  let first: number;
  const office = (): string => join(workspace(), "lib", "cinema_demo", "ticket_office.ex");

  before(async () => {
    // No sourceRoot and a relative trace: the provider fills in the workspace folder.
    demo = await openDemo(workspace());
    first = demo.officeStates[0];
    session = await startReplay({ trace: DEMO_TRACE, startAt: `seq:${demo.seq(first)}` });
  });
  after(async () => {
    await stopAll();
    demo?.replay.close();
  });

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
    assert.equal((await api()).services.current()!.moment!.index, first, "started at startAt");
    // The call of handle_call/3 that made that state change: the office's latest call before it.
    const [call] = demo.replay.getEventIndices({
      pids: [demo.office],
      kinds: ["call"],
      functions: ["CinemaDemo.TicketOffice.handle_call/3"],
      indexRange: { to: first },
      order: "desc",
      limit: 1,
    });
    assert.ok(call !== undefined, "a handle_call/3 call before the first state change");
    const m = await moveBy(() => session.customRequest("elixirscope/goto", { index: call }));
    const frames = await topFrames(session, m.threadId);
    const inOffice = frames.find((f) => f.source?.path === office());
    assert.ok(inOffice, frames.map((f) => `${f.name} ${f.source?.path}:${f.line}`).join("\n"));
    assert.match(inOffice.name, /TicketOffice\.handle_call\/3/);
    // The engine places a handle_call/3 event on one of its clauses' lines, as the source has them.
    const clauses = sourceLines(office(), /^\s*def handle_call\(/);
    assert.ok(clauses.includes(inOffice.line), `line ${inOffice.line}, clauses at ${clauses.join(", ")}`);
  });

  it("shows the Process state scope with the GenServer's state", async () => {
    const m = await moveBy(() => session.customRequest("elixirscope/goto", { index: first }));
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
    const recorded = demo.stateAt(first);
    assert.equal(fields.find((f) => f.name === "sold")?.value, String(field(recorded, "sold")));
    const held = heldSeats(recorded);
    assert.equal(held.length, 1, `the first hold holds one seat: ${held.join("; ")}`);
    const seats = fields.find((f) => f.name.startsWith("seats"))?.value ?? "";
    assert.ok(seats.includes(held[0]), `${seats} shows ${held[0]}`);
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
      new vscode.Location(vscode.Uri.file(office()), new vscode.Position(holdLine(office()) - 1, 0)),
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
        .eventsAt(cur.paths.toRecorded(office()), holdLine(office()))
        .filter((i) => i > hit.index && cur.replay.kindOf(i) === "call");
      assert.equal(later.length, 0, `hold calls after the stop: ${later.join(", ")}`);
    } finally {
      vscode.debug.removeBreakpoints([bp]);
    }
  });
});
