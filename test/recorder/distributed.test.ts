// Two nodes recorded by the real recorder, one file each, loaded together: pids keep their node, and
// a message from a process on node a to one on node b pairs with its receive in b's file, and back.

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Replay } from "../../src/core/replay";
import { mix } from "../helpers/mix";
import { inspect } from "../../src/core/terms/inspect";

describe("a two-node recording", function () {
  this.timeout(240_000);

  it("loads as one replay with messages paired across nodes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "elixirscope-nodes-"));
    mix(join(__dirname, "../../recorder"), ["run", join(__dirname, "two_nodes.exs"), dir]);
    const r = await Replay.open([join(dir, "a.estrace"), join(dir, "b.estrace")]);
    try {
      assert.deepEqual(
        r.files.map((f) => f.node),
        ["a@127.0.0.1", "b@127.0.0.1"],
      );
      const ping = r.getEvents({ kinds: ["send"], predicate: (e) => inspect(e.message!).startsWith("{:ping,") })[0];
      const pong = r.getEvents({ kinds: ["send"], predicate: (e) => inspect(e.message!).startsWith("{:pong,") })[0];
      assert.equal(r.process(ping.pid).node, "a@127.0.0.1");
      assert.equal(r.process(pong.pid).node, "b@127.0.0.1");
      const there = r.messageAt(ping.index)!;
      const back = r.messageAt(pong.index)!;
      assert.equal(there.status, "delivered");
      assert.equal(back.status, "delivered");
      assert.equal(r.event(there.receive!).file, 1, "the ping's receive is in node b's file");
      assert.equal(back.to, ping.pid);
      assert.equal(r.event(back.receive!).file, 0, "the pong's receive is in node a's file");
    } finally {
      r.close();
    }
  });
});
