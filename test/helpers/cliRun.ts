// Runs the real `elixirscope` command (and the fuzz driver) as a child process, the way a user's shell
// would: each entry is bundled once per test run (esbuild, into a temp folder) and each run reports its
// exit code, output, peak resident memory (from /usr/bin/time when present) and whether it was killed.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSync } from "esbuild";

const bundles = new Map<string, string>();

/** `entry` (a .ts file) bundled with esbuild into a temp folder, once per test run. */
export function bundleOnce(entry: string): string {
  const known = bundles.get(entry);
  if (known) return known;
  const dir = mkdtempSync(join(tmpdir(), "elixirscope-bundle-"));
  const out = join(dir, "main.js");
  buildSync({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["vscode"],
    logLevel: "error",
  });
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  bundles.set(entry, out);
  return out;
}

/** The bundled CLI (built on first use). */
export function cliBundle(): string {
  return bundleOnce(join(__dirname, "../../src/cli/entry.ts"));
}

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size in KiB, when /usr/bin/time could measure it. */
  maxRssKb?: number;
  timedOut: boolean;
  /** Why the child could not be run or was killed, if it was. */
  error?: Error;
}

const TIME = "/usr/bin/time";

/** Runs `argv` (a program and its arguments) to its end under /usr/bin/time when present. */
export function runMeasured(
  argv: string[],
  opts: { input?: string | Buffer; timeoutMs?: number; cwd?: string } = {},
): CliRun {
  const measured = existsSync(TIME);
  const rssFile = measured ? join(mkdtempSync(join(tmpdir(), "elixirscope-rss-")), "rss") : undefined;
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
    error: r.error,
  };
}

/** Runs the real `elixirscope` command as a user's shell would. */
export function runCli(
  args: string[],
  opts: { input?: string | Buffer; timeoutMs?: number; cwd?: string } = {},
): CliRun {
  return runMeasured([process.execPath, cliBundle(), ...args], opts);
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
  const lines = r.stderr
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("warning: ") && !l.startsWith("note: "));
  if (lines.length !== 1) return `exit 2 with ${lines.length} error lines: ${r.stderr.slice(0, 400)}`;
  return undefined;
}
