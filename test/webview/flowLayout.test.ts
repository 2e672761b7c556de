// The diagram's pure layout: lanes (hidden, collapsed), arrow geometry for every way a message ends,
// visible-row arithmetic, and the SVG and text renderings the CLI and "Export SVG" share.

import assert from "node:assert/strict";
import {
  activeLanes,
  DEFAULT_LAYOUT,
  diagramSvg,
  diagramText,
  formatLatency,
  layoutArrow,
  layoutLanes,
  layoutMarker,
  rowY,
  visibleRows,
  type FlowItem,
  type FlowLane,
  type FlowMarker,
} from "../../src/core/flowLayout";

const o = DEFAULT_LAYOUT;
const lanes: FlowLane[] = [
  { pid: 0, name: "#PID<0.96.0> :erlang.apply/2", crashed: false, firstRank: 0, lastRank: 9 },
  { pid: 4, name: "#PID<0.169.0> CinemaDemo.TicketOffice", crashed: false, firstRank: 1, lastRank: 9 },
  { pid: 7, name: "#PID<0.172.0> CinemaDemo.Customer", crashed: true, firstRank: 2, lastRank: 6 },
];
const call: FlowItem = {
  id: 10,
  kind: "call",
  from: 0,
  to: 4,
  send: 10,
  receive: 12,
  sendRank: 0,
  receiveRank: 2,
  status: "delivered",
  latencyNs: 142_100,
  label: '{:hold, 1, "early-1"}',
  pair: 15,
};

