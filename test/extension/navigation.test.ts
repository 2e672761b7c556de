// Moving through a replay with what the extension adds: the status bar, Go to Event (by argument and
// through its quick pick), previous/next state change, reverse step into/out, Last Change, the timeline
// view, and Copy/Open Position links (into the running replay and into a new one).

import assert from "node:assert/strict";
import * as vscode from "vscode";
import type { ElixirScopeApi } from "../../src/extension/api";
import { DEMO_TRACE, field, openDemo, type Demo } from "./demo";
import {
  api,
  eventually,
  moveBy,
  pageTexts,
  screenshot,
  startReplay,
  stopAll,
  until,
  workspace,
} from "./helpers";

describe("navigation: status bar, Go to Event, state changes, timeline, positions", () => {
  let x: ElixirScopeApi;
  let session: vscode.DebugSession;
  // The recording's facts: the office's first three handle_call state changes (a hold, its confirm,
  // the next hold), read from the trace itself.
  let demo: Demo;
  let a: number, b: number, c: number;
  const goto = (args: object) => moveBy(() => session.customRequest("elixirscope/goto", args));
  const replay = () => x.services.current()!.replay;

  before(async () => {
    x = await api();
    demo = await openDemo(workspace());
    [a, b, c] = demo.officeStates;
    session = await startReplay({ trace: DEMO_TRACE, startAt: `seq:${demo.seq(a)}` });
  });
  after(async () => {
    await stopAll();
    demo?.replay.close();
  });

  it("shows the moment in the status bar", async () => {
    const shown = new RegExp(`seq ${demo.seq(a)} · \\+\\d+\\.\\d ms · ${a + 1}/${demo.replay.eventCount}`);
    assert.match(x.statusText() ?? "", new RegExp(`${shown.source}$`));
    await eventually("the status bar item on the page", async () =>
      (await pageTexts(".statusbar-item")).find((s) => shown.test(s)),
    );
  });

  it("goes to an event by seq or kind given to Go to Event", async () => {
    const m = await moveBy(() =>
      vscode.commands.executeCommand("elixirscope.goToEvent", String(demo.seq(b))),
    );
    assert.equal(m.seq, demo.seq(b));
    assert.match(x.statusText() ?? "", new RegExp(`seq ${demo.seq(b)} `));
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
    await goto({ index: a });
    const next = await moveBy(() => vscode.commands.executeCommand("elixirscope.nextStateChange"));
    assert.equal(next.index, b);
    assert.equal(replay().kindOf(next.index), "state");
    const prev = await moveBy(() => vscode.commands.executeCommand("elixirscope.previousStateChange"));
    assert.equal(prev.index, a);
  });

  it("reverse-steps into and out of calls", async () => {
    const r = replay();
    const prev = (i: number) => r.nextInProcess(i, "backward");
    // Inside a call (the event before, in its process, is the call): stepping out backwards leaves it.
    const inside = r
      .getEventIndices({ indexRange: { from: a } })
      .find((i) => r.kindOf(i) !== "return" && prev(i) !== undefined && r.kindOf(prev(i)!) === "call")!;
    const start = await goto({ index: inside });
    const out = await moveBy(() => vscode.commands.executeCommand("elixirscope.reverseStepOut"));
    assert.ok(out.index < start.index, `reverse step out: ${start.seq} → ${out.seq}`);
    assert.equal(r.pidOf(out.index), r.pidOf(start.index), "in the same process");
    // Just after a call returned: stepping in backwards goes into it.
    const after = r
      .getEventIndices({ indexRange: { from: a } })
      .find((i) => prev(i) !== undefined && r.kindOf(prev(i)!) === "return")!;
    const from = await goto({ index: after });
    const into = await moveBy(() => vscode.commands.executeCommand("elixirscope.reverseStepIn"));
    assert.ok(into.index < from.index, `reverse step in: ${from.seq} → ${into.seq}`);
    assert.equal(r.pidOf(into.index), r.pidOf(from.index), "in the same process");
  });

  it("goes back to the last change of a state value (the Variables view's Last Change)", async () => {
    // A state change that left `sold` as it was (a hold), after one that changed it (a confirm): from
    // there Last Change goes back to that confirm. Read off the office's states in the recording.
    const history = demo.replay.stateHistory(demo.office).map((h) => h.index);
    const sold = (i: number) => JSON.stringify(field(demo.stateAt(i), "sold"));
    let changed: number | undefined;
    let from: number | undefined;
    for (let k = 1; k < history.length && from === undefined; k++) {
      if (sold(history[k]) !== sold(history[k - 1])) changed = history[k];
      else if (changed !== undefined) from = history[k];
    }
    assert.ok(from !== undefined && changed !== undefined, "a hold after a confirm in the recording");
    await goto({ index: from });
    const m = await moveBy(() =>
      vscode.commands.executeCommand("elixirscope.lastChange", {
        variable: { name: "sold", evaluateName: "state.sold" },
      }),
    );
    assert.equal(m.index, changed);
  });

  it("lists landmarks around the moment in the timeline and goes to one when clicked", async () => {
    await goto({ index: b });
    await vscode.commands.executeCommand("elixirscope.timeline.focus");
    const items = await until("timeline items", () => (x.timeline().length > 1 ? x.timeline() : undefined));
    const now = items.find((i) => i.kind === "now");
    assert.equal(now?.index, b);
    const states = items.filter((i) => i.kind === "state").map((i) => i.index);
    assert.ok(states.includes(a) && states.includes(c), `state changes: ${states.join(", ")}`);
    await eventually("the timeline's rows on the page", async () =>
      (await pageTexts(".monaco-list-row")).find((s) => /state change: state after handle_call\/3/.test(s)),
    );
    await screenshot("timeline");
    const target = items.find((i) => i.index === a)!;
    const m = await moveBy(() => vscode.commands.executeCommand("elixirscope.gotoIndex", target.index));
    assert.equal(m.index, a);
    assert.equal(m.seq, demo.seq(a));
  });

  it("copies a position link and opens it again, in this replay and in a new one", async () => {
    const at = await goto({ index: demo.officeStates[4] });
    const link = await vscode.commands.executeCommand<string>("elixirscope.copyPosition");
    assert.ok(link, "Copy Position returned its link");
    assert.match(
      link,
      new RegExp(
        `^[\\w-]+://elixirscope\\.elixirscope/open\\?trace=.*double_booking\\.estrace&position=[0-9a-f]{8}%40${at.seq}$`,
      ),
    );
    assert.equal(await vscode.env.clipboard.readText(), link);
    await goto({ moment: "start" });
    const back = await moveBy(() => vscode.commands.executeCommand("elixirscope.openPosition", link));
    assert.equal(back.index, at.index);
    // With no replay running the link starts one at that moment.
    await stopAll();
    const again = await moveBy(() => vscode.commands.executeCommand("elixirscope.openPosition", link));
    assert.equal(again.index, at.index);
    assert.equal(again.seq, demo.seq(at.index));
    session = vscode.debug.activeDebugSession!;
    assert.equal(session.configuration.startAt, at.position);
  });
});
