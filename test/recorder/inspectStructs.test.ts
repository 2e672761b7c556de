// Structs the engine cannot print from a module table: modules the recording did not trace (field order
// from the footer's `structs`) and structs whose Inspect is their own (the footer's `inspected` texts).
// Checked against Elixir itself: the recorded program sends each value with its own `inspect/1` text.

import assert from "node:assert/strict";
import { Replay } from "../../src/core/replay";
import { inspect } from "../../src/core/terms/inspect";
import { Bin, Tuple } from "../../src/core/terms/term";
import { recordSnippet } from "../helpers/mix";

// Neither module is the demo's: URI and Version print through their own Inspect (1.14's Version
// leaves empty fields out), IO.Stream through Inspect.Any in definition order.
const VALUES = [
  'URI.parse("http://x.org/a?b=1")',
  'Version.parse!("1.2.3")',
  'Version.parse!("1.0.0-rc.1")',
  "IO.stream()",
  '[%{at: URI.parse("https://y")}, {:ok, Version.parse!("2.0.0")}]',
  "MapSet.new([1, 2])",
  "~D[2020-01-02]",
];
const CODE = `for v <- [${VALUES.join(", ")}], do: send(self(), {:probe, v, inspect(v)})`;

describe("structs of modules not recorded, and with an Inspect of their own", function () {
  this.timeout(240_000);

  it("print as the recorded Elixir printed them; the raw view shows every field", async () => {
    const out = recordSnippet("structs", CODE);
    const r = await Replay.open(out);
    try {
      assert.deepEqual(r.problems, []);
      const probes = r.getEvents({ kinds: ["send"] }).map((e) => (e.message as Tuple).elements);
      assert.equal(probes.length, VALUES.length);
      const style = r.termStyle();
      let differ = 0;
      for (const [, value, text] of probes) {
        const want = Buffer.from((text as Bin).bytes).toString("utf8");
        assert.equal(inspect(value, { limit: Infinity, printableLimit: Infinity, ...style }), want);
        if (inspect(value, { limit: Infinity, printableLimit: Infinity }) !== want) differ++;
      }
      // The raw view (no style) is not what Elixir printed for URI, Version and IO.Stream.
      assert.ok(differ >= 4, `${differ} raw renderings differ`);
    } finally {
      r.close();
    }
  });
});
