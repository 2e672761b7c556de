// The debug adapter over the real protocol: a DebugClient drives the adapter as a child process on
// stdio, on the hand-built ticket trace and on the Cinema Demo recordings shipped in examples/traces.

import assert from "node:assert/strict";
import { join } from "node:path";
import { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { ticketTracePath } from "../helpers/fixtures";

const ADAPTER = join(__dirname, "../../src/debugAdapter/stdio.ts");
const TRACES = join(__dirname, "../../examples/traces");

function client(): DebugClient {
  const dc = new DebugClient("node", ADAPTER, "elixirscope", {
    env: { ...process.env, NODE_OPTIONS: "--import tsx" },
  });
  dc.defaultTimeout = 20_000;
  return dc;
}

async function launch(dc: DebugClient, args: Record<string, unknown>): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent("stopped") as Promise<DebugProtocol.StoppedEvent>;
  await Promise.all([dc.configurationSequence(), dc.launch(args)]);
  return stopped;
}

async function where(
  dc: DebugClient,
): Promise<{ seq: string; frames: string[]; vars: Record<string, string> }> {
  const threads = await dc.threadsRequest();
  const pos = await dc.customRequest("elixirscope/position");
  const stopped = threads.body.threads.find((t) => t.id === currentThread) ?? threads.body.threads[0];
  const st = await dc.stackTraceRequest({ threadId: stopped.id });
  const frames = st.body.stackFrames.map((f) => `${f.name}:${f.line}`);
  const vars: Record<string, string> = {};
  if (st.body.stackFrames[0]) {
    const scopes = await dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
    for (const s of scopes.body.scopes) {
      const v = await dc.variablesRequest({ variablesReference: s.variablesReference });
      for (const x of v.body.variables) vars[`${s.name}/${x.name}`] = x.value;
    }
  }
  return { seq: String(pos.body.seq), frames, vars };
}

let currentThread = 0;
async function stopAfter(
  dc: DebugClient,
  action: () => Promise<unknown>,
): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent("stopped") as Promise<DebugProtocol.StoppedEvent>;
  await action();
  const ev = await stopped;
  currentThread = ev.body.threadId ?? 0;
  return ev;
}

