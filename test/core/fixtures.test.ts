// The shipped fixture traces load as documented and stay what the trace writer produces.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Replay } from "../../src/core/replay";
import { fixtureFiles } from "../helpers/fixtureFiles";

const dir = join(__dirname, "..", "fixtures");

describe("shipped fixtures", () => {
  it("are byte-for-byte what the writer makes (regenerate with test/helpers/writeFixtures.ts)", () => {
    for (const [name, bytes] of Object.entries(fixtureFiles()))
      assert.ok(Buffer.from(bytes).equals(readFileSync(join(dir, name))), `${name} is stale`);
  });

  it("load with the documented problems", async () => {
    const cases: Array<[string[], number, number]> = [
      [["ticket.estrace"], 21, 0],
      [["ticket-truncated.estrace"], 20, 1],
      [["ticket-corrupt.estrace"], 20, 1],
      [["node-a.estrace", "node-b.estrace"], 4, 0],
    ];
    for (const [files, events, problems] of cases) {
      const r = await Replay.open(files.map((f) => join(dir, f)));
      try {
        assert.equal(r.eventCount, events, files.join());
        assert.equal(r.problems.length, problems, files.join());
      } finally {
        r.close();
      }
    }
  });
});
