// The adapter says, when a recording is loaded, what the recorder left out of it (core/leftOut).

import assert from "node:assert/strict";
import { atom, map, pid, tuple } from "../../src/core/terms/build";
import { TraceBuilder } from "../../src/core/writer";
import { tempTrace } from "../helpers/fixtures";
import { withDap } from "./dapClient";

describe("debug adapter: what the recording left out", function () {
  this.timeout(180_000);

  it("prints each untraced helper and the calls not recorded on the debug console", () =>
    withDap(async (d) => {
      const p = pid("a@h", 80, 0);
      const walk = tuple(atom("Elixir.Parcel.Helpers"), atom("walk"), 2);
      const b = new TraceBuilder({ node: "a@h" });
      b.call(p, ["Elixir.Parcel", "run", 0], []);
      b.event("overload", p, [
        map([
          [atom("reason"), atom("private_rate")],
          [atom("function"), walk],
          [atom("calls_before"), 5000],
          [atom("calls_per_ms"), 1667],
          [atom("dropped"), 0],
        ]),
      ]);
      b.ret(p, ["Elixir.Parcel", "run", 0], atom("ok"));
      b.footer([
        ["dropped", 0],
        ["private_calls_not_recorded", map([[walk, 123_456]])],
      ]);
      await d.launch({ trace: tempTrace(b.toBuffer()), startAt: "end" });
      await d.settle();
      const said = d.outputs.filter((o) => o.body.category === "console").map((o) => o.body.output);
      assert.ok(
        said.some((o) =>
          /^left out: Parcel\.Helpers\.walk\/2 untraced after 5,000 calls \(at 1,667 calls\/ms\) at \S+: 123,456 calls not recorded\n$/.test(
            o,
          ),
        ),
        said.join(""),
      );
    }));
});
