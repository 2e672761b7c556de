// Drives a debug session inline, as the extension host does: requests in through `handleMessage`,
// responses and events out through `onDidSendMessage`, in this very process.

import type { DebugProtocol } from "@vscode/debugprotocol";
import type { ElixirScopeSession } from "../../src/debugAdapter/main";
import { violations } from "./dapSchema";

export class InlineClient {
  readonly sent: DebugProtocol.ProtocolMessage[] = [];
  /** Schema violations of what the session sent (see dapSchema.ts): must stay empty. */
  readonly violations: string[] = [];
  private readonly waiters: Array<() => void> = [];
  private seq = 1;

  constructor(readonly session: ElixirScopeSession) {
    session.onDidSendMessage((m) => {
      this.sent.push(m as DebugProtocol.ProtocolMessage);
      // Through JSON, as over the wire: undefined fields vanish, as a client would see them.
      this.violations.push(...violations(JSON.parse(JSON.stringify(m))));
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** The first message since `from` (an index into `sent`) that passes `test`, waiting for it. */
  async until(
    test: (m: DebugProtocol.ProtocolMessage) => boolean,
    from = 0,
  ): Promise<DebugProtocol.ProtocolMessage> {
    for (;;) {
      const hit = this.sent.slice(from).find(test);
      if (hit) return hit;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  async request(command: string, args?: unknown): Promise<DebugProtocol.Response> {
    const s = this.seq++;
    this.session.handleMessage({
      seq: s,
      type: "request",
      command,
      arguments: args,
    } as DebugProtocol.Request);
    return (await this.until(
      (m) => m.type === "response" && (m as DebugProtocol.Response).request_seq === s,
    )) as DebugProtocol.Response;
  }

  event(name: string, from = 0): Promise<DebugProtocol.Event> {
    return this.until(
      (m) => m.type === "event" && (m as DebugProtocol.Event).event === name,
      from,
    ) as Promise<DebugProtocol.Event>;
  }

  assertConforms(): void {
    if (this.violations.length)
      throw new Error(`DAP schema violations:\n${[...new Set(this.violations)].slice(0, 10).join("\n")}`);
  }

  /** initialize, launch, configurationDone, and the first stop. */
  async launch(args: Record<string, unknown>): Promise<DebugProtocol.StoppedEvent> {
    await this.request("initialize", {
      adapterID: "elixirscope",
      pathFormat: "path",
      linesStartAt1: true,
      columnsStartAt1: true,
    });
    const launched = await this.request("launch", args);
    if (!launched.success) throw new Error(`launch failed: ${launched.message}`);
    await this.event("initialized");
    await this.request("configurationDone");
    return (await this.event("stopped")) as DebugProtocol.StoppedEvent;
  }
}
