// Source paths between a recording and the workspace, on their own: mappings, a source root, the
// module table completing relative call sites, and back from the workspace to the recorded file.

import assert from "node:assert/strict";
import { join } from "node:path";
import { PathMapper } from "../../../src/core/inspect/paths";

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
});
