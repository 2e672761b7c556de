// The message-flow diagram's geometry, with no DOM: which lane each process gets, where each arrow and
// lifeline mark goes, and the diagram as an SVG document or as text. The webview, its "Export SVG" and
// the CLI (`elixirscope flow --svg`) all draw from these functions so they cannot disagree.

import type { MessageStatus } from "./types";

/** A process drawn as a lifeline. Ranks are row numbers in the (filtered) diagram. */
export interface FlowLane {
  pid: number;
  /** As in the debugger's thread list: registered name, else server module, else initial call. */
  name: string;
  crashed: boolean;
  firstRank: number;
  lastRank: number;
}

/** One arrow: a message (or a GenServer call / its reply) from its send row to its receive row. */
export interface FlowItem {
  /** The send's event index, or the receive's when the send was not recorded. */
  id: number;
  kind: "message" | "call" | "reply";
  from?: number;
  to?: number;
  /** When the destination was a name that no recorded process had (`code_server`). */
  toName?: string;
  send?: number;
  receive?: number;
  sendRank?: number;
  receiveRank?: number;
  status: MessageStatus;
  latencyNs?: number;
  /** The message, short (Elixir syntax, cut). */
  label: string;
  /** call: the reply's send index; reply: the call's send index. */
  pair?: number;
}

export type FlowMarkerKind = "spawn" | "exit" | "crash" | "link" | "unlink" | "state";

/** Something that happened on a lifeline: spawns, links, exits, crashes, state changes. */
export interface FlowMarker {
  index: number;
  rank: number;
  pid: number;
  kind: FlowMarkerKind;
  /** spawn/link/unlink: the other process. */
  peer?: number;
  text: string;
}

export interface LayoutOptions {
  rowHeight: number;
  laneWidth: number;
  /** Width of a lane collapsed because it is idle in the shown rows. */
  collapsedWidth: number;
  /** Height of the lane-name header above row 0. */
  headerHeight: number;
  /** Left margin (the seq gutter). */
  gutter: number;
}

export const DEFAULT_LAYOUT: LayoutOptions = {
  rowHeight: 18,
  laneWidth: 150,
  collapsedWidth: 18,
  headerHeight: 34,
  gutter: 8,
};

export interface LaneBox {
  pid: number;
  name: string;
  crashed: boolean;
  /** Centre of the lifeline. */
  x: number;
  width: number;
  collapsed: boolean;
  firstRank: number;
  lastRank: number;
}

export interface LaneLayout {
  boxes: LaneBox[];
  byPid: Map<number, LaneBox>;
  width: number;
}

/**
 * Places the lanes left to right in the order given (first appearance). `hidden` lanes are left out;
 * with `active` given, lanes not in it are collapsed to a thin strip (idle in what is shown).
 */
export function layoutLanes(
  lanes: readonly FlowLane[],
  opts: LayoutOptions,
  hidden: ReadonlySet<number> = new Set(),
  active?: ReadonlySet<number>,
): LaneLayout {
  const boxes: LaneBox[] = [];
  const byPid = new Map<number, LaneBox>();
  let x = opts.gutter;
  for (const l of lanes) {
    if (hidden.has(l.pid)) continue;
    const collapsed = active !== undefined && !active.has(l.pid);
    const width = collapsed ? opts.collapsedWidth : opts.laneWidth;
    const box: LaneBox = { ...l, x: x + width / 2, width, collapsed };
    boxes.push(box);
    byPid.set(l.pid, box);
    x += width;
  }
  return { boxes, byPid, width: x + opts.gutter };
}

/** The y of a row's centre. */
export function rowY(rank: number, opts: LayoutOptions): number {
  return opts.headerHeight + rank * opts.rowHeight + opts.rowHeight / 2;
}

