// Runs the real `elixirscope` command as a child process, the way a user's shell would: the CLI is
// bundled once per test run (esbuild, into a temp folder) and each run reports its exit code, output,
// peak resident memory (from /usr/bin/time when present) and whether it had to be killed.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSync } from "esbuild";

let bundle: string | undefined;

/** The bundled CLI (built on first use). */
export function cliBundle(): string {
  if (bundle) return bundle;
  const dir = mkdtempSync(join(tmpdir(), "elixirscope-cli-"));
  const out = join(dir, "cli.js");
  buildSync({
    entryPoints: [join(__dirname, "../../src/cli/main.ts")],
    outfile: out,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["vscode"],
    logLevel: "error",
  });
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  bundle = out;
  return out;
}

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size in KiB, when /usr/bin/time could measure it. */
  maxRssKb?: number;
  timedOut: boolean;
}

const TIME = "/usr/bin/time";

export function runCli(
  args: string[],
  opts: { input?: string | Buffer; timeoutMs?: number; cwd?: string } = {},
): CliRun {
  const cli = cliBundle();
  const measured = existsSync(TIME);
  const rssFile = measured ? join(mkdtempSync(join(tmpdir(), "elixirscope-rss-")), "rss") : undefined;
  const argv = [process.execPath, cli, ...args];
  const r = spawnSync(
    measured ? TIME : argv[0],
    measured ? ["-f", "%M", "-o", rssFile!, ...argv] : argv.slice(1),
    {
      input: opts.input,
      encoding: "utf8",
      timeout: opts.timeoutMs ?? 30_000,
      killSignal: "SIGKILL",
      cwd: opts.cwd,
      maxBuffer: 64 << 20,
    },
  );
  let maxRssKb: number | undefined;
  if (rssFile) {
    try {
      // GNU time writes "Command exited with non-zero status N" before the figure: take the last line.
      const last = readFileSync(rssFile, "utf8").trim().split("\n").pop();
      if (last && /^\d+$/.test(last)) maxRssKb = Number(last);
    } catch {
      // killed before time wrote anything: the timeout flag says why
    }
    rmSync(join(rssFile, ".."), { recursive: true, force: true });
  }
  return {
    status: r.status,
    signal: r.signal,
    stdout: r.stdout ?? "",
    stderr: r.stderr ?? "",
    maxRssKb,
    timedOut: (r.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT",
  };
}

/** Peak memory any single command may use on a hostile input (fixed, not relative to the machine). */
export const MAX_RSS_KB = 512 * 1024;

/**
 * The contract for hostile input: either success (exit 0, warnings allowed) or exit 2 with exactly one
 * line on stderr; never a stack trace, a hang, or memory past MAX_RSS_KB. Returns a reason or undefined.
 */
export function contractBroken(r: CliRun): string | undefined {
  if (r.timedOut) return "hung (killed after the timeout)";
  if (r.signal) return `killed by ${r.signal}`;
  if (/\n\s+at .+[:(]\d+/.test(r.stderr) || /internal error/.test(r.stderr))
    return `stack trace or internal error: ${r.stderr.slice(0, 400)}`;
  if (r.maxRssKb !== undefined && r.maxRssKb > MAX_RSS_KB) return `used ${r.maxRssKb} KiB`;
  if (r.status === 0) return undefined;
  if (r.status !== 2) return `exit ${r.status}: ${r.stderr.slice(0, 400)}`;
  const lines = r.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("warning: "));
  if (lines.length !== 1) return `exit 2 with ${lines.length} error lines: ${r.stderr.slice(0, 400)}`;
  return undefined;
}
