// Runs a mix command in an Elixir project the tests record (the demos, the recorder), as a user would
// from a shell: output kept for the error a failure throws, and a bound so a wedged BEAM fails the test.

import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** `mix ARGS` in `cwd`; throws (with mix's output) when it fails or runs past three minutes. */
export function mix(cwd: string, args: string[]): void {
  execFileSync("mix", args, { cwd, stdio: ["ignore", "pipe", "pipe"], timeout: 180_000 });
}

/** Records `elixir -e CODE` in the Cinema Demo's project (its application not started) into a fresh
 *  temporary folder, as `mix elixir_scope.record --no-start -e CODE` does for a user; returns the trace. */
export function recordSnippet(name: string, code: string): string {
  const out = join(mkdtempSync(join(tmpdir(), `elixirscope-${name}-`)), `${name}.estrace`);
  mix(join(__dirname, "../../examples/cinema_demo"), [
    "elixir_scope.record",
    "--out",
    out,
    "--no-start",
    "-e",
    code,
  ]);
  return out;
}
