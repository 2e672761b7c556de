// The message-flow diagram in the webview: draws only the rows in view (asking the host for their
// pages), with the shared layout; handles scrolling, zoom and pan, the overview, filters, hover,
// clicks and the keyboard, and keeps its view in VS Code's webview state.

import {
  activeLanes,
  arrowSvg,
  DEFAULT_LAYOUT,
  diagramSvg,
  laneHeaderSvg,
  layoutArrow,
  layoutLanes,
  layoutMarker,
  lifelineSvg,
  markerSvg,
  messageMatcher,
  rowY,
  visibleRows,
  type ArrowGeom,
  type FlowItem,
  type FlowLane,
  type LaneLayout,
  type LayoutOptions,
} from "../src/core/flowLayout";
import type { HostToView, ViewState } from "../src/shared/webviewProtocol";
import { PageCache } from "./pages";
import { exportTheme } from "./theme";
import { buildDom, type FlowDom } from "./toolbar";
import type { VsCodeApi } from "./vscodeApi";

const GUTTER = 46;
const MIN_ZOOM = 0.2;
const MAX_ZOOM = 4;

export const DEFAULT_STATE: ViewState = {
  scrollTop: 0,
  scrollLeft: 0,
  zoom: 1,
  pattern: "",
  collapseIdle: false,
  hidden: [],
  solo: [],
  follow: true,
};

export class FlowView {
  private readonly dom: FlowDom;
  private readonly pages = new PageCache();
  private readonly hovers = new Map<number, string>();
  private lanes: FlowLane[] = [];
  private total = 0;
  private generation = -1;
  private density: number[] = [];
  private cursor?: number;
  private matches: (label: string) => boolean = () => true;
  private shown: FlowItem[] = [];
  private layout?: LaneLayout;
  private frame = 0;
  private hovering?: number;
  private restored = false;

  constructor(
    root: HTMLElement,
    private readonly api: VsCodeApi,
    private state: ViewState,
  ) {
    this.dom = buildDom(root);
    this.dom.pattern.value = state.pattern;
    this.dom.collapse.checked = state.collapseIdle;
    this.dom.follow.checked = state.follow;
    if (state.fromSeq !== undefined) this.dom.fromSeq.value = String(state.fromSeq);
    if (state.toSeq !== undefined) this.dom.toSeq.value = String(state.toSeq);
    this.matches = messageMatcher(state.pattern);
    this.listen();
  }

  /** One validated message from the host. Returns what was drawn when it changed the picture. */
  onHostMessage(m: HostToView): { arrows: number; lanes: number } | undefined {
    switch (m.type) {
      case "init": {
        if (m.generation !== this.generation) this.pages.clear();
        this.generation = m.generation;
        this.lanes = m.lanes;
        this.total = m.total;
        this.density = m.density;
        this.cursor = m.cursor;
        this.state = {
          ...this.state,
          hidden: m.filter.hidden,
          solo: m.filter.solo,
          fromSeq: m.filter.fromSeq,
          toSeq: m.filter.toSeq,
        };
        this.resize();
        if (!this.restored) {
          this.restored = true;
          this.dom.scroller.scrollTop = this.state.scrollTop;
          this.dom.scroller.scrollLeft = this.state.scrollLeft;
        }
        this.dom.status.textContent = "";
        return this.render();
      }
      case "page":
        if (m.generation !== this.generation) return undefined;
        this.pages.add(m.page, m, this.visible().from);
        return this.render();
      case "cursor":
        if (m.generation !== this.generation) return undefined;
        this.cursor = m.position;
        if (this.state.follow) this.scrollToRow(m.position, false);
        this.render();
        return undefined;
      case "hoverInfo":
        this.hovers.set(m.id, m.location ? `${m.text}\n\nsent at ${m.location}` : m.text);
        if (this.hovering === m.id) this.showTooltip(m.id);
        return undefined;
      case "error":
        this.dom.status.textContent = m.message;
        this.dom.status.classList.add("error");
        return undefined;
    }
  }

  /** The arrows drawn now (what a keyboard user moves between). */
  get drawn(): readonly FlowItem[] {
    return this.shown;
  }

