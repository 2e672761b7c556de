// The adapter as the extension runs it: inline (`new ElixirScopeSession()` handed to VS Code), messages
// in through `handleMessage` and out through `onDidSendMessage`, in this very process, which it must
// never exit when the client disconnects.

import assert from "node:assert/strict";
import { logger } from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { ElixirScopeSession } from "../../src/debugAdapter/main";
import { ticketTracePath } from "../helpers/fixtures";

describe("debug adapter: inline in the extension host", function () {
  this.timeout(60_000);

  it("answers over handleMessage/onDidSendMessage and sets up its logger", async () => {
    const session = new ElixirScopeSession();
    const sent: DebugProtocol.ProtocolMessage[] = [];
    const waiters: Array<() => void> = [];
    session.onDidSendMessage((m) => {
      sent.push(m as DebugProtocol.ProtocolMessage);
      for (const w of waiters.splice(0)) w();
    });
    let seq = 1;
    const until = async (
      test: (m: DebugProtocol.ProtocolMessage) => boolean,
    ): Promise<DebugProtocol.ProtocolMessage> => {
      for (;;) {
        const hit = sent.find(test);
        if (hit) return hit;
        await new Promise<void>((r) => waiters.push(r));
      }
    };
    const request = async (command: string, args?: unknown): Promise<DebugProtocol.Response> => {
      const s = seq++;
      session.handleMessage({ seq: s, type: "request", command, arguments: args } as DebugProtocol.Request);
      return (await until(
        (m) => m.type === "response" && (m as DebugProtocol.Response).request_seq === s,
      )) as DebugProtocol.Response;
    };
    const init = await request("initialize", {
      adapterID: "elixirscope",
      pathFormat: "path",
      linesStartAt1: true,
      columnsStartAt1: true,
    });
    assert.equal((init.body as DebugProtocol.Capabilities).supportsStepBack, true);
    const launched = await request("launch", { trace: ticketTracePath(), startAt: "seq:6" });
    assert.equal(launched.success, true);
    await until((m) => m.type === "event" && (m as DebugProtocol.Event).event === "initialized");
    await request("configurationDone");
    const stopped = (await until(
      (m) => m.type === "event" && (m as DebugProtocol.Event).event === "stopped",
    )) as DebugProtocol.StoppedEvent;
    assert.equal(stopped.body.reason, "entry");
    const ev = await request("evaluate", { expression: "args[0]", context: "repl" });
    assert.equal((ev.body as { result: string }).result, '{:reserve, 1, "ann"}');
    // The library's logger queues messages until it is set up: set up here, it holds none.
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((logger as unknown as { _pendingLogQ: unknown })._pendingLogQ, null);
    const bye = await request("disconnect", {});
    assert.equal(bye.success, true);
    await new Promise((r) => setTimeout(r, 200));
    // Still here: an inline session does not end the process it runs in.
  });
});
