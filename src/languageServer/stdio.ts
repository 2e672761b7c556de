// The language server on stdin/stdout for editors other than VS Code (`elixirscope lsp`): loads the
// traces once, maps paths as the debugger does (`--source-root`), and keeps its own moment.

import { createConnection } from "vscode-languageserver/node";
import type { Replay } from "../core/replay";
import { Replay as ReplayClass } from "../core/replay";
import { PathMapper } from "../debugAdapter/paths";
import { LocalCursor } from "./cursor";
import { startServer } from "./server";

export interface StdioOptions {
  traces: string[];
  sourceRoot?: string;
}

/** Starts the server; resolves once the traces are loaded (requests before that answer nothing). */
export async function runLanguageServerStdio(opts: StdioOptions): Promise<void> {
  const connection = createConnection(process.stdin, process.stdout);
  let replay: Replay | undefined;
  let paths = new PathMapper([], opts.sourceRoot);
  const traceListeners = new Set<() => void>();
  startServer(connection, {
    replay: () => replay,
    toRecorded: (local) => paths.toRecorded(local),
    toLocal: (rec) => paths.toLocal(rec),
    cursor: new LocalCursor(),
    onDidChangeTrace: (l) => {
      traceListeners.add(l);
      return { dispose: () => traceListeners.delete(l) };
    },
  });
  connection.listen();
  try {
    const r = await ReplayClass.open(opts.traces);
    const sources = [...new Set([...r.modules().map((m) => m.source), ...r.sourceFiles()])];
    paths = new PathMapper([], opts.sourceRoot, sources);
    replay = r;
    for (const l of traceListeners) l();
    connection.console.info(`elixirscope: loaded ${r.eventCount} events from ${opts.traces.join(", ")}`);
  } catch (e) {
    // The editor shows this; the server stays up (answering nothing) rather than dying mid-session.
    connection.window.showErrorMessage(`elixirscope: ${e instanceof Error ? e.message : String(e)}`);
  }
}