/** The rows [from, to) that a viewport of `height` pixels scrolled to `top` shows. */
export function visibleRows(
  top: number,
  height: number,
  opts: LayoutOptions,
  total: number,
): { from: number; to: number } {
  const from = Math.max(0, Math.floor((top - opts.headerHeight) / opts.rowHeight));
  const to = Math.min(total, Math.ceil((top + height - opts.headerHeight) / opts.rowHeight) + 1);
  return { from: Math.min(from, total), to: Math.max(to, Math.min(from, total)) };
}

/** How an arrow ends: at a receive, or at a marker for a message nobody took. */
export type ArrowEnd = "received" | "queued" | "dead" | "unknown" | "incoming";

export interface ArrowGeom {
  id: number;
  kind: FlowItem["kind"];
  status: MessageStatus;
  end: ArrowEnd;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  label: string;
  /** Latency text (`142.1µs`) or why it was not received. */
  note: string;
}

/** An arrow's geometry, or undefined when one of its ends is on a hidden lane or off the rows. */
export function layoutArrow(item: FlowItem, lanes: LaneLayout, opts: LayoutOptions): ArrowGeom | undefined {
  const fromBox = item.from !== undefined ? lanes.byPid.get(item.from) : undefined;
  const toBox = item.to !== undefined ? lanes.byPid.get(item.to) : undefined;
  const base = { id: item.id, kind: item.kind, status: item.status, label: item.label };
  if (item.sendRank === undefined) {
    // A receive whose sender was not recorded: a short arrow coming in from the left.
    if (!toBox || item.receiveRank === undefined) return undefined;
    const y = rowY(item.receiveRank, opts);
    return {
      ...base,
      end: "incoming",
      x1: toBox.x - opts.laneWidth / 2,
      y1: y,
      x2: toBox.x,
      y2: y,
      note: "",
    };
  }
  if (!fromBox) return undefined;
  const y1 = rowY(item.sendRank, opts);
  if (item.receiveRank !== undefined) {
    if (!toBox) return undefined;
    return {
      ...base,
      end: "received",
      x1: fromBox.x,
      y1,
      x2: toBox.x,
      y2: rowY(item.receiveRank, opts),
      // In the mailbox (its receive event) but never taken out (the recorder's snapshot at stop).
      note: item.status === "queued_at_end" ? "still queued at the end" : formatLatency(item.latencyNs),
    };
  }
  // Not received: stop short of the receiver (or of nowhere) one row down, where the marker goes.
  const end: ArrowEnd =
    item.status === "dead_process" || item.status === "never_received"
      ? "dead"
      : item.status === "unknown_process"
        ? "unknown"
        : "queued";
  if (item.to !== undefined && !toBox && end !== "dead") return undefined;
  const dir = toBox ? Math.sign(toBox.x - fromBox.x) || 1 : 1;
  const reach = toBox ? Math.abs(toBox.x - fromBox.x) * 0.75 : opts.laneWidth * 0.6;
  return {
    ...base,
    end,
    x1: fromBox.x,
    y1,
    x2: fromBox.x + dir * Math.max(reach, opts.laneWidth * 0.4),
    y2: y1 + opts.rowHeight * 0.6,
    note:
      item.status === "never_received"
        ? "never received (its process ended)"
        : end === "dead"
          ? "to a dead process"
          : end === "unknown"
            ? `to ${item.toName ?? "an unknown process"} (not recorded)`
            : item.status === "in_flight"
              ? "not received in the recording"
              : "still queued at the end",
  };
}

export interface MarkerGeom {
  index: number;
  kind: FlowMarkerKind;
  x: number;
  y: number;
  /** spawn/link: the other lane's x. */
  x2?: number;
  text: string;
}

export function layoutMarker(m: FlowMarker, lanes: LaneLayout, opts: LayoutOptions): MarkerGeom | undefined {
  const box = lanes.byPid.get(m.pid);
  if (!box) return undefined;
  const peer = m.peer !== undefined ? lanes.byPid.get(m.peer) : undefined;
  return { index: m.index, kind: m.kind, x: box.x, y: rowY(m.rank, opts), x2: peer?.x, text: m.text };
}