describe("debug adapter over the protocol", function () {
  this.timeout(60_000);
  let dc: DebugClient;
  beforeEach(async () => {
    dc = client();
    await dc.start();
  });
  afterEach(async () => {
    await dc.stop();
  });

  it("stops on entry, steps forward N and back N to the same moment, stack and variables", async () => {
    const entry = await launch(dc, { trace: ticketTracePath() });
    assert.equal(entry.body.reason, "entry");
    currentThread = entry.body.threadId!;
    const before = await where(dc);
    assert.equal(before.seq, "0");
    const seen = [before];
    for (let i = 0; i < 8; i++) {
      await stopAfter(dc, () => dc.stepInRequest({ threadId: currentThread, granularity: "instruction" }));
      seen.push(await where(dc));
    }
    assert.deepEqual(
      seen.map((s) => s.seq),
      ["0", "1", "2", "3", "4", "5", "6", "7", "8"],
    );
    assert.deepEqual(seen[7].frames, [
      "Demo.TicketOffice.do_reserve/2 (/app/lib/ticket_office.ex:50, not in this workspace):0",
      "Demo.TicketOffice.handle_call/3 (/app/lib/ticket_office.ex:30, not in this workspace):0",
    ]);
    assert.equal(seen[3].vars["Arguments/args[1]"], '"ann"');
    assert.equal(seen[6].vars["Process state/state"], "%{n: 0, seats: %{1 => :free}}");
    for (let i = 7; i >= 0; i--) {
      await stopAfter(dc, () => dc.stepBackRequest({ threadId: currentThread, granularity: "instruction" }));
      assert.deepEqual(await where(dc), seen[i], `back at step ${i}`);
    }
  });

  it("steps over calls and back, and reverse-steps into and out of them", async () => {
    await launch(dc, { trace: ticketTracePath(), startAt: "seq:6" });
    const t = (await dc.threadsRequest()).body.threads.find((x) => x.name.includes("TicketOffice"))!;
    currentThread = t.id;
    await stopAfter(dc, () => dc.nextRequest({ threadId: t.id }));
    assert.equal((await where(dc)).seq, "9");
    assert.equal(
      (await where(dc)).vars["Return value/value"],
      '{:reply, :ok, %{n: 1, seats: %{1 => "ann"}}}',
    );
    await stopAfter(dc, () => dc.stepBackRequest({ threadId: t.id }));
    assert.equal((await where(dc)).seq, "6");
    await stopAfter(dc, () => dc.stepInRequest({ threadId: t.id }));
    assert.equal((await where(dc)).seq, "7");
    await stopAfter(dc, () => dc.stepOutRequest({ threadId: t.id }));
    assert.equal((await where(dc)).seq, "8");
    await stopAfter(dc, () => dc.customRequest("elixirscope/reverseStepOut"));
    assert.equal((await where(dc)).seq, "7");
    await stopAfter(dc, () => dc.customRequest("elixirscope/reverseStepOut"));
    assert.equal((await where(dc)).seq, "6");
  });

  it("hits function and line breakpoints in both directions, in order", async () => {
    await launch(dc, { trace: ticketTracePath() });
    const fb = await dc.setFunctionBreakpointsRequest({
      breakpoints: [{ name: "TicketOffice.reserve/2" }, { name: "charge/1" }],
    });
    assert.deepEqual(
      fb.body.breakpoints.map((b) => b.verified),
      [true, true],
    );
    const lb = await dc.setBreakpointsRequest({
      source: { path: "/app/lib/ticket_office.ex" },
      breakpoints: [{ line: 50 }, { line: 99 }],
    });
    assert.deepEqual(
      lb.body.breakpoints.map((b) => b.verified),
      [true, false],
    );
    const forward: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: currentThread }));
      forward.push(`${(await where(dc)).seq}:${ev.body.reason}`);
    }
    assert.deepEqual(forward, ["3:function breakpoint", "7:breakpoint", "17:function breakpoint"]);
    const backward: string[] = [];
    for (let i = 0; i < 2; i++) {
      await stopAfter(dc, () => dc.reverseContinueRequest({ threadId: currentThread }));
      backward.push((await where(dc)).seq);
    }
    assert.deepEqual(backward, ["7", "3"]);
  });

  it("conditional breakpoints, hit counts and retroactive logpoints", async () => {
    await launch(dc, { trace: ticketTracePath() });
    const outputs: string[] = [];
    dc.on("output", (e: DebugProtocol.OutputEvent) => outputs.push(e.body.output));
    await dc.setFunctionBreakpointsRequest({
      breakpoints: [{ name: "*.*", condition: 'length(args) == 2 and args[1] == "ann"' }],
    });
    await stopAfter(dc, () => dc.continueRequest({ threadId: currentThread }));
    assert.equal((await where(dc)).seq, "3");
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: "*.*", hitCondition: "3" }] });
    await stopAfter(dc, () => dc.reverseContinueRequest({ threadId: currentThread }));
    await stopAfter(dc, () => dc.continueRequest({ threadId: currentThread }));
    assert.equal((await where(dc)).seq, "6");
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    await dc.setBreakpointsRequest({
      source: { path: "/app/lib/ticket_office.ex" },
      breakpoints: [
        { line: 10, logMessage: "reserve seat {args[0]} for {args[1]}" },
        { line: 25, logMessage: "call {args[0]}" },
      ],
    });
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(
      outputs.filter((o) => o.startsWith("[seq")),
      ['[seq 3] reserve seat 1 for "ann"\n', '[seq 6] call {:reserve, 1, "ann"}\n'],
    );
  });

  it("exception filters stop at the raise and at the crash, forward and back", async () => {
    await launch(dc, { trace: ticketTracePath() });
    await dc.setExceptionBreakpointsRequest({ filters: ["raise", "crash"] });
    const ev = await stopAfter(dc, () => dc.continueRequest({ threadId: currentThread }));
    assert.equal(ev.body.reason, "exception");
    assert.equal((await where(dc)).seq, "18");
    await stopAfter(dc, () => dc.continueRequest({ threadId: currentThread }));
    assert.equal((await where(dc)).seq, "19");
    await stopAfter(dc, () => dc.reverseContinueRequest({ threadId: currentThread }));
    assert.equal((await where(dc)).seq, "18");
  });

  it("stops at the Cinema Demo's payment gateway crash", async () => {
    await launch(dc, { trace: join(TRACES, "payment_crash.estrace") });
    await dc.setExceptionBreakpointsRequest({ filters: ["raise"] });
    const raised = await stopAfter(dc, () => dc.continueRequest({ threadId: currentThread }));
    assert.equal(raised.body.reason, "exception");
    const at = await where(dc);
    assert.match(at.frames[0], /^CinemaDemo\.PaymentGateway\.parse_card\/2/);
    assert.match(at.vars["Exception/reason"], /badarg/);
    await dc.setExceptionBreakpointsRequest({ filters: ["crash"] });
    await stopAfter(dc, () => dc.continueRequest({ threadId: currentThread }));
    const crash = await where(dc);
    assert.match(crash.vars["Event/summary"], /^exited: \{:badarg/);
    assert.match(crash.vars["Event/process"], /PaymentGateway/);
  });

  it("finds the double booking with a data breakpoint on seat 12, and 'last change' walks back", async () => {
    await launch(dc, { trace: join(TRACES, "double_booking.estrace") });
    const evals = await dc.evaluateRequest({
      expression: "events fun=TicketOffice.init/1 kind=call limit=1",
      context: "repl",
    });
    const initSeq = /\[seq (\d+)\]/.exec(evals.body.result)![1];
    await stopAfter(dc, () => dc.customRequest("elixirscope/goto", { seq: Number(initSeq) + 2 }));
    const info = await dc.dataBreakpointInfoRequest({ name: "state.seats[12]" });
    assert.ok(info.body.dataId, info.body.description);
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId! }] });
    assert.equal(set.body.breakpoints[0].verified, true);
    const changes: string[] = [];
    for (let i = 0; i < 4; i++) {
      await stopAfter(dc, () => dc.continueRequest({ threadId: currentThread }));
      const v = await dc.evaluateRequest({ expression: "state.seats[12]", context: "watch" });
      changes.push(v.body.result.replace(/#Reference<[^>]+>/, "#Reference<…>"));
    }
    assert.deepEqual(changes, [
      '{:held, "carol", #Reference<…>}',
      '{:sold, "carol"}',
      '{:held, "dave", #Reference<…>}',
      '{:sold, "dave"}',
    ]);
    const last = await where(dc);
    await stopAfter(dc, () => dc.customRequest("elixirscope/lastChange", { expression: "state.seats[12]" }));
    const a = await where(dc);
    assert.equal(a.seq, last.seq, "the last change is where we stand");
    await stopAfter(dc, () => dc.customRequest("elixirscope/lastChange", { expression: "state.seats[12]" }));
    const b = await where(dc);
    assert.ok(Number(b.seq) < Number(a.seq));
    assert.match(b.vars["Process state/changed"], /\.seats\[12\] changed/);
  });

  it("evaluates queries, completes, lists sources and shares a position", async () => {
    await launch(dc, { trace: ticketTracePath(), startAt: 10 });
    const st = await dc.evaluateRequest({ expression: "state.seats[1]", context: "hover" });
    assert.equal(st.body.result, '"ann"');
    const flow = await dc.evaluateRequest({ expression: "flow <0.100.0> TicketOffice", context: "repl" });
    assert.match(flow.body.result, /delivered 1\.0µs/);
    const diff = await dc.evaluateRequest({ expression: "diff 5 10", context: "repl" });
    assert.match(diff.body.result, /\.n: 0 → 1/);
    await assert.rejects(
      dc.evaluateRequest({ expression: "state.seats[", context: "repl" }),
      /the expression ends too early/,
    );
    const comp = await dc.completionsRequest({ text: "sta", column: 4 });
    assert.ok(comp.body.targets.some((t) => t.label === "state"));
    const src = (await dc.send("loadedSources", {})) as DebugProtocol.LoadedSourcesResponse;
    assert.deepEqual(src.body.sources.map((s) => s.name).sort(), [
      "Demo.Customer",
      "Demo.Payment",
      "Demo.TicketOffice",
    ]);
    const pos = await dc.customRequest("elixirscope/position");
    await dc.stop();
    dc = client();
    await dc.start();
    await launch(dc, { trace: ticketTracePath(), startAt: pos.body.position });
    assert.equal((await where(dc)).seq, "10");
  });

  it("answers bad launches and bad requests with errors, never a crash", async () => {
    await assert.rejects(
      Promise.all([dc.configurationSequence(), dc.launch({})]),
      /"trace" must name a trace file/,
    );
    await dc.stop();
    for (const [args, re] of [
      [{ trace: "/nope/missing.estrace" }, /no such file/],
      [{ trace: join(__dirname, "../../package.json") }, /not an ElixirScope trace/],
      [{ trace: ticketTracePath(), startAt: "seq:999" }, /no event with seq 999/],
      [{ trace: ticketTracePath(), pathMappings: "x" }, /pathMappings/],
    ] as Array<[Record<string, unknown>, RegExp]>) {
      dc = client();
      await dc.start();
      await assert.rejects(dc.launch(args), re);
      await dc.stop();
    }
    dc = client();
    await dc.start();
    await launch(dc, { trace: ticketTracePath() });
    await assert.rejects(dc.customRequest("elixirscope/goto", { seq: 12345 }), /no event with seq 12345/);
    await assert.rejects(dc.evaluateRequest({ expression: "events bogus=1" }), /unknown key "bogus"/);
    await assert.rejects(
      dc.customRequest("elixirscope/lastChange", { expression: "args[0]" }),
      /inside a process's state/,
    );
    const threads = await dc.threadsRequest();
    assert.ok(threads.body.threads.length > 0, "still alive");
  });
});
