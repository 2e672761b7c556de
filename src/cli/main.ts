// The `elixirscope` command: inspect a recording from a terminal (info, events, state, flow, stack),
// convert it (export to JSON Lines, import back), replay the bundled demo, and serve the debug adapter
// over stdio. Human-readable by default, `--json` for machines; bad input exits 2 with one line. Each
// command is a module of its own under commands/.

import { ReplayError, TraceLoadError } from "../core/errors";
import { escapeControls, escapeControlsKeepingLines } from "../core/escape";
import { parseArgs, UsageError } from "./args";
import { runDap } from "./commands/dap";
import { demo } from "./commands/demo";
import { importJsonl } from "./commands/import";
import { guardStdio } from "./io";
import { LSP_USAGE, lspCommand } from "./lsp";
import { type Out, optionsOf } from "./options";
import { withReplay } from "./withReplay";

const USAGE = `elixirscope — replay a recording of an Elixir program

usage:
  elixirscope demo                         replay the bundled Cinema Demo recording (summary, events, state, flow)
  elixirscope info   TRACE... [--stats]    what the recording holds: nodes, processes, functions, problems
  elixirscope events TRACE... [filters]    list events
      --pid P (repeatable)  --kind call,send,...  --fun Mod.fun/arity (wildcards *)
      --from-seq N --to-seq N  --from-time 1.5ms --to-time 2s  --limit N (default 50)  --offset N  --desc  --explain
  elixirscope state  TRACE... PID [--at SEQ | --time T] [--history]
  elixirscope flow   TRACE... [FROM [TO]] [--limit N] [--from-time T --to-time T]
      --diagram (as a sequence diagram, text) or --svg OUT.svg; --from-seq N --to-seq N --match PATTERN
  elixirscope stack  TRACE... --seq N
  elixirscope export TRACE --format jsonl [-o FILE]
  elixirscope import FILE.jsonl -o TRACE.estrace
  elixirscope dap                          run the debug adapter on stdin/stdout (for any DAP client)
${LSP_USAGE}

PID is <0.123.0>, #PID<0.123.0>, 0.123.0 or a registered name (TicketOffice).
events, state and flow take --print-limit N|infinity: elements shown per collection of a term
(Elixir's inspect :limit; the cut prints ...). Each command refuses the options of the others.
Every command takes --json for machine-readable output.`;

export async function main(
  argv: string[],
  out: Out = (s) => process.stdout.write(`${escapeControlsKeepingLines(s)}\n`),
): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (!cmd || cmd === "help" || cmd === "--help" || cmd === "-h") {
      out(USAGE);
      if (!cmd) throw new UsageError("no command given (see the usage above)");
      return 0;
    }
    if (cmd === "dap") {
      return runDap();
    }
    if (cmd === "lsp") return await lspCommand(rest);
    guardStdio();
    const spec = optionsOf(cmd);
    if (!spec) throw new UsageError(`unknown command "${cmd}" (try: elixirscope help)`);
    const p = parseArgs(rest, spec, cmd);
    switch (cmd) {
      case "demo":
        return await demo(out);
      case "import":
        return await importJsonl(p, out);
      case "info":
      case "events":
      case "state":
      case "flow":
      case "stack":
      case "export":
        return await withReplay(p, cmd, out);
      default:
        throw new UsageError(`unknown command "${cmd}" (try: elixirscope help)`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof ReplayError || e instanceof TraceLoadError) {
      process.stderr.write(`elixirscope: ${escapeControls(e.message)}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(
        `elixirscope: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
