// Source paths between a recording and the workspace, on their own: mappings, a source root, the
// module table completing relative call sites, and back from the workspace to the recorded file.

import assert from "node:assert/strict";
import { join } from "node:path";
import { PathMapper, projectRoots } from "../../../src/core/inspect/paths";
import { Atom, Bin, ErlMap } from "../../../src/core/terms";

const text = (s: string): Bin => new Bin(new Uint8Array(Buffer.from(s)));

describe("inspect: source paths", () => {
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

  it("lists the recorded files when it first maps a path, answering as with the list given", () => {
    const files = new Set(["/ws/lib/app/server.ex", "/ws/lib/app/other.ex"]);
    const exists = (p: string): boolean => files.has(p);
    const recorded = ["/build/app/lib/app/server.ex", "lib/app/other.ex", "/build/app/lib/app/other.ex"];
    let listed = 0;
    const lazy = new PathMapper([], "/ws", () => (listed++, recorded), exists);
    const eager = new PathMapper([], "/ws", recorded, exists);
    assert.equal(listed, 0, "made without listing them (a debug launch before its first stop)");
    for (const p of [...recorded, "gen_server.erl", "other.ex"]) {
      assert.equal(lazy.toLocal(p), eager.toLocal(p), p);
      assert.equal(lazy.isRecorded(p), eager.isRecorded(p), p);
    }
    for (const p of [...files, "/ws/none.ex"]) assert.equal(lazy.toRecorded(p), eager.toRecorded(p), p);
    assert.equal(listed, 1, "listed once");
  });

  it("finds relative module sources in the recorded project, seen from the trace file or at its root", () => {
    // Recorded on another machine at /build/depot; the trace now sits in /elsewhere/traces beside the
    // project, at /elsewhere/depot.
    const header = new ErlMap([
      [Atom.of("root"), text("/build/depot")],
      [Atom.of("root_from_trace"), text("../depot")],
    ]);
    const roots = projectRoots([{ path: "/elsewhere/traces/run.estrace", header }]);
    assert.deepEqual(roots, ["/elsewhere/depot", "/build/depot"]);
    const files = new Set(["/elsewhere/depot/lib/depot/door.ex", "/ws/other/lib/x.ex"]);
    const exists = (p: string): boolean => files.has(p);
    const noRoot = new PathMapper([], undefined, ["lib/depot/door.ex"], exists, roots);
    assert.equal(noRoot.toLocal("lib/depot/door.ex"), "/elsewhere/depot/lib/depot/door.ex");
    assert.equal(noRoot.toRecorded("/elsewhere/depot/lib/depot/door.ex"), "lib/depot/door.ex");
    assert.equal(noRoot.toLocal("lib/depot/missing.ex"), undefined);
    assert.equal(noRoot.toLocal("../../etc/passwd"), undefined, "a climbing path never leaves a root");
    // A source root that holds the project: found there; one that does not: not looked for outside it.
    const inWs = new PathMapper([], "/elsewhere", ["lib/depot/door.ex"], exists, roots);
    assert.equal(inWs.toLocal("lib/depot/door.ex"), "/elsewhere/depot/lib/depot/door.ex");
    const outside = new PathMapper([], "/ws", ["lib/depot/door.ex"], exists, roots);
    assert.equal(outside.toLocal("lib/depot/door.ex"), undefined);
    // Old headers (absolute sources, no root) and damaged ones give no roots.
    assert.deepEqual(projectRoots([{ path: "/t/a.estrace", header: new ErlMap([]) }]), []);
    assert.deepEqual(projectRoots([{ path: "/t/a.estrace", header: Atom.of("bad") }]), []);
  });
});
