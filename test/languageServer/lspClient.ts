// Drives the language server over the real protocol: spawns `elixirscope lsp` (the CLI entry, through
// tsx) on stdio and speaks LSP to it with the protocol library's client side.

import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from "vscode-languageserver-protocol/node";
import {
  CodeLensRefreshRequest,
  InitializeRequest,
  InlayHintRefreshRequest,
  ShowMessageRequest,
  type ClientCapabilities,
  type MessageActionItem,
  type ShowMessageRequestParams,
} from "vscode-languageserver-protocol";

const CLI = join(__dirname, "../../src/cli/entry.ts");
export const TRACES = join(__dirname, "../../examples/traces");
export const CINEMA = join(__dirname, "../../examples/cinema_demo");

export class LspClient {
  readonly conn: MessageConnection;
  readonly child: ChildProcess;
  readonly notifications: Array<{ method: string; params: unknown }> = [];
  readonly refreshes: string[] = [];
  readonly prompts: ShowMessageRequestParams[] = [];
  /** Which action the next `window/showMessageRequest` answers with. */
  pick: (p: ShowMessageRequestParams) => MessageActionItem | null = () => null;
  stderr = "";

  constructor(args: string[]) {
    this.child = spawn(process.execPath, ["--import", "tsx", CLI, "lsp", ...args], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.conn = createMessageConnection(
      new StreamMessageReader(this.child.stdout!),
      new StreamMessageWriter(this.child.stdin!),
    );
    this.conn.onNotification((method: string, params: unknown) =>
      this.notifications.push({ method, params }),
    );
    this.conn.onRequest(CodeLensRefreshRequest.type, () => void this.refreshes.push("codeLens"));
    this.conn.onRequest(InlayHintRefreshRequest.type, () => void this.refreshes.push("inlayHint"));
    this.conn.onRequest(ShowMessageRequest.type, (p) => {
      this.prompts.push(p);
      return this.pick(p);
    });
    this.conn.listen();
  }

  async initialize(initializationOptions: unknown = {}, root = CINEMA): Promise<unknown> {
    const capabilities: ClientCapabilities = {
      workspace: { codeLens: { refreshSupport: true }, inlayHint: { refreshSupport: true } },
      window: { showMessage: {} },
      textDocument: { hover: { contentFormat: ["markdown"] } },
    };
    const r = await this.conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(root).toString(),
      capabilities,
      initializationOptions,
    });
    await this.conn.sendNotification("initialized", {});
    return r;
  }

  /** Opens a file (its text from disk unless given) and returns its uri. */
  async open(path: string, text = readFileSync(path, "utf8")): Promise<string> {
    const uri = pathToFileURL(path).toString();
    await this.conn.sendNotification("textDocument/didOpen", {
      textDocument: { uri, languageId: "elixir", version: 1, text },
    });
    return uri;
  }

  /** Waits for a notification satisfying `test` (already received or to come). */
  async waitFor(method: string, test: (p: unknown) => boolean = () => true, ms = 20_000): Promise<unknown> {
    const t0 = Date.now();
    for (;;) {
      const hit = this.notifications.find((n) => n.method === method && test(n.params));
      if (hit) return hit.params;
      if (Date.now() - t0 > ms) throw new Error(`no ${method} within ${ms} ms; stderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    try {
      await this.conn.sendRequest("shutdown");
      await this.conn.sendNotification("exit");
    } catch {
      // already gone
    }
    this.conn.dispose();
    this.child.kill();
  }
}
