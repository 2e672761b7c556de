// `elixirscope lsp --trace FILE... [--source-root DIR]`: the language server (hovers, CodeLens, inlay
// hints from a recording) on stdio, for Neovim, Helix, Emacs, Zed and any other LSP client.

import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { runLanguageServerStdio } from "../languageServer/stdio";
import { many, one, parseArgs, UsageError } from "./args";

/** Main runs this part's command through this part's copy of the error classes (failure.ts). */
export { reporting } from "./failure";

export async function lspCommand(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { flags: [], values: ["trace", "source-root"] });
  const traces = [...many(p, "trace"), ...p.positional].map((t) => resolve(t));
  if (traces.length === 0)
    throw new UsageError("lsp: no trace given (usage: elixirscope lsp --trace FILE... [--source-root DIR])");
  for (const t of traces) if (!existsSync(t)) throw new UsageError(`lsp: trace ${t} does not exist`);
  const root = one(p, "source-root");
  if (root !== undefined && !(existsSync(root) && statSync(root).isDirectory()))
    throw new UsageError(`lsp: --source-root ${root} is not a directory`);
  await runLanguageServerStdio({ traces, sourceRoot: root === undefined ? undefined : resolve(root) });
  return -1;
}
