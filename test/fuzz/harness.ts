// Runs the fuzz driver (bundled once with esbuild) as a child process under /usr/bin/time, with a
// deadline: returns its summary, its peak memory, and on a hang the case it was stuck on.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSync } from "esbuild";

export interface FuzzResult {
  kind: string;
  seed: number;
  count: number;
  failures: Array<{ case: number; how: string; argv: string[]; problem: string }>;
  maxRssKb: number;
  /** Set when the driver had to be killed or died: what it was doing. */
  broken?: string;
}

let driver: string | undefined;

function bundle(): string {
  if (driver) return driver;
  const dir = mkdtempSync(join(tmpdir(), "elixirscope-fuzz-"));
  driver = join(dir, "driver.js");
  buildSync({
    entryPoints: [join(__dirname, "driver.ts")],
    outfile: driver,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["vscode"],
    logLevel: "error",
  });
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return driver;
}

export function runFuzz(
  kind: "trace" | "jsonl" | "args",
  seed: number,
  count: number,
  timeoutMs: number,
): FuzzResult {
  const js = bundle();
  const work = mkdtempSync(join(tmpdir(), `elixirscope-fuzz-${kind}-`));
  const rssFile = join(work, "rss");
  const time = existsSync("/usr/bin/time");
  const argv = [process.execPath, js, kind, String(seed), String(count), join(work, "w")];
  try {
    const r = spawnSync(
      time ? "/usr/bin/time" : argv[0],
      time ? ["-f", "%M", "-o", rssFile, ...argv] : argv.slice(1),
      {
        encoding: "utf8",
        timeout: timeoutMs,
        killSignal: "SIGKILL",
        maxBuffer: 64 << 20,
      },
    );
    const last = (r.stdout ?? "").trim().split("\n").pop() ?? "";
    let summary: FuzzResult | undefined;
    try {
      summary = JSON.parse(last) as FuzzResult;
    } catch {
      summary = undefined;
    }
    let rss = summary?.maxRssKb ?? 0;
    if (time && existsSync(rssFile)) {
      const m = /(\d+)\s*$/.exec(readFileSync(rssFile, "utf8"));
      if (m) rss = Math.max(rss, Number(m[1]));
    }
    if (summary && Array.isArray(summary.failures) && r.status === 0) return { ...summary, maxRssKb: rss };
    const at = existsSync(join(work, "w", "progress"))
      ? readFileSync(join(work, "w", "progress"), "utf8")
      : "?";
    const why = r.error
      ? `killed after ${timeoutMs} ms (${String(r.error)})`
      : `exit ${r.status} ${r.signal ?? ""}`;
    return {
      kind,
      seed,
      count,
      failures: [],
      maxRssKb: rss,
      broken: `${why} during ${at.slice(0, 500)}; stderr: ${(r.stderr ?? "").slice(-500)}`,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
