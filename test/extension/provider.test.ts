// The configuration provider's trace pick (the workspace's .estrace files, newest first) and the
// external adapter mode (`elixirscope.adapter: "external"`: `node dist/cli.js dap` as its own process).

import assert from "node:assert/strict";
import { utimesSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import { api, sleep, startReplay, stopAll, until, workspace } from "./helpers";

describe("provider and adapter modes", () => {
  after(async () => {
    await vscode.workspace.getConfiguration("elixirscope").update("adapter", undefined, true);
    await stopAll();
  });

  it("offers the workspace's traces newest first and returns the one picked", async () => {
    await api();
    const newest = join(workspace(), "traces", "hold_expiry.estrace");
    const now = new Date();
    utimesSync(newest, now, now);
    let picked: string | undefined;
    let done = false;
    void vscode.commands.executeCommand<string>("elixirscope.pickTrace").then((p) => {
      picked = p;
      done = true;
    });
    // Enter, once the quick pick is open, takes its first (newest) item.
    for (let i = 0; i < 60 && !done; i++) {
      await sleep(500);
      await vscode.commands.executeCommand("workbench.action.acceptSelectedQuickOpenItem");
    }
    assert.equal(picked, newest);
  });

  it("runs the adapter as its own process when elixirscope.adapter is external", async () => {
    await vscode.workspace.getConfiguration("elixirscope").update("adapter", "external", true);
    const x = await api();
    const s = await startReplay({ trace: "traces/payment_crash.estrace", startAt: "first crash" });
    const threads = (await s.customRequest("threads")).threads as Array<{ name: string }>;
    assert.ok(threads.length > 0);
    const m = await until("the moment", () => x.services.current()?.moment);
    const e = x.services.current()!.replay.event(m.index);
    assert.equal(e.kind, "exit", "startAt first crash: a crashing exit");
    await stopAll();
  });
});
