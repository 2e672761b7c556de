// The engine end to end on the hand-built ticket trace: every answer checked exactly against what the
// fixture's events say (see test/helpers/fixtures.ts for the story, seq by seq).

import assert from "node:assert/strict";
import { Replay } from "../../src/core/replay";
import { atom, bin } from "../../src/core/terms/build";
import { inspect } from "../../src/core/terms/inspect";
import { STATE0, STATE1, ticketTracePath } from "../helpers/fixtures";

describe("Replay on the ticket trace", () => {
  let r: Replay;
  before(async () => {
    r = await Replay.open(ticketTracePath());
  });
  after(() => r.close());

  const seqs = (rows: number[]): number[] => rows.map((i) => r.event(i).seq);

  it("loads every event, process and module with no problems", () => {
    assert.equal(r.eventCount, 21);
    assert.deepEqual(r.problems, []);
    assert.equal(r.files[0].node, "demo@host");
    assert.equal(r.files[0].events, 21);
    assert.deepEqual(
      r.processes().map((p) => p.label),
      ["#PID<0.101.0> Demo.TicketOffice", "#PID<0.100.0>", "#PID<0.102.0> Demo.Payment.charge/1"],
    );
    assert.equal(r.modules().length, 3);
    const pay = r.findProcess("<0.102.0>");
    assert.equal(pay.crashed, true);
    assert.equal(r.findProcess("TicketOffice").pid, "<0.101.0>");
  });

  it("decodes events lazily with their payload terms", () => {
    const call = r.event(3);
    assert.equal(call.kind, "call");
    assert.deepEqual(call.mfa, { module: "Elixir.Demo.TicketOffice", fun: "reserve", arity: 2 });
    assert.equal(inspect(call.args!), '[1, "ann"]');
    assert.deepEqual(call.caller, {
      mfa: { module: "Elixir.Demo.Customer", fun: "run", arity: 1 },
      file: "/app/lib/customer.ex",
      line: 12,
    });
    assert.equal(r.event(18).exception?.class, "error");
    assert.equal(inspect(r.event(13).value!), ":ok");
  });

  it("answers queries by process, function, kind and range with the right index", () => {
    assert.deepEqual(seqs(r.getEventIndices({ pids: ["TicketOffice"] })), [0, 1, 5, 6, 7, 8, 9, 10, 11]);
    assert.deepEqual(seqs(r.getEventIndices({ functions: ["TicketOffice.reserve/2"] })), [3, 13]);
    assert.deepEqual(
      seqs(r.getEventIndices({ functions: ["Demo.TicketOffice.*"], kinds: ["call"] })),
      [3, 6, 7],
    );
    assert.deepEqual(seqs(r.getEventIndices({ kinds: ["send"], order: "desc", limit: 2 })), [20, 15]);
    assert.deepEqual(
      seqs(r.getEventIndices({ pids: ["<0.100.0>"], indexRange: { from: 10, to: 15 }, offset: 1 })),
      [13, 14, 15],
    );
    assert.deepEqual(seqs(r.getEventIndices({ timeRange: { from: 3000, to: 5000 } })), [2, 3, 4]);
    assert.deepEqual(
      seqs(r.getEventIndices({ kinds: ["call"], predicate: (e) => e.args?.length === 1 })),
      [2, 17],
    );
    assert.equal(r.explain({ functions: ["do_reserve/2"] }).index, "function");
    assert.equal(r.explain({ functions: ["do_reserve/2"] }).candidates, 2);
    assert.equal(
      r.explain({ pids: ["<0.102.0>"], kinds: ["call", "return", "send", "receive"] }).index,
      "process",
    );
    assert.equal(r.explain({ pids: ["TicketOffice"], kinds: ["state"] }).index, "state-owner");
    assert.equal(r.explain({ timeRange: { from: 3000, to: 5000 } }).index, "temporal");
  });

  it("rejects bad filters with clear messages", () => {
    assert.throws(() => r.getEvents({ kinds: ["nope" as never] }), /unknown event kind "nope"/);
    assert.throws(() => r.getEvents({ pids: ["<0.999.0>"] }), /unknown pid <0\.999\.0>/);
    assert.throws(() => r.getEvents({ limit: -1 }), /limit must be a non-negative integer/);
    assert.throws(() => r.getEvents({ functions: ["not a pattern!"] }), /bad function pattern/);
    assert.throws(() => r.getEvents({ timeRange: { from: 5, to: 1 } }), /timeRange.from \(5\) is after/);
    assert.throws(() => r.getEvents({ bogus: 1 } as never), /unknown field "bogus"/);
  });

  it("reconstructs GenServer state at any moment and diffs it", () => {
    assert.equal(r.getStateAt("TicketOffice", 0), undefined);
    assert.equal(inspect(r.getStateAt("TicketOffice", { seq: 5 })!.state), inspect(STATE0));
    const s = r.getStateAt("TicketOffice", 10)!;
    assert.equal(inspect(s.state), inspect(STATE1));
    assert.equal(s.callback, "handle_call/3");
    assert.deepEqual(
      r.stateHistory("TicketOffice").map((h) => [h.index, h.callback]),
      [
        [1, "init/1"],
        [10, "handle_call/3"],
      ],
    );
    const d = r.diffStates(STATE0, STATE1);
    assert.deepEqual(
      d.map((x) => [x.pathText, x.change, inspect(x.before!), inspect(x.after!)]),
      [
        [".n", "changed", "0", "1"],
        [".seats[1]", "changed", ":free", '"ann"'],
      ],
    );
    assert.equal(r.lastChange("TicketOffice", [atom("n")], 20), 10);
    assert.equal(r.lastChange("TicketOffice", [atom("n")], 10), 1);
    assert.equal(r.lastChange("TicketOffice", [atom("seats"), 1], 20), 10);
  });

  it("pairs messages and explains the ones that went astray", () => {
    const out = r.getMessageFlow("<0.100.0>", "TicketOffice");
    assert.equal(out.length, 2, "the call and, travelling back, its reply");
    assert.deepEqual(
      [out[0].send, out[0].receive, out[0].status, out[0].latencyNs],
      [4, 5, "delivered", 1000],
    );
    assert.deepEqual([out[1].send, out[1].receive, out[1].from, out[1].to], [11, 12, out[0].to, out[0].from]);
    assert.deepEqual(
      r.getMessageFlow("<0.100.0>", "TicketOffice", { limit: 1 }).map((m) => m.send),
      [4],
    );
    const back = r.getMessageFlow("TicketOffice", "<0.100.0>");
    assert.deepEqual([back[0].send, back[0].receive], [11, 12]);
    const fromCustomer = r.getMessageFlow("<0.100.0>");
    assert.deepEqual(
      fromCustomer.map((m) => [m.send, m.status]),
      [
        [4, "delivered"],
        [15, "unknown_process"],
        [20, "dead_process"],
      ],
    );
    assert.equal(fromCustomer[1].toName, "nobody");
    assert.equal(r.messageAt(5)?.send, 4);
    assert.equal(r.getMessageFlow(undefined, undefined, { limit: 2 }).length, 2);
  });

  it("rebuilds call stacks with each frame at its line", () => {
    const at = (i: number): string[] =>
      r
        .stackAt(i)
        .map((f) => `${f.mfa?.fun}@${f.location?.file.replace("/app/lib/", "")}:${f.location?.line}`);
    assert.deepEqual(at(7), ["do_reserve@ticket_office.ex:50", "handle_call@ticket_office.ex:30"]);
    assert.deepEqual(at(3), ["reserve@ticket_office.ex:10", "run@customer.ex:12"]);
    assert.deepEqual(at(12), ["reserve@ticket_office.ex:10", "run@customer.ex:12"]);
    assert.deepEqual(at(14), ["run@customer.ex:8"]);
    assert.deepEqual(at(10), ["handle_call@ticket_office.ex:25"]);
  });

  it("steps over, into and out of calls, both ways", () => {
    assert.equal(r.step(6, "over", "forward"), 9);
    assert.equal(r.step(9, "over", "forward"), 10);
    assert.equal(r.step(9, "over", "backward"), 6);
    assert.equal(r.step(6, "in", "forward"), 7);
    assert.equal(r.step(7, "out", "forward"), 8);
    assert.equal(r.step(8, "out", "forward"), 9);
    assert.equal(r.step(8, "out", "backward"), 7);
    assert.equal(r.step(7, "out", "backward"), 6);
    assert.equal(r.step(2, "over", "forward"), 14);
    assert.equal(r.step(11, "in", "forward"), undefined);
    assert.equal(r.nextInProcess(4, "forward"), 12);
  });

  it("maps events to source and source lines back to events", () => {
    assert.deepEqual(r.locationOf(3), { file: "/app/lib/customer.ex", line: 12 });
    assert.deepEqual(r.locationOf(13), { file: "/app/lib/ticket_office.ex", line: 10 });
    assert.deepEqual(r.eventsAt("lib/ticket_office.ex", 10), [3, 13]);
    assert.deepEqual(r.eventsAt("/work/ws/lib/ticket_office.ex", 30), [7]);
    assert.deepEqual(r.eventsAt("/app/lib/ticket_office.ex", 40), [6, 9, 10]);
    assert.deepEqual(r.functionsAt("ticket_office.ex", 50), [
      { module: "Elixir.Demo.TicketOffice", fun: "do_reserve", arity: 2 },
    ]);
    assert.deepEqual(r.eventsAt("/app/lib/other.ex", 10), []);
    assert.deepEqual(r.definitionOf({ module: "Elixir.Demo.Customer", fun: "run", arity: 1 }), {
      file: "/app/lib/customer.ex",
      line: 8,
    });
    assert.deepEqual(r.sourceFiles().sort(), [
      "/app/lib/customer.ex",
      "/app/lib/payment.ex",
      "/app/lib/ticket_office.ex",
    ]);
    assert.deepEqual(r.linesWithEvents("lib/customer.ex"), [8, 12]);
    assert.deepEqual([r.mfaOf(7)?.fun, r.depthOf(7), r.depthOf(8), r.depthOf(10)], ["do_reserve", 2, 2, 0]);
  });

  it("finds breakpoint hits forward and backward", () => {
    assert.equal(r.findNext(0, "forward", [{ kind: "function", pattern: "do_reserve/2" }]), 7);
    assert.equal(r.findNext(20, "backward", [{ kind: "function", pattern: "do_reserve/2" }]), 7);
    assert.equal(r.findNext(7, "forward", [{ kind: "function", pattern: "do_reserve/2" }]), undefined);
    assert.equal(r.findNext(0, "forward", [{ kind: "line", file: "lib/ticket_office.ex", line: 10 }]), 3);
    assert.equal(r.findNext(0, "forward", [{ kind: "exception", filters: ["raise"] }]), 18);
    assert.equal(r.findNext(0, "forward", [{ kind: "exception", filters: ["crash"] }]), 19);
    assert.equal(r.findNext(20, "backward", [{ kind: "exception", filters: ["throw", "exit"] }]), undefined);
    assert.equal(
      r.findNext(1, "forward", [
        { kind: "stateChange", pid: r.findProcess("TicketOffice").id, path: [atom("seats"), 1] },
      ]),
      10,
    );
    assert.equal(
      r.findNext(0, "forward", [
        { kind: "function", pattern: "charge/1" },
        {
          kind: "function",
          pattern: "reserve/2",
          condition: (e) => inspect(e.args![1]) === inspect(bin("ann")),
        },
      ]),
      3,
    );
  });

  it("names moments by seq, time and a shareable position", () => {
    assert.equal(r.resolveMoment({ seq: 5 }), 5);
    assert.equal(r.resolveMoment({ time: 5500 }), 5);
    assert.equal(r.parsePosition(r.positionOf(12)), 12);
    assert.throws(() => r.resolveMoment({ seq: 99 }), /no event with seq 99/);
    assert.throws(() => r.resolveMoment({ time: 1e12 }), /outside the recording/);
    assert.throws(() => r.event(21), /event index 21 is out of range \(this trace has events 0 to 20\)/);
    assert.throws(() => r.parsePosition("deadbeef@1"), /belongs to another recording/);
  });

  it("keeps query statistics", () => {
    const s = r.stats();
    assert.ok(s.queries.some((q) => q.index === "function" && q.queries > 0));
    assert.ok(s.recent.length > 0);
    assert.ok(s.decodedCacheHits + s.decodedCacheMisses > 0);
  });
});
