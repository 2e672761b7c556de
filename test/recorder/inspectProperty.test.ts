// Property test against Elixir itself: the Parcel Depot's InspectProbe generates random terms
// (seeded: nested lists, maps, tuples, keyword lists, binaries, atoms, floats, pids, charlists and
// structs, one with a derived Inspect that hides a field), the real recorder records each with
// `inspect(term, limit: :infinity)`, and the engine's rendering of the recorded term must be
// Elixir's text, character for character, in the recorded Elixir version's style.

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Replay } from "../../src/core/replay";
import { inspect } from "../../src/core/terms/inspect";
import { Bin } from "../../src/core/terms/term";
import { withDap } from "../debugAdapter/dapClient";
import { mix } from "../helpers/mix";

const DEPOT = join(__dirname, "../../examples/parcel_depot");

const SEEDS = (process.env.INSPECT_SEEDS ?? "42,7,2026").split(",").map(Number);
const TERMS = Number(process.env.INSPECT_TERMS ?? 400);

describe("terms print as Elixir's inspect/1 prints them", function () {
  this.timeout(240_000);
  const dir = mkdtempSync(join(tmpdir(), "elixirscope-inspect-"));

  for (const seed of SEEDS)
    it(`${TERMS} random terms of seed ${seed}, recorded by the real recorder`, async () => {
      const out = join(dir, `inspect-${seed}.estrace`);
      mix(DEPOT, ["run", "-e", `ParcelDepot.InspectProbe.record(${JSON.stringify(out)}, ${seed}, ${TERMS})`]);
      const r = await Replay.open(out);
      try {
        assert.deepEqual(r.problems, []);
        const calls = r.getEvents({ kinds: ["call"], functions: ["ParcelDepot.InspectProbe.show/2"] });
        assert.equal(calls.length, TERMS);
        const style = r.termStyle();
        const wrong: string[] = [];
        let structs = 0;
        let hidden = 0;
        for (const c of calls) {
          const [term, text] = c.args!;
          assert.ok(text instanceof Bin);
          const want = Buffer.from(text.bytes).toString("utf8");
          const got = inspect(term, { limit: Infinity, printableLimit: Infinity, ...style });
          if (got !== want) wrong.push(`seq ${c.seq}\n  elixir: ${want}\n  engine: ${got}`);
          if (want.includes("InspectProbe.Plain{")) structs++;
          if (want.includes("InspectProbe.Secret<")) {
            hidden++;
            // The raw view (no style) shows the field the Inspect implementation hides.
            assert.match(inspect(term, { limit: Infinity }), /InspectProbe\.Secret\{.*pin: \d+/);
          }
        }
        assert.equal(wrong.length, 0, `${wrong.length} of ${TERMS} differ (seed ${seed}):\n${wrong.slice(0, 5).join("\n")}`);
        // The generator did exercise what it is for.
        assert.ok(structs > 0 && hidden > 0, `structs ${structs}, hidden ${hidden}`);
      } finally {
        r.close();
      }
    });

  it("the debugger shows a term as Elixir printed it, in the Variables view and the clipboard", async () => {
    const out = join(dir, `inspect-${SEEDS[0]}.estrace`);
    const r = await Replay.open(out);
    let pick: { seq: number; want: string } | undefined;
    try {
      // A hidden field and a charlist-like value, short enough that the Variables view cuts nothing.
      for (const c of r.getEvents({ kinds: ["call"], functions: ["ParcelDepot.InspectProbe.show/2"] })) {
        const want = Buffer.from((c.args![1] as Bin).bytes).toString("utf8");
        if (want.includes("InspectProbe.Secret<") && want.length < 100) pick ??= { seq: c.seq, want };
      }
    } finally {
      r.close();
    }
    assert.ok(pick, "the generator made a short term with a hidden field");
    const { seq, want } = pick;
    await withDap(async (d) => {
      await d.launch({ trace: out, startAt: `seq:${seq}` });
      const args = await d.scope("Arguments");
      assert.equal(args[0].value, want, "the Variables view");
      assert.equal((await d.evaluate(args[0].evaluateName!, "clipboard")).result, want, "Copy Value");
    });
  });

  it("charlists print in the recorded version's form", async () => {
    const out = join(dir, `inspect-${SEEDS[0]}.estrace`);
    const r = await Replay.open(out);
    try {
      const version = r.files[0].elixirVersion;
      const [major, minor] = version.split(".").map(Number);
      const text = inspect([97, 98, 99], r.termStyle());
      assert.equal(text, major === 1 && minor < 15 ? "'abc'" : '~c"abc"', `Elixir ${version}`);
    } finally {
      r.close();
    }
  });
});
