// The recorder's mix task records a whole run: `mix elixir_scope.record --out F --prefix P -e CODE`
// in the Cinema Demo project, with every process traced; the engine then finds the story in it.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Replay } from "../../src/core/replay";

describe("mix elixir_scope.record", function () {
  this.timeout(240_000);

  it("records a run of code in a project into a loadable trace", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "elixirscope-task-")), "task.estrace");
    const log = execFileSync(
      "mix",
      ["elixir_scope.record", "--out", out, "--prefix", "CinemaDemo.", "-e", "CinemaDemo.Scenarios.run(:happy_path)"],
      { cwd: join(__dirname, "../../examples/cinema_demo"), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 180_000 },
    );
    assert.match(log, /ElixirScope: \d+ events written to /);
    const r = await Replay.open(out);
    try {
      assert.deepEqual(r.problems, []);
      const office = r.findProcess("TicketOffice");
      assert.ok(r.stateHistory(office.id).length >= 5, "the TicketOffice's state after each callback");
      assert.equal(r.getEventIndices({ functions: ["TicketOffice.confirm/2"], kinds: ["call"] }).length, 2);
      assert.ok(r.processes().length > 5, "every process is traced");
    } finally {
      r.close();
    }
  });

  it("records a Cinema Demo scenario script, which then plays into the task's recording", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "elixirscope-task-")), "scenario.estrace");
    const log = execFileSync("mix", ["elixir_scope.record", "--out", out, "scenarios/happy_path.exs"], {
      cwd: join(__dirname, "../../examples/cinema_demo"),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 180_000,
    });
    // The scenario's own recording would have said "recorded N events into ...".
    assert.doesNotMatch(log, /recorded \d+ events into/);
    assert.match(log, /happy_path: \{\[/);
    const r = await Replay.open(out);
    try {
      assert.deepEqual(r.problems, []);
      assert.equal(r.getEventIndices({ functions: ["CinemaDemo.Scenarios.run/1"], kinds: ["call"] }).length, 1);
      assert.equal(r.getEventIndices({ functions: ["TicketOffice.confirm/2"], kinds: ["call"] }).length, 2);
      assert.ok(r.stateHistory(r.findProcess("TicketOffice").id).length >= 5);
    } finally {
      r.close();
    }
  });
});
