// Runs the fuzz driver as a child process (bundled once with esbuild; the DAP kind through tsx, as it
// validates against the schema files beside its sources) under /usr/bin/time, with a deadline:
// returns its summary, its peak memory, and on a hang the case it was stuck on.

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleOnce, runMeasured } from "../helpers/cliRun";

export const FUZZ_KINDS = ["trace", "jsonl", "args", "dap"] as const;
export type FuzzKind = (typeof FUZZ_KINDS)[number];

export interface FuzzResult {
  kind: string;
  seed: number;
  count: number;
  failures: Array<{ case: number; how: string; argv: string[]; problem: string }>;
  maxRssKb: number;
  /** Set when the driver had to be killed or died: what it was doing. */
  broken?: string;
}

const DRIVER = join(__dirname, "driver.ts");

export function runFuzz(kind: FuzzKind, seed: number, count: number, timeoutMs: number): FuzzResult {
  const work = mkdtempSync(join(tmpdir(), `elixirscope-fuzz-${kind}-`));
  const driver = kind === "dap" ? ["--import", "tsx", DRIVER] : [bundleOnce(DRIVER)];
  try {
    const r = runMeasured([process.execPath, ...driver, kind, String(seed), String(count), join(work, "w")], {
      timeoutMs,
    });
    const last = r.stdout.trim().split("\n").pop() ?? "";
    let summary: FuzzResult | undefined;
    try {
      summary = JSON.parse(last) as FuzzResult;
    } catch {
      summary = undefined;
    }
    const rss = Math.max(summary?.maxRssKb ?? 0, r.maxRssKb ?? 0);
    if (summary && Array.isArray(summary.failures) && r.status === 0) return { ...summary, maxRssKb: rss };
    const at = existsSync(join(work, "w", "progress"))
      ? readFileSync(join(work, "w", "progress"), "utf8")
      : "?";
    const why =
      r.timedOut || r.error
        ? `killed after ${timeoutMs} ms (${String(r.error)})`
        : `exit ${r.status} ${r.signal ?? ""}`;
    return {
      kind,
      seed,
      count,
      failures: [],
      maxRssKb: rss,
      broken: `${why} during ${at.slice(0, 500)}; stderr: ${r.stderr.slice(-500)}`,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
