// Launch arguments, moments and source paths on their own: what is accepted, what it becomes, and the
// message for what is refused.

import assert from "node:assert/strict";
import { join } from "node:path";
import { parseLaunchArgs } from "../../src/debugAdapter/launchArgs";
import { parseMoment } from "../../src/core/moment";
import { PathMapper } from "../../src/debugAdapter/paths";

describe("debug adapter: launch arguments, moments and paths", () => {
  it("accepts a trace or a list of traces, made absolute, with defaults", () => {
    const a = parseLaunchArgs({ trace: "run.estrace", cwd: "/work/app" });
    assert.deepEqual(a, {
      trace: ["/work/app/run.estrace"],
      stopOnEntry: true,
      sourceRoot: undefined,
      pathMappings: [],
      startAt: undefined,
      processes: undefined,
      logLevel: "error",
    });
    const b = parseLaunchArgs({
      trace: ["/t/a.estrace", "/t/b.estrace"],
      stopOnEntry: false,
      sourceRoot: "/src",
      pathMappings: { "/app": "/home/me/app" },
      startAt: "first crash",
      processes: ["TicketOffice", "Customer*"],
      logLevel: "verbose",
      name: "a launch config's own fields are ignored",
    });
    assert.deepEqual(b.pathMappings, [{ from: "/app", to: "/home/me/app" }]);
    assert.deepEqual(b.startAt, { kind: "query", last: false, exceptions: ["crash"], text: "first crash" });
    assert.equal(b.stopOnEntry, false);
  });

  it("refuses what is not an object", () => {
    assert.throws(() => parseLaunchArgs([]), /the launch arguments must be an object/);
    assert.throws(() => parseLaunchArgs(null), /the launch arguments must be an object/);
  });

  it("reads every form of moment", () => {
    const m = (s: unknown): unknown => parseMoment(s, "startAt");
    assert.deepEqual(m(120), { kind: "seq", seq: 120 });
    assert.deepEqual(m("120"), { kind: "seq", seq: 120, node: undefined });
    assert.deepEqual(m("seq:7@b@h"), { kind: "seq", seq: 7, node: "b@h" });
    assert.deepEqual(m("index:3"), { kind: "index", index: 3 });
    assert.deepEqual(m("time:1.5ms"), { kind: "time", ns: 1_500_000 });
    assert.deepEqual(m("+2.000s"), { kind: "time", ns: 2e9 });
    assert.deepEqual(m("time:300"), { kind: "time", ns: 300 });
    assert.deepEqual(m("1a2b3c4d@120"), { kind: "position", text: "1a2b3c4d@120" });
    assert.deepEqual(m("end"), { kind: "edge", end: true });
    assert.deepEqual(m("last exception"), {
      kind: "query",
      last: true,
      exceptions: ["raise", "throw", "exit"],
      text: "last exception",
    });
    assert.deepEqual(m("first send"), { kind: "query", last: false, eventKind: "send", text: "first send" });
    assert.deepEqual(m("first call TicketOffice.hold/3"), {
      kind: "query",
      last: false,
      function: "TicketOffice.hold/3",
      text: "first call TicketOffice.hold/3",
    });
    assert.deepEqual(m("first Mod.*"), {
      kind: "query",
      last: false,
      function: "Mod.*",
      text: "first Mod.*",
    });
    for (const bad of ["", "soon", "first", "first nothing", "time:fast", 1.5, -2, {}, null])
      assert.throws(() => m(bad), /is not a moment: use 120, "seq:120"/, JSON.stringify(bad));
  });

  it("maps recorded paths to the workspace and back", () => {
    const files = new Set(["/ws/lib/app/server.ex", "/ws/lib/app/other.ex", "/mapped/lib/x.ex"]);
    const exists = (p: string): boolean => files.has(p);
    const recorded = ["/build/app/lib/app/server.ex", "lib/app/other.ex", "/build/app/lib/app/other.ex"];
    const byRoot = new PathMapper([], "/ws", recorded, exists);
    assert.equal(byRoot.toLocal("/build/app/lib/app/server.ex"), "/ws/lib/app/server.ex");
    assert.equal(byRoot.toLocal("lib/app/other.ex"), "/ws/lib/app/other.ex");
    assert.equal(byRoot.toLocal("gen_server.erl"), undefined);
    assert.equal(byRoot.toRecorded("/ws/lib/app/server.ex"), "/build/app/lib/app/server.ex");
    const byMapping = new PathMapper(
      [{ from: "/build/app", to: "/mapped" }],
      undefined,
      ["/build/app/lib/x.ex"],
      exists,
    );
    assert.equal(byMapping.toLocal("/build/app/lib/x.ex"), "/mapped/lib/x.ex");
    assert.equal(
      byMapping.toLocal("/build/app/lib/missing.ex"),
      undefined,
      "a mapping to nothing is no source",
    );
    assert.equal(byMapping.toRecorded("/mapped/lib/x.ex"), "/build/app/lib/x.ex");
    assert.equal(byMapping.toRecorded(join("/mapped", "lib/y.ex")), "/build/app/lib/y.ex");
    // A relative call-site path is completed from the module table's absolute paths.
    const byTable = new PathMapper([], undefined, ["/ws/lib/app/server.ex", "lib/app/server.ex"], exists);
    assert.equal(byTable.toLocal("lib/app/server.ex"), "/ws/lib/app/server.ex");
  });
});
