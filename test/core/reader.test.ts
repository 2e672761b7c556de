// Bad input: truncated and corrupt traces, files that are not traces, unknown event kinds, and
// several files merged by time. Each error names the file, the frame and the byte offset, and every
// good event around a bad frame survives.

import assert from "node:assert/strict";
import { TraceLoadError } from "../../src/core/errors";
import { Replay } from "../../src/core/replay";
import { atom, bin, pid, tuple } from "../../src/core/terms/build";
import { inspect } from "../../src/core/terms/inspect";
import { TraceBuilder } from "../../src/core/writer";
import { CUSTOMER, tempTrace, ticketTrace } from "../helpers/fixtures";

describe("trace reader", () => {
  it("drops a truncated last frame, reports it, and keeps the rest", async () => {
    const { builder } = ticketTrace();
    const whole = builder.toBuffer();
    const path = tempTrace(whole.subarray(0, whole.length - 3));
    const r = await Replay.open(path);
    try {
      // The footer frame was the last one: every event survives.
      assert.equal(r.eventCount, 21);
      assert.equal(r.problems.length, 1);
      assert.match(
        r.problems[0].text,
        new RegExp(
          `^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:frame 25 \\(byte offset \\d+\\): .*runs past the end of the file.*dropped to the end of the file$`,
        ),
      );
    } finally {
      r.close();
    }
  });

  it("cuts mid-event: the event is dropped, all before it kept", async () => {
    const { builder, offsets } = ticketTrace();
    const path = tempTrace(builder.toBuffer().subarray(0, offsets[20] + 9));
    const r = await Replay.open(path);
    try {
      assert.equal(r.eventCount, 20);
      assert.equal(r.problems.length, 1);
      assert.equal(r.problems[0].offset, offsets[20]);
      assert.equal(r.problems[0].frame, 24);
    } finally {
      r.close();
    }
  });

  it("resynchronises after a corrupt frame in the middle", async () => {
    const { builder, offsets } = ticketTrace();
    const bytes = Buffer.from(builder.toBuffer());
    // Damage the term of seq 10 (its tuple tag), leaving its frame head intact.
    bytes[offsets[10] + 6] = 0xff;
    const path = tempTrace(bytes);
    const r = await Replay.open(path);
    try {
      assert.equal(r.eventCount, 20);
      assert.deepEqual(
        r.getEvents({}).map((e) => e.seq),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
      );
      assert.equal(r.problems.length, 1);
      const p = r.problems[0];
      assert.equal(p.frame, 14);
      assert.equal(p.offset, offsets[10]);
      assert.match(
        p.text,
        /:frame 14 \(byte offset \d+\): frame term is not a tuple; \d+ bytes skipped to the next valid frame$/,
      );
    } finally {
      r.close();
    }
  });

  it("resynchronises after garbage bytes between frames", async () => {
    const b = new TraceBuilder();
    const p1 = pid("n@h", 1, 0);
    b.send(p1, p1, atom("a"));
    // Garbage with false frame marks: a mark whose term is no event, and one with an absurd size.
    b.raw(Buffer.from([0x01, 0x02, 0xe5, 0, 0, 0, 3, 0x83, 0x61, 0x05, 0xe5, 0xff, 0xff, 0xff, 0xff]));
    b.send(p1, p1, atom("b"));
    const r = await Replay.open(tempTrace(b.toBuffer()));
    try {
      assert.equal(r.eventCount, 2);
      assert.equal(r.problems.length, 1);
      assert.match(
        r.problems[0].message,
        /expected a frame mark \(E5\), found 01; 15 bytes skipped to the next valid frame/,
      );
    } finally {
      r.close();
    }
  });

  it("keeps load-time terms intact across chunk refills (no views into the reused buffer)", async () => {
    const b = new TraceBuilder();
    const early = pid("n@h", 1, 0);
    const other = pid("n@h", 2, 0);
    b.exit(early, bin("the first reason"));
    // More than one 4 MiB chunk of events after it, so the chunk buffer is refilled several times.
    const big = bin("x".repeat(64 * 1024));
    for (let i = 0; i < 200; i++) b.send(other, other, big);
    b.exit(other, atom("normal"));
    const r = await Replay.open(tempTrace(b.toBuffer()));
    try {
      assert.equal(r.eventCount, 202);
      assert.equal(inspect(r.findProcess("<0.1.0>").exitReason!), '"the first reason"');
      assert.equal(r.processes().length, 2);
      assert.equal(r.findProcess("<0.1.0>").crashed, true);
    } finally {
      r.close();
    }
  });

  it("orders events by time when the tracer got them out of order, and still pairs them", async () => {
    const b = new TraceBuilder();
    const a = pid("n@h", 1, 0);
    const c = pid("n@h", 2, 0);
    // The receive reached the tracer first (seq 0) though the send happened earlier (time 100).
    b.receive(c, atom("hi")); // time 1000
    b.event("send", a, [c, atom("hi")], 100);
    b.event("link", a, [c], 300);
    const r = await Replay.open(tempTrace(b.toBuffer()));
    try {
      assert.deepEqual(
        r.getEvents({}).map((e) => [e.seq, e.kind, e.time]),
        [
          [1, "send", 100],
          [2, "link", 300],
          [0, "receive", 1000],
        ],
      );
      assert.equal(r.getMessageFlow("<0.1.0>", "<0.2.0>")[0].status, "delivered");
      assert.equal(r.resolveMoment({ seq: 0 }), 2);
      assert.equal(r.resolveMoment({ seq: 1 }), 0);
    } finally {
      r.close();
    }
  });

  it("keeps events of unknown kinds as `unknown`", async () => {
    const b = new TraceBuilder();
    b.frame(tuple(atom("weird_future_kind"), 0, 10, CUSTOMER, 42));
    b.send(CUSTOMER, CUSTOMER, atom("x"));
    const r = await Replay.open(tempTrace(b.toBuffer()));
    try {
      assert.equal(r.eventCount, 2);
      assert.equal(r.event(0).kind, "unknown");
      assert.deepEqual(r.problems, []);
    } finally {
      r.close();
    }
  });

  it("refuses files that are not traces, with the file named", async () => {
    const notTrace = tempTrace(Buffer.from("hello world, not a trace"), "x.estrace");
    await assert.rejects(
      Replay.open(notTrace),
      (e: Error) =>
        e instanceof TraceLoadError && e.message.startsWith(`${notTrace}: not an ElixirScope trace`),
    );
    await assert.rejects(Replay.open("/nonexistent/a.estrace"), /\/nonexistent\/a\.estrace: no such file/);
    const empty = tempTrace(Buffer.alloc(0));
    await assert.rejects(Replay.open(empty), /not an ElixirScope trace/);
  });

  it("refuses an unknown format version", async () => {
    const raw = new TraceBuilder().toBuffer();
    // The header is {:estrace, 1, info}: the version is the SMALL_INTEGER_EXT (0x61) after the atom.
    const idx = raw.indexOf(Buffer.from([0x61, 0x01]), 8);
    raw[idx + 1] = 4;
    await assert.rejects(
      Replay.open(tempTrace(raw)),
      /trace format version 4 is not supported \(this ElixirScope reads versions 1, 2 and 3\)/,
    );
  });

  it("merges several node files by time, keeping pids apart by node", async () => {
    const a = new TraceBuilder({ node: "a@h", startSystemTime: 1_000_000_000n });
    const b = new TraceBuilder({ node: "b@h", startSystemTime: 1_000_000_500n });
    const pa = pid("a@h", 5, 0);
    const pb = pid("b@h", 5, 0);
    a.send(pa, pb, atom("ping")); // t=1000 on a's clock
    a.receive(pa, atom("pong")); // t=2000 → 2000
    b.receive(pb, atom("ping")); // t=1000 on b's clock → 1500
    b.send(pb, pa, atom("pong")); // 2000 → 2500: after a's receive (clock skew)
    const r = await Replay.open([tempTrace(a.toBuffer(), "a.estrace"), tempTrace(b.toBuffer(), "b.estrace")]);
    try {
      assert.deepEqual(
        r.getEvents({}).map((e) => [r.files[e.file].node, e.kind, e.time]),
        [
          ["a@h", "send", 1000],
          ["b@h", "receive", 1500],
          ["a@h", "receive", 2000],
          ["b@h", "send", 2500],
        ],
      );
      assert.equal(r.processes().length, 2);
      assert.throws(() => r.findProcess("<0.5.0>"), /ambiguous/);
      assert.equal(r.findProcess("<0.5.0>@b@h").node, "b@h");
      assert.equal(r.getMessageFlow("<0.5.0>@a@h", "<0.5.0>@b@h")[0].status, "delivered");
      assert.ok(r.processes()[0].label.includes("@a@h"));
    } finally {
      r.close();
    }
  });

  it("loads in a worker thread with progress", async () => {
    const path = tempTrace(ticketTrace().builder.toBuffer());
    const seen: number[] = [];
    const r = await Replay.open(path, { worker: true, onProgress: (p) => seen.push(p.bytesRead) });
    try {
      assert.equal(r.eventCount, 21);
      assert.ok(seen.length > 0);
      assert.equal(r.findProcess("TicketOffice").pid, "<0.101.0>");
      assert.equal(r.getStateAt("TicketOffice", 10)?.callback, "handle_call/3");
    } finally {
      r.close();
    }
  });
});
