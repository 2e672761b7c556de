// Language server speed over the real protocol: `elixirscope lsp` runs as a child process on stdio on
// the synthetic trace, with Elixir documents synthesised for its recorded sources (bench/gen.ts's
// module table: def heads at the recorded lines, a pattern in the first handle_call clause so the
// clause counts have to decode arguments). Figures are request round trips.

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver-protocol/node";
import { p50p99, percentile } from "./stats";

interface Doc {
  path: string;
  text: string;
  /** 0-based lines of the function heads to hover over. */
  heads: Array<{ line: number; character: number }>;
}

/** Elixir source with `def`s at the lines the generator's module table records. */
function synthesise(root: string, servers: number): Doc[] {
  const docs: Doc[] = [];
  const make = (rel: string, module: string, defs: Array<{ line: number; head: string }>): void => {
    const last = Math.max(...defs.map((d) => d.line)) + 4;
    const lines = Array.from({ length: last }, () => "");
    lines[0] = `defmodule ${module} do`;
    for (const d of defs) {
      lines[d.line - 1] = `  ${d.head} do`;
      lines[d.line] = "    :ok";
      lines[d.line + 1] = "  end";
    }
    lines[last - 1] = "end";
    const path = join(root, rel);
    const text = `${lines.join("\n")}\n`;
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, text);
    const heads = defs
      .filter((d) => /^def [a-z_]+\(/.test(d.head))
      .map((d) => ({ line: d.line - 1, character: 2 + "def ".length + 1 }));
    docs.push({ path, text, heads });
  };
  for (let i = 0; i < servers; i++)
    make(`bench/lib/server${i}.ex`, `Bench.Server${i}`, [
      { line: 10, head: "def init(args)" },
      { line: 20, head: "def handle_call({:put, key, value}, from, state)" },
      { line: 30, head: "def handle_call(request, from, state)" },
      { line: 40, head: "def handle_cast(request, state)" },
    ]);
  const helpers = ["parse", "validate", "transform", "score", "lookup", "format", "merge", "split"];
  make(
    "bench/lib/util.ex",
    "Bench.Util",
    helpers.map((h, k) => ({ line: 10 + k * 10, head: `def ${h}(value, payload)` })),
  );
  make("bench/lib/worker.ex", "Bench.Worker", [
    { line: 5, head: "def run(n)" },
    { line: 20, head: "def request(server, n)" },
  ]);
  return docs;
}

export async function benchLsp(tracePath: string, samples = 300, seed = 1): Promise<Record<string, number>> {
  const root = join(__dirname, "..");
  const bundled = join(root, "dist", "cli.js");
  const args = existsSync(bundled) ? [bundled] : ["--import", "tsx", join(root, "src", "cli", "entry.ts")];
  const docsRoot = mkdtempSync(join(tmpdir(), "elixirscope-lsp-bench-"));
  const docs = synthesise(docsRoot, 20);
  const child = spawn(process.execPath, [...args, "lsp", "--trace", tracePath, "--source-root", docsRoot], {
    stdio: ["pipe", "pipe", "inherit"],
    cwd: root,
  });
  const conn = createMessageConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  const loaded = new Promise<void>((resolve) =>
    conn.onNotification("window/logMessage", (p: { message: string }) => {
      if (/loaded/.test(p.message)) resolve();
    }),
  );
  conn.listen();
  try {
    await conn.sendRequest("initialize", { processId: process.pid, rootUri: null, capabilities: {} });
    await conn.sendNotification("initialized", {});
    await loaded;
    const uris = docs.map((d) => pathToFileURL(d.path).toString());
    for (let k = 0; k < docs.length; k++)
      await conn.sendNotification("textDocument/didOpen", {
        textDocument: { uri: uris[k], languageId: "elixir", version: 1, text: docs[k].text },
      });

    // CodeLens of every file, each its first request; the figure is the busiest file's (most calls).
    let busiest = { calls: -1, ms: 0 };
    for (const uri of uris) {
      const t = performance.now();
      const lenses = (await conn.sendRequest("textDocument/codeLens", { textDocument: { uri } })) as Array<{
        command: { title: string };
      }>;
      const ms = performance.now() - t;
      const calls = lenses.reduce((s, l) => s + Number(/(\d+) calls?/.exec(l.command.title)?.[1] ?? 0), 0);
      if (calls > busiest.calls) busiest = { calls, ms };
    }
    if (busiest.calls <= 0) throw new Error("the language server showed no lenses on the bench trace");

    // Hovers over random recorded function heads (cold per function the first time it comes up).
    let s = seed >>> 0;
    const rand = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
    const targets = docs.flatMap((d, k) => d.heads.map((h) => ({ uri: uris[k], ...h })));
    const times: number[] = [];
    let empty = 0;
    for (let i = 0; i < samples; i++) {
      const t0 = targets[Math.floor(rand() * targets.length)];
      const t = performance.now();
      const h = await conn.sendRequest("textDocument/hover", {
        textDocument: { uri: t0.uri },
        position: { line: t0.line, character: t0.character },
      });
      times.push(performance.now() - t);
      if (!h) empty++;
    }
    if (empty === samples) throw new Error("the language server answered no hover on the bench trace");
    const r = (x: number): number => Number(x.toFixed(3));
    return {
      ...p50p99("lsp_hover", times, 3),
      lsp_hover_max_ms: r(percentile(times, 100)),
      lsp_codelens_ms: r(busiest.ms),
    };
  } finally {
    await conn.sendRequest("shutdown").catch(() => undefined);
    await conn.sendNotification("exit").catch(() => undefined);
    conn.dispose();
    child.kill();
    rmSync(docsRoot, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith("lsp.ts")) {
  const trace = process.argv[2] ?? "bench/synthetic-1000000-1.estrace";
  benchLsp(trace).then(
    (f) => console.log(JSON.stringify(f)),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