/** `142.1µs`, `3.2ms`, `850ns`. */
export function formatLatency(ns: number | undefined): string {
  if (ns === undefined) return "";
  if (ns < 1e3) return `${Math.round(ns)}ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(1)}µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(1)}ms`;
  return `${(ns / 1e9).toFixed(2)}s`;
}

/** The lanes that have an arrow end or a marker in rows [from, to): what "collapse idle" keeps open. */
export function activeLanes(
  items: Iterable<FlowItem>,
  markers: Iterable<FlowMarker>,
  from: number,
  to: number,
): Set<number> {
  const out = new Set<number>();
  const inRange = (r: number | undefined): boolean => r !== undefined && r >= from && r < to;
  for (const it of items) {
    if (inRange(it.sendRank) && it.from !== undefined) out.add(it.from);
    if (inRange(it.receiveRank) && it.to !== undefined) out.add(it.to);
    const lo = Math.min(it.sendRank ?? Infinity, it.receiveRank ?? Infinity);
    const hi = Math.max(it.sendRank ?? -Infinity, it.receiveRank ?? -Infinity);
    if (lo < to && hi >= from) {
      if (it.from !== undefined) out.add(it.from);
      if (it.to !== undefined) out.add(it.to);
    }
  }
  for (const m of markers) if (inRange(m.rank)) out.add(m.pid);
  return out;
}

// ── SVG ────────────────────────────────────────────────────────────────────────

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const n1 = (x: number): string => (Math.round(x * 10) / 10).toString();

/** One arrow as SVG: a line with its head, the label and the end marker. Classes carry the theme. */
export function arrowSvg(a: ArrowGeom, selected = false): string {
  const cls = `arrow ${a.kind} ${a.end}${selected ? " selected" : ""}`;
  const angle = Math.atan2(a.y2 - a.y1, a.x2 - a.x1);
  const head = (len: number, spread: number): string =>
    [angle - spread, angle + spread]
      .map((t) => `${n1(a.x2 - len * Math.cos(t))},${n1(a.y2 - len * Math.sin(t))}`)
      .join(" ");
  let end = "";
  if (a.end === "received" || a.end === "incoming")
    end = `<polygon class="head" points="${n1(a.x2)},${n1(a.y2)} ${head(7, 0.4)}"/>`;
  else if (a.end === "queued") end = `<circle class="end queued" cx="${n1(a.x2)}" cy="${n1(a.y2)}" r="4"/>`;
  else {
    const d = 4;
    end = `<path class="end ${a.end}" d="M${n1(a.x2 - d)} ${n1(a.y2 - d)}L${n1(a.x2 + d)} ${n1(a.y2 + d)}M${n1(a.x2 - d)} ${n1(a.y2 + d)}L${n1(a.x2 + d)} ${n1(a.y2 - d)}"/>`;
  }
  const mx = (a.x1 + a.x2) / 2;
  const my = (a.y1 + a.y2) / 2 - 3;
  const text = a.label.length > 48 ? `${a.label.slice(0, 47)}…` : a.label;
  return (
    `<g class="${cls}" data-id="${a.id}">` +
    `<line class="shaft" x1="${n1(a.x1)}" y1="${n1(a.y1)}" x2="${n1(a.x2)}" y2="${n1(a.y2)}"/>` +
    `<circle class="send-end" cx="${n1(a.x1)}" cy="${n1(a.y1)}" r="3"/>` +
    end +
    // Drawn over the thin shaft so the whole arrow is easy to point at.
    `<line class="hit" x1="${n1(a.x1)}" y1="${n1(a.y1)}" x2="${n1(a.x2)}" y2="${n1(a.y2)}"/>` +
    `<text class="label" x="${n1(mx)}" y="${n1(my)}" text-anchor="middle">${escapeXml(text)}${a.note ? ` <tspan class="note">${escapeXml(a.note)}</tspan>` : ""}</text>` +
    `</g>`
  );
}