describe("flow layout", () => {
  it("places lanes left to right, skipping hidden ones and collapsing idle ones", () => {
    const all = layoutLanes(lanes, o);
    assert.deepEqual(
      all.boxes.map((b) => b.x),
      [o.gutter + o.laneWidth / 2, o.gutter + (3 * o.laneWidth) / 2, o.gutter + (5 * o.laneWidth) / 2],
    );
    assert.equal(all.width, 2 * o.gutter + 3 * o.laneWidth);
    const hidden = layoutLanes(lanes, o, new Set([4]));
    assert.deepEqual(
      hidden.boxes.map((b) => b.pid),
      [0, 7],
    );
    assert.equal(hidden.byPid.get(7)!.x, o.gutter + (3 * o.laneWidth) / 2);
    const collapsed = layoutLanes(lanes, o, new Set(), new Set([0, 7]));
    assert.equal(collapsed.byPid.get(4)!.collapsed, true);
    assert.equal(collapsed.byPid.get(4)!.width, o.collapsedWidth);
    assert.equal(collapsed.width, 2 * o.gutter + 2 * o.laneWidth + o.collapsedWidth);
  });

  it("draws a delivered message from its send row to its receive row with its latency", () => {
    const ll = layoutLanes(lanes, o);
    const a = layoutArrow(call, ll, o)!;
    assert.equal(a.end, "received");
    assert.equal(a.x1, ll.byPid.get(0)!.x);
    assert.equal(a.x2, ll.byPid.get(4)!.x);
    assert.equal(a.y1, rowY(0, o));
    assert.equal(a.y2, rowY(2, o));
    assert.equal(a.note, "142.1µs");
    assert.equal(layoutArrow(call, layoutLanes(lanes, o, new Set([4])), o), undefined, "receiver hidden");
    assert.equal(layoutArrow(call, layoutLanes(lanes, o, new Set([0])), o), undefined, "sender hidden");
  });

  it("a message that entered the mailbox but stayed queued reaches the receiver and says so", () => {
    const ll = layoutLanes(lanes, o);
    const a = layoutArrow({ ...call, status: "queued_at_end", latencyNs: undefined }, ll, o)!;
    assert.equal(a.x2, ll.byPid.get(4)!.x);
    assert.equal(a.note, "still queued at the end");
  });

  it("ends unreceived messages in a marker that says why", () => {
    const ll = layoutLanes(lanes, o);
    const base = { ...call, receive: undefined, receiveRank: undefined, latencyNs: undefined };
    const queued = layoutArrow({ ...base, status: "queued_at_end" }, ll, o)!;
    assert.equal(queued.end, "queued");
    assert.equal(queued.note, "still queued at the end");
    assert.ok(queued.x2 > queued.x1 && queued.x2 < ll.byPid.get(4)!.x, "stops short of the receiver");
    // Its receiver ended without taking it: not "still queued".
    const lost = layoutArrow({ ...base, status: "never_received" }, ll, o)!;
    assert.equal(lost.end, "dead");
    assert.equal(lost.note, "never received (its process ended)");
    const dead = layoutArrow({ ...base, status: "dead_process" }, ll, o)!;
    assert.equal(dead.end, "dead");
    assert.equal(dead.note, "to a dead process");
    const unknown = layoutArrow(
      { ...base, to: undefined, toName: "code_server", status: "unknown_process" },
      ll,
      o,
    )!;
    assert.equal(unknown.end, "unknown");
    assert.match(unknown.note, /code_server/);
    const incoming = layoutArrow(
      { ...base, from: undefined, send: undefined, sendRank: undefined, receiveRank: 3 },
      ll,
      o,
    )!;
    assert.equal(incoming.end, "incoming");
    assert.equal(incoming.x2, ll.byPid.get(4)!.x);
  });

  it("finds the visible rows of a viewport and the lanes active in them", () => {
    assert.deepEqual(visibleRows(0, o.headerHeight + 10 * o.rowHeight, o, 1000), { from: 0, to: 11 });
    assert.deepEqual(visibleRows(o.headerHeight + 500 * o.rowHeight, 5 * o.rowHeight, o, 1000), {
      from: 500,
      to: 506,
    });
    assert.deepEqual(visibleRows(1e9, 100, o, 20), { from: 20, to: 20 });
    const markers: FlowMarker[] = [{ index: 30, rank: 8, pid: 7, kind: "crash", text: "crashed" }];
    assert.deepEqual([...activeLanes([call], markers, 0, 3)].sort(), [0, 4]);
    assert.deepEqual([...activeLanes([call], markers, 1, 2)].sort(), [0, 4], "an arrow crossing the rows");
    assert.deepEqual([...activeLanes([call], markers, 5, 9)], [7]);
  });

  it("places markers on their lane, spawns and links reaching the other lane", () => {
    const ll = layoutLanes(lanes, o);
    const m = layoutMarker({ index: 3, rank: 2, pid: 0, kind: "spawn", peer: 7, text: "spawned" }, ll, o)!;
    assert.equal(m.x, ll.byPid.get(0)!.x);
    assert.equal(m.x2, ll.byPid.get(7)!.x);
    assert.equal(
      layoutMarker(
        { index: 3, rank: 2, pid: 4, kind: "state", text: "" },
        layoutLanes(lanes, o, new Set([4])),
        o,
      ),
      undefined,
    );
  });

  it("renders one SVG with lanes, arrows and markers, escaping labels", () => {
    const svg = diagramSvg({
      lanes,
      items: [
        call,
        { ...call, id: 15, kind: "reply", from: 4, to: 0, sendRank: 3, receiveRank: 4, label: "<:ok>" },
      ],
      markers: [{ index: 30, rank: 6, pid: 7, kind: "crash", text: "crashed: :boom" }],
      cursorRank: 3,
    });
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal(svg.match(/<g class="arrow /g)?.length, 2);
    assert.equal(svg.match(/class="lane-head/g)?.length, 3);
    assert.match(svg, /class="arrow call received"/);
    assert.match(svg, /class="arrow reply received"/);
    assert.match(svg, /&#60;:ok&#62;/);
    assert.doesNotMatch(svg, /<:ok>/);
    assert.match(svg, /class="marker crash"/);
    assert.match(svg, /class="cursor"/);
    assert.match(svg, /TicketOffice/);
  });

  it("renders text: an arrow at the send row, the receive mark, notes", () => {
    const text = diagramText({
      lanes,
      items: [call],
      markers: [{ index: 30, rank: 6, pid: 7, kind: "crash", text: "crashed: :boom" }],
      seqOf: (r) => 100 + r,
    });
    const lines = text.split("\n");
    assert.match(lines[0], /apply\/2\s+TicketOffice\s+Customer/);
    assert.match(lines[1], /<0\.96\.0>\s+<0\.169\.0>\s+<0\.172\.0>/);
    lines.splice(1, 1);
    assert.match(lines[1], /^\s+100\s+●─+▶\s+call \{:hold, 1, "early-1"\}\s+142\.1µs$/);
    assert.match(lines[2], /^\s+102\s+│\s+◀\s+│$/);
    assert.match(lines[3], /^\s+106\s+│\s+│\s+✕\s+crashed: :boom$/);
  });

  it("formats latencies", () => {
    assert.equal(formatLatency(850), "850ns");
    assert.equal(formatLatency(142_100), "142.1µs");
    assert.equal(formatLatency(3_200_000), "3.2ms");
    assert.equal(formatLatency(2_500_000_000), "2.50s");
    assert.equal(formatLatency(undefined), "");
  });
});
