// Moving through time over the real protocol: steps of every kind both ways land where the engine's
// step semantics say, a step and its reverse come back to the same moment with the same stack and
// variables, a step of another thread steps that process, and frames can be re-entered and jumped to.

import assert from "node:assert/strict";
import { join } from "node:path";
import { ticketTracePath } from "../helpers/fixtures";
import { type Dap, TRACES, withDap } from "./dapClient";

async function threadNamed(d: Dap, part: string): Promise<number> {
  const t = (await d.dc.threadsRequest()).body.threads.find((x) => x.name.includes(part));
  assert.ok(t, `a thread named like ${part}`);
  return t.id;
}

describe("debug adapter: moving through time", function () {
  this.timeout(180_000);

  it("stops on entry, steps forward N events and back N to the same moments, stacks and variables", () =>
    withDap(async (d) => {
      const entry = await d.launch({ trace: ticketTracePath(), startAt: "start" });
      assert.equal(entry.body.reason, "entry");
      // The client said it shows progress: loading reported it, start to end.
      assert.equal(d.progress[0].event, "progressStart");
      assert.equal(d.progress.at(-1)!.event, "progressEnd");
      assert.deepEqual(d.progress.at(-1)!.body, { progressId: "elixirscope-load", message: "21 events" });
      const seen = [await d.where()];
      assert.equal(seen[0].seq, 0);
      for (let i = 1; i <= 20; i++) {
        await d.stepIn("instruction");
        seen.push(await d.where());
      }
      assert.deepEqual(
        seen.map((s) => s.seq),
        Array.from({ length: 21 }, (_, i) => i),
      );
      assert.deepEqual(seen[7].frames, [
        "Demo.TicketOffice.do_reserve/2 (/app/lib/ticket_office.ex:50, not in this workspace):0",
        "Demo.TicketOffice.handle_call/3 (/app/lib/ticket_office.ex:30, not in this workspace):0",
      ]);
      assert.equal(seen[3].vars["Arguments/args[1]"], '"ann"');
      assert.equal(seen[6].vars["Process state/state"], "%{n: 0, seats: %{1 => :free}}");
      for (let i = 19; i >= 0; i--) {
        await d.stepBack("instruction");
        assert.deepEqual(await d.where(), seen[i], `back at step ${i}`);
      }
      // At the start nothing earlier exists: the adapter stays and says so.
      const before = d.outputs.length;
      await d.stepBack("instruction");
      assert.equal(await d.seq(), 0);
      await d.settle();
      assert.match(
        d.outputs
          .slice(before)
          .map((o) => o.body.output)
          .join(""),
        /Start of the recording/,
      );
    }));

  it("steps over, in and out of calls forward, and back over, back in and back out", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath(), startAt: "seq:6" });
      assert.equal(d.thread, await threadNamed(d, "TicketOffice"));
      await d.next();
      assert.equal(await d.seq(), 9, "over the nested do_reserve/2 to handle_call's return");
      assert.equal((await d.vars())["Return value/value"], '{:reply, :ok, %{n: 1, seats: %{1 => "ann"}}}');
      await d.stepBack();
      assert.equal(await d.seq(), 6);
      await d.stepIn();
      assert.equal(await d.seq(), 7);
      await d.stepOut();
      assert.equal(await d.seq(), 8);
      await d.custom("elixirscope/reverseStepOut");
      assert.equal(await d.seq(), 7);
      await d.custom("elixirscope/reverseStepOut");
      assert.equal(await d.seq(), 6);
      await d.custom("elixirscope/reverseStepIn");
      assert.equal(await d.seq(), 5, "back into the receive before the call");
    }));

  it("a step in and a reverse step in are inverses on the Cinema Demo recording", () =>
    withDap(async (d) => {
      await d.launch({
        trace: join(TRACES, "double_booking.estrace"),
        startAt: "first call TicketOffice.handle_call/3",
      });
      const seen = [await d.where()];
      for (let i = 0; i < 12; i++) {
        await d.stepIn();
        seen.push(await d.where());
      }
      assert.ok(new Set(seen.map((s) => s.seq)).size === seen.length, "every step moved");
      assert.ok(
        seen.every((s) => s.thread === seen[0].thread),
        "steps stay in the process",
      );
      for (let i = 11; i >= 0; i--) {
        await d.custom("elixirscope/reverseStepIn", { threadId: d.thread });
        assert.deepEqual(await d.where(), seen[i], `back at step ${i}`);
      }
    }));

  it("a step of another thread steps that process from its own latest event", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath(), startAt: "seq:6" });
      const customer = await threadNamed(d, "<0.100.0>");
      const office = await threadNamed(d, "TicketOffice");
      assert.notEqual(customer, office);
      // The customer's latest event is its send at seq 4, inside reserve/2: over that, its receive at 12.
      const ev = await d.moves(() => d.dc.nextRequest({ threadId: customer }));
      assert.equal(ev.body.threadId, customer);
      assert.equal(await d.seq(), 12);
      const frames = await d.frames(office);
      assert.equal(
        frames[0].name,
        "Demo.TicketOffice (server loop, not traced)",
        "the office between callbacks",
      );
    }));

  it("continues to the end and reverse-continues to the start when no breakpoint is set", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath(), startAt: "seq:10" });
      const end = await d.continue();
      assert.equal(end.body.reason, "step");
      assert.equal(end.body.description, "End of the recording at seq 20");
      assert.equal(await d.seq(), 20);
      const start = await d.reverseContinue();
      assert.equal(start.body.reason, "step");
      assert.equal(start.body.description, "Start of the recording at seq 0");
      assert.equal(await d.seq(), 0);
      await d.settle();
      assert.ok(
        d.outputs.some((o) => /End of the recording: no breakpoint after seq 10/.test(o.body.output)),
      );
    }));

  it("restarts a frame at its entry, and jumps to a source line's events", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath(), startAt: "seq:8" });
      const frames = await d.frames();
      assert.deepEqual(
        frames.map((f) => f.canRestart),
        [true, true],
      );
      const restarted = await d.moves(() => d.dc.restartFrameRequest({ frameId: frames[1].id }));
      assert.equal(restarted.body.reason, "restart");
      assert.equal(await d.seq(), 6, "handle_call/3 entered at seq 6");
      const targets = await d.dc.gotoTargetsRequest({
        source: { path: "/app/lib/ticket_office.ex" },
        line: 50,
      });
      assert.equal(targets.body.targets.length, 1);
      const ev = await d.moves(() =>
        d.dc.gotoRequest({ threadId: d.thread, targetId: targets.body.targets[0].id }),
      );
      assert.equal(ev.body.reason, "goto");
      assert.equal(await d.seq(), 7);
      // From outside (a hover, the diagram): a stop, an `invalidated` refresh, and the moment event.
      const invalidated = d.dc.waitForEvent("invalidated");
      await d.custom("elixirscope/goto", { moment: "first exception" });
      await invalidated;
      assert.equal(await d.seq(), 18);
      await d.settle();
      assert.equal((d.events.at(-1)!.body as { seq: number }).seq, 18);
    }));

  it("without stopOnEntry runs to the first breakpoint set during configuration", () =>
    withDap(async (d) => {
      const ev = await d.launch({ trace: ticketTracePath(), stopOnEntry: false }, () =>
        d.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: "Payment.charge/1" }] }),
      );
      assert.equal(ev.body.reason, "function breakpoint");
      assert.equal(await d.seq(), 17);
    }));
});
