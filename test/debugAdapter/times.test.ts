// Times the adapter shows are exact and can be typed back: every moment it prints (the Event scope,
// console lines, search results, goto targets) is the replay's time label, to the nanosecond and with
// `#n` for the n-th later event at that very nanosecond, and going to that text lands on that event.

import assert from "node:assert/strict";
import { pid } from "../../src/core/terms/build";
import { TraceBuilder } from "../../src/core/writer";
import { tempTrace } from "../helpers/fixtures";
import { withDap } from "./dapClient";

const P = pid("n@h", 1, 0);

/** Three calls at one nanosecond (1.000001234 s), between two at other times. */
function tiedTrace(): string {
  const b = new TraceBuilder({ node: "n@h" });
  b.call(P, ["Elixir.Tie", "before", 0], [], { mfa: ["Elixir.Tie", "run", 0], file: "lib/tie.ex", line: 3 });
  b.tick = 0;
  b.time = 1_000_001_234;
  for (const f of ["a", "b", "c"])
    b.call(P, ["Elixir.Tie", f, 0], [], { mfa: ["Elixir.Tie", "run", 0], file: "lib/tie.ex", line: 4 });
  b.tick = 1000;
  b.call(P, ["Elixir.Tie", "after", 0], [], { mfa: ["Elixir.Tie", "run", 0], file: "lib/tie.ex", line: 5 });
  return tempTrace(b.toBuffer(), "ties.estrace");
}

describe("debug adapter: times shown exactly", function () {
  this.timeout(120_000);

  it("shows each tied event's own time label, and going to it lands there", () =>
    withDap(async (d) => {
      await d.launch({ trace: tiedTrace(), stopOnEntry: true });
      const shown: string[] = [];
      for (const seq of [1, 2, 3]) {
        await d.custom("elixirscope/goto", { seq });
        const time = (await d.scope("Event")).find((v) => v.name === "time")?.value;
        assert.ok(time !== undefined, "the Event scope has a time");
        shown.push(time);
      }
      assert.deepEqual(shown, ["+1.000001234s", "+1.000001234s#1", "+1.000001234s#2"]);
      // Typed back, each text is that event again (from elsewhere, so the move is real).
      for (const [k, text] of shown.entries()) {
        await d.custom("elixirscope/goto", { seq: 4 });
        await d.custom("elixirscope/goto", { moment: text });
        assert.equal(await d.seq(), k + 1, text);
      }
      // The console's event lines and the search's labels carry the same texts.
      const listed = (await d.evaluate("events fun=Tie.*")).result;
      for (const text of shown) assert.ok(listed.includes(`] ${text} `), `${text} in:\n${listed}`);
      const found = await d.dc.customRequest("elixirscope/searchEvents", { query: "Tie.b" });
      const labels = (found.body as { events: Array<{ label: string }> }).events.map((e) => e.label);
      assert.ok(labels.includes(`seq 2 ${shown[1]}`), JSON.stringify(labels));
    }));
});
