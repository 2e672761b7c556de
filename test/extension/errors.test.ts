// A file that is not a trace: launching it shows an error notification naming the file and the
// problem, no session is left running, and the extension host goes on working (a good replay starts).

import assert from "node:assert/strict";
import { join } from "node:path";
import * as vscode from "vscode";
import {
  api,
  eventually,
  notifications,
  screenshot,
  startReplay,
  stopAll,
  until,
  workspace,
} from "./helpers";

describe("errors: a corrupt trace", () => {
  after(() => stopAll());

  it("gives an error notification and leaves the host working", async () => {
    const x = await api();
    const broken = join(workspace(), "broken.estrace");
    await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], {
      type: "elixirscope",
      request: "launch",
      name: "ElixirScope: Replay",
      trace: broken,
    });
    await screenshot("corrupt-trace-launched");
    const note = await eventually("the error notification", async () =>
      (await notifications()).find((t) => /Error: ElixirScope: .*not an ElixirScope trace/.test(t)),
    );
    assert.match(note, /broken\.estrace/);
    await screenshot("corrupt-trace");
    await until("no session left", () => vscode.debug.activeDebugSession === undefined);
    assert.equal(x.services.active, undefined);
    // Still working: a real recording replays.
    const s = await startReplay({ trace: "traces/happy_path.estrace" });
    assert.ok((await s.customRequest("threads")).threads.length > 0);
    await vscode.commands.executeCommand("notifications.clearAll");
  });

  it("reports damage found only while loading as a notification too (not a modal dialog)", async () => {
    await stopAll();
    const ok = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], {
      type: "elixirscope",
      request: "launch",
      name: "ElixirScope: Replay",
      trace: join(workspace(), "truncated.estrace"),
    });
    assert.equal(ok, false, "the launch fails");
    const note = await eventually("the error notification", async () =>
      (await notifications()).find((t) => /Error: ElixirScope: .*truncated\.estrace/.test(t)),
    ).catch(async (e) => {
      console.log(`    alerts: ${JSON.stringify(await notifications())}`);
      throw e;
    });
    assert.match(note, /runs past the end of the file/);
    await until("the session ended", () => vscode.debug.activeDebugSession === undefined);
    await vscode.commands.executeCommand("notifications.clearAll");
  });
});
