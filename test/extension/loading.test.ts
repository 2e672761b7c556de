// Loading a big recording: VS Code shows the load's progress with Cancel; Cancel stops it (the load
// worker terminated, the cache entry dropped), the session ends with a notice, and the same trace then
// loads normally. The trace is made here by the benchmarks' seeded generator.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import { generate } from "../../bench/gen";
import { api, eventually, notifications, startReplay, stopAll, until, workspace } from "./helpers";

describe("loading: progress and Cancel", () => {
  after(() => stopAll());

  it("cancels a load in progress: the session ends with a notice and nothing stays loaded", async () => {
    const x = await api();
    await stopAll();
    const big = join(workspace(), "big.estrace");
    const made = generate({ events: 200_000, seed: 7, out: big });
    const launched = vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], {
      type: "elixirscope",
      request: "launch",
      name: "ElixirScope: Replay",
      trace: big,
    });
    // Cancel once the worker has reported reading part of the file.
    const load = await until(
      "the load's progress",
      () => x.loading().find((l) => l.title === "Loading big.estrace" && (l.percentage ?? 0) > 0),
      120_000,
    );
    assert.ok((load.percentage ?? 0) < 100, `progress ${load.percentage}%`);
    assert.equal(x.services.cache.size, 1, "the load is in the cache while it runs");
    await vscode.commands.executeCommand("elixirscope.cancelLoad");
    assert.equal(await launched, false, "the launch fails");
    await until("the session to end", () => vscode.debug.activeDebugSession === undefined);
    const note = await eventually("the notice", async () =>
      (await notifications()).find((t) => /ElixirScope: loading .*big\.estrace was cancelled/.test(t)),
    );
    assert.doesNotMatch(note, /^Error/, "a cancel is not an error");
    assert.deepEqual(x.loading(), [], "no load in progress");
    assert.equal(x.services.cache.size, 0, "the cache entry is released");
    assert.equal(existsSync(`${big}.esindex`), false, "the load stopped before its end (it saves an index)");

    // Not cancelled, the same trace loads.
    await startReplay({ trace: big });
    assert.equal(x.services.current()!.replay.eventCount, made.events);
    await stopAll();
    assert.equal(x.services.cache.size, 0);
    await vscode.commands.executeCommand("notifications.clearAll");
  });
});
