// What a demanding DAP client meets (every message is also validated against the protocol's schema
// by the test client): unsupported requests refused with a reason, arguments checked by name, lines
// and columns in the client's base, the first stop on user code, steps that move from everywhere,
// improper lists that evaluate back, and "Break on Value Change" on a whole state.

import assert from "node:assert/strict";
import { ticketTracePath } from "../helpers/fixtures";
import { TRACES, withDap } from "./dapClient";

describe("debug adapter: conformance", function () {
  this.timeout(180_000);

  it("refuses what it does not implement, and arguments that are missing or of the wrong type", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath() });
      const refused = async (command: string, args: unknown, re: RegExp): Promise<void> => {
        await assert.rejects(d.dc.customRequest(command, args), re, command);
      };
      await refused(
        "pause",
        { threadId: 1 },
        /pause is not supported by ElixirScope: the replay is always paused/,
      );
      await refused("terminate", {}, /terminate is not supported/);
      await refused("setVariable", { variablesReference: 1, name: "x", value: "1" }, /values are read-only/);
      await refused("readMemory", { memoryReference: "0", count: 1 }, /no memory to read/);
      await refused(
        "stackTrace",
        {},
        /stackTrace: the argument "threadId" is missing \(it must be an integer\)/,
      );
      await refused("stackTrace", { threadId: "1" }, /the argument "threadId" must be an integer, not "1"/);
      await refused("scopes", { frameId: null }, /the argument "frameId" must be an integer, not null/);
      await refused("variables", { variablesReference: 1.5 }, /"variablesReference" must be an integer/);
      await refused("evaluate", { expression: 12 }, /"expression" must be a string/);
      await refused("setBreakpoints", { source: "x.ex" }, /"source" must be an object/);
      await refused("setFunctionBreakpoints", {}, /"breakpoints" is missing/);
      await refused("completions", { text: "sta" }, /"column" is missing/);
      await refused("next", "x", /next: the arguments must be an object/);
      await refused("continue", { threadId: 999 }, /threadId 999: no such thread in this recording/);
      await refused("source", { sourceReference: 77 }, /no source reference 77/);
      await refused("source", { sourceReference: 0, source: { path: "/etc/passwd" } }, /is not available/);
      const seq = await d.seq();
      assert.equal(seq, 2, "nothing refused moved the replay");
      assert.ok((await d.dc.threadsRequest()).body.threads.length > 0, "still serving");
    }));

  it("stops first on the user's code with a source line, and steps from every moment", () =>
    withDap(async (d) => {
      const entry = await d.launch({ trace: ticketTracePath() });
      assert.equal(entry.body.reason, "entry");
      assert.equal(await d.seq(), 2, "Demo.Customer.run/1, not the office's registration");
      const top = (await d.frames())[0];
      assert.match(top.name, /^Demo\.Customer\.run\/1/);
      // From the very first event (before any traced call of its process) a step goes somewhere.
      await d.custom("elixirscope/goto", { moment: "start" });
      await d.next();
      assert.ok((await d.seq()) > 0, "next moved from seq 0");
      await d.stepBack();
      assert.equal(await d.seq(), 0, "and back");
      // From the very last event, stepping back moves too.
      await d.custom("elixirscope/goto", { moment: "end" });
      await d.stepBack();
      assert.ok((await d.seq()) < 20);
    }));

  it("speaks the client's line and column base", () =>
    withDap(async (d) => {
      const stopped = d.dc.waitForEvent("stopped");
      const initialized = d.dc.waitForEvent("initialized");
      await d.dc.initializeRequest({
        adapterID: "elixirscope",
        linesStartAt1: false,
        columnsStartAt1: false,
        pathFormat: "path",
      });
      await d.dc.launchRequest({
        trace: `${TRACES}/double_booking.estrace`,
        startAt: "first call CinemaDemo.TicketOffice.handle_call/3",
      } as never);
      await initialized;
      await d.dc.configurationDoneRequest();
      await stopped;
      const frames = (await d.dc.stackTraceRequest({ threadId: (await stopped).body.threadId })).body
        .stackFrames;
      const top = frames[0];
      assert.ok(top.source?.path, "the demo's source is on this machine");
      assert.equal(top.column, 0, "column 1 is 0 for this client");
      const line1 = top.line + 1;
      // A breakpoint at the top frame's line, in the client's base, verified at that same line.
      const bps = await d.dc.setBreakpointsRequest({
        source: { path: top.source!.path! },
        breakpoints: [{ line: top.line }],
      });
      assert.equal(bps.body.breakpoints[0].line, top.line);
      assert.equal(bps.body.breakpoints[0].verified, true, `line ${line1} (1-based) has calls`);
      const locs = (await d.dc.customRequest("breakpointLocations", {
        source: { path: top.source!.path! },
        line: top.line,
      })) as { body: { breakpoints: Array<{ line: number }> } };
      assert.deepEqual(
        locs.body.breakpoints.map((b) => b.line),
        [top.line],
      );
    }));

  it("answers out-of-range lines without echoing them, and the console's help as .help", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath() });
      const bps = await d.dc.setBreakpointsRequest({
        source: { path: "/app/lib/ticket_office.ex" },
        breakpoints: [{ line: -3 }, { line: 1.5 }, { line: 1e300 }, { line: 30 }],
      });
      assert.deepEqual(
        bps.body.breakpoints.map((b) => [b.verified, b.line]),
        [
          [false, undefined],
          [false, undefined],
          [false, undefined],
          [true, 30],
        ],
      );
      assert.match(bps.body.breakpoints[0].message!, /line -3 is not a line number/);
      assert.equal((await d.evaluate(".help")).result, (await d.evaluate("help")).result);
    }));

  it("breaks on a whole state's change", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath(), startAt: "seq:10" });
      // "Break on Value Change" on the `state` variable itself, as the Variables view sends it.
      const scope = (await d.dc.scopesRequest({ frameId: (await d.frames())[0].id })).body.scopes.find(
        (s) => s.name === "Process state",
      )!;
      const info = await d.dc.dataBreakpointInfoRequest({
        variablesReference: scope.variablesReference,
        name: "state",
      });
      assert.ok(info.body.dataId, info.body.description);
      await d.dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId! }] });
      await d.reverseContinue();
      assert.equal(await d.seq(), 1, "the state before: set by init/1");
      assert.equal(d.stopped!.body.reason, "data breakpoint");
    }));
});
