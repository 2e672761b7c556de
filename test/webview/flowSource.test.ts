// The diagram's data on the shipped double-booking recording: every recorded message becomes exactly
// one arrow however the rows are paged, calls pair with their replies, lanes are named as in the
// debugger, filters drop rows; the typed protocol rejects malformed messages; the host session answers
// pages and hovers and turns clicks into goto / select-thread / open-source calls.

import assert from "node:assert/strict";
import { join } from "node:path";
import { ReplayCursor } from "../../src/core/cursor";
import { FlowSource } from "../../src/core/flowSource";
import { ProcessNames } from "../../src/core/inspect/processNames";
import { Replay } from "../../src/core/replay";
import { inspect } from "../../src/core/terms/inspect";
import { FlowPanelSession } from "../../src/extension/flowPanelSession";
import { parseHostMessage, parseViewMessage, type HostToView } from "../../src/shared/webviewProtocol";

const TRACE = join(__dirname, "../../examples/traces/double_booking.estrace");

describe("flow source on double_booking", () => {
  let r: Replay;
  before(async () => {
    r = await Replay.open(TRACE);
  });
  after(() => r.close());

  it("makes one arrow per recorded message, however the rows are paged", () => {
    const s = new FlowSource(r);
    const sends = r.getEventIndices({ kinds: ["send"] });
    const unpairedReceives = r
      .getEventIndices({ kinds: ["receive"] })
      .filter((i) => r.messageAt(i)?.send === undefined);
    const whole = s.page(0, s.total);
    assert.equal(whole.items.length, sends.length + unpairedReceives.length);
    assert.deepEqual(
      whole.items.filter((i) => i.send !== undefined).map((i) => i.send),
      sends,
    );
    const ids = new Set<number>();
    for (let from = 0; from < s.total; from += 37)
      for (const it of s.page(from, from + 37).items) ids.add(it.id);
    assert.deepEqual(
      [...ids].sort((a, b) => a - b),
      whole.items.map((i) => i.id).sort((a, b) => a - b),
    );
    for (const it of whole.items)
      if (it.status === "delivered" && it.send !== undefined) {
        assert.equal(it.receiveRank, s.rankOf(it.receive!));
        assert.equal(it.latencyNs, r.timeOf(it.receive!) - r.timeOf(it.send));
      }
  });

  it("pairs each GenServer call with its reply and shows the customers' holds on seat 12", () => {
    const s = new FlowSource(r);
    const { items } = s.page(0, s.total);
    const byId = new Map(items.map((i) => [i.id, i]));
    const calls = items.filter((i) => i.kind === "call");
    assert.ok(calls.length > 20);
    for (const c of calls.filter((x) => x.pair !== undefined)) {
      const reply = byId.get(c.pair!)!;
      assert.equal(reply.kind, "reply");
      assert.equal(reply.pair, c.id);
      assert.equal(reply.from, c.to);
      assert.equal(reply.to, c.from);
    }
    const holds = calls.filter((c) => /^\{:hold, 12, /.test(c.label));
    assert.deepEqual(
      holds.map((h) => h.label),
      ['{:hold, 12, "carol"}', '{:hold, 12, "dave"}'],
    );
    assert.notEqual(holds[0].from, holds[1].from, "two customers");
    const office = s.lanes.find((l) => l.name.endsWith("CinemaDemo.TicketOffice"))!;
    assert.ok(holds.every((h) => h.to === office.pid));
  });

  it("names lanes as the debugger names threads and orders them by first appearance", () => {
    const s = new FlowSource(r);
    // The scenario runner, spawned with a fun, is known by the first of the user's functions it ran.
    assert.match(s.lanes[0].name, /^#PID<0\.\d+\.0> CinemaDemo\.Scenarios\.run\/1$/);
    const threads = new ProcessNames(r);
    for (const l of s.lanes) {
      const p = r.process(l.pid);
      assert.equal(l.name, threads.nameAt(p, p.firstEvent), `lane of ${p.pid}`);
    }
    // Pids as this recording numbered them.
    assert.ok(s.lanes.some((l) => /^#PID<0\.\d+\.0> CinemaDemo\.Supervisor$/.test(l.name)));
    assert.ok(s.lanes.some((l) => /^#PID<0\.\d+\.0> CinemaDemo\.PaymentGateway$/.test(l.name)));
    for (let i = 1; i < s.lanes.length; i++) assert.ok(s.lanes[i - 1].firstRank <= s.lanes[i].firstRank);
    const { markers } = s.page(0, s.total);
    const kinds = new Set(markers.map((m) => m.kind));
    for (const k of ["spawn", "link", "exit", "state"]) assert.ok(kinds.has(k as never), k);
  });

  it("hides and solos processes and cuts to an index range", () => {
    const all = new FlowSource(r);
    const office = all.lanes.find((l) => l.name.endsWith("TicketOffice"))!.pid;
    const solo = new FlowSource(r, { solo: [office] });
    assert.deepEqual(
      solo.lanes.map((l) => l.pid),
      [office],
    );
    assert.ok(solo.total < all.total);
    for (const i of solo.rows) assert.equal(r.pidOf(i), office);
    const hidden = new FlowSource(r, { hidden: [office] });
    assert.ok(!hidden.lanes.some((l) => l.pid === office));
    for (const it of hidden.page(0, hidden.total).items) assert.ok(it.from !== office && it.to !== office);
    const cut = new FlowSource(r, { fromIndex: 300, toIndex: 400 });
    assert.ok(cut.rows.every((i) => i >= 300 && i <= 400));
    assert.equal(cut.positionOf(0), 0);
  });

  it("describes a message in full with the line that sent it", () => {
    const s = new FlowSource(r);
    const hold = s.page(0, s.total).items.find((i) => i.label === '{:hold, 12, "carol"}')!;
    const d = s.describe(hold.id);
    // The pids come from the recording (a re-recorded demo may number its processes differently).
    const pidText = (pid: number): string =>
      /^#PID<[\d.]+>/.exec(s.lanes.find((l) => l.pid === pid)!.name)![0].replace(/\./g, "\\.");
    assert.match(d.text, new RegExp(`→ ${pidText(hold.to!)} CinemaDemo\\.TicketOffice in [\\d.]+µs`));
    assert.match(
      d.text,
      new RegExp(`:"\\$gen_call",\\s+\\{${pidText(hold.from!)}, [\\s\\S]*\\{:hold, 12, "carol"\\}\\s+\\}$`),
    );
    assert.match(d.location?.file ?? "", /ticket_office\.ex$/);
  });
});

describe("webview protocol", () => {
  it("accepts well-formed messages and names what is wrong with the rest", () => {
    assert.deepEqual(parseViewMessage({ type: "goto", index: 3, end: "receive", id: 2 }), {
      type: "goto",
      index: 3,
      end: "receive",
      id: 2,
    });
    assert.throws(
      () => parseViewMessage({ type: "goto", index: -1, end: "send", id: 1 }),
      /"index" must be an integer/,
    );
    assert.throws(() => parseViewMessage({ type: "goto", index: 1, end: "middle", id: 1 }), /"end" must be/);
    assert.throws(() => parseViewMessage({ type: "eval", code: "x" }), /unknown webview message type "eval"/);
    assert.throws(() => parseViewMessage("ready"), /not an object/);
    assert.throws(() => parseViewMessage({ type: "requestPage", page: 0, from: 10, to: 5 }), /bad row range/);
    assert.throws(() => parseViewMessage({ type: "exportSvg", svg: "<script>" }), /not an SVG/);
    assert.throws(
      () =>
        parseHostMessage({
          type: "page",
          generation: 0,
          page: 0,
          from: 0,
          to: 1,
          items: [{ id: 1 }],
          markers: [],
          seqs: [],
        }),
      /arrow: bad kind/,
    );
    assert.throws(
      () => parseHostMessage({ type: "cursor", generation: 0, index: 1, position: "x" }),
      /"position"/,
    );
  });
});

describe("flow panel session (host side, no VS Code)", () => {
  let r: Replay;
  before(async () => {
    r = await Replay.open(TRACE);
  });
  after(() => r.close());

  function session(): {
    s: FlowPanelSession;
    posted: HostToView[];
    calls: string[];
    move(i: number): void;
  } {
    const posted: HostToView[] = [];
    const calls: string[] = [];
    const cursor = new ReplayCursor(r);
    const s = new FlowPanelSession(
      {
        replay: r,
        cursor,
        goto: (i) => void calls.push(`goto ${i}`),
        selectThread: (p) => void calls.push(`thread ${p}`),
        openSource: (f, l) => void calls.push(`open ${f.split("/").pop()}:${l}`),
      },
      (m) => posted.push(parseHostMessage(JSON.parse(JSON.stringify(m)))),
    );
    const move = (i: number): void => cursor.moveTo(i, "step", "debug");
    return { s, posted, calls, move };
  }

  /** The first customer's `hold` call to the ticket office, and where the office took it. */
  function earlyHold(): { send: number; receive: number } {
    const send = r
      .getEvents({ kinds: ["send"], limit: 100_000 })
      .find((e) => e.message && inspect(e.message).includes('{:hold, 1, "early-1"}'));
    assert.ok(send, "the recording has the first customer's hold");
    const receive = r.messageAt(send.index)?.receive;
    assert.ok(receive !== undefined, "the ticket office received it");
    return { send: send.index, receive };
  }

  it("answers ready, pages and hovers with valid messages, and follows the cursor", async () => {
    const { s, posted, move } = session();
    const hold = earlyHold();
    await s.handle({ type: "ready" });
    const init = posted.pop()!;
    assert.equal(init.type, "init");
    if (init.type !== "init") return;
    assert.equal(
      init.density.reduce((a, b) => a + b, 0),
      r.getEventIndices({ kinds: ["send"] }).length,
    );
    await s.handle({ type: "requestPage", page: 0, from: 0, to: 500 });
    const page = posted.pop()!;
    assert.equal(page.type === "page" && page.to, init.total);
    move(hold.send);
    const c = posted.pop()!;
    assert.equal(c.type, "cursor");
    assert.equal(c.type === "cursor" && c.index, hold.send);
    await s.handle({ type: "hover", id: hold.send });
    const h = posted.pop()!;
    assert.equal(h.type, "hoverInfo");
    assert.match(h.type === "hoverInfo" ? h.text : "", /\{:hold, 1, "early-1"\}/);
    s.dispose();
    move(hold.receive);
    assert.equal(posted.length, 0, "no cursor messages after dispose");
  });

  it("turns clicks into goto + open source and select thread; answers bad input with an error", async () => {
    const { s, posted, calls } = session();
    const hold = earlyHold();
    await s.handle({ type: "goto", index: hold.receive, end: "receive", id: hold.send });
    assert.equal(calls[0], `goto ${hold.receive}`);
    assert.match(calls[1], /^open \w+\.ex:\d+$/);
    await s.handle({ type: "selectThread", pid: 4 });
    assert.equal(calls[2], "thread 4");
    await s.handle({ type: "goto", index: 1e9, end: "send", id: 1 });
    await s.handle({ type: "nonsense" });
    await s.handle({ type: "setFilter", filter: { hidden: [], solo: [], fromSeq: 999999 } });
    assert.deepEqual(
      posted.map((m) => m.type),
      ["error", "error", "error"],
    );
    assert.match(posted[0].type === "error" ? posted[0].message : "", /no event 1000000000/);
    assert.match(posted[2].type === "error" ? posted[2].message : "", /no event with seq 999999/);
  });
});
