// Runs a mix command in an Elixir project the tests record (the demos, the recorder), as a user would
// from a shell: output kept for the error a failure throws, and a bound so a wedged BEAM fails the test.

import { execFileSync } from "node:child_process";

/** `mix ARGS` in `cwd`; throws (with mix's output) when it fails or runs past three minutes. */
export function mix(cwd: string, args: string[]): void {
  execFileSync("mix", args, { cwd, stdio: ["ignore", "pipe", "pipe"], timeout: 180_000 });
}
