// The adapter as the extension runs it: inline (`new ElixirScopeSession(deps)` handed to VS Code),
// in this very process, which it must never exit when the client disconnects; its replay source, file
// access and logger injected, nothing shared between two sessions, the lease released at the end.

import assert from "node:assert/strict";
import { Replay } from "../../src/core/replay";
import { ElixirScopeSession } from "../../src/debugAdapter/main";
import type { Logger } from "../../src/debugAdapter/logger";
import type {
  MomentChange,
  MomentCursor,
  ReplayLease,
  ReplaySource,
} from "../../src/debugAdapter/sessionDeps";
import { ticketTracePath } from "../helpers/fixtures";
import { InlineClient } from "./inlineClient";

/** The shared moment as the extension keeps one: every view moves it and hears every move. */
class SharedCursor implements MomentCursor {
  index = 0;
  readonly moves: MomentChange[] = [];
  private readonly listeners = new Set<(e: MomentChange) => void>();
  moveTo(index: number, reason?: string, source?: unknown): void {
    this.index = index;
    this.moves.push({ index, reason, source });
    for (const l of [...this.listeners]) l({ index, reason, source });
  }
  onDidChange(l: (e: MomentChange) => void): { dispose(): void } {
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  }
}

/** A replay source that opens each recording once and counts who holds it. */
class CountingSource implements ReplaySource {
  readonly cursor = new SharedCursor();
  acquired = 0;
  released = 0;
  private replay?: Promise<Replay>;

  async acquire(paths: string[]): Promise<ReplayLease> {
    this.replay ??= Replay.open(paths);
    const replay = await this.replay;
    this.acquired++;
    let done = false;
    return {
      replay,
      cursor: this.cursor,
      key: paths.join("\n"),
      paths,
      release: () => {
        if (done) return;
        done = true;
        if (++this.released === this.acquired) replay.close();
      },
    };
  }
}

class ListLogger implements Logger {
  readonly lines: string[] = [];
  error = (m: string): number => this.lines.push(`error ${m}`);
  warn = (m: string): number => this.lines.push(`warn ${m}`);
  info = (m: string): number => this.lines.push(`info ${m}`);
  verbose = (m: string): number => this.lines.push(`verbose ${m}`);
}

describe("debug adapter: inline in the extension host", function () {
  this.timeout(60_000);

  it("answers over handleMessage/onDidSendMessage with injected replays, files and logger", async () => {
    const replays = new CountingSource();
    const logger = new ListLogger();
    const asked: string[] = [];
    const files = {
      exists: (p: string): boolean => (asked.push(p), false),
      readFile: (): Promise<Uint8Array> => Promise.reject(new Error("no files here")),
    };
    const c = new InlineClient(new ElixirScopeSession({ replays, logger, files }));
    const stopped = await c.launch({ trace: ticketTracePath(), startAt: "seq:6", sourceRoot: "/nowhere" });
    assert.equal(stopped.body.reason, "entry");
    const ev = await c.request("evaluate", { expression: "args[0]", context: "repl" });
    assert.equal((ev.body as { result: string }).result, '{:reserve, 1, "ann"}');
    const st = await c.request("stackTrace", { threadId: stopped.body.threadId });
    assert.equal(st.success, true);
    assert.ok(asked.length > 0, "source paths are looked up through the injected file access");
    assert.ok(logger.lines.some((l) => l.startsWith("info launch ")));
    assert.ok(
      logger.lines.some((l) => l.startsWith("verbose From client: launch(")),
      "protocol traced to the session's logger",
    );
    assert.equal(replays.acquired, 1);
    const bye = await c.request("disconnect", {});
    assert.equal(bye.success, true);
    assert.equal(replays.released, 1, "the lease is released on disconnect");
    await new Promise((r) => setTimeout(r, 200));
    // Still here: an inline session does not end the process it runs in.
  });

  it("gives each session its own breakpoint ids and logger, over one shared replay", async () => {
    const replays = new CountingSource();
    const logs = [new ListLogger(), new ListLogger()];
    const clients = logs.map((logger) => new InlineClient(new ElixirScopeSession({ replays, logger })));
    for (const c of clients) await c.launch({ trace: ticketTracePath() });
    assert.equal(replays.acquired, 2);
    for (const c of clients) {
      const r = await c.request("setFunctionBreakpoints", {
        breakpoints: [{ name: "Demo.TicketOffice.handle_call/3" }],
      });
      assert.deepEqual(
        (r.body as { breakpoints: Array<{ id: number }> }).breakpoints.map((b) => b.id),
        [1],
        "ids count per session",
      );
    }
    await clients[0].request("disconnect", {});
    assert.equal(replays.released, 1);
    // The other session still reads the shared replay.
    const ev = await clients[1].request("evaluate", { expression: "seq", context: "repl" });
    assert.equal(ev.success, true);
    await clients[1].request("disconnect", {});
    assert.equal(replays.released, 2);
    assert.ok(logs.every((l) => l.lines.filter((x) => x.startsWith("info launch ")).length === 1));
  });

  it("moves the shared cursor on every stop, and follows it when another view moves it", async () => {
    const replays = new CountingSource();
    const [a, b] = [0, 1].map(() => new InlineClient(new ElixirScopeSession({ replays })));
    await a.launch({ trace: ticketTracePath(), startAt: "seq:6" });
    await b.launch({ trace: ticketTracePath(), startAt: "seq:6" });
    const moving = a.sent.length;
    const following = b.sent.length;
    await a.request("next", { threadId: 2 });
    await a.event("stopped", moving);
    const at = replays.cursor.index;
    assert.equal(replays.cursor.moves.at(-1)?.source !== undefined, true);
    // b hears the move and stops there too, telling its client why.
    const followed = (await b.event("stopped", following)) as { body: { reason: string } };
    assert.equal(followed.body.reason, "goto");
    const pos = await b.request("elixirscope/position");
    assert.equal((pos.body as { index: number }).index, at);
    const moment = await b.event("elixirscope/moment", following);
    assert.equal((moment.body as { index: number }).index, at);
    // A view that is not a session moves it (a diagram click): both follow.
    const [fromA, fromB] = [a.sent.length, b.sent.length];
    replays.cursor.moveTo(3, "external", "diagram");
    await a.event("stopped", fromA);
    await b.event("stopped", fromB);
    assert.equal(((await a.request("elixirscope/position")).body as { index: number }).index, 3);
    assert.equal(((await b.request("elixirscope/position")).body as { index: number }).index, 3);
    for (const c of [a, b]) await c.request("disconnect", {});
    const [sentA, sentB] = [a.sent.length, b.sent.length];
    replays.cursor.moveTo(4, "external", "diagram");
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual([a.sent.length, b.sent.length], [sentA, sentB], "ended sessions no longer follow");
  });
});
