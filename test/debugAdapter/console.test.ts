// The Debug Console over the real protocol: expressions at the selected frame, queries over the whole
// recording, completions, shareable positions and every form of `startAt`.

import assert from "node:assert/strict";
import { join } from "node:path";
import { ticketTracePath } from "../helpers/fixtures";
import { TRACES, withDap } from "./dapClient";

describe("debug adapter: console, queries and moments", function () {
  this.timeout(180_000);

  it("evaluates expressions and queries, with one-line errors", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath(), startAt: 10 });
      assert.equal((await d.evaluate("state.seats[1]", "hover")).result, '"ann"');
      assert.equal((await d.evaluate("map_size(state.seats) == 1 and state.n >= 1")).result, "true");
      assert.equal((await d.evaluate("kind")).result, ":state");
      assert.match(
        (await d.evaluate("flow <0.100.0> TicketOffice")).result,
        /^\[seq 4\] .* → #PID<0\.101\.0> Demo\.TicketOffice delivered 1\.0µs: \{:"\$gen_call"/,
      );
      assert.equal((await d.evaluate("diff 5 10")).result, 'state.n: 0 → 1\nstate.seats[1]: :free → "ann"');
      assert.equal((await d.evaluate("history TicketOffice state.n")).result.split("\n").length, 2);
      assert.equal(
        (await d.evaluate("events kind=call fun=TicketOffice.* limit=5")).result
          .split("\n")
          .map((l) => l.slice(0, 8))
          .join(" "),
        "[seq 3]  [seq 6]  [seq 7] ",
      );
      assert.match(
        (await d.evaluate("events kind=call if args[0] == 10")).result,
        /^\[seq 17\] .*Demo\.Payment\.charge\(10\)$/,
      );
      const st = await d.evaluate("state_at TicketOffice 1");
      assert.equal(st.result, "%{n: 0, seats: %{1 => :free}}");
      assert.ok(st.variablesReference > 0);
      assert.match((await d.evaluate("processes")).result, /#PID<0\.101\.0> Demo\.TicketOffice/);
      assert.match((await d.evaluate("help")).result, /^Expressions at the selected frame/);
      for (const [expr, err] of [
        ["state.seats[", /the expression ends too early/],
        ["events bogus=1", /unknown key "bogus"/],
        ["events kind=nope", /unknown kind "nope"/],
        ["msg", /"msg" has no value at this event/],
        ["nosuch + 1", /unknown name "nosuch" at column 1/],
        ["length(state)", /length\/1 at column 1 needs a list/],
        ["state_at Nobody 3", /unknown pid "Nobody"/],
        ["goto 9999", /no event with seq 9999/],
        ["diff 1", /diff: the second moment is missing/],
      ] as Array<[string, RegExp]>)
        await assert.rejects(d.evaluate(expr), err, expr);
    }));

  it("completes names, state keys, functions and processes", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath(), startAt: 10 });
      const labels = async (text: string): Promise<string[]> =>
        (await d.dc.completionsRequest({ text, column: text.length + 1 })).body.targets.map((t) => t.label);
      assert.ok((await labels("sta")).includes("state"));
      assert.ok((await labels("sta")).includes("state_at"));
      assert.deepEqual(await labels("state."), ["n", "seats"]);
      assert.deepEqual(await labels("state.se"), ["seats"]);
      assert.ok((await labels("events fun=Ticket")).includes("Demo.TicketOffice.handle_call/3"));
      assert.ok((await labels("events pid=Tick")).includes("Demo.TicketOffice"));
      assert.ok((await labels("Map.")).includes("get"));
      const item = (await d.dc.completionsRequest({ text: "x == sta", column: 9 })).body.targets.find(
        (t) => t.label === "state",
      )!;
      assert.deepEqual(
        [item.start, item.length],
        [6, 3],
        "replaces the word before the cursor (1-based columns)",
      );
    }));

  it("shares a position that a new session starts at, and takes every form of startAt", () =>
    withDap(async (d) => {
      const trace = join(TRACES, "payment_crash.estrace");
      await d.launch({ trace, startAt: "first crash" });
      const crash = (await d.dc.customRequest("elixirscope/position")).body as {
        position: string;
        seq: number;
      };
      assert.match(crash.position, /^[0-9a-f]{8}@\d+$/);
      assert.equal((await d.vars())["Event/kind"], "exit");
      for (const [startAt, seq] of [
        [crash.position, crash.seq],
        [`seq:${crash.seq}`, crash.seq],
        [crash.seq, crash.seq],
        [`index:${crash.seq}`, crash.seq],
        ["start", 0],
      ] as Array<[string | number, number]>)
        await withDap(async (e) => {
          await e.launch({ trace, startAt });
          assert.equal(await e.seq(), seq, String(startAt));
        });
      await withDap(async (e) => {
        await e.launch({ trace, startAt: "first raise" });
        const raised = await e.seq();
        assert.ok(raised < crash.seq);
        assert.equal((await e.vars())["Event/kind"], "exception");
        const time = (await e.vars())["Event/time"];
        await e.custom("elixirscope/goto", { moment: "end" });
        await e.custom("elixirscope/goto", { moment: `time:${time.slice(1)}` });
        assert.ok(Math.abs((await e.seq()) - raised) <= 1, `${time} is at seq ${raised}`);
        await e.custom("elixirscope/goto", { moment: "last call PaymentGateway.charge/2" });
        assert.match((await e.frames())[0].name, /PaymentGateway\.charge\/2/);
      });
    }));
});
