// How a command fails: its own errors (bad usage, a trace that cannot be read, a question the replay
// cannot answer) exit 2 with one line on stderr; anything else is a bug and goes on up. The bundled
// CLI's parts (dist/cli-*.js) each hold their own copy of these error classes, so each part exports
// this wrapper and main runs the part's command through the part's own copy.

import { ReplayError, TraceLoadError } from "../core/errors";
import { escapeControls } from "../core/escape";
import { UsageError } from "./args";
import { writeStderr } from "./io";

export async function reporting(run: () => Promise<number> | number): Promise<number> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof UsageError || e instanceof ReplayError || e instanceof TraceLoadError) {
      writeStderr(`elixirscope: ${escapeControls(e.message)}\n`);
      return 2;
    }
    throw e;
  }
}
