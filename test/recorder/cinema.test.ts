// Cross-language: record Cinema Demo scenarios with the real Elixir recorder during the test run,
// load them with the TypeScript engine, and check facts a person can verify from the demo's code.

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Replay } from "../../src/core/replay";
import { atom } from "../../src/core/terms/build";
import { inspect } from "../../src/core/terms/inspect";
import { termEquals } from "../../src/core/terms/equal";
import { Tuple } from "../../src/core/terms/term";
import { mix } from "../helpers/mix";

const demo = join(__dirname, "../../examples/cinema_demo");
const dir = mkdtempSync(join(tmpdir(), "elixirscope-cinema-"));

function recordScenario(name: string): string {
  const out = join(dir, `${name}.estrace`);
  mix(demo, ["run", "-e", `CinemaDemo.Scenarios.record(:${name}, ${JSON.stringify(out)})`]);
  return out;
}

describe("Cinema Demo recorded by the real recorder", function () {
  this.timeout(240_000);

  it("double_booking: both customers hold and confirm seat 12, as the state history shows", async () => {
    const r = await Replay.open(recordScenario("double_booking"));
    try {
      assert.deepEqual(r.problems, []);
      const holds = r.getEvents({ functions: ["CinemaDemo.TicketOffice.hold/2"], kinds: ["call"] });
      const seat12 = holds.filter((e) => e.args![0] === 12).map((e) => inspect(e.args![1]));
      assert.deepEqual(seat12, ['"carol"', '"dave"']);
      // The state after each callback: seat 12 goes held → sold to carol, then held → sold to dave.
      const office = r.findProcess("TicketOffice");
      const seat12States = r
        .stateHistory(office.id)
        .map((h) => r.getStateAt(office.id, h.index)!.state)
        .map((s) => inspect(seatOf(s, 12)));
      const transitions = seat12States.filter((s, i) => i === 0 || s !== seat12States[i - 1]);
      assert.deepEqual(
        transitions.map((s) => s.replace(/#Reference<[^>]+>/, "#Reference<…>")),
        [":free", '{:held, "carol", #Reference<…>}', '{:sold, "carol"}', '{:held, "dave", #Reference<…>}', '{:sold, "dave"}'],
      );
      const last = r.getStateAt(office.id, r.eventCount - 1)!.state;
      assert.equal(inspect(mapGet(last, atom("sold"))), "13"); // 12 seats, 13 sold: the bug
    } finally {
      r.close();
    }
  });

  it("payment_crash: the gateway crashes, the supervisor restarts it, the next customer pays", async () => {
    const r = await Replay.open(recordScenario("payment_crash"));
    try {
      const gateways = r.processes().filter((p) => p.name === "Elixir.CinemaDemo.PaymentGateway");
      assert.equal(gateways.length, 2, "the original gateway and its restart");
      const [first, second] = gateways.sort((a, b) => a.firstEvent - b.firstEvent);
      assert.equal(first.crashed, true);
      assert.equal(second.crashed, false);
      const raised = r.findNext(0, "forward", [{ kind: "exception", filters: ["raise"] }]);
      assert.ok(raised !== undefined);
      assert.equal(r.event(raised).mfa?.fun, "parse_card");
      assert.equal(r.pidOf(raised), first.id);
      const crash = r.findNext(0, "forward", [{ kind: "exception", filters: ["crash"] }]);
      assert.equal(crash, first.exitedAt);
      const charges = r.getEvents({ functions: ["PaymentGateway.handle_call/3"], kinds: ["return"] });
      assert.equal(charges.length, 1);
      assert.equal(r.pidOf(charges[0].index), second.id);
      assert.match(inspect(charges[0].value!), /^\{:reply, \{:ok, "txn-1111-12"\}/);
    } finally {
      r.close();
    }
  });

  it("happy_path: every request to the TicketOffice is paired with its reply", async () => {
    const r = await Replay.open(recordScenario("happy_path"));
    try {
      const office = r.findProcess("TicketOffice");
      const requests = r.getEvents({ kinds: ["send"], predicate: (e) => e.peer === office.id && isGenCall(e.message) });
      assert.ok(requests.length >= 6, `requests: ${requests.length}`);
      for (const req of requests) {
        const flow = r.messageAt(req.index)!;
        assert.equal(flow.status, "delivered", `request at seq ${req.seq}`);
        // The reply: the office's next send back to the caller, carrying the request's tag.
        const tag = ((req.message as Tuple).elements[1] as Tuple).elements[1];
        const reply = r.getEvents({
          pids: [office.id],
          kinds: ["send"],
          indexRange: { from: flow.receive },
          predicate: (e) => e.message instanceof Tuple && termEquals(e.message.elements[0], tag),
          limit: 1,
        })[0];
        assert.ok(reply, `no reply to the request at seq ${req.seq}`);
        assert.equal(r.messageAt(reply.index)!.status, "delivered");
        assert.equal(r.messageAt(reply.index)!.to, req.pid);
      }
      assert.ok(r.getEvents({ kinds: ["call"], functions: ["Customer.showtime_status/1"] }).length === 6);
    } finally {
      r.close();
    }
  });
});

function isGenCall(m: unknown): boolean {
  return m instanceof Tuple && m.elements[0] === atom("$gen_call");
}

function mapGet(m: unknown, key: unknown): never {
  const map = m as { get: (k: unknown, eq: typeof termEquals) => never };
  return map.get(key, termEquals);
}

function seatOf(state: unknown, seat: number): never {
  return mapGet(mapGet(state, atom("seats")), seat);
}
