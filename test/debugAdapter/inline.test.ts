// The adapter as the extension runs it: inline (`new ElixirScopeSession(deps)` handed to VS Code),
// in this very process, which it must never exit when the client disconnects; its replay source, file
// access and logger injected, nothing shared between two sessions, the lease released at the end.

import assert from "node:assert/strict";
import { Replay } from "../../src/core/replay";
import { ReplayCache, type ReplayLease } from "../../src/core/replayCache";
import type { OpenOptions } from "../../src/core/types";
import { ElixirScopeSession } from "../../src/debugAdapter/main";
import { type Logger, SessionLogger } from "../../src/debugAdapter/logger";
import type { ReplaySource } from "../../src/debugAdapter/sessionDeps";
import { ticketTracePath } from "../helpers/fixtures";
import { InlineClient } from "./inlineClient";

/** The extension's shared cache, counting loads, leases and releases. */
class CountingSource implements ReplaySource {
  readonly cache = new ReplayCache({
    open: (paths, o) => {
      this.loads++;
      return Replay.open(paths, o);
    },
  });
  loads = 0;
  acquired = 0;
  released = 0;
  private last?: ReplayLease;

  get cursor(): ReplayLease["cursor"] {
    return this.last!.cursor;
  }

  async acquire(paths: string[], opts?: OpenOptions): Promise<ReplayLease> {
    const lease = await this.cache.acquire(paths, opts);
    this.acquired++;
    this.last = lease;
    return {
      ...lease,
      replay: lease.replay,
      cursor: lease.cursor,
      release: () => {
        this.released++;
        lease.release();
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
  this.timeout(180_000);

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
    c.assertConforms();
  });

  it("turns the protocol traffic into text only for a logger that traces it", async () => {
    // The default logger at the default level traces nothing: no message is JSON-encoded for it.
    const quiet = new SessionLogger(() => undefined, undefined);
    assert.equal(quiet.tracing(), false);
    quiet.setLevel("verbose");
    assert.equal(quiet.tracing(), true);
    assert.equal(new SessionLogger(() => undefined, "/tmp/dap.log").tracing(), true, "a log file takes all");
    const logger = new ListLogger();
    const silent = Object.assign(logger, { tracing: () => false });
    const c = new InlineClient(new ElixirScopeSession({ replays: new CountingSource(), logger: silent }));
    const stopped = await c.launch({ trace: ticketTracePath(), startAt: "seq:6" });
    const st = await c.request("stackTrace", { threadId: stopped.body.threadId });
    assert.equal(st.success, true);
    assert.ok(logger.lines.some((l) => l.startsWith("info launch ")));
    assert.deepEqual(
      logger.lines.filter((l) => /^verbose (From|To) client/.test(l)),
      [],
      "no traffic traced",
    );
    await c.request("disconnect", {});
    c.assertConforms();
  });

  it("gives each session its own breakpoint ids and logger, over one shared replay", async () => {
    const replays = new CountingSource();
    const logs = [new ListLogger(), new ListLogger()];
    const clients = logs.map((logger) => new InlineClient(new ElixirScopeSession({ replays, logger })));
    const trace = ticketTracePath();
    for (const c of clients) await c.launch({ trace });
    assert.equal(replays.acquired, 2);
    assert.equal(replays.loads, 1, "one load for both sessions");
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
    assert.equal(replays.cache.size, 0, "the last release closes the replay");
    assert.ok(logs.every((l) => l.lines.filter((x) => x.startsWith("info launch ")).length === 1));
    for (const c of clients) c.assertConforms();
  });

  it("moves the shared cursor on every stop, and follows it when another view moves it", async () => {
    const replays = new CountingSource();
    const [a, b] = [0, 1].map(() => new InlineClient(new ElixirScopeSession({ replays })));
    const trace = ticketTracePath();
    await a.launch({ trace, startAt: "seq:6" });
    await b.launch({ trace, startAt: "seq:6" });
    const moving = a.sent.length;
    const following = b.sent.length;
    await a.request("next", { threadId: 2 });
    await a.event("stopped", moving);
    const at = replays.cursor.index;
    assert.ok(at > 5, "the step moved the shared cursor");
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
    await a.request("disconnect", {});
    const [sentA, fromB2] = [a.sent.length, b.sent.length];
    replays.cursor.moveTo(4, "external", "diagram");
    await b.event("stopped", fromB2);
    assert.equal(a.sent.length, sentA, "an ended session no longer follows");
    await b.request("disconnect", {});
    assert.equal(replays.cache.size, 0);
    a.assertConforms();
    b.assertConforms();
  });
});
