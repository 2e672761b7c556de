// "ElixirScope: Record and Replay…" end to end: in a copy of the Cinema Demo whose mix.exs names the
// extension's own recorder (as the command's message tells a user to do), it runs the recorder's mix
// task in a terminal, and once the trace is written the replay starts on it.

import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import { api, pageTexts, screenshot, sleep, stopAll, until, workspace } from "./helpers";

describe("Record and Replay: the recorder's mix task, then the replay", () => {
  let mixExs: string;
  after(async () => {
    await stopAll();
    if (mixExs) writeFileSync(join(workspace(), "mix.exs"), mixExs);
  });

  it("records the demo's happy path in a terminal and replays the new trace", async () => {
    const x = await api();
    await stopAll();
    const file = join(workspace(), "mix.exs");
    mixExs = readFileSync(file, "utf8");
    const recorder = join(x.services.context.extensionPath, "recorder");
    assert.ok(existsSync(join(recorder, "mix.exs")), `the extension ships the recorder at ${recorder}`);
    writeFileSync(
      file,
      mixExs.replace(
        /\{:elixir_scope_recorder, path: "[^"]*"\}/,
        `{:elixir_scope_recorder, path: ${JSON.stringify(recorder)}}`,
      ),
    );
    const out = join(workspace(), "recorded-happy.estrace");
    const started = new Promise<vscode.DebugSession>((resolve) => {
      const d = vscode.debug.onDidStartDebugSession((s) => {
        d.dispose();
        resolve(s);
      });
    });
    // The scenario as an expression (the scenario scripts record themselves, so they cannot run under
    // the recorder's task).
    const recording = vscode.commands.executeCommand("elixirscope.recordAndReplay", {
      run: "-e CinemaDemo.Scenarios.run(:happy_path)",
      out: "recorded-happy.estrace",
      processes: "new",
      prefixes: [],
    });
    const finished = await Promise.race([recording.then(() => true), sleep(90_000).then(() => false)]);
    if (!finished) {
      await screenshot("record-stuck");
      const rows = await pageTexts(".xterm-rows");
      throw new Error(`the recording did not finish in 90 s; the terminal shows: ${rows.join(" / ")}`);
    }
    assert.ok(existsSync(out), "the trace was written");
    const session = await started;
    assert.equal(session.configuration.trace, out);
    const cur = await until("the recording loaded", () => x.services.current(), 60_000);
    // What the scenario did is in the recording: the ticket office ran and sold seats.
    const office = cur.replay.findProcess("CinemaDemo.TicketOffice");
    const holds = cur.replay.getEvents({ kinds: ["call"], functions: ["CinemaDemo.TicketOffice.hold/2"] });
    assert.ok(holds.length > 0, "hold/2 calls recorded");
    assert.ok(cur.replay.stateHistory(office.id).length > 1, "the office's state changes recorded");
    const terminal = vscode.window.terminals.find((t) => /record/.test(t.name));
    assert.ok(
      terminal,
      `the task ran in a terminal: ${vscode.window.terminals.map((t) => t.name).join(", ")}`,
    );
  });
});
