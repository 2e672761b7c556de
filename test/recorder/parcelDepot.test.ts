// Cross-language: record the Parcel Depot (examples/parcel_depot) with the real recorder during the
// test run and check what the engine shows against what the program really did.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Replay } from "../../src/core/replay";
import { inspect } from "../../src/core/terms/inspect";

export const DEPOT = join(__dirname, "../../examples/parcel_depot");
const dir = mkdtempSync(join(tmpdir(), "elixirscope-depot-"));

/** Records a Parcel Depot scenario into a fresh file (`opts` is an Elixir keyword list for the recorder). */
export function recordDepot(name: string, opts = "[]"): string {
  const out = join(dir, `${name}.estrace`);
  execFileSync("mix", ["run", "-e", `ParcelDepot.Scenarios.record(:${name}, ${JSON.stringify(out)}, ${opts})`], {
    cwd: DEPOT,
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 180_000,
  });
  return out;
}

/** The 1-based line of the first line of `file` (in the depot's lib/) containing `text`. */
export function lineOf(file: string, text: string): number {
  const lines = readFileSync(join(DEPOT, "lib/parcel_depot", file), "utf8").split("\n");
  const i = lines.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `${text} not in ${file}`);
  return i + 1;
}

describe("Parcel Depot recorded by the real recorder", function () {
  this.timeout(240_000);
  let r: Replay;
  before(async () => {
    r = await Replay.open(recordDepot("day"));
  });
  after(() => r?.close());

  it("loads with no problems and records what the day did", () => {
    assert.deepEqual(r.problems, []);
    const prices = r.getEvents({ functions: ["ParcelDepot.Pricing.price/1"], kinds: ["return"] });
    // Five parcels priced directly, by total/1 and by quote_all/1's tasks.
    assert.equal(prices.length, 15);
    const direct = prices.slice(0, 5).map((e) => inspect(e.value!));
    assert.deepEqual(direct, ["{:error, :no_weight}", "{:ok, 90}", "{:ok, 28}", "{:ok, 32}", "{:ok, 12}"]);
    const total = r.getEvents({ functions: ["ParcelDepot.Pricing.total/1"], kinds: ["return"] });
    assert.deepEqual(
      total.map((e) => inspect(e.value!)),
      ["162"],
    );
  });

  it("the couriers' state follows their loads and deliveries", () => {
    const couriers = r.processes().filter((p) => p.label.endsWith(" ParcelDepot.Courier"));
    assert.equal(couriers.length, 2);
    const finals = couriers.map((c) => {
      const h = r.stateHistory(c.id);
      return inspect(r.getStateAt(c.id, h[h.length - 1].index)!.state);
    });
    assert.deepEqual(finals.sort(), [
      '%{delivered: 1, name: "ann", van: []}',
      '%{delivered: 2, name: "bob", van: []}',
    ]);
  });

  it("the pipeline's loader counted every parcel the stage emitted", () => {
    const loaded = r.getEvents({
      kinds: ["send"],
      predicate: (e) => /^\{:loaded, /.test(inspect(e.message!)),
    });
    assert.deepEqual(
      loaded.map((e) => inspect(e.message!)),
      ["{:loaded, 12, 287}"],
    );
  });
});