export function markerSvg(m: MarkerGeom): string {
  const x = n1(m.x);
  const y = n1(m.y);
  const title = `<title>${escapeXml(m.text)}</title>`;
  switch (m.kind) {
    case "spawn":
      return `<g class="marker spawn" data-index="${m.index}">${title}${m.x2 !== undefined ? `<line x1="${x}" y1="${y}" x2="${n1(m.x2)}" y2="${y}"/>` : ""}<circle cx="${x}" cy="${y}" r="3.5"/></g>`;
    case "link":
    case "unlink":
      return `<g class="marker ${m.kind}" data-index="${m.index}">${title}${m.x2 !== undefined ? `<line x1="${x}" y1="${y}" x2="${n1(m.x2)}" y2="${y}"/>` : ""}<rect x="${n1(m.x - 2.5)}" y="${n1(m.y - 2.5)}" width="5" height="5"/></g>`;
    case "state":
      return `<g class="marker state" data-index="${m.index}">${title}<line x1="${n1(m.x - 6)}" y1="${y}" x2="${n1(m.x + 6)}" y2="${y}"/></g>`;
    case "exit":
      return `<g class="marker exit" data-index="${m.index}">${title}<rect x="${n1(m.x - 6)}" y="${n1(m.y - 2)}" width="12" height="4"/></g>`;
    case "crash":
      return `<g class="marker crash" data-index="${m.index}">${title}<path d="M${n1(m.x - 6)} ${n1(m.y - 6)}L${n1(m.x + 6)} ${n1(m.y + 6)}M${n1(m.x - 6)} ${n1(m.y + 6)}L${n1(m.x + 6)} ${n1(m.y - 6)}"/></g>`;
  }
}

/** A lifeline: the lane's line over the rows where the process exists, within [from, to). */
export function lifelineSvg(b: LaneBox, from: number, to: number, opts: LayoutOptions): string {
  const a = Math.max(b.firstRank, from);
  const z = Math.min(b.lastRank, to - 1);
  if (a > z) return "";
  return `<line class="lifeline${b.collapsed ? " collapsed" : ""}${b.crashed ? " crashed" : ""}" data-pid="${b.pid}" x1="${n1(b.x)}" y1="${n1(rowY(a, opts) - opts.rowHeight / 2)}" x2="${n1(b.x)}" y2="${n1(rowY(z, opts) + opts.rowHeight / 2)}"/>`;
}

/** The header cell of a lane: its name (the process as the debugger names it). */
export function laneHeaderSvg(b: LaneBox, opts: LayoutOptions, y = 0): string {
  if (b.collapsed)
    return `<g class="lane-head collapsed" data-pid="${b.pid}"><title>${escapeXml(b.name)}</title><rect x="${n1(b.x - b.width / 2)}" y="${y}" width="${b.width}" height="${opts.headerHeight - 4}"/></g>`;
  const [pid, ...rest] = b.name.split(" ");
  const short = shortName(b.name, Math.max(4, Math.floor(b.width / 6.2)));
  return (
    `<g class="lane-head${b.crashed ? " crashed" : ""}" data-pid="${b.pid}"><title>${escapeXml(b.name)}</title>` +
    `<rect x="${n1(b.x - b.width / 2 + 3)}" y="${y}" width="${b.width - 6}" height="${opts.headerHeight - 4}" rx="3"/>` +
    `<text x="${n1(b.x)}" y="${y + 13}" text-anchor="middle">${escapeXml(short)}</text>` +
    `<text class="pid" x="${n1(b.x)}" y="${y + 25}" text-anchor="middle">${escapeXml(rest.length ? pid : "")}</text></g>`
  );
}

/** Colours for a standalone SVG (the CLI's and an export without a theme): VS Code's light theme. */
export const LIGHT_THEME = {
  background: "#ffffff",
  foreground: "#1f1f1f",
  muted: "#717171",
  lane: "#c8c8c8",
  headBg: "#f3f3f3",
  message: "#0066b8",
  call: "#8a3ffc",
  reply: "#7f6bb0",
  error: "#cd3131",
  warn: "#bf8803",
  state: "#388a34",
  cursor: "#e51400",
  selected: "#f9a825",
  font: "-apple-system, 'Segoe UI', Ubuntu, sans-serif",
};

