// leftOut: what a recording says it left out (overload events and the footer), in words.

import assert from "node:assert/strict";
import { leftOut } from "../../src/core/leftOut";
import { Replay } from "../../src/core/replay";
import { atom, map, pid, tuple } from "../../src/core/terms/build";
import { TraceBuilder } from "../../src/core/writer";
import { tempTrace } from "../helpers/fixtures";

const P = pid("a@h", 80, 0);
const walk = tuple(atom("Elixir.Parcel.Helpers"), atom("walk"), 2);
const weigh = tuple(atom("Elixir.Parcel.Helpers"), atom("weigh"), 2);

describe("leftOut", () => {
  it("names each untraced helper with why, when and the calls not recorded, then what was shed", async () => {
    const b = new TraceBuilder({ node: "a@h" });
    b.call(P, ["Elixir.Parcel", "run", 0], []);
    const info = (fields: Array<[string, unknown]>) => map(fields.map(([k, v]) => [atom(k), v as never]));
    b.event(
      "overload",
      P,
      [
        info([
          ["reason", atom("private_rate")],
          ["function", walk],
          ["calls_before", 5000],
          ["calls_per_ms", 1667],
          ["dropped", 0],
        ]),
      ],
      3_000_000,
    );
    b.event(
      "overload",
      P,
      [
        info([
          ["reason", atom("private_bytes")],
          ["function", weigh],
          ["calls_before", 40],
          ["argument_bytes", 1_100_000],
          ["dropped", 0],
        ]),
      ],
      4_000_000,
    );
    b.event(
      "overload",
      P,
      [
        info([
          ["reason", atom("queue_bytes")],
          ["dropped", 120],
        ]),
      ],
      5_000_000,
    );
    b.footer([
      ["events", 4],
      ["dropped", 120],
      ["private_calls_not_recorded", map([[walk, 123_456]])],
      ["terms_over_budget", map([[P, 7]])],
    ]);
    const r = await Replay.open(tempTrace(b.toBuffer()));
    const lines = leftOut(r);
    assert.equal(lines.length, 4);
    assert.match(
      lines[0],
      /^Parcel\.Helpers\.walk\/2 untraced after 5,000 calls \(at 1,667 calls\/ms\) at \S+: 123,456 calls not recorded$/,
    );
    assert.match(
      lines[1],
      /^Parcel\.Helpers\.weigh\/2 untraced after 40 calls \(its arguments reached 1,100,000 bytes\) at \S+$/,
    );
    assert.equal(lines[2], "120 events lost to load shedding (queue_bytes: 120)");
    assert.equal(lines[3], "7 terms summarised past their process's byte budget (1 process)");
  });

  it("names each private recursive helper counted from the start that was called, with its calls", async () => {
    const b = new TraceBuilder({ node: "a@h" });
    const info = (fields: Array<[string, unknown]>) => map(fields.map(([k, v]) => [atom(k), v as never]));
    for (const fn of [walk, weigh])
      b.event(
        "overload",
        P,
        [
          info([
            ["reason", atom("private_recursion")],
            ["function", fn],
            ["calls_before", 0],
            ["dropped", 0],
          ]),
        ],
        1_000,
      );
    b.call(P, ["Elixir.Parcel", "run", 0], []);
    b.footer([
      ["events", 3],
      ["dropped", 0],
      [
        "private_calls_not_recorded",
        map([
          [walk, 57_000],
          [weigh, 0],
        ]),
      ],
    ]);
    const r = await Replay.open(tempTrace(b.toBuffer()));
    assert.deepEqual(leftOut(r), [
      "Parcel.Helpers.walk/2 not traced (part of a private recursion over data: counted only): 57,000 calls not recorded",
    ]);
  });

  it("is empty for a recording that left nothing out", async () => {
    const b = new TraceBuilder({ node: "a@h" });
    b.call(P, ["Elixir.Parcel", "run", 0], []);
    b.footer([
      ["events", 1],
      ["dropped", 0],
    ]);
    assert.deepEqual(leftOut(await Replay.open(tempTrace(b.toBuffer()))), []);
  });
});
