// Runs the debug adapter over stdin/stdout, for any DAP client (`elixirscope dap`, nvim-dap, Emacs
// dap-mode, Helix) and for the tests, which drive it over the real protocol.

import { ElixirScopeSession } from "./session";

export function runStdio(): void {
  const session = new ElixirScopeSession();
  process.on("SIGTERM", () => session.shutdown());
  session.start(process.stdin, process.stdout);
}

export { ElixirScopeSession };
