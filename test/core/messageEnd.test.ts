// What became of a message that no recorded receive took, on a hand-built trace with known answers:
// still queued at the end (its receiver was alive and its receives recorded), never received (the
// receiver ended first), in flight (nothing recorded says more); and a receive with no recorded send
// shows the caller a `$gen_call` names.

import assert from "node:assert/strict";
import { Replay } from "../../src/core/replay";
import { atom, pid, ref, tuple } from "../../src/core/terms/build";
import { TraceBuilder } from "../../src/core/writer";
import { tempTrace } from "../helpers/fixtures";

const N = "n@h";
const SENDER = pid(N, 80, 0);
const ALIVE = pid(N, 81, 0);
const ENDED = pid(N, 82, 0);
const DEAF = pid(N, 83, 0);
const CALLER = pid(N, 84, 0);

describe("the end of a recording, for messages", () => {
  let r: Replay;
  before(async () => {
    const b = new TraceBuilder({ node: N });
    b.send(SENDER, ALIVE, atom("m0"));
    b.receive(ALIVE, atom("m0"));
    b.send(SENDER, ALIVE, atom("queued")); // never taken; ALIVE lives on
    b.send(SENDER, ENDED, atom("n0"));
    b.receive(ENDED, atom("n0"));
    b.send(SENDER, ENDED, atom("dropped")); // ENDED exits without taking it
    b.exit(ENDED, atom("normal"));
    b.call(DEAF, ["Elixir.App", "idle", 0], []);
    b.send(SENDER, DEAF, atom("unknown")); // DEAF's receives were not recorded
    b.call(CALLER, ["Elixir.App", "ask", 0], []);
    b.receive(ALIVE, tuple(atom("$gen_call"), tuple(CALLER, ref(N, [1, 2, 3])), atom("req")));
    b.footer([]);
    r = await Replay.open(tempTrace(b.toBuffer()));
  });
  after(() => r.close());

  const statusOf = (msg: string) => {
    const send = r.getEvents({ kinds: ["send"], predicate: (e) => e.message === atom(msg) })[0];
    return r.messageAt(send.index)!.status;
  };

  it("tells still queued, never received and not known apart", () => {
    assert.equal(statusOf("m0"), "delivered");
    assert.equal(statusOf("queued"), "queued_at_end");
    assert.equal(statusOf("dropped"), "never_received");
    assert.equal(statusOf("unknown"), "in_flight");
  });

  it("a receive whose send was not recorded shows the caller its $gen_call carries", () => {
    const rcv = r.getEvents({ kinds: ["receive"], pids: ["<0.81.0>"] }).at(-1)!;
    const m = r.messageAt(rcv.index)!;
    assert.equal(m.send, undefined);
    assert.equal(m.from, r.findProcess("<0.84.0>").id);
    const flow = r.getMessageFlow(undefined, "<0.81.0>");
    assert.equal(flow.at(-1)!.from, r.findProcess("<0.84.0>").id);
  });
});
