// The fuzz driver, run as a child process by the fuzz tests and by `test/fuzz/run.ts`: makes seeded
// mutants and runs each through the CLI's `main` in this process, checking the contract for hostile
// input: exit 0 (warnings allowed) or exit 2 with one error line, never a thrown error or a stack
// trace. Before each case it writes the case's id to a progress file, so a hang (the parent kills us)
// names its mutant. The last stdout line is a JSON summary.
//
//   node driver.js KIND SEED COUNT WORKDIR   (KIND: trace | jsonl | args | dap)

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/cli/main";
import { ticketTrace } from "../helpers/fixtures";
import { abuseArgs, mutateJsonl, mutateTrace, rng } from "./mutators";

interface Failure {
  case: number;
  how: string;
  argv: string[];
  problem: string;
}

const [kind, seedText, countText, work] = process.argv.slice(2);
const seed = Number(seedText);
const count = Number(countText);
mkdirSync(work, { recursive: true });
const progress = join(work, "progress");

const base = ticketTrace().builder.toBuffer();
const basePath = join(work, "base.estrace");
writeFileSync(basePath, base);

const TRACE_COMMANDS = [
  ["info"],
  ["events", "--limit", "20"],
  ["events", "--json", "--limit", "20"],
  ["export"],
  ["state", "$T", "<0.101.0>"],
  ["flow", "$T"],
  ["stack", "$T", "--seq", "7"],
  ["events", "--kind", "unknown", "--json"],
];

async function runOne(argv: string[]): Promise<string | undefined> {
  const errLines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array): boolean => {
    errLines.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  let code: number;
  try {
    code = await main(argv, () => {});
  } catch (e) {
    return `threw ${e instanceof Error ? (e.stack ?? e.message).split("\n").slice(0, 4).join(" | ") : String(e)}`;
  } finally {
    process.stderr.write = write;
  }
  const lines = errLines
    .join("")
    .split("\n")
    .filter((l) => l !== "");
  const errors = lines.filter((l) => !l.startsWith("warning: ") && !l.startsWith("note: "));
  if (lines.some((l) => /^\s+at .+:\d+/.test(l))) return `stack trace: ${lines.join(" | ").slice(0, 300)}`;
  if (code === 0 && errors.length === 0) return undefined;
  if (code === 2 && errors.length === 1 && errors[0].startsWith("elixirscope: ")) return undefined;
  return `exit ${code} with ${errors.length} error lines: ${errors.join(" | ").slice(0, 300)}`;
}

async function run(): Promise<void> {
  if (kind === "dap") {
    // Loaded only here: the DAP fuzzer reads the schema files beside its sources (it runs under tsx).
    const { fuzzDap } = await import("./dapFuzz");
    const { failures, maxRssKb } = await fuzzDap(seed, count, basePath, progress);
    const own = process.resourceUsage().maxRSS;
    process.stdout.write(
      `${JSON.stringify({ kind, seed, count, failures, maxRssKb: Math.max(maxRssKb, own) })}\n`,
    );
    return;
  }
  const r = rng(seed);
  const failures: Failure[] = [];
  let maxRss = 0;
  const exported = join(work, "base.jsonl");
  await main(["export", basePath, "-o", exported], () => {});
  const jsonlLines = readFileSync(exported, "utf8").trim().split("\n");
  for (let i = 0; i < count; i++) {
    let how: string;
    let argvs: string[][];
    if (kind === "trace") {
      const m = mutateTrace(base, r);
      const file = join(work, "mutant.estrace");
      writeFileSync(file, m.bytes);
      how = m.how;
      const cmd = TRACE_COMMANDS[Math.floor(r() * TRACE_COMMANDS.length)];
      argvs = [
        cmd.includes("$T") ? cmd.map((a) => (a === "$T" ? file : a)) : [cmd[0], file, ...cmd.slice(1)],
      ];
    } else if (kind === "jsonl") {
      const m = mutateJsonl(jsonlLines, r);
      const file = join(work, "mutant.jsonl");
      writeFileSync(file, m.text);
      how = m.how;
      const out = join(work, "imported.estrace");
      argvs = [
        ["import", file, "-o", out],
        ["info", out],
      ];
    } else {
      const argv = abuseArgs(r, basePath, work);
      how = "argv";
      argvs = [argv];
    }
    for (const argv of argvs) {
      writeFileSync(progress, JSON.stringify({ case: i, how, argv }));
      const problem = await runOne(argv);
      if (problem)
        failures.push({
          case: i,
          how,
          argv: argv.map((a) => (a.length > 200 ? `${a.slice(0, 200)}…` : a)),
          problem,
        });
    }
    maxRss = Math.max(maxRss, process.memoryUsage().rss);
  }
  const summary = {
    kind,
    seed,
    count,
    failures,
    maxRssKb: Math.max(Math.round(maxRss / 1024), process.resourceUsage().maxRSS),
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

run().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stdout.write(`${JSON.stringify({ kind, seed, count, crashed: String(e) })}\n`);
    process.exit(1);
  },
);
