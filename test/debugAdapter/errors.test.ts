// Every bad launch argument and every bad request gets an error response with a one-line message,
// never a hang or a crash of the adapter (it keeps answering afterwards).

import assert from "node:assert/strict";
import { join } from "node:path";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { TraceBuilder } from "../../src/core/writer";
import { tempTrace, ticketTracePath } from "../helpers/fixtures";
import { withDap } from "./dapClient";

const FIXTURES = join(__dirname, "../fixtures");

describe("debug adapter: errors", function () {
  this.timeout(180_000);

  it("refuses every bad launch with a clear message and ends the session, and keeps answering", () =>
    withDap(async (d) => {
      await d.initialize();
      const emptyTrace = tempTrace(new TraceBuilder({ node: "x@h" }).toBuffer(), "empty.estrace");
      const garbage = tempTrace(Buffer.from("not a trace at all, just some bytes\n"), "garbage.estrace");
      const ticket = ticketTracePath();
      const cases: Array<[unknown, RegExp]> = [
        [{}, /"trace" must name a trace file/],
        [{ trace: 5 }, /"trace" must name a trace file/],
        [{ trace: [] }, /"trace" must name a trace file/],
        [{ trace: ticket, stopOnEntry: "yes" }, /"stopOnEntry" must be true or false/],
        [{ trace: ticket, sourceRoot: 1 }, /"sourceRoot" must be a folder path/],
        [{ trace: ticket, pathMappings: "x" }, /"pathMappings" must be a list/],
        [{ trace: ticket, pathMappings: [{ from: 1 }] }, /"pathMappings"\[0\] must be/],
        [{ trace: ticket, startAt: "tomorrow" }, /"startAt" "tomorrow" is not a moment: use 120, "seq:120"/],
        [{ trace: ticket, startAt: -1 }, /"startAt" -1 is not a moment/],
        [{ trace: ticket, startAt: "seq:999" }, /no event with seq 999/],
        [{ trace: ticket, startAt: "first throw" }, /"first throw": the recording has none/],
        [{ trace: ticket, processes: "TicketOffice" }, /"processes" must be a non-empty list/],
        [{ trace: ticket, processes: ["Nobody"] }, /unknown pid "Nobody"/],
        [{ trace: ticket, processes: ["Nob*"] }, /no process matches "Nob\*"/],
        [{ trace: ticket, logLevel: "loud" }, /"logLevel" must be one of "off", "error", "warn", "verbose"/],
        [{ trace: ticket, cwd: 3 }, /"cwd" must be a folder path/],
        [{ trace: "/nope/missing.estrace" }, /missing\.estrace: .*no such file/i],
        [{ trace: join(__dirname, "../../package.json") }, /not an ElixirScope trace/],
        [{ trace: garbage }, /garbage\.estrace: /],
        [{ trace: FIXTURES }, /fixtures: /],
        [{ trace: emptyTrace }, /the recording holds no events/],
        [{ trace: [ticket, "/nope/other.estrace"] }, /other\.estrace: /],
      ];
      for (const [args, message] of cases) {
        const terminated = d.dc.waitForEvent("terminated");
        await assert.rejects(
          d.dc.launchRequest(args as DebugProtocol.LaunchRequestArguments),
          message,
          JSON.stringify(args),
        );
        await terminated;
        assert.deepEqual(
          (await d.dc.threadsRequest()).body.threads,
          [],
          "still answering, with nothing loaded",
        );
      }
    }));

  it("loads damaged and truncated recordings, warning about what it skipped", () =>
    withDap(async (d) => {
      await d.launch({ trace: join(FIXTURES, "ticket-corrupt.estrace"), startAt: "end" });
      await d.settle();
      assert.ok(
        d.outputs.some(
          (o) =>
            o.body.category === "stderr" &&
            /^warning: .*ticket-corrupt\.estrace:frame \d+ \(byte offset \d+\)/.test(o.body.output),
        ),
        d.outputs.map((o) => o.body.output).join(""),
      );
      assert.equal(await d.seq(), 20);
      await d.stop();
      await d.start();
      await d.launch({ trace: join(FIXTURES, "ticket-truncated.estrace"), startAt: "end" });
      assert.equal(await d.seq(), 19, "the last event was cut off");
    }));

  it("answers requests made before a recording is loaded", () =>
    withDap(async (d) => {
      const caps = (await d.initialize()).body!;
      assert.equal(caps.supportsStepBack, true);
      assert.equal(caps.supportsDataBreakpoints, true);
      assert.deepEqual(
        caps.exceptionBreakpointFilters!.map((f) => f.filter),
        ["raise", "throw", "exit", "crash", "linked_exit"],
      );
      assert.deepEqual((await d.dc.threadsRequest()).body.threads, []);
      await assert.rejects(d.dc.stackTraceRequest({ threadId: 1 }), /stackTrace: no recording is loaded/);
      await assert.rejects(d.dc.continueRequest({ threadId: 1 }), /continue: no recording is loaded/);
      await assert.rejects(d.dc.evaluateRequest({ expression: "state" }), /no recording is loaded/);
      await assert.rejects(d.dc.customRequest("elixirscope/goto", { seq: 1 }), /no recording is loaded/);
      const bps = await d.dc.setBreakpointsRequest({ source: { path: "/x.ex" }, breakpoints: [{ line: 3 }] });
      assert.deepEqual(
        bps.body.breakpoints.map((b) => [b.verified, b.message]),
        [[false, "no recording is loaded yet"]],
      );
    }));

  it("answers bad requests with errors and stays where it was", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath(), startAt: 8 });
      const rejects = (p: Promise<unknown>, re: RegExp): Promise<void> => assert.rejects(p, re);
      await rejects(
        d.dc.stackTraceRequest({ threadId: 999 }),
        /threadId 999: no such thread in this recording/,
      );
      await rejects(d.dc.nextRequest({ threadId: 999 }), /threadId 999: no such thread/);
      await rejects(d.dc.scopesRequest({ frameId: 999 }), /no frame 999 at this moment/);
      await rejects(d.dc.variablesRequest({ variablesReference: 999 }), /no variables reference 999/);
      await rejects(d.dc.restartFrameRequest({ frameId: 999 }), /no frame 999/);
      await rejects(d.dc.gotoRequest({ threadId: 1, targetId: 0 }), /no goto target 0/);
      await rejects(
        d.dc.gotoTargetsRequest({ source: {}, line: 3 }),
        /gotoTargets needs a source with a path/,
      );
      await rejects(d.dc.exceptionInfoRequest({ threadId: d.thread }), /not stopped at an exception/);
      await rejects(d.dc.evaluateRequest({ expression: "args[0] ==" }), /the expression ends too early/);
      await rejects(d.dc.evaluateRequest({ expression: "" }), /empty input/);
      await rejects(d.dc.customRequest("elixirscope/goto", { seq: "x" }), /seq must be an integer/);
      await rejects(d.dc.customRequest("elixirscope/goto", { seq: 12345 }), /no event with seq 12345/);
      await rejects(
        d.dc.customRequest("elixirscope/goto", { position: "nonsense" }),
        /bad position "nonsense"/,
      );
      await rejects(
        d.dc.customRequest("elixirscope/goto", { position: "00000000@3" }),
        /belongs to another recording/,
      );
      await rejects(d.dc.customRequest("elixirscope/goto", { moment: "yesterday" }), /is not a moment/);
      await rejects(d.dc.customRequest("elixirscope/goto", {}), /elixirscope\/goto needs/);
      await rejects(d.dc.customRequest("elixirscope/goto"), /elixirscope\/goto needs/);
      await rejects(d.dc.customRequest("elixirscope/nope"), /unknown request elixirscope\/nope/);
      await rejects(d.dc.customRequest("somethingElse"), /somethingElse is not supported by ElixirScope/);
      await rejects(
        d.dc.customRequest("elixirscope/lastChange", { expression: "args[0]" }),
        /inside a process's state/,
      );
      await rejects(
        d.dc.customRequest("elixirscope/lastChange", { pid: "TicketOffice", path: 5 }),
        /path must be text/,
      );
      await rejects(
        d.dc.customRequest("elixirscope/lastChange", { pid: "TicketOffice", path: [{ $float: "x" }] }),
        /path\[0\]/,
      );
      await rejects(d.dc.customRequest("elixirscope/lastChange", { pid: [] }), /pid must be/);
      await rejects(d.dc.customRequest("elixirscope/lastChange", {}), /needs/);
      const info = await d.dc.dataBreakpointInfoRequest({ name: "args[0]" });
      assert.equal(info.body.dataId, null);
      const data = await d.dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: "forged" }] });
      assert.deepEqual(
        data.body.breakpoints.map((b) => b.verified),
        [false],
      );
      const fb = await d.dc.setFunctionBreakpointsRequest({
        breakpoints: [{ name: "" }, { name: "not a pattern!" }],
      });
      assert.deepEqual(
        fb.body.breakpoints.map((b) => b.verified),
        [false, false],
      );
      assert.match(
        fb.body.breakpoints[0].message!,
        /^a function breakpoint needs a name like "TicketOffice\.hold\/3"/,
      );
      assert.match(
        fb.body.breakpoints[1].message!,
        /^bad function pattern "not a pattern!": expected Module\.fun\/arity/,
      );
      assert.equal(await d.seq(), 8, "no failed request moved the replay");
      assert.ok((await d.dc.threadsRequest()).body.threads.length > 0, "still alive");
    }));

  it("logs the protocol traffic to the Debug Console when asked, never onto stdout", () =>
    withDap(async (d) => {
      // Anything but protocol messages on stdout would break the client's parsing of this session.
      await d.launch({ trace: ticketTracePath(), logLevel: "verbose", startAt: "start" });
      await d.stepIn();
      assert.equal(await d.seq(), 1);
      await d.settle();
      assert.ok(d.outputs.some((o) => /From client: stepIn\(/.test(o.body.output)));
    }));
});