export type SvgTheme = typeof LIGHT_THEME;

/** The stylesheet embedded in a standalone SVG; the webview's own CSS uses the same classes. */
export function svgStyle(t: SvgTheme): string {
  return `
svg { background: ${t.background}; font-family: ${t.font}; font-size: 11px; }
text { fill: ${t.foreground}; }
.lifeline { stroke: ${t.lane}; stroke-width: 1.5; stroke-dasharray: 4 3; }
.lifeline.collapsed { stroke-width: 0.5; }
.lane-head rect { fill: ${t.headBg}; stroke: ${t.lane}; }
.lane-head.crashed rect { stroke: ${t.error}; }
.lane-head .pid, .note, .seq { fill: ${t.muted}; font-size: 9px; }
.arrow .shaft { stroke: ${t.message}; stroke-width: 1.4; fill: none; }
.arrow .head, .arrow .send-end { fill: ${t.message}; }
.arrow.call .shaft { stroke: ${t.call}; stroke-width: 1.8; }
.arrow.call .head, .arrow.call .send-end { fill: ${t.call}; }
.arrow.reply .shaft { stroke: ${t.reply}; stroke-dasharray: 5 3; }
.arrow.reply .head, .arrow.reply .send-end { fill: ${t.reply}; }
.arrow .hit { stroke: transparent; stroke-width: 9; }
.arrow .end.queued { fill: none; stroke: ${t.warn}; stroke-width: 1.5; }
.arrow .end.dead, .arrow .end.unknown { stroke: ${t.error}; stroke-width: 2; }
.arrow.queued .shaft, .arrow.dead .shaft, .arrow.unknown .shaft { stroke-dasharray: 2 2; }
.arrow.selected .shaft { stroke: ${t.selected}; stroke-width: 3; }
.arrow .label { font-size: 10px; }
.marker.spawn line { stroke: ${t.muted}; stroke-dasharray: 2 3; }
.marker.spawn circle { fill: ${t.background}; stroke: ${t.foreground}; }
.marker.link line, .marker.unlink line { stroke: ${t.muted}; stroke-dasharray: 1 3; }
.marker.link rect, .marker.unlink rect { fill: ${t.muted}; }
.marker.state line { stroke: ${t.state}; stroke-width: 2.5; }
.marker.exit rect { fill: ${t.muted}; }
.marker.crash path { stroke: ${t.error}; stroke-width: 2.5; }
.cursor { stroke: ${t.cursor}; stroke-width: 1.5; }
`;
}

export interface DiagramInput {
  lanes: readonly FlowLane[];
  items: readonly FlowItem[];
  markers: readonly FlowMarker[];
  /** Rows [from, to) to draw; defaults to every row the items and markers use. */
  from?: number;
  to?: number;
  /** Event sequence numbers per row, for the gutter (rank - from → seq). */
  seqOf?: (rank: number) => number | undefined;
  cursorRank?: number;
  hidden?: ReadonlySet<number>;
  collapseIdle?: boolean;
}

