// What a user waits for from a cold start: the `elixirscope` command (bin/elixirscope.js, run as a
// shell runs it, through its shebang) as a whole process — `info` on the first open (no index yet:
// parse, then save `<trace>.esindex`) and on later opens (index reused), and the JSON Lines export.
// Each figure is wall time, process start to exit. Next to the first open, its floor on this machine
// (firstOpenFloor.mjs): the same process without any parsing, touching and writing the store's bytes.

import { spawnSync } from "node:child_process";
import { existsSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { commandEnv } from "../src/cli/commandEnv";
import { indexLocations } from "../src/core/store/indexCache";
import { percentile } from "./stats";

const ROOT = join(__dirname, "..");
/** The environment bin/elixirscope.js's shebang gives Node (see there). */
const COMMAND_ENV = { ...process.env, ...commandEnv(process.env) };

function run(args: string[]): number {
  return spawn(join(ROOT, "bin", "elixirscope.js"), args, `elixirscope ${args.join(" ")}`);
}

function spawn(command: string, args: string[], what: string, env?: NodeJS.ProcessEnv): number {
  const t = performance.now();
  const r = spawnSync(command, args, { stdio: ["ignore", "ignore", "pipe"], env });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${what} failed: ${String(r.stderr)}`);
  return ms;
}

export function dropIndex(trace: string): void {
  for (const f of indexLocations([trace])) rmSync(f, { force: true });
}

/**
 * `elixirscope info` on a trace without its index, median of three (the figures are medians
 * of three runs: one run is at the mercy of a noisy neighbour for a second). The last leaves the
 * index later runs read.
 */
export function benchFirstOpen(trace: string): number {
  const firsts = [0, 1, 2].map(() => {
    dropIndex(trace);
    return run(["info", trace]);
  });
  return percentile(firsts, 50);
}

export function benchCold(
  trace: string,
  events: number,
  opts: { export?: boolean } = {},
): Record<string, number> {
  const first = benchFirstOpen(trace);
  // Node's own start (`node -e 0`, in the environment the command's shebang gives it) in the
  // same loop: the floor under every figure here; and `node dist/cli.js info`, which skips the
  // command's shebang (so pays for NODE_EXTRA_CA_CERTS when set).
  const again: number[] = [];
  const node: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < 3; i++) {
    node.push(spawn(process.execPath, ["-e", "0"], "node -e 0", COMMAND_ENV));
    again.push(run(["info", trace]));
    direct.push(
      spawn(process.execPath, [join(ROOT, "dist", "cli.js"), "info", trace], "node dist/cli.js info"),
    );
  }
  const floor = firstOpenFloor(trace);
  const out: Record<string, number> = {
    cold_first_open_ms: Math.round(first),
    cold_first_open_us_per_event: Number(((first * 1000) / events).toFixed(3)),
    first_open_floor_ms: Math.round(floor),
    first_open_floor_us_per_event: Number(((floor * 1000) / events).toFixed(3)),
    cold_info_ms: Math.round(percentile(again, 50)),
    cold_node_ms: Math.round(percentile(node, 50)),
    cold_info_direct_ms: Math.round(percentile(direct, 50)),
  };
  if (opts.export !== false) {
    // Median of three, each into a file that does not exist yet (as a user's first export writes it:
    // overwriting one costs the kernel its truncation, and ext4 a flush at close).
    const file = `${trace}.bench.jsonl`;
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      rmSync(file, { force: true });
      runs.push(run(["export", trace, "-o", file]));
    }
    rmSync(file, { force: true });
    out.export_us_per_event = Number(((percentile(runs, 50) * 1000) / events).toFixed(3));
  }
  return out;
}

/**
 * What a first open cannot go below on this machine, median of three: Node's start (in the command's
 * environment: no CA bundle, huge pages asked for), reading the trace, and touching then writing to a new file as many
 * bytes as the index the first open saved (the store holds the same columns and indexes in memory).
 */
function firstOpenFloor(trace: string): number {
  const index = indexLocations([trace]).find((f) => existsSync(f));
  if (!index) throw new Error(`no index was saved for ${trace}`);
  const bytes = String(statSync(index).size);
  const runs = [0, 1, 2].map(() =>
    spawn(
      process.execPath,
      [join(ROOT, "bench", "firstOpenFloor.mjs"), trace, bytes],
      "first-open floor",
      COMMAND_ENV,
    ),
  );
  return percentile(runs, 50);
}
