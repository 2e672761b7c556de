// The in-process server (as the VS Code extension runs it): in-memory transports, a host that owns
// the replay and the cursor. Moving the host's cursor must reach the client as refreshes, and an
// `exit` must not end the process it runs in.

import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createMessageConnection } from "vscode-languageserver-protocol/node";
import { PathMapper } from "../../src/debugAdapter/paths";
import { Replay } from "../../src/core/replay";
import { ReplayCursor } from "../../src/core/cursor";
import { followCursor } from "../../src/languageServer/cursor";
import { startInProcessServer } from "../../src/languageServer/inProcess";
import { CINEMA, TRACES } from "./lspClient";

describe("language server in process", function () {
  it("answers over in-memory transports with the host's replay, follows its cursor, survives exit", async () => {
    const r = await Replay.open(join(TRACES, "double_booking.estrace"));
    const sources = [...new Set([...r.modules().map((m) => m.source), ...r.sourceFiles()])];
    const paths = new PathMapper([], CINEMA, sources);
    const cursor = new ReplayCursor(r);
    const server = startInProcessServer({
      replay: () => r,
      toLocal: (p) => paths.toLocal(p),
      cursor: () => followCursor(cursor),
    });
    const conn = createMessageConnection(server.reader, server.writer);
    const refreshes: string[] = [];
    conn.onRequest("workspace/codeLens/refresh", () => void refreshes.push("codeLens"));
    conn.onRequest("workspace/inlayHint/refresh", () => void refreshes.push("inlayHint"));
    conn.listen();
    try {
      const init = (await conn.sendRequest("initialize", {
        processId: process.pid,
        rootUri: null,
        capabilities: {
          workspace: { codeLens: { refreshSupport: true }, inlayHint: { refreshSupport: true } },
        },
        initializationOptions: { clientCommands: true },
      })) as { capabilities: { hoverProvider: boolean } };
      assert.equal(init.capabilities.hoverProvider, true);
      await conn.sendNotification("initialized", {});
      const file = join(CINEMA, "lib/cinema_demo/ticket_office.ex");
      const uri = pathToFileURL(file).toString();
      await conn.sendNotification("textDocument/didOpen", {
        textDocument: { uri, languageId: "elixir", version: 1, text: readFileSync(file, "utf8") },
      });
      const line = readFileSync(file, "utf8")
        .split("\n")
        .findIndex((l) => l.includes("def hold("));
      const hover = (await conn.sendRequest("textDocument/hover", {
        textDocument: { uri },
        position: { line, character: 7 },
      })) as { contents: { value: string } };
      const calls = r
        .getEvents({ kinds: ["call"] })
        .filter((e) => e.mfa?.fun === "hold" && e.mfa.arity === 2);
      assert.match(hover.contents.value, new RegExp(`hold/2\\*\\* — ${calls.length} calls`));
      // VS Code links: the client's own goto command, with the position as its argument.
      const last = r.positionOf(calls[calls.length - 1].index);
      assert.ok(
        hover.contents.value.includes(
          `(command:elixirscope.goto?${encodeURIComponent(JSON.stringify([last]))}`,
        ),
      );
      const lenses = (await conn.sendRequest("textDocument/codeLens", { textDocument: { uri } })) as Array<{
        command: { command: string };
      }>;
      assert.ok(lenses.length > 0 && lenses.every((l) => l.command.command === "elixirscope.showCalls"));

      // The debugger moves the shared cursor; the server hears it.
      cursor.moveTo(calls[0].index, "step", "debug");
      const t0 = Date.now();
      while (refreshes.length < 2 && Date.now() - t0 < 5000) await new Promise((x) => setTimeout(x, 10));
      assert.deepEqual(refreshes.sort(), ["codeLens", "inlayHint"]);
      const moment = (await conn.sendRequest("elixirscope/moment")) as { index: number };
      assert.equal(moment.index, calls[0].index);

      await conn.sendRequest("shutdown");
      await conn.sendNotification("exit");
      await new Promise((x) => setTimeout(x, 50));
      // Still here: the exit ended the server's connection, not this process.
      assert.ok(process.uptime() > 0);
    } finally {
      conn.dispose();
      server.dispose();
      cursor.dispose();
      r.close();
    }
  });
});