  private get opts(): LayoutOptions {
    const z = this.state.zoom;
    return {
      ...DEFAULT_LAYOUT,
      rowHeight: DEFAULT_LAYOUT.rowHeight * z,
      laneWidth: DEFAULT_LAYOUT.laneWidth * Math.min(2, Math.max(0.5, Math.sqrt(z))),
      gutter: GUTTER,
    };
  }

  private visible(): { from: number; to: number } {
    const s = this.dom.scroller;
    return visibleRows(s.scrollTop, s.clientHeight, this.opts, this.total);
  }

  private resize(): void {
    const o = this.opts;
    const width = layoutLanes(this.lanes, o).width;
    const height = o.headerHeight + this.total * o.rowHeight + o.rowHeight;
    this.dom.spacer.style.height = `${height}px`;
    this.dom.spacer.style.width = `${width}px`;
    // The rows may have shrunk (a filter): do not stay scrolled past the end.
    const s = this.dom.scroller;
    if (s.scrollTop > height - s.clientHeight) s.scrollTop = Math.max(0, height - s.clientHeight);
  }

  /** Draws the rows in view; asks for the pages they need. */
  private render(): { arrows: number; lanes: number } {
    const o = this.opts;
    const s = this.dom.scroller;
    const { from, to } = this.visible();
    for (const p of this.pages.missing(from, to, this.total))
      this.api.postMessage({ type: "requestPage", page: p.page, from: p.from, to: p.to });
    const { items, markers } = this.pages.range(from, to);
    this.shown = items
      .filter((it) => this.matches(it.label))
      .sort((a, b) => anchor(a) - anchor(b) || a.id - b.id);
    const active = this.state.collapseIdle ? activeLanes(this.shown, markers, from, to) : undefined;
    const lanes = layoutLanes(this.lanes, o, undefined, active);
    this.layout = lanes;
    const parts: string[] = [];
    for (const b of lanes.boxes) parts.push(lifelineSvg(b, from, to, o));
    if (o.rowHeight >= 10)
      for (let r = from; r < to; r++) {
        const seq = this.pages.seqAt(r);
        if (seq !== undefined)
          parts.push(
            `<text class="seq" x="${GUTTER - 6}" y="${(rowY(r, o) + 3).toFixed(1)}" text-anchor="end">${seq}</text>`,
          );
      }
    for (const m of markers) {
      const g = layoutMarker(m, lanes, o);
      if (g) parts.push(markerSvg(g));
    }
    let arrows = 0;
    for (const it of this.shown) {
      const g = layoutArrow(it, lanes, o);
      if (!g) continue;
      parts.push(arrowSvg(g, it.id === this.state.selected));
      arrows++;
    }
    if (this.cursor !== undefined) {
      const y = rowY(this.cursor, o).toFixed(1);
      parts.push(`<line class="cursor" x1="0" y1="${y}" x2="${lanes.width}" y2="${y}"/>`);
    }
    const top = s.scrollTop;
    const h = s.clientHeight;
    for (const svg of [this.dom.body, this.dom.head]) {
      svg.style.top = `${top}px`;
      svg.setAttribute("width", String(lanes.width));
    }
    this.dom.body.setAttribute("height", String(h));
    this.dom.body.setAttribute("viewBox", `0 ${top} ${lanes.width} ${h}`);
    this.dom.body.classList.toggle("compact", o.rowHeight < 12);
    this.dom.body.innerHTML = parts.join("");
    this.dom.head.setAttribute("height", String(o.headerHeight));
    this.dom.head.innerHTML = lanes.boxes
      .map((b) => laneHeaderSvg(b, o, 2) + laneButtons(b.x, b.width, b.pid, b.collapsed))
      .join("");
    this.drawMinimap(from, to);
    return { arrows, lanes: lanes.boxes.length };
  }

