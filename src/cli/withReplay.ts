// Runs a command that reads recordings: the trace files among the arguments are loaded (with a
// progress bar on a terminal), their damaged frames reported, the command run, the replay closed.

import { nowMs } from "../core/clock";
import { Replay } from "../core/replay";
import { type Parsed, UsageError } from "./args";
import { type Out } from "./options";
import { info } from "./commands/info";
import { events } from "./commands/events";
import { state } from "./commands/state";
import { flow } from "./commands/flow";
import { stack } from "./commands/stack";
import { earlyExportWorkers, exportJsonl } from "./commands/export";
import { progressBar } from "./progress";
import { unusualRun } from "./codeCache";
import { finishBeforeExit } from "./finishBeforeExit";
import { writeStderr } from "./io";

/** Main runs this part's command through this part's copy of the error classes (failure.ts). */
export { reporting } from "./failure";

/** The trace files among the positionals: every leading argument that names an existing file. */
function splitTraces(p: Parsed, cmd: string): { traces: string[]; args: string[] } {
  const traces: string[] = [];
  let i = 0;
  while (
    i < p.positional.length &&
    (p.positional[i].endsWith(".estrace") || (traces.length === 0 && i === 0))
  )
    traces.push(p.positional[i++]);
  if (traces.length === 0)
    throw new UsageError(`${cmd}: no trace file given (usage: elixirscope ${cmd} TRACE ...)`);
  return { traces, args: p.positional.slice(i) };
}

export async function withReplay(p: Parsed, cmd: string, out: Out): Promise<number> {
  const { traces, args } = splitTraces(p, cmd);
  const bar = progressBar();
  const t0 = nowMs();
  // An export's workers boot meanwhile; closed by the export, or here if it does not get that far.
  const early = cmd === "export" ? earlyExportWorkers(p, traces) : undefined;
  let replay: Replay;
  try {
    replay = await Replay.open(traces, { onProgress: bar.onProgress });
  } catch (e) {
    await early?.close();
    throw e;
  }
  const loadMs = nowMs() - t0;
  bar.done();
  // A first open parsed the trace; later runs will read the index it saves (an unsaved one: parse again).
  const built = replay.indexStatus.state;
  if (built === "built" || built === "rebuilt") unusualRun();
  try {
    for (const problem of replay.problems) writeStderr(`warning: ${problem.text}\n`);
    const indexNote = replay.indexStatus.note;
    if (indexNote) writeStderr(`note: ${indexNote}\n`);
    // Told once more only if saving the index then failed (the process exits after the write, even
    // when its reader closed the pipe first).
    finishBeforeExit(
      replay.indexSaved().then((s) => {
        if (s.state === "unsaved" && s.note && s.note !== indexNote) writeStderr(`note: ${s.note}\n`);
      }),
    );
    const json = p.flags.has("json");
    switch (cmd) {
      case "info":
        return info(replay, p, json, loadMs, out);
      case "events":
        return events(replay, p, json, out);
      case "state":
        return state(replay, p, args, json, out);
      case "flow":
        return flow(replay, p, args, json, out);
      case "stack":
        return stack(replay, p, json, out);
      default:
        // Awaited here: the replay is closed in `finally` only once the export is done.
        return await exportJsonl(replay, p, out, undefined, early);
    }
  } finally {
    await early?.close();
    replay.close();
  }
}
