// `elixirscope dap`: the debug adapter on stdin/stdout for any DAP client. It keeps the process
// running, so the command answers no exit code (-1).

import { runStdio } from "../../debugAdapter/main";

export function runDap(): number {
  runStdio();
  return -1;
}
