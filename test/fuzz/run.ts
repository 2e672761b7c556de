// Longer fuzz runs than CI's: `node --import tsx test/fuzz/run.ts [--kind trace|jsonl|args|dap]
// [--seed N] [--count N] [--timeout SECONDS]`. Prints each run's failures (seed and case index
// reproduce them) and exits 1 if any run broke the contract.

import { MAX_RSS_KB } from "../helpers/cliRun";
import { FUZZ_KINDS, type FuzzKind, runFuzz } from "./harness";

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
};
const kinds = (opt("kind", FUZZ_KINDS.join(",")).split(",") as FuzzKind[]).filter((k) =>
  FUZZ_KINDS.includes(k),
);
const seed = Number(opt("seed", String(Date.now() % 1_000_000)));
const count = Number(opt("count", "5000"));
const timeout = Number(opt("timeout", "3600")) * 1000;

let bad = 0;
for (const kind of kinds) {
  const r = runFuzz(kind, seed, count, timeout);
  const rssBad = r.maxRssKb >= MAX_RSS_KB;
  process.stdout.write(
    `${kind}: seed ${seed}, ${count} mutants, ${r.failures.length} failures, peak ${r.maxRssKb} KiB${rssBad ? " (over the limit)" : ""}${r.broken ? `, BROKEN: ${r.broken}` : ""}\n`,
  );
  for (const f of r.failures)
    process.stdout.write(`  case ${f.case} (${f.how}) ${JSON.stringify(f.argv)}: ${f.problem}\n`);
  if (r.broken || r.failures.length || rssBad) bad++;
}
process.exitCode = bad ? 1 : 0;