  private drawMinimap(from: number, to: number): void {
    const mm = this.dom.minimap;
    const h = this.dom.scroller.clientHeight;
    const w = 56;
    mm.setAttribute("width", String(w));
    mm.setAttribute("height", String(h));
    const max = Math.max(1, ...this.density);
    const bh = h / Math.max(1, this.density.length);
    const bars = this.density
      .map((n, i) =>
        n
          ? `<rect class="density" x="${w - 4 - (n / max) * (w - 8)}" y="${(i * bh).toFixed(1)}" width="${((n / max) * (w - 8)).toFixed(1)}" height="${Math.max(1, bh).toFixed(1)}"/>`
          : "",
      )
      .join("");
    const t = Math.max(1, this.total);
    const view = `<rect class="viewport" x="1" y="${((from / t) * h).toFixed(1)}" width="${w - 2}" height="${Math.max(3, ((to - from) / t) * h).toFixed(1)}"/>`;
    const cur =
      this.cursor !== undefined
        ? `<line class="cursor" x1="0" x2="${w}" y1="${((this.cursor / t) * h).toFixed(1)}" y2="${((this.cursor / t) * h).toFixed(1)}"/>`
        : "";
    mm.innerHTML = bars + view + cur;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
      this.save();
    });
  }

  private save(): void {
    const s = this.dom.scroller;
    this.state = { ...this.state, scrollTop: s.scrollTop, scrollLeft: s.scrollLeft };
    this.api.setState(this.state);
  }

  /** Scrolls so the row is in view: centred, or (when `always` is false) only if it is outside. */
  private scrollToRow(rank: number, always: boolean): void {
    const s = this.dom.scroller;
    const o = this.opts;
    const y = rowY(rank, o);
    if (
      !always &&
      y >= s.scrollTop + o.headerHeight + o.rowHeight &&
      y <= s.scrollTop + s.clientHeight - o.rowHeight
    )
      return;
    s.scrollTop = Math.max(0, y - s.clientHeight / 2);
  }

  private setZoom(z: number, aroundY?: number): void {
    const s = this.dom.scroller;
    const o = this.opts;
    const pivot = aroundY ?? s.clientHeight / 2;
    const row = (s.scrollTop + pivot - o.headerHeight) / o.rowHeight;
    this.state.zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));
    this.resize();
    const n = this.opts;
    s.scrollTop = Math.max(0, n.headerHeight + row * n.rowHeight - pivot);
    this.render();
    this.save();
  }

  private setFilter(hidden: number[], solo: number[]): void {
    const from = this.dom.fromSeq.value === "" ? undefined : Number(this.dom.fromSeq.value);
    const to = this.dom.toSeq.value === "" ? undefined : Number(this.dom.toSeq.value);
    const ok = (x: number | undefined): boolean => x === undefined || (Number.isInteger(x) && x >= 0);
    if (!ok(from) || !ok(to)) {
      this.dom.status.textContent = "The seq range takes whole numbers ≥ 0";
      return;
    }
    this.dom.status.classList.remove("error");
    this.dom.status.textContent = "…";
    this.api.postMessage({
      type: "setFilter",
      filter: {
        hidden,
        solo,
        ...(from !== undefined ? { fromSeq: from } : {}),
        ...(to !== undefined ? { toSeq: to } : {}),
      },
    });
    this.state = { ...this.state, hidden, solo, fromSeq: from, toSeq: to };
    this.api.setState(this.state);
  }

  private select(it: FlowItem | undefined): void {
    if (!it) return;
    this.state.selected = it.id;
    this.scrollToRow(anchor(it), false);
    const lane = (p: number | undefined): string => this.lanes.find((l) => l.pid === p)?.name ?? "?";
    this.dom.announce.textContent = `${it.kind} ${it.label} from ${lane(it.from)} to ${it.toName ?? lane(it.to)}`;
    this.render();
    this.save();
  }

  /** Up/down between the arrows in row order (those loaded and matching), scrolling them into view. */
  private step(dir: 1 | -1): void {
    const list = this.pages
      .range(0, this.total)
      .items.filter((it) => this.matches(it.label))
      .sort((a, b) => anchor(a) - anchor(b) || a.id - b.id);
    const cur = list.find((x) => x.id === this.state.selected);
    if (!cur) {
      const { from } = this.visible();
      this.select(dir > 0 ? list.find((x) => anchor(x) >= from) : list[list.length - 1]);
      return;
    }
    const key = anchor(cur);
    const next =
      dir > 0
        ? list.find((x) => anchor(x) > key || (anchor(x) === key && x.id > cur.id))
        : [...list].reverse().find((x) => anchor(x) < key || (anchor(x) === key && x.id < cur.id));
    if (next) this.select(next);
    else {
      // Past what is loaded: scroll on so the next pages come.
      const s = this.dom.scroller;
      s.scrollTop += dir * s.clientHeight * 0.8;
      this.render();
    }
  }

  private goto(it: FlowItem, end: "send" | "receive"): void {
    const index = end === "receive" ? (it.receive ?? it.send) : (it.send ?? it.receive);
    if (index === undefined) return;
    this.api.postMessage({ type: "goto", index, end: index === it.send ? "send" : "receive", id: it.id });
  }

  private itemById(id: number): FlowItem | undefined {
    return (
      this.shown.find((x) => x.id === id) ?? this.pages.range(0, this.total).items.find((x) => x.id === id)
    );
  }

  private showTooltip(id: number): void {
    const t = this.hovers.get(id);
    if (t === undefined) return;
    this.dom.tooltip.textContent = t;
    this.dom.tooltip.hidden = false;
  }

  private exportSvg(): void {
    const { from, to } = this.visible();
    const { items, markers } = this.pages.range(from, to);
    const svg = diagramSvg(
      {
        lanes: this.lanes,
        items: items.filter((it) => this.matches(it.label)),
        markers,
        from,
        to,
        seqOf: (r) => this.pages.seqAt(r),
        cursorRank: this.cursor,
        collapseIdle: this.state.collapseIdle,
      },
      { ...this.opts, gutter: DEFAULT_LAYOUT.gutter },
      exportTheme(),
    );
    this.api.postMessage({ type: "exportSvg", svg });
  }

  private listen(): void {
    const d = this.dom;
    d.scroller.addEventListener("scroll", () => this.schedule());
    window.addEventListener("resize", () => this.schedule());
    d.pattern.addEventListener("input", () => {
      this.state.pattern = d.pattern.value;
      this.matches = messageMatcher(d.pattern.value);
      this.render();
      this.save();
    });
    d.collapse.addEventListener("change", () => {
      this.state.collapseIdle = d.collapse.checked;
      this.render();
      this.save();
    });
    d.follow.addEventListener("change", () => {
      this.state.follow = d.follow.checked;
      if (this.state.follow && this.cursor !== undefined) this.scrollToRow(this.cursor, false);
      this.save();
    });
    d.toolbar.addEventListener("click", (e) => {
      const act = (e.target as Element).closest("[data-act]")?.getAttribute("data-act");
      if (act === "range") this.setFilter(this.state.hidden, this.state.solo);
      else if (act === "showAll") {
        d.fromSeq.value = "";
        d.toSeq.value = "";
        this.setFilter([], []);
      } else if (act === "zoomIn") this.setZoom(this.state.zoom * 1.25);
      else if (act === "zoomOut") this.setZoom(this.state.zoom / 1.25);
      else if (act === "cursor" && this.cursor !== undefined) this.scrollToRow(this.cursor, true);
      else if (act === "export") this.exportSvg();
    });
    d.head.addEventListener("click", (e) => {
      const target = e.target as Element;
      const pid = Number(target.closest("[data-pid]")?.getAttribute("data-pid"));
      if (!Number.isInteger(pid)) return;
      const act = target.closest("[data-act]")?.getAttribute("data-act");
      if (act === "hide")
        this.setFilter(
          [...this.state.hidden, pid],
          this.state.solo.filter((p) => p !== pid),
        );
      else if (act === "solo")
        this.setFilter(
          [],
          this.state.solo.includes(pid)
            ? this.state.solo.filter((p) => p !== pid)
            : [...this.state.solo, pid],
        );
      else this.api.postMessage({ type: "selectThread", pid });
    });
    d.body.addEventListener("click", (e) => {
      const g = (e.target as Element).closest("g.arrow");
      const it = g ? this.itemById(Number(g.getAttribute("data-id"))) : undefined;
      if (!it || !this.layout) return;
      const a = layoutArrow(it, this.layout, this.opts);
      if (!a) return;
      this.state.selected = it.id;
      this.goto(it, nearerEnd(a, this.toDiagram(e)));
      this.render();
      this.save();
    });
    d.body.addEventListener("mouseover", (e) => {
      const g = (e.target as Element).closest("g.arrow");
      const id = g ? Number(g.getAttribute("data-id")) : undefined;
      if (id === this.hovering) return;
      this.hovering = id;
      d.tooltip.hidden = true;
      if (id === undefined) return;
      if (this.hovers.has(id)) this.showTooltip(id);
      else this.api.postMessage({ type: "hover", id });
    });
    d.body.addEventListener("mousemove", (e) => {
      d.tooltip.style.left = `${Math.min(e.clientX + 14, window.innerWidth - 380)}px`;
      d.tooltip.style.top = `${e.clientY + 16}px`;
    });
    d.body.addEventListener("mouseleave", () => {
      this.hovering = undefined;
      d.tooltip.hidden = true;
    });
    this.listenPan();
    d.scroller.addEventListener(
      "wheel",
      (e) => {
        if (!e.ctrlKey && !e.metaKey) return;
        e.preventDefault();
        const y = e.clientY - d.scroller.getBoundingClientRect().top;
        this.setZoom(this.state.zoom * (e.deltaY < 0 ? 1.15 : 1 / 1.15), y);
      },
      { passive: false },
    );
    d.scroller.addEventListener("keydown", (e) => this.onKey(e));
    const jump = (e: MouseEvent): void => {
      const r = d.minimap.getBoundingClientRect();
      const row = ((e.clientY - r.top) / r.height) * this.total;
      this.scrollToRow(row, true);
    };
    d.minimap.addEventListener("mousedown", (e) => {
      jump(e);
      const move = (m: MouseEvent): void => jump(m);
      window.addEventListener("mousemove", move);
      window.addEventListener("mouseup", () => window.removeEventListener("mousemove", move), { once: true });
    });
  }

  /** Drag the background to pan. */
  private listenPan(): void {
    const s = this.dom.scroller;
    this.dom.body.addEventListener("pointerdown", (e) => {
      if ((e.target as Element).closest("g.arrow") || e.button !== 0) return;
      const x0 = e.clientX;
      const y0 = e.clientY;
      const l0 = s.scrollLeft;
      const t0 = s.scrollTop;
      const move = (m: PointerEvent): void => {
        s.scrollLeft = l0 - (m.clientX - x0);
        s.scrollTop = t0 - (m.clientY - y0);
      };
      window.addEventListener("pointermove", move);
      window.addEventListener("pointerup", () => window.removeEventListener("pointermove", move), {
        once: true,
      });
    });
  }

  private onKey(e: KeyboardEvent): void {
    const s = this.dom.scroller;
    const sel = this.state.selected !== undefined ? this.itemById(this.state.selected) : undefined;
    switch (e.key) {
      case "ArrowDown":
        this.step(1);
        break;
      case "ArrowUp":
        this.step(-1);
        break;
      case "ArrowRight":
        s.scrollLeft += this.opts.laneWidth;
        break;
      case "ArrowLeft":
        s.scrollLeft -= this.opts.laneWidth;
        break;
      case "Enter":
        if (sel) this.goto(sel, e.shiftKey ? "receive" : "send");
        break;
      case "+":
      case "=":
        this.setZoom(this.state.zoom * 1.25);
        break;
      case "-":
        this.setZoom(this.state.zoom / 1.25);
        break;
      case "0":
        this.setZoom(1);
        break;
      case "c":
        if (this.cursor !== undefined) this.scrollToRow(this.cursor, true);
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  private toDiagram(e: MouseEvent): { x: number; y: number } {
    const r = this.dom.body.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top + this.dom.scroller.scrollTop };
  }
}

/** The row an arrow is reached at by the keyboard: its send, else its receive. */
function anchor(it: FlowItem): number {
  return it.sendRank ?? it.receiveRank ?? 0;
}

/** Which end of the arrow a click was nearer: the first half picks the send, the second the receive. */
function nearerEnd(a: ArrowGeom, p: { x: number; y: number }): "send" | "receive" {
  const dx = a.x2 - a.x1;
  const dy = a.y2 - a.y1;
  const len = dx * dx + dy * dy;
  const t = len === 0 ? 0 : ((p.x - a.x1) * dx + (p.y - a.y1) * dy) / len;
  return t > 0.5 && a.end === "received" ? "receive" : "send";
}

/** Hide and solo buttons on a lane's header. */
function laneButtons(x: number, width: number, pid: number, collapsed: boolean): string {
  if (collapsed) return "";
  const right = x + width / 2 - 8;
  return (
    `<g data-pid="${pid}">` +
    `<text class="lane-btn" data-act="hide" x="${right}" y="13" text-anchor="middle"><title>Hide this process</title>×</text>` +
    `<text class="lane-btn" data-act="solo" x="${right}" y="26" text-anchor="middle"><title>Show only this process (solo)</title>◎</text>` +
    `</g>`
  );
}
