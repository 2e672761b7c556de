// Public types without traps: a process is named by its numeric id everywhere an answer names one,
// and what the replay hands out of its own state cannot be changed by a caller.

import assert from "node:assert/strict";
import { join } from "node:path";
import { Replay } from "../../src/core/replay";

describe("public types", () => {
  let r: Replay;
  before(async () => {
    r = await Replay.open(join(__dirname, "../../examples/traces/double_booking.estrace"));
  });
  after(() => r.close());

  it("names processes by id in events, flows, line calls and process info alike", () => {
    const procs = r.processes();
    procs.forEach((p, i) => {
      assert.equal(p.id, i);
      assert.match(p.pid, /^<\d+\.\d+\.\d+>$/);
    });
    for (let i = 0; i < r.eventCount; i++) {
      const e = r.event(i);
      assert.equal(typeof e.pid, "number");
      assert.equal(procs[e.pid].id, e.pid);
      if (e.peer !== undefined) assert.equal(procs[e.peer].id, e.peer);
    }
    // Each answer's process is the id of the process of the event it stands for.
    const flows = r.flowPage({ limit: 10_000 }).entries;
    assert.ok(
      flows.filter((m) => m.from !== undefined && m.send !== undefined).length > 0,
      "messages with senders",
    );
    for (const m of flows) {
      if (m.from !== undefined && m.send !== undefined) assert.equal(m.from, r.event(m.send).pid);
      if (m.to !== undefined && m.receive !== undefined) assert.equal(m.to, r.event(m.receive).pid);
    }
    const file = r.recordedFiles().find((f) => f.endsWith("ticket_office.ex"))!;
    const calls = r.lineCalls(file, r.recordedLines(file)[0]).calls;
    assert.ok(calls.length > 0, "the line has calls");
    for (const c of calls) assert.equal(c.pid, r.event(c.call).pid);
    assert.equal(r.findProcess(procs[3].pid).id, 3);
  });

  it("hands out its tables frozen and its lists as copies", () => {
    const procs = r.processes();
    assert.ok(Object.isFrozen(procs) && Object.isFrozen(procs[0]));
    assert.throws(() => (procs as unknown as unknown[]).push({}), TypeError);
    assert.throws(() => {
      (procs[0] as { label: string }).label = "changed";
    }, TypeError);
    const fns = r.functions();
    assert.ok(Object.isFrozen(fns) && Object.isFrozen(fns[0]));
    assert.ok(Object.isFrozen(r.files) && Object.isFrozen(r.files[0]));
    assert.ok(Object.isFrozen(r.modules()[0]) && Object.isFrozen(r.modules()[0].functions));
    const file = r.modules()[0].source;
    const line = r.modules()[0].functions[0].line;
    const first = r.eventsAt(file, line);
    first.push(-1);
    assert.notDeepEqual(r.eventsAt(file, line), first);
    const lines = r.recordedLines(file);
    lines.length = 0;
    assert.ok(r.recordedLines(file).length > 0);
  });
});
