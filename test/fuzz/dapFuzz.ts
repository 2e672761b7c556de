// The DAP fuzzer: runs the stdio adapter as a child process with a recording loaded, sends it each
// hostile case, then a valid request. The contract: the adapter stays up and answers the valid
// request, answers the fuzzed request when it is one, never says "Cannot read properties", TypeError
// or "internal error", names the argument it refuses, and every message conforms to the schema.

import { writeFileSync } from "node:fs";
import { RawAdapter } from "../debugAdapter/rawAdapter";
import { dapCase } from "./dapCases";
import { rng } from "./mutators";

export interface DapFailure {
  case: number;
  how: string;
  argv: string[];
  problem: string;
}

const BUG_TEXT =
  /Cannot read propert|TypeError|ReferenceError|RangeError|internal error|is not a function|Maximum call stack/;
const ANSWER_MS = 20_000;

async function startAdapter(trace: string): Promise<RawAdapter> {
  const a = new RawAdapter();
  await a.request("initialize", { adapterID: "elixirscope", pathFormat: "path", linesStartAt1: true });
  const stopped = a.waitFor((m) => m.type === "event" && m.event === "stopped", 60_000);
  const launched = await a.request("launch", { trace, stopOnEntry: true }, 60_000);
  if (!launched.success) throw new Error(`the fuzz trace did not launch: ${launched.message}`);
  await a.request("configurationDone");
  await stopped;
  return a;
}

export async function fuzzDap(
  seed: number,
  count: number,
  trace: string,
  progress: string,
): Promise<{ failures: DapFailure[]; maxRssKb: number }> {
  const r = rng(seed);
  const failures: DapFailure[] = [];
  let maxRssKb = 0;
  let a = await startAdapter(trace);
  for (let i = 0; i < count; i++) {
    const c = dapCase(r, 900_000 + i, trace);
    writeFileSync(progress, JSON.stringify({ case: i, how: c.how }));
    const from = a.messages.length;
    const violationsBefore = a.violations.length;
    a.write(c.bytes);
    const problems: string[] = [];
    try {
      const after = await a.request("threads", undefined, ANSWER_MS);
      if (!after.success) problems.push(`a valid request afterwards failed: ${after.message}`);
    } catch (e) {
      problems.push(`no answer to a valid request afterwards: ${(e as Error).message.slice(0, 300)}`);
    }
    if (c.seq !== undefined && !a.exit) {
      const own = await a
        .waitFor((m) => m.type === "response" && m.request_seq === c.seq, ANSWER_MS, from)
        .catch(() => undefined);
      if (!own) problems.push("the fuzzed request got no answer");
      else if (c.names !== undefined) {
        const named = new RegExp(`\\b${c.names.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`, "i");
        if (own.success) problems.push(`accepted a request without a valid "${c.names}"`);
        else if (!named.test(String(own.message)))
          problems.push(`the refusal does not name "${c.names}": ${String(own.message).slice(0, 200)}`);
      }
    }
    const said = JSON.stringify(a.messages.slice(from));
    const bug = BUG_TEXT.exec(said);
    if (bug) {
      const at = Math.max(0, bug.index - 150);
      problems.push(`said "${bug[0]}": …${said.slice(at, at + 400)}…`);
    }
    if (a.violations.length > violationsBefore)
      problems.push(
        `schema violations: ${a.violations.slice(violationsBefore, violationsBefore + 3).join(" | ")}`,
      );
    if (problems.length) failures.push({ case: i, how: c.how, argv: [], problem: problems.join("; ") });
    if (a.exit || problems.some((p) => p.startsWith("no answer"))) {
      // A dead or wedged adapter is one failure: the next cases get a fresh one.
      if (!a.exit) a.child.kill("SIGKILL");
      await a.close();
      a = await startAdapter(trace);
    }
    if (i % 20 === 0 && !a.exit) maxRssKb = Math.max(maxRssKb, a.peakRssKb());
  }
  maxRssKb = Math.max(maxRssKb, a.peakRssKb());
  // Last, the request that ends the session: answered, then a clean exit.
  const bye = await a.request("disconnect", { restart: "yes", terminateDebuggee: 5 }, ANSWER_MS);
  const exit = await a.close();
  if (!bye.success || exit.code !== 0 || exit.signal)
    failures.push({
      case: count,
      how: "disconnect with wrongly typed options",
      argv: [],
      problem: `answered ${JSON.stringify(bye.success)} and exited ${JSON.stringify(exit)}`,
    });
  return { failures, maxRssKb };
}
