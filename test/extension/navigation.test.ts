// Moving through a replay with what the extension adds: the status bar, Go to Event (by argument and
// through its quick pick), previous/next state change, reverse step into/out, Last Change, the timeline
// view, and Copy/Open Position links (into the running replay and into a new one).

import assert from "node:assert/strict";
import * as vscode from "vscode";
import type { ElixirScopeApi } from "../../src/extension/api";
import { api, eventually, moveBy, pageTexts, screenshot, startReplay, stopAll, until } from "./helpers";

describe("navigation: status bar, Go to Event, state changes, timeline, positions", () => {
  let x: ElixirScopeApi;
  let session: vscode.DebugSession;
  const goto = (args: object) => moveBy(() => session.customRequest("elixirscope/goto", args));
  const replay = () => x.services.current()!.replay;

  before(async () => {
    x = await api();
    session = await startReplay({ trace: "traces/double_booking.estrace", startAt: "seq:93" });
  });
  after(() => stopAll());

  it("shows the moment in the status bar", async () => {
    assert.match(x.statusText() ?? "", /seq 93 · \+\d+\.\d ms · 94\/686$/);
    await eventually("the status bar item on the page", async () =>
      (await pageTexts(".statusbar-item")).find((s) => /seq 93 · \+\d+\.\d ms · 94\/686/.test(s)),
    );
  });

  it("goes to an event by seq or kind given to Go to Event", async () => {
    const m = await moveBy(() => vscode.commands.executeCommand("elixirscope.goToEvent", "102"));
    assert.equal(m.seq, 102);
    assert.match(x.statusText() ?? "", /seq 102 /);
    const reg = await moveBy(() => vscode.commands.executeCommand("elixirscope.goToEvent", "register"));
    assert.equal(replay().kindOf(reg.index), "register");
  });

  it("searches in the Go to Event quick pick and goes to the one accepted", async () => {
    const running = vscode.commands.executeCommand("elixirscope.goToEvent");
    const pick = await until("the quick pick", () => x.gotoEvent.picker);
    pick.value = "TicketOffice confirm";
    await until("the search results", () =>
      pick.items.length > 0 && pick.items.every((i) => /confirm/i.test(i.detail ?? ""))
        ? pick.items
        : undefined,
    );
    await screenshot("go-to-event");
    const first = pick.items[0].hit;
    const m = await moveBy(async () => {
      await vscode.commands.executeCommand("workbench.action.acceptSelectedQuickOpenItem");
      await running;
    });
    assert.equal(m.index, first.index);
    assert.equal(m.seq, first.seq);
  });

  it("steps to the next and previous state change of the current process", async () => {
    await goto({ seq: 93 });
    const next = await moveBy(() => vscode.commands.executeCommand("elixirscope.nextStateChange"));
    assert.equal(next.seq, 102);
    assert.equal(replay().kindOf(next.index), "state");
    const prev = await moveBy(() => vscode.commands.executeCommand("elixirscope.previousStateChange"));
    assert.equal(prev.seq, 93);
  });

  it("reverse-steps into and out of calls", async () => {
    const r = replay();
    const prev = (i: number) => r.nextInProcess(i, "backward");
    // Inside a call (the event before, in its process, is the call): stepping out backwards leaves it.
    const inside = r
      .getEventIndices({ indexRange: { from: 100 } })
      .find((i) => r.kindOf(i) !== "return" && prev(i) !== undefined && r.kindOf(prev(i)!) === "call")!;
    const start = await goto({ index: inside });
    const out = await moveBy(() => vscode.commands.executeCommand("elixirscope.reverseStepOut"));
    assert.ok(out.index < start.index, `reverse step out: ${start.seq} → ${out.seq}`);
    assert.equal(r.pidOf(out.index), r.pidOf(start.index), "in the same process");
    // Just after a call returned: stepping in backwards goes into it.
    const after = r
      .getEventIndices({ indexRange: { from: 100 } })
      .find((i) => prev(i) !== undefined && r.kindOf(prev(i)!) === "return")!;
    const from = await goto({ index: after });
    const into = await moveBy(() => vscode.commands.executeCommand("elixirscope.reverseStepIn"));
    assert.ok(into.index < from.index, `reverse step in: ${from.seq} → ${into.seq}`);
    assert.equal(r.pidOf(into.index), r.pidOf(from.index), "in the same process");
  });

  it("goes back to the last change of a state value (the Variables view's Last Change)", async () => {
    await goto({ seq: 137 }); // seat 3 held; `sold` last became 2 at seq 124
    const m = await moveBy(() =>
      vscode.commands.executeCommand("elixirscope.lastChange", {
        variable: { name: "sold", evaluateName: "state.sold" },
      }),
    );
    assert.equal(m.seq, 124);
  });

  it("lists landmarks around the moment in the timeline and goes to one when clicked", async () => {
    await goto({ seq: 102 });
    await vscode.commands.executeCommand("elixirscope.timeline.focus");
    const items = await until("timeline items", () => (x.timeline().length > 1 ? x.timeline() : undefined));
    const now = items.find((i) => i.kind === "now");
    assert.equal(now?.seq, 102);
    const states = items.filter((i) => i.kind === "state").map((i) => i.seq);
    assert.ok(states.includes(93) && states.includes(115), `state changes: ${states.join(", ")}`);
    await eventually("the timeline's rows on the page", async () =>
      (await pageTexts(".monaco-list-row")).find((s) => /state change: state after handle_call\/3/.test(s)),
    );
    await screenshot("timeline");
    const target = items.find((i) => i.seq === 93)!;
    const m = await moveBy(() => vscode.commands.executeCommand("elixirscope.gotoIndex", target.index));
    assert.equal(m.seq, 93);
  });

  it("copies a position link and opens it again, in this replay and in a new one", async () => {
    const at = await goto({ seq: 146 });
    const link = await vscode.commands.executeCommand<string>("elixirscope.copyPosition");
    assert.ok(link, "Copy Position returned its link");
    assert.match(
      link,
      /^[\w-]+:\/\/elixirscope\.elixirscope\/open\?trace=.*double_booking\.estrace&position=[0-9a-f]{8}%40146$/,
    );
    assert.equal(await vscode.env.clipboard.readText(), link);
    await goto({ seq: 10 });
    const back = await moveBy(() => vscode.commands.executeCommand("elixirscope.openPosition", link));
    assert.equal(back.index, at.index);
    // With no replay running the link starts one at that moment.
    await stopAll();
    const again = await moveBy(() => vscode.commands.executeCommand("elixirscope.openPosition", link));
    assert.equal(again.seq, 146);
    session = vscode.debug.activeDebugSession!;
    assert.equal(session.configuration.startAt, at.position);
  });
});
