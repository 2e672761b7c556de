// Breakpoints over the real protocol, in both directions: line, function, conditional and hit-count
// breakpoints, retroactive logpoints, exception filters (the Cinema Demo's payment crash), and a data
// breakpoint on a seat that finds the Cinema Demo's double booking.

import assert from "node:assert/strict";
import { join } from "node:path";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { ticketTracePath } from "../helpers/fixtures";
import { CINEMA_SOURCES, type Dap, TRACES, withDap } from "./dapClient";

const OFFICE_SRC = "/app/lib/ticket_office.ex";

async function seqsOf(
  d: Dap,
  moves: number,
  move: () => Promise<DebugProtocol.StoppedEvent>,
): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < moves; i++) {
    const ev = await move();
    // The edges stop as a step, described as the end or start of the recording.
    const edge = /^(End|Start) of the recording/.exec(ev.body.description ?? "")?.[1];
    out.push(`${await d.seq()}:${edge ? `${ev.body.reason} at the ${edge.toLowerCase()}` : ev.body.reason}`);
  }
  return out;
}

describe("debug adapter: breakpoints", function () {
  this.timeout(180_000);

  it("hits function and line breakpoints forward and backward, in order, and verifies them", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath() });
      const fb = await d.dc.setFunctionBreakpointsRequest({
        breakpoints: [{ name: "TicketOffice.reserve/2" }, { name: "charge/1" }, { name: "Nope.never/0" }],
      });
      assert.deepEqual(
        fb.body.breakpoints.map((b) => [b.verified, b.message]),
        [
          [true, "1 of 1 calls in the recording"],
          [true, "1 of 1 calls in the recording"],
          [false, "Nope.never/0 is never called in this recording"],
        ],
      );
      const lb = await d.dc.setBreakpointsRequest({
        source: { path: OFFICE_SRC },
        breakpoints: [{ line: 50 }, { line: 99 }],
      });
      assert.equal(lb.body.breakpoints[0].verified, true);
      assert.equal(lb.body.breakpoints[1].verified, false);
      assert.match(
        lb.body.breakpoints[1].message!,
        /no recorded event maps to line 99 \(lines with events nearby: /,
      );
      assert.deepEqual(await seqsOf(d, 3, () => d.continue()), [
        "3:function breakpoint",
        "7:breakpoint",
        "17:function breakpoint",
      ]);
      assert.deepEqual(d.stopped!.body.hitBreakpointIds, [fb.body.breakpoints[1].id]);
      assert.deepEqual(await seqsOf(d, 3, () => d.reverseContinue()), [
        "7:breakpoint",
        "3:function breakpoint",
        "0:step at the start",
      ]);
      const locations = await d.dc.customRequest("breakpointLocations", {
        source: { path: OFFICE_SRC },
        line: 1,
        endLine: 60,
      });
      assert.deepEqual(
        (locations.body as DebugProtocol.BreakpointLocationsResponse["body"]).breakpoints.map((b) => b.line),
        [5, 10, 25, 30, 40, 50],
      );
    }));

  it("conditional breakpoints and hit counts, both directions", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath() });
      await d.dc.setFunctionBreakpointsRequest({
        breakpoints: [{ name: "*.*", condition: 'length(args) == 2 and args[1] == "ann"' }],
      });
      assert.deepEqual(await seqsOf(d, 2, () => d.continue()), [
        "3:function breakpoint",
        "20:step at the end",
      ]);
      assert.deepEqual(await seqsOf(d, 1, () => d.reverseContinue()), ["3:function breakpoint"]);
      // On a GenServer callback `msg` is the request it handles.
      await d.dc.setFunctionBreakpointsRequest({
        breakpoints: [{ name: "handle_call/3", condition: 'msg == {:reserve, 1, "ann"} and state.n == 0' }],
      });
      assert.deepEqual(await seqsOf(d, 1, () => d.continue()), ["6:function breakpoint"]);
      await d.custom("elixirscope/goto", { seq: 0 });
      const hc = await d.dc.setFunctionBreakpointsRequest({
        breakpoints: [{ name: "*.*", hitCondition: "3" }],
      });
      assert.equal(hc.body.breakpoints[0].message, "1 of 5 calls in the recording");
      assert.deepEqual(await seqsOf(d, 1, () => d.continue()), ["6:function breakpoint"]);
      const bad = await d.dc.setFunctionBreakpointsRequest({
        breakpoints: [
          { name: "*.*", condition: "args[0] ==" },
          { name: "*.*", hitCondition: "often" },
        ],
      });
      assert.deepEqual(
        bad.body.breakpoints.map((b) => [b.verified, b.message]),
        [
          [false, "the expression ends too early"],
          [false, 'bad hit count "often": use 5, == 5, >= 5, > 5, < 5, <= 5 or % 3'],
        ],
      );
      // A condition that cannot be evaluated on some event is false there, and says so once.
      await d.dc.setFunctionBreakpointsRequest({
        breakpoints: [{ name: "*.*", condition: "map_size(args) > 0" }],
      });
      assert.deepEqual(await seqsOf(d, 1, () => d.continue()), ["20:step at the end"]);
      await d.settle();
      assert.equal(
        d.outputs.filter((o) =>
          /map_size\/1 at column 1 needs a map \(treated as false\)/.test(o.body.output),
        ).length,
        1,
      );
    }));

  it("prints every hit of a logpoint as soon as it is set, in recording order, once", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath(), startAt: "end" });
      const logs = (): DebugProtocol.OutputEvent[] =>
        d.outputs.filter((o) => o.body.output.startsWith("[seq"));
      const set = await d.dc.setBreakpointsRequest({
        source: { path: OFFICE_SRC },
        breakpoints: [
          { line: 25, logMessage: "call {args[0]} with {{braces}}" },
          { line: 10, logMessage: "reserve seat {args[0]} for {args[1]}" },
        ],
      });
      assert.deepEqual(
        set.body.breakpoints.map((b) => b.message),
        ["logs 1 times in the recording", "logs 1 times in the recording"],
      );
      await d.settle();
      assert.deepEqual(
        logs().map((o) => o.body.output),
        ['[seq 3] reserve seat 1 for "ann"\n', '[seq 6] call {:reserve, 1, "ann"} with {braces}\n'],
      );
      assert.deepEqual(
        logs().map((o) => (o.body.data as { seq: number }).seq),
        [3, 6],
      );
      // Setting another breakpoint in the file resends them all: the logpoints do not print again.
      await d.dc.setBreakpointsRequest({
        source: { path: OFFICE_SRC },
        breakpoints: [
          { line: 25, logMessage: "call {args[0]} with {{braces}}" },
          { line: 10, logMessage: "reserve seat {args[0]} for {args[1]}" },
          { line: 50 },
        ],
      });
      await d.settle();
      assert.equal(logs().length, 2);
      // A logpoint never stops: continuing backward stops at the plain breakpoint only.
      assert.deepEqual(await seqsOf(d, 2, () => d.reverseContinue()), [
        "7:breakpoint",
        "0:step at the start",
      ]);
      // A client moves to a logged moment with the position the line carries.
      const position = (logs()[1].body.data as { position: string }).position;
      await d.custom("elixirscope/goto", { position });
      assert.equal(await d.seq(), 6);
    }));

  it("logpoints on the Cinema Demo carry their source line in the workspace", () =>
    withDap(async (d) => {
      await d.launch({ trace: join(TRACES, "double_booking.estrace"), sourceRoot: CINEMA_SOURCES });
      const file = join(CINEMA_SOURCES, "lib/cinema_demo/ticket_office.ex");
      const lines = (
        await d.dc.customRequest("breakpointLocations", { source: { path: file }, line: 1, endLine: 200 })
      ).body as DebugProtocol.BreakpointLocationsResponse["body"];
      const handleCall = lines.breakpoints.map((b) => b.line).find((l) => l > 25)!;
      const set = await d.dc.setBreakpointsRequest({
        source: { path: file },
        breakpoints: [
          {
            line: handleCall,
            logMessage: "{elem(args[0], 0)} seat {elem(args[0], 1)}",
            condition: "elem(args[0], 1) == 12",
          },
        ],
      });
      assert.equal(set.body.breakpoints[0].verified, true);
      await d.settle();
      const logs = d.outputs.filter((o) => o.body.output.startsWith("[seq"));
      assert.ok(logs.length >= 2, `${logs.length} lines`);
      // The recording tags each call with the clause that ran: the `:available?` clause's line logs
      // only that clause's calls, both customers' checks of seat 12.
      assert.deepEqual(
        logs.map((o) => o.body.output.replace(/^\[seq \d+\] /, "")),
        [":available? seat 12\n", ":available? seat 12\n"],
        "both customers check that seat 12 is free",
      );
      const seqs = logs.map((o) => (o.body.data as { seq: number }).seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
        "in recording order",
      );
      for (const o of logs) {
        assert.equal(o.body.source?.path, file);
        assert.equal(o.body.line, handleCall);
      }
    }));

  it("exception filters stop where an error is raised and where a process crashes, both ways", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath() });
      const set = await d.dc.setExceptionBreakpointsRequest({ filters: ["raise", "crash", "bogus"] });
      assert.deepEqual(
        set.body!.breakpoints!.map((b) => b.verified),
        [true, true, false],
      );
      assert.deepEqual(await seqsOf(d, 2, () => d.continue()), ["18:exception", "19:exception"]);
      assert.deepEqual(await seqsOf(d, 1, () => d.reverseContinue()), ["18:exception"]);
      assert.equal(d.stopped!.body.text, "error: :badarith");
      const info = await d.dc.exceptionInfoRequest({ threadId: d.thread });
      assert.equal(info.body.exceptionId, "error");
      assert.equal(info.body.breakMode, "always");
      assert.equal(info.body.details?.message, ":badarith");
      // A filter with a condition (filterOptions).
      await d.dc.setExceptionBreakpointsRequest({
        filters: [],
        filterOptions: [{ filterId: "crash", condition: "reason == {:badarith, []}" }],
      });
      assert.deepEqual(await seqsOf(d, 1, () => d.continue()), ["19:exception"]);
      await d.dc.setExceptionBreakpointsRequest({
        filters: [],
        filterOptions: [{ filterId: "crash", condition: "reason == :other" }],
      });
      assert.deepEqual(await seqsOf(d, 1, () => d.reverseContinue()), ["0:step at the start"]);
    }));

  it("exception filters stop at the Cinema Demo's payment gateway crash", () =>
    withDap(async (d) => {
      await d.launch({ trace: join(TRACES, "payment_crash.estrace"), sourceRoot: CINEMA_SOURCES }, () =>
        d.dc.setExceptionBreakpointsRequest({ filters: ["raise"] }),
      );
      const raised = await d.continue();
      assert.equal(raised.body.reason, "exception");
      const frames = await d.frames();
      assert.match(frames[0].name, /^CinemaDemo\.PaymentGateway\.parse_card\/2$/);
      assert.equal(frames[0].source?.path, join(CINEMA_SOURCES, "lib/cinema_demo/payment_gateway.ex"));
      assert.match(frames[1].name, /^CinemaDemo\.PaymentGateway\.handle_call\/3$/);
      assert.match(frames.at(-1)!.name, /^:gen_server\.try_handle_call\/4 \(not traced\)/);
      assert.equal(frames.at(-1)!.presentationHint, "subtle");
      assert.match((await d.vars())["Exception/reason"], /badarg/);
      await d.dc.setExceptionBreakpointsRequest({ filters: ["crash"] });
      await d.continue();
      const vars = await d.vars();
      assert.match(vars["Event/summary"], /^exited: \{:badarg/);
      assert.match(vars["Event/process"], /PaymentGateway/);
      assert.equal(vars["Exit/crash"], "yes: an abnormal reason");
      const info = await d.dc.exceptionInfoRequest({ threadId: d.thread });
      assert.equal(info.body.exceptionId, "exit");
      assert.match(info.body.description!, /PaymentGateway exited: \{:badarg/);
      assert.match(
        info.body.details!.stackTrace!,
        /lib\/cinema_demo\/payment_gateway\.ex:\d+: CinemaDemo\.PaymentGateway\.parse_card\/2/,
      );
      // The gateway is linked to its supervisor: its crash is also an abnormal exit of a linked process.
      const crashAt = await d.seq();
      await d.dc.setExceptionBreakpointsRequest({ filters: ["linked_exit"] });
      await d.custom("elixirscope/goto", { moment: "start" });
      assert.equal((await d.continue()).body.reason, "exception");
      assert.equal(await d.seq(), crashAt);
    }));

  it("a data breakpoint on seat 12 finds the double booking, and 'last change' walks back through it", () =>
    withDap(async (d) => {
      await d.launch({
        trace: join(TRACES, "double_booking.estrace"),
        startAt: "first call TicketOffice.init/1",
      });
      const info = await d.dc.dataBreakpointInfoRequest({ name: "state.seats[12]" });
      assert.ok(info.body.dataId, info.body.description);
      assert.match(info.body.description, /CinemaDemo\.TicketOffice state\.seats\[12\] changes$/);
      const set = await d.dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId }] });
      assert.equal(set.body.breakpoints[0].verified, true);
      const values: string[] = [];
      for (let i = 0; i < 5; i++) {
        const ev = await d.continue();
        assert.equal(ev.body.reason, "data breakpoint");
        values.push(
          (await d.evaluate("state.seats[12]", "watch")).result.replace(/#Reference<[^>]+>/, "#Reference<…>"),
        );
      }
      // Written by init, held and sold to carol, then held and sold again to dave: the double booking.
      assert.deepEqual(values, [
        ":free",
        '{:held, "carol", #Reference<…>}',
        '{:sold, "carol"}',
        '{:held, "dave", #Reference<…>}',
        '{:sold, "dave"}',
      ]);
      const at = await d.seq();
      // The same watch with a condition: only where the seat gets sold, twice.
      await d.dc.setDataBreakpointsRequest({
        breakpoints: [{ dataId: info.body.dataId, condition: "elem(state.seats[12], 0) == :sold" }],
      });
      await d.custom("elixirscope/goto", { seq: 0 });
      const sold: string[] = [];
      for (let i = 0; i < 2; i++) {
        const ev = await d.continue();
        sold.push(`${ev.body.reason} ${(await d.evaluate("state.seats[12]")).result}`);
      }
      assert.deepEqual(sold, ['data breakpoint {:sold, "carol"}', 'data breakpoint {:sold, "dave"}']);
      assert.match((await d.continue()).body.description ?? "", /^End of the recording/);
      await d.dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId }] });
      await d.custom("elixirscope/goto", { seq: at });
      const marked = await d.scope("Process state");
      assert.match(
        marked.find((v) => v.name === "changed")!.value,
        /^state\.seats\[12\] changed, state\.sold changed$/,
      );
      const state = marked.find((v) => v.name === "state")!;
      const seats = (await d.children(state)).find((v) => v.name === "seats")!;
      assert.equal(seats.evaluateName, "state.seats");
      const seat12 = (await d.children(seats)).find((v) => v.name.startsWith("12"))!;
      assert.equal(seat12.name, "12");
      assert.ok(seat12.presentationHint?.attributes?.includes("changed"));
      // The double booking: sold to dave, and what it was just before (dave's hold over carol's sale).
      assert.match(seat12.value, /^\{:sold, "dave"\} {2}\(was \{:held, "dave", #Reference<[\d.]+>\}\)$/);
      assert.equal(seat12.evaluateName, "state.seats[12]");
      // The same watch set from the variable itself, and going back over it.
      const fromVar = await d.dc.dataBreakpointInfoRequest({
        variablesReference: seats.variablesReference,
        name: "12",
      });
      await d.dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: fromVar.body.dataId! }] });
      const back: number[] = [];
      for (let i = 0; i < 2; i++) {
        await d.reverseContinue();
        back.push(await d.seq());
      }
      assert.ok(back[0] < at && back[1] < back[0], `${back} before ${at}`);
      await d.custom("elixirscope/goto", { seq: at });
      // `last change`: first where it was last written (here), then each change before, repeatable.
      const walk: number[] = [];
      for (let i = 0; i < 5; i++) {
        await d.custom("elixirscope/lastChange", { expression: "state.seats[12]" });
        walk.push(await d.seq());
      }
      assert.equal(walk[0], at);
      assert.deepEqual(walk.slice(1, 3), back);
      assert.deepEqual(
        walk,
        [...walk].sort((a, b) => b - a),
      );
      await assert.rejects(
        d.dc.customRequest("elixirscope/lastChange", { expression: "state.seats[12]" }),
        /was not written before this change/,
      );
      // By pid and path, and by a Process state variable.
      await d.custom("elixirscope/goto", { seq: at });
      await d.custom("elixirscope/lastChange", { pid: "TicketOffice", path: [{ $atom: "seats" }, 12] });
      assert.equal(await d.seq(), at);
      const again = await d.scope("Process state");
      const seatsVar = (await d.children(again.find((v) => v.name === "state")!)).find(
        (v) => v.name === "sold",
      )!;
      await d.custom("elixirscope/lastChange", {
        variablesReference: again.find((v) => v.name === "state")!.variablesReference,
        name: seatsVar.name,
      });
      assert.equal(await d.seq(), at);
    }));

  it("a processes filter limits threads and breakpoints to those processes", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath(), processes: ["<0.102.0>"] });
      assert.equal(await d.seq(), 17, "starts at the debugged process's first event");
      await d.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: "*.*" }] });
      assert.deepEqual(await seqsOf(d, 1, () => d.continue()), ["20:step at the end"]);
      assert.deepEqual(await seqsOf(d, 2, () => d.reverseContinue()), [
        "17:function breakpoint",
        "0:step at the start",
      ]);
      await d.custom("elixirscope/goto", { seq: 20 });
      const threads = (await d.dc.threadsRequest()).body.threads.map((t) => t.name);
      assert.deepEqual(
        threads,
        ["#PID<0.100.0> Demo.Customer.run/1"],
        "the payment process has exited; the current one is shown",
      );
    }));
});
