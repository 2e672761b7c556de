// `elixirscope demo`: replays the bundled Cinema Demo recording: a summary, the first events, the
// ticket office's state history, its message flow and the first crash.

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { processLabeler } from "../../core/describe";
import { Replay } from "../../core/replay";
import { mfaLabel } from "../../core/store/eventDecode";
import { parseArgs, UsageError } from "../args";
import { type Out, optionsOf } from "../options";
import { eventLine } from "../eventText";
import { info } from "./info";
import { state } from "./state";
import { flow } from "./flow";

/** Main runs this part's command through this part's copy of the error classes (failure.ts). */
export { reporting } from "../failure";

export async function demo(out: Out): Promise<number> {
  const root = [resolve(__dirname, ".."), resolve(__dirname, "../..")].find((d) =>
    existsSync(join(d, "examples/traces")),
  );
  const trace =
    root &&
    ["double_booking", "happy_path"]
      .map((n) => join(root, "examples/traces", `${n}.estrace`))
      .find(existsSync);
  if (!trace)
    throw new UsageError(
      "demo: the bundled recordings (examples/traces/*.estrace) are missing from this installation",
    );
  out(`# Replaying ${trace}\n`);
  const r = await Replay.open(trace);
  try {
    info(r, parseArgs([], optionsOf("info")!), false, 0, out);
    const label = processLabeler(r.processes());
    out(`\n# The first 25 events`);
    for (const e of r.getEvents({ limit: 25 })) out(eventLine(r, e));
    const server = r.processes().find((x) => r.stateHistory(x.id).length > 0);
    if (server) {
      out(`\n# State history of ${server.label}`);
      state(r, parseArgs([], optionsOf("state")!), [server.pid], false, out);
      const busiest = r.getMessageFlow(undefined, server.id).find((m) => m.from !== undefined);
      if (busiest?.from !== undefined) {
        out(`\n# Message flow ${label(busiest.from)} → ${server.label}`);
        flow(
          r,
          parseArgs(["--limit", "20"], optionsOf("flow")!),
          [r.process(busiest.from).pid, server.pid],
          false,
          out,
        );
      }
    }
    const crash = r.getEvents({ kinds: ["exit"], predicate: (e) => r.process(e.pid).crashed, limit: 1 })[0];
    if (crash) {
      out(`\n# First crash`);
      out(eventLine(r, crash));
      out(`  call stack just before it:`);
      const before = r.nextInProcess(crash.index, "backward");
      for (const f of before !== undefined ? r.stackAt(before) : [])
        out(
          `    ${f.mfa ? mfaLabel(f.mfa) : "?"}${f.location ? `  ${r.displayFile(f.location.file)}:${f.location.line}` : ""}`,
        );
    }
    out(
      `\nNext, the double booking by hand: node dist/cli.js events ${trace} --fun 'TicketOffice.hold/2' --kind call\n` +
        `  and the seat's story: node dist/cli.js state ${trace} TicketOffice`,
    );
  } finally {
    r.close();
  }
  return 0;
}