/** The whole diagram as one standalone SVG document. */
export function diagramSvg(
  input: DiagramInput,
  opts: LayoutOptions = DEFAULT_LAYOUT,
  theme = LIGHT_THEME,
): string {
  const { from, to } = rowSpan(input);
  const gutter = input.seqOf ? 44 : 0;
  const o: LayoutOptions = { ...opts, gutter: opts.gutter + gutter };
  const active = input.collapseIdle ? activeLanes(input.items, input.markers, from, to) : undefined;
  const lanes = layoutLanes(input.lanes, o, input.hidden, active);
  const shift = -from * o.rowHeight;
  const height = o.headerHeight + (to - from) * o.rowHeight + 8;
  const body: string[] = [];
  for (const b of lanes.boxes) body.push(lifelineSvg(b, from, to, o));
  for (const m of input.markers) {
    if (m.rank < from || m.rank >= to) continue;
    const g = layoutMarker(m, lanes, o);
    if (g) body.push(markerSvg(g));
  }
  for (const it of input.items) {
    const g = layoutArrow(it, lanes, o);
    if (g) body.push(arrowSvg(g));
  }
  if (input.seqOf)
    for (let r = from; r < to; r++) {
      const s = input.seqOf(r);
      if (s !== undefined)
        body.push(
          `<text class="seq" x="${opts.gutter + gutter - 6}" y="${n1(rowY(r, o) + 3)}" text-anchor="end">${s}</text>`,
        );
    }
  if (input.cursorRank !== undefined && input.cursorRank >= from && input.cursorRank < to) {
    const y = n1(rowY(input.cursorRank, o));
    body.push(`<line class="cursor" x1="0" y1="${y}" x2="${n1(lanes.width)}" y2="${y}"/>`);
  }
  const heads = lanes.boxes.map((b) => laneHeaderSvg(b, o, 2)).join("");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n1(lanes.width)}" height="${n1(height)}" viewBox="0 0 ${n1(lanes.width)} ${n1(height)}">` +
    `<style>${svgStyle(theme)}</style>` +
    `<rect width="100%" height="100%" fill="${theme.background}"/>` +
    `<g transform="translate(0 ${n1(shift)})">${body.join("")}</g>${heads}</svg>\n`
  );
}

function rowSpan(input: DiagramInput): { from: number; to: number } {
  if (input.from !== undefined && input.to !== undefined) return { from: input.from, to: input.to };
  let lo = Infinity;
  let hi = -1;
  for (const it of input.items)
    for (const r of [it.sendRank, it.receiveRank])
      if (r !== undefined) {
        lo = Math.min(lo, r);
        hi = Math.max(hi, r);
      }
  for (const m of input.markers) {
    lo = Math.min(lo, m.rank);
    hi = Math.max(hi, m.rank);
  }
  if (hi < 0) return { from: 0, to: 0 };
  return { from: input.from ?? lo, to: input.to ?? hi + 1 };
}

/** A lane's name in `max` characters: without its pid, dropping leading module segments first. */
export function shortName(name: string, max: number): string {
  let s =
    name
      .split(" ")
      .slice(1)
      .join(" ")
      .replace(/^Elixir\./, "") || name;
  while (s.length > max && /^[^.]*\.[^.]/.test(s)) s = s.replace(/^[^.]*\./, "");
  return s.length > max ? `…${s.slice(s.length - max + 1)}` : s;
}

// ── text ───────────────────────────────────────────────────────────────────────

/**
 * The diagram as text, one row per line: a column per lane (`│` lifeline), `●──▶` from a send to the
 * receiver's column at the send's row, `◀` where it is received, `○` still queued, `✕` dead/unknown
 * receiver or crash, `+` spawn, `■` exit, `~` link, `·` state change.
 */
