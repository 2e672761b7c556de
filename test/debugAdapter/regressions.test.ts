// The committed DAP reproductions against the stdio adapter (a child process) with a recording
// loaded: each is answered as its entry says, nothing says TypeError or "internal error", the adapter
// keeps answering, and every message conforms to the protocol's schema.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ticketTracePath } from "../helpers/fixtures";
import { DAP_REGRESSION_DIR, DAP_REGRESSIONS } from "./dapRegressions";
import { RawAdapter } from "./rawAdapter";

describe("DAP regressions (issue 14, fuzzer)", function () {
  this.timeout(120_000);
  let a: RawAdapter;

  before(async () => {
    a = new RawAdapter();
    await a.request("initialize", { adapterID: "elixirscope" });
    const stopped = a.waitFor((m) => m.event === "stopped", 60_000);
    assert.equal(
      (await a.request("launch", { trace: ticketTracePath(), stopOnEntry: true }, 60_000)).success,
      true,
    );
    await a.request("configurationDone");
    await stopped;
  });

  after(async () => {
    await a.close();
    assert.deepEqual(a.violations, []);
  });

  it("the committed files are what dapRegressions.ts writes", () => {
    for (const r of DAP_REGRESSIONS)
      assert.ok(
        r.bytes.equals(readFileSync(join(DAP_REGRESSION_DIR, r.file))),
        `${r.file}: run it with --write`,
      );
  });

  for (const r of DAP_REGRESSIONS)
    it(r.file, async () => {
      const from = a.messages.length;
      a.write(readFileSync(join(DAP_REGRESSION_DIR, r.file)));
      const answer = await a.waitFor((m) => m.type === "response" && m.request_seq === r.seq, 20_000, from);
      assert.equal(answer.success, r.success, JSON.stringify(answer));
      if (r.message) assert.match(String(answer.message), r.message);
      assert.equal((await a.request("threads")).success, true, "still answering");
      assert.doesNotMatch(
        JSON.stringify(a.messages.slice(from)),
        /TypeError|Cannot read properties|internal error/,
      );
    });
});
