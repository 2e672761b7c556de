// Logpoints on hot functions over the real protocol: thousands of hits are printed a page at once and
// the rest in chunks, so a request sent after setting them is answered before the last line is out;
// every hit is printed once, in recording order, and removing the logpoint stops the rest.

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { generate } from "../../bench/gen";
import { withDap, type Dap } from "./dapClient";

const FILE = "/bench/lib/util.ex";
const LINES = [10, 20, 30, 40, 50, 60, 70, 80];

/** What the adapter sent, in the order it arrived: log lines as their seq, responses as `response:<command>`. */
function arrivals(d: Dap): string[] {
  const order: string[] = [];
  const client = d.dc as unknown as { dispatch(body: string): void };
  const dispatch = client.dispatch.bind(client);
  client.dispatch = (body: string): void => {
    const m = JSON.parse(body) as DebugProtocol.ProtocolMessage;
    if (m.type === "response") order.push(`response:${(m as DebugProtocol.Response).command}`);
    else if (m.type === "event" && (m as DebugProtocol.Event).event === "output") {
      const out = (m as DebugProtocol.OutputEvent).body.output;
      if (out.startsWith("[seq ")) order.push(out);
    }
    dispatch(body);
  };
  return order;
}

describe("debug adapter: logpoints on a hot function", function () {
  this.timeout(240_000);
  let trace: string;
  before(() => {
    trace = join(mkdtempSync(join(tmpdir(), "elixirscope-logstream-")), "gen.estrace");
    generate({ events: 40_000, seed: 3, out: trace, servers: 4, workers: 20 });
  });

  it("prints the first page at once and streams the rest while answering other requests", () =>
    withDap(async (d) => {
      await d.launch({ trace, startAt: "end" });
      const order = arrivals(d);
      const set = d.dc.setBreakpointsRequest({
        source: { path: FILE },
        breakpoints: LINES.map((line) => ({ line, logMessage: "{seq} {args[0]}" })),
      });
      // Sent right behind it: answered between chunks, not after every line is out.
      const threads = d.dc.threadsRequest();
      const res = await set;
      await threads;
      const counts = res.body.breakpoints.map((b) => Number(/^logs (\d+) times/.exec(b.message ?? "")?.[1]));
      const total = counts.reduce((a, b) => a + b, 0);
      assert.ok(total > 2000, `only ${total} hits: not a hot function`);
      // Wait for the rest of the lines.
      for (let i = 0; i < 600 && order.filter((o) => o.startsWith("[seq ")).length < total; i++)
        await new Promise((r) => setTimeout(r, 100));
      const logs = order.filter((o) => o.startsWith("[seq "));
      assert.equal(logs.length, total, "every hit printed once");
      const seqs = logs.map((l) => Number(/^\[seq (\d+)\]/.exec(l)![1]));
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
        "in recording order",
      );
      assert.equal(new Set(seqs).size, seqs.length, "no line twice");
      // Each line renders its own event: `{seq}` in the message is the seq the line is tagged with.
      for (const l of logs.slice(0, 50)) {
        const [, tag, text] = /^\[seq (\d+)\] (\d+) /.exec(l)!;
        assert.equal(text, tag);
      }
      const setAt = order.indexOf("response:setBreakpoints");
      const threadsAt = order.indexOf("response:threads");
      const lastLog = order.lastIndexOf(logs[logs.length - 1]);
      assert.ok(setAt >= 0 && setAt < order.indexOf(logs[0]), "the response comes before the lines");
      assert.ok(
        threadsAt < lastLog,
        `the next request waited for all ${total} lines (answered at ${threadsAt} of ${order.length})`,
      );
      d.assertConforms();
    }));

  it("stops printing a logpoint's lines when it is removed", () =>
    withDap(async (d) => {
      await d.launch({ trace, startAt: "end" });
      const order = arrivals(d);
      const res = await d.dc.setBreakpointsRequest({
        source: { path: FILE },
        breakpoints: LINES.map((line) => ({ line, logMessage: "{args[0]}" })),
      });
      const total = res.body.breakpoints
        .map((b) => Number(/^logs (\d+) times/.exec(b.message ?? "")?.[1]))
        .reduce((a, b) => a + b, 0);
      await d.dc.setBreakpointsRequest({ source: { path: FILE }, breakpoints: [] });
      // Whatever was under way has had many turns of the event loop to show up by now.
      await d.dc.threadsRequest();
      await new Promise((r) => setTimeout(r, 1000));
      const printed = order.filter((o) => o.startsWith("[seq ")).length;
      assert.ok(printed >= 100, `the first page (100 lines) is printed: ${printed}`);
      assert.ok(printed < total, `all ${total} lines were printed after the logpoints were removed`);
    }));
});
