// Issue 14's points on the debug adapter and on patterns, probed as a hostile client would: names that
// are JavaScript internals, deep and long expressions, recorded paths that climb out of the source
// root, and patterns with many stars in breakpoints, the console and the `processes` filter.

import assert from "node:assert/strict";
import { PathMapper } from "../../src/core/inspect/paths";
import { ticketTracePath } from "../helpers/fixtures";
import { withDap } from "./dapClient";

const STARS = `${"*".repeat(40)}q`;

describe("debug adapter: hostile names, expressions, paths and patterns", function () {
  this.timeout(180_000);

  it("resolves only the recording's names: JavaScript internals are unknown, also as conditions", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath() });
      for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"])
        await assert.rejects(d.evaluate(name), new RegExp(`unknown name "${name}"`), name);
      await assert.rejects(d.evaluate("state.constructor"), /state/);
      const set = await d.dc.setFunctionBreakpointsRequest({
        breakpoints: [{ name: "Demo.TicketOffice.handle_call/3", condition: "constructor" }],
      });
      assert.equal(set.body.breakpoints.length, 1);
      const before = await d.seq();
      const stop = await d.continue();
      // An always-true condition would stop at the first handle_call; an unknown name is false.
      assert.deepEqual(stop.body.hitBreakpointIds ?? [], []);
      assert.ok((await d.seq()) > before);
      await d.settle();
      assert.ok(
        d.outputs.some((o) => /unknown name "constructor".*\(treated as false\)/.test(o.body.output)),
        "the condition's error is said in the console",
      );
    }));

  it("refuses deep and long expressions with a clear error, not a stack overflow", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath() });
      const cases: Array<[string, RegExp]> = [
        ["(".repeat(5000) + "1" + ")".repeat(5000), /too long/],
        ["(".repeat(900) + "1" + ")".repeat(900), /too long|too deep/],
        [Array.from({ length: 100_000 }, () => "1").join("+"), /too long/],
        ["-".repeat(1999) + "1", /too long|too deep/],
        ["[".repeat(5000), /too long/],
      ];
      for (const [expr, re] of cases) await assert.rejects(d.evaluate(expr), re, expr.slice(0, 20));
      assert.equal((await d.evaluate("1 + 1")).result, "2", "still evaluating");
    }));

  it("matches many-star patterns in a glob walk: breakpoints, the console and the processes filter", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath() });
      const set = await d.dc.setFunctionBreakpointsRequest({
        breakpoints: [{ name: STARS }, { name: "**************x" }, { name: `${"a*".repeat(2000)}b` }],
      });
      assert.deepEqual(
        set.body.breakpoints.map((b) => b.verified),
        [false, false, false],
      );
      assert.equal((await d.evaluate(`events fun=${STARS}`)).result, "no events");
      await assert.rejects(d.evaluate(`events fun=${"a".repeat(100_000)}`), /the limit is 4096/);
    }).then(() =>
      withDap(async (d) => {
        await d.initialize();
        const terminated = d.dc.waitForEvent("terminated");
        await assert.rejects(
          d.dc.launchRequest({ trace: ticketTracePath(), processes: [STARS] } as never),
          /"processes": no process matches/,
        );
        await terminated;
      }),
    ));

  it("never hands the editor a recorded path that climbs out of the source root", () => {
    const exists = (): boolean => true;
    const rooted = new PathMapper([], "/work/app", [], exists);
    assert.equal(rooted.toLocal("../../../etc/passwd"), undefined);
    assert.equal(rooted.toLocal("lib/../../../../etc/passwd"), undefined);
    // An absolute path outside the root is only looked for inside it (by its tail), never outside.
    assert.equal(rooted.toLocal("/etc/passwd"), "/work/app/etc/passwd");
    assert.equal(
      new PathMapper([], "/work/app", [], (p) => p === "/etc/passwd").toLocal("/etc/passwd"),
      undefined,
    );
    assert.equal(rooted.toLocal("lib/app.ex"), "/work/app/lib/app.ex");
    const mapped = new PathMapper([{ from: "/build/", to: "/work/app/" }], "/work/app", [], exists);
    assert.equal(mapped.toLocal("/build/../../etc/passwd"), undefined, "a mapping cannot be climbed out of");
    assert.equal(mapped.toLocal("/build/lib/app.ex"), "/work/app/lib/app.ex");
  });
});
