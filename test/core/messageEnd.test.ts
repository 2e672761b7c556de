// What became of a message that no recorded receive took, on a hand-built trace with known answers:
// still queued at the end (its receiver was alive and its receives recorded), never received (the
// receiver ended first), in flight (nothing recorded says more); and a receive with no recorded send
// shows the caller a `$gen_call` names.

import assert from "node:assert/strict";
import { Replay } from "../../src/core/replay";
import { atom, pid, ref, tuple } from "../../src/core/terms/build";
import { TraceBuilder } from "../../src/core/writer";
import { termEquals } from "../../src/core/terms/equal";
import type { Term } from "../../src/core/terms/term";
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

// With the recorder's snapshot (the footer's `mailboxes`), "still queued" is what the mailbox held,
// matched term for term: a receive event is only the message entering the mailbox.
describe("the end of a recording, from the mailboxes' snapshot", () => {
  let r: Replay;
  const LAZY = pid(N, 90, 0);
  const EMPTY = pid(N, 91, 0);
  before(async () => {
    const b = new TraceBuilder({ node: N });
    b.send(SENDER, LAZY, atom("taken"));
    b.receive(LAZY, atom("taken"));
    b.send(SENDER, LAZY, tuple(atom("left"), 1));
    b.receive(LAZY, tuple(atom("left"), 1)); // entered the mailbox, never taken out
    b.send(SENDER, LAZY, atom("twice"));
    b.receive(LAZY, atom("twice"));
    b.send(SENDER, LAZY, atom("twice"));
    b.receive(LAZY, atom("twice"));
    b.send(SENDER, EMPTY, atom("e0"));
    b.receive(EMPTY, atom("e0"));
    b.send(SENDER, EMPTY, atom("lost")); // no receive recorded; the snapshot says it is not queued
    b.receive(LAZY, atom("from_outside")); // its sender was not recorded; taken
    b.receive(LAZY, atom("from_outside")); // the same again; still queued
    b.footer([
      [
        "mailboxes",
        [
          tuple(LAZY, 3, [tuple(atom("left"), 1), atom("twice"), atom("from_outside")]),
          tuple(EMPTY, 0, []),
          tuple(SENDER, 0, []),
        ],
      ],
    ]);
    r = await Replay.open(tempTrace(b.toBuffer()));
  });
  after(() => r.close());

  const sends = (msg: Term) =>
    r.getEvents({ kinds: ["send"], predicate: (e) => termEquals(e.message!, msg) });

  it("a queued message is queued at the end even though it entered the mailbox", () => {
    const m = r.messageAt(sends(tuple(atom("left"), 1))[0].index)!;
    assert.equal(m.status, "queued_at_end");
    assert.ok(m.receive !== undefined, "its mailbox entry stays paired");
    assert.equal(m.latencyNs, undefined);
    assert.equal(r.messageAt(sends(atom("taken"))[0].index)!.status, "delivered");
  });

  it("of two equal messages, the later one is the one still queued", () => {
    const [first, second] = sends(atom("twice"));
    assert.equal(r.messageAt(first.index)!.status, "delivered");
    assert.equal(r.messageAt(second.index)!.status, "queued_at_end");
  });

  it("an empty mailbox at the end means not queued, whatever the inference would say", () => {
    assert.notEqual(r.messageAt(sends(atom("lost"))[0].index)!.status, "queued_at_end");
  });

  it("a receive whose send was not recorded is queued at the end when the snapshot holds it", () => {
    const [first, second] = r.getEvents({
      kinds: ["receive"],
      predicate: (e) => termEquals(e.message!, atom("from_outside")),
    });
    assert.equal(r.messageAt(first.index)!.status, "delivered");
    assert.equal(r.messageAt(second.index)!.status, "queued_at_end");
    const flow = r.getMessageFlow(undefined, "<0.90.0>").filter((m) => m.send === undefined);
    assert.deepEqual(
      flow.map((m) => m.status),
      ["delivered", "queued_at_end"],
    );
  });

  it("mailboxAtEnd gives the snapshot by process", () => {
    assert.deepEqual(r.mailboxAtEnd("<0.90.0>"), {
      count: 3,
      messages: [tuple(atom("left"), 1), atom("twice"), atom("from_outside")],
    });
    assert.deepEqual(r.mailboxAtEnd("<0.91.0>"), { count: 0, messages: [] });
  });
});
