// A real recording that ends with messages still queued: the recorder's mailbox snapshot (the footer)
// makes them "still queued at the end", though each has a receive event (it entered the mailbox).

import assert from "node:assert/strict";
import { Replay } from "../../src/core/replay";
import { atom, tuple } from "../../src/core/terms/build";
import { termEquals } from "../../src/core/terms/equal";
import { recordSnippet } from "../helpers/mix";

// The script's process hands a process one message it takes, then two it never takes, and ends.
const CODE = [
  "me = self()",
  "p = spawn(fn -> receive do: (:first -> send(me, :took)); receive do: (:never -> :ok) end)",
  "send(p, :first)",
  "receive do: (:took -> :ok)",
  "send(p, {:left, 1})",
  "send(p, {:left, 2})",
  "Process.sleep(20)",
].join("; ");

describe("messages still queued when a recording stops", function () {
  this.timeout(240_000);

  it("are queued at the end, from the recorder's mailbox snapshot", async () => {
    const out = recordSnippet("mailbox", CODE);
    const r = await Replay.open(out);
    try {
      assert.deepEqual(r.problems, []);
      const sendOf = (msg: ReturnType<typeof atom> | ReturnType<typeof tuple>) =>
        r.getEvents({ kinds: ["send"], predicate: (e) => termEquals(e.message!, msg) })[0];
      const left1 = sendOf(tuple(atom("left"), 1));
      const left2 = sendOf(tuple(atom("left"), 2));
      const first = sendOf(atom("first"));
      assert.equal(r.messageAt(first.index)!.status, "delivered");
      for (const s of [left1, left2]) {
        const m = r.messageAt(s.index)!;
        assert.equal(m.status, "queued_at_end");
        assert.ok(m.receive !== undefined, "the receive event (mailbox entry) was recorded");
      }
      const box = r.mailboxAtEnd(left1.peer!)!;
      assert.equal(box.count, 2);
      assert.ok(termEquals(box.messages[0], tuple(atom("left"), 1)));
    } finally {
      r.close();
    }
  });
});
