// The `elixirscope` command: inspect a recording from a terminal (info, events, state, flow, stack),
// convert it (export to JSON Lines, import back), replay the bundled demo, and serve the debug adapter
// over stdio. Human-readable by default, `--json` for machines; bad input exits 2 with one line. Each
// command is a module of its own under commands/, imported when it runs: bundled, each is a file of
// its own (dist/cli-*.js, see esbuild.mjs), so that `info` does not load the language server's code.

import { escapeControlsKeepingLines } from "../core/escape";
import { parseArgs, UsageError } from "./args";
import { reporting } from "./failure";
import { exitWhenDone, ownStdio, writeStdout } from "./io";
import { type Out, optionsOf } from "./options";

const USAGE = `elixirscope — replay a recording of an Elixir program

usage:
  elixirscope demo                         replay the bundled Cinema Demo recording (summary, events, state, flow)
  elixirscope info   TRACE... [--stats]    what the recording holds: nodes, processes, functions, problems
  elixirscope events TRACE... [filters]    list events
      --pid P (repeatable)  --kind call,send,...  --fun Mod.fun/arity (wildcards *)
      --from-seq N --to-seq N  --from-time 1.5ms --to-time 2s  --limit N (default 50)  --offset N  --desc  --explain
  elixirscope state  TRACE... PID [--at SEQ | --time T] [--history] [--raw: structs with every field]
  elixirscope flow   TRACE... [FROM [TO]] [--limit N] [--from-time T --to-time T]
      --diagram (as a sequence diagram, text) or --svg OUT.svg; --from-seq N --to-seq N --match PATTERN
  elixirscope stack  TRACE... --seq N
  elixirscope export TRACE --format jsonl [-o FILE]
  elixirscope import FILE.jsonl -o TRACE.estrace
  elixirscope dap                          run the debug adapter on stdin/stdout (for any DAP client)
  elixirscope lsp --trace FILE... [--source-root DIR]   language server on stdio (hovers from the recording)

PID is <0.123.0>, #PID<0.123.0>, 0.123.0 or a registered name (TicketOffice).
events, state and flow take --print-limit N|infinity: elements shown per collection of a term
(Elixir's inspect :limit; the cut prints ...). Each command refuses the options of the others.
Every command takes --json for machine-readable output.`;

export async function main(
  argv: string[],
  out: Out = (s) => writeStdout(`${escapeControlsKeepingLines(s)}\n`),
): Promise<number> {
  const [cmd, ...rest] = argv;
  return reporting(async () => {
    if (!cmd || cmd === "help" || cmd === "--help" || cmd === "-h") {
      out(USAGE);
      if (!cmd) throw new UsageError("no command given (see the usage above)");
      return 0;
    }
    // Each part reports its own errors (see failure.ts).
    if (cmd === "dap") return (await import("./commands/dap")).runDap();
    if (cmd === "lsp") {
      const part = await import("./lsp");
      return part.reporting(() => part.lspCommand(rest));
    }
    const spec = optionsOf(cmd);
    if (!spec) throw new UsageError(`unknown command "${cmd}" (try: elixirscope help)`);
    const p = parseArgs(rest, spec, cmd);
    switch (cmd) {
      case "demo": {
        const part = await import("./commands/demo");
        return part.reporting(() => part.demo(out));
      }
      case "import": {
        const part = await import("./commands/import");
        return part.reporting(() => part.importJsonl(p, out));
      }
      case "info":
      case "events":
      case "state":
      case "flow":
      case "stack":
      case "export": {
        const part = await import("./withReplay");
        return part.reporting(() => part.withReplay(p, cmd, out));
      }
      default:
        throw new UsageError(`unknown command "${cmd}" (try: elixirscope help)`);
    }
  });
}

/** Runs the CLI as the process itself (`node dist/cli.js`, bin/elixirscope.js): it owns fds 1 and 2. */
export function runCli(argv: string[]): void {
  ownStdio();
  main(argv).then(
    (code) => {
      // A negative code: the command serves on (dap, lsp) and the process ends with its session.
      if (code >= 0) return exitWhenDone(code);
    },
    (e: unknown) => {
      process.stderr.write(
        `elixirscope: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
