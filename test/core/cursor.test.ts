// The shared cursor: moves are heard by every listener with where from and why, a move to the same
// moment is silent unless it is a `goto`, a throwing listener does not silence the others, and
// disposing stops all of it.

import assert from "node:assert/strict";
import { type CursorChange, ReplayCursor } from "../../src/core/cursor";
import { Replay } from "../../src/core/replay";
import { ticketTracePath } from "../helpers/fixtures";

describe("ReplayCursor", () => {
  let r: Replay;
  before(async () => {
    r = await Replay.open(ticketTracePath());
  });
  after(() => r.close());

  it("starts where asked and tells every listener of each move", () => {
    const c = new ReplayCursor(r, 3);
    assert.equal(c.index, 3);
    const a: CursorChange[] = [];
    const b: CursorChange[] = [];
    c.onDidChange((e) => a.push(e));
    const sub = c.onDidChange((e) => b.push(e));
    c.moveTo(7, "step", "debug");
    c.moveTo(7, "step");
    c.moveTo(7, "breakpoint");
    c.moveTo(7, "goto", "diagram");
    sub.dispose();
    c.moveTo(0, "restart");
    assert.deepEqual(a, [
      { index: 7, previous: 3, reason: "step", source: "debug" },
      { index: 7, previous: 7, reason: "goto", source: "diagram" },
      { index: 0, previous: 7, reason: "restart" },
    ]);
    assert.deepEqual(b, a.slice(0, 2));
    assert.equal(c.index, 0);
  });

  it("keeps the others hearing when a listener throws, and refuses indexes outside the trace", () => {
    const c = new ReplayCursor(r);
    assert.equal(c.index, 0);
    const heard: number[] = [];
    const quiet = console.error;
    const logged: string[] = [];
    console.error = (m: string) => logged.push(m);
    try {
      c.onDidChange(() => {
        throw new Error("view broke");
      });
      c.onDidChange((e) => heard.push(e.index));
      c.moveTo(5, "external");
    } finally {
      console.error = quiet;
    }
    assert.deepEqual(heard, [5]);
    assert.match(logged[0], /view broke/);
    assert.throws(
      () => c.moveTo(21, "goto"),
      /event index 21 is out of range \(this trace has events 0 to 20\)/,
    );
    assert.throws(() => c.moveTo(1.5, "goto"), /out of range/);
    assert.throws(() => new ReplayCursor(r, -1), /out of range/);
    assert.equal(c.index, 5);
  });

  it("a listener that unsubscribes while hearing does not make another miss the move", () => {
    const c = new ReplayCursor(r);
    const heard: string[] = [];
    const first = c.onDidChange(() => {
      heard.push("first");
      first.dispose();
    });
    c.onDidChange(() => heard.push("second"));
    c.moveTo(2, "step");
    c.moveTo(3, "step");
    assert.deepEqual(heard, ["first", "second", "second"]);
  });

  it("says nothing more once disposed", () => {
    const c = new ReplayCursor(r);
    const heard: number[] = [];
    c.onDidChange((e) => heard.push(e.index));
    c.dispose();
    assert.throws(() => c.moveTo(4, "goto"), /disposed/);
    c.onDidChange((e) => heard.push(e.index)).dispose();
    assert.deepEqual(heard, []);
  });
});
