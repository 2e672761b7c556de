// The language server on stdin/stdout for editors other than VS Code (`elixirscope lsp`): leases the
// traces from a replay cache (one load, one shared cursor), maps paths as the debugger does
// (`--source-root`), and moves the cursor on `elixirscope/setMoment` and the goto command.

import { createConnection } from "vscode-languageserver/node";
import type { ReplayLease } from "../core/replayCache";
import { ReplayCache } from "../core/replayCache";
import { PathMapper, projectRoots } from "../core/inspect/paths";
import { followCursor, type MomentCursor } from "./cursor";
import { startServer } from "./server";

export interface StdioOptions {
  traces: string[];
  sourceRoot?: string;
}

/** Starts the server; resolves once the traces are loaded (requests before that answer nothing). */
export async function runLanguageServerStdio(opts: StdioOptions): Promise<void> {
  const connection = createConnection(process.stdin, process.stdout);
  let lease: ReplayLease | undefined;
  let cursor: MomentCursor | undefined;
  let paths = new PathMapper([], opts.sourceRoot);
  const traceListeners = new Set<() => void>();
  startServer(connection, {
    replay: () => lease?.replay,
    cursor: () => cursor,
    toLocal: (rec) => paths.toLocal(rec),
    onDidChangeTrace: (l) => {
      traceListeners.add(l);
      return { dispose: () => traceListeners.delete(l) };
    },
  });
  connection.listen();
  try {
    const l = await new ReplayCache().acquire(opts.traces);
    const r = l.replay;
    const sources = [...new Set([...r.modules().map((m) => m.source), ...r.sourceFiles()])];
    paths = new PathMapper([], opts.sourceRoot, sources, undefined, projectRoots(r.files));
    lease = l;
    cursor = followCursor(l.cursor);
    for (const listener of traceListeners) listener();
    connection.console.info(`elixirscope: loaded ${r.eventCount} events from ${opts.traces.join(", ")}`);
  } catch (e) {
    // The editor shows this; the server stays up (answering nothing) rather than dying mid-session.
    connection.window.showErrorMessage(`elixirscope: ${e instanceof Error ? e.message : String(e)}`);
  }
}