export function diagramText(input: DiagramInput, col = 14): string {
  const { from, to } = rowSpan(input);
  const hidden = input.hidden ?? new Set<number>();
  const lanes = input.lanes.filter((l) => !hidden.has(l.pid));
  const colOf = new Map(lanes.map((l, i) => [l.pid, i]));
  const width = lanes.length * col;
  const center = (i: number): number => i * col + (col >> 1);
  const gutter = 8;
  const name = (l: FlowLane): string => shortName(l.name, col - 1).padEnd(col);
  const pidOf = (l: FlowLane): string =>
    (/^#PID(<[^>]*>)/.exec(l.name)?.[1] ?? "").slice(0, col - 1).padEnd(col);
  const out: string[] = [
    " ".repeat(gutter) + lanes.map(name).join("").trimEnd(),
    " ".repeat(gutter) + lanes.map(pidOf).join("").trimEnd(),
  ];
  const byRank = new Map<number, { cells: string[]; notes: string[] }>();
  const row = (r: number): { cells: string[]; notes: string[] } => {
    let x = byRank.get(r);
    if (!x) {
      const cells = Array.from({ length: width }, () => " ");
      for (const l of lanes) if (r >= l.firstRank && r <= l.lastRank) cells[center(colOf.get(l.pid)!)] = "│";
      x = { cells, notes: [] };
      byRank.set(r, x);
    }
    return x;
  };
  for (const it of input.items) {
    const fi = it.from !== undefined ? colOf.get(it.from) : undefined;
    const ti = it.to !== undefined ? colOf.get(it.to) : undefined;
    if (it.sendRank !== undefined && it.sendRank >= from && it.sendRank < to && fi !== undefined) {
      const r = row(it.sendRank);
      const a = center(fi);
      if (ti !== undefined && ti !== fi) {
        const b = center(ti);
        const step = Math.sign(b - a);
        for (let x = a + step; x !== b; x += step) r.cells[x] = "─";
        r.cells[b - step] = step > 0 ? "▶" : "◀";
      }
      r.cells[a] = "●";
      const fate =
        it.receiveRank !== undefined
          ? it.status === "queued_at_end"
            ? "○ in the mailbox, still queued at the end"
            : formatLatency(it.latencyNs)
          : it.status === "dead_process"
            ? "✕ to a dead process"
            : it.status === "never_received"
              ? "✕ never received (its process ended)"
              : it.status === "unknown_process"
                ? `✕ to ${it.toName ?? "an unknown process"}`
                : it.status === "in_flight"
                  ? "○ not received in the recording"
                  : "○ still queued at the end";
      r.notes.push(
        `${it.kind === "call" ? "call " : it.kind === "reply" ? "reply " : ""}${it.label}  ${fate}`,
      );
    }
    if (it.receiveRank !== undefined && it.receiveRank >= from && it.receiveRank < to && ti !== undefined) {
      const r = row(it.receiveRank);
      r.cells[center(ti)] = "◀";
      if (it.sendRank === undefined) r.notes.push(`received ${it.label} (sender not recorded)`);
    }
  }
  const glyph: Record<FlowMarkerKind, string> = {
    spawn: "+",
    exit: "■",
    crash: "✕",
    link: "~",
    unlink: "≁",
    state: "·",
  };
  for (const m of input.markers) {
    const i = colOf.get(m.pid);
    if (i === undefined || m.rank < from || m.rank >= to) continue;
    const r = row(m.rank);
    r.cells[center(i)] = glyph[m.kind];
    r.notes.push(m.text);
  }
  for (const r of [...byRank.keys()].sort((a, b) => a - b)) {
    const x = byRank.get(r)!;
    const seq = input.seqOf?.(r);
    const mark = input.cursorRank === r ? "▸" : " ";
    out.push(
      `${mark}${String(seq ?? r).padStart(gutter - 2)} ${x.cells.join("").trimEnd()}${x.notes.length ? `  ${x.notes.join("; ")}` : ""}`,
    );
  }
  return out.join("\n");
}

// ── message filter ─────────────────────────────────────────────────────────────

/**
 * A test on arrow labels from what a person types: an Elixir-like pattern (`{:hold, _, _}`, `_` for
 * any term, `...` for any rest) matches the whole label; anything else matches as text, ignoring case.
 */
export function messageMatcher(pattern: string): (label: string) => boolean {
  const p = pattern.trim();
  if (p === "") return () => true;
  if (/^[{[%:]/.test(p)) {
    const re = p
      .split(/(\.\.\.|\b_\b|\s+)/)
      .map((tok) =>
        tok === "..."
          ? ".*"
          : tok === "_"
            ? ".+?"
            : /^\s+$/.test(tok)
              ? "\\s*"
              : tok.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
      )
      .join("");
    const rx = new RegExp(`^${re}$`);
    return (label) => rx.test(label);
  }
  const needle = p.toLowerCase();
  return (label) => label.toLowerCase().includes(needle);
}
