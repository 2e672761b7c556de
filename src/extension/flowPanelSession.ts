// The host side of the message-flow webview without VS Code: it answers the webview's validated
// messages from the replay (pages of rows, hovers, filters), turns clicks into goto / select-thread /
// open-source calls, and follows the replay cursor. flowPanel.ts wires it to a real WebviewPanel;
// the tests and the bench drive it directly.

import type { Disposable, ReplayCursor } from "../core/cursor";
import { FlowSource } from "../core/flowSource";
import type { Replay } from "../core/replay";
import {
  parseViewMessage,
  ProtocolError,
  type HostToView,
  type ViewFilter,
  type ViewToHost,
} from "../shared/webviewProtocol";

export interface FlowPanelDeps {
  replay: Replay;
  /** The replay's current moment, shared with the debug session: the diagram's line follows it. */
  cursor?: Pick<ReplayCursor, "index" | "onDidChange">;
  /** Move the replay (the debug session) to an event. */
  goto(index: number): void | Promise<void>;
  /** Make a process the debugger's selected thread. */
  selectThread(pid: number): void | Promise<void>;
  /** Show a source line (as recorded; the caller maps paths). */
  openSource(file: string, line: number): void | Promise<void>;
  saveSvg?(svg: string): void | Promise<void>;
  /** Problems worth a line in an output channel (never thrown at the host). */
  log?(message: string): void;
  /** Every validated message from the webview, after it is handled (tests and bench listen here). */
  onMessage?(m: ViewToHost): void;
}

export class FlowPanelSession implements Disposable {
  private source: FlowSource;
  private generation = 0;
  private filter: ViewFilter = { hidden: [], solo: [] };
  private readonly subscription?: Disposable;

  constructor(
    private readonly deps: FlowPanelDeps,
    private readonly post: (m: HostToView) => unknown,
  ) {
    this.source = new FlowSource(deps.replay);
    this.subscription = deps.cursor?.onDidChange(() => this.postCursor());
  }

  /** Handles one raw message from the webview. Never throws: bad input is logged and answered with an error. */
  async handle(raw: unknown): Promise<void> {
    let m: ViewToHost;
    try {
      m = parseViewMessage(raw);
    } catch (e) {
      this.fail(e instanceof ProtocolError ? e.message : String(e));
      return;
    }
    try {
      await this.dispatch(m);
      this.deps.onMessage?.(m);
    } catch (e) {
      this.fail(`${m.type}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The page the webview would get for rows [from, to): the one place paging is answered. */
  page(page: number, from: number, to: number): HostToView {
    const p = this.source.page(from, to);
    const seqs: number[] = [];
    for (let r = p.from; r < p.to; r++) seqs.push(this.source.seqAt(r) ?? 0);
    return {
      type: "page",
      generation: this.generation,
      page,
      from: p.from,
      to: p.to,
      items: p.items,
      markers: p.markers,
      seqs,
    };
  }

  dispose(): void {
    this.subscription?.dispose();
  }

  private async dispatch(m: ViewToHost): Promise<void> {
    switch (m.type) {
      case "ready":
        if (m.state)
          this.applyFilter({
            hidden: m.state.hidden,
            solo: m.state.solo,
            fromSeq: m.state.fromSeq,
            toSeq: m.state.toSeq,
          });
        this.postInit();
        return;
      case "setFilter":
        this.applyFilter(m.filter);
        this.postInit();
        return;
      case "requestPage":
        await this.post(this.page(m.page, m.from, m.to));
        return;
      case "hover": {
        const d = this.source.describe(this.checkEvent(m.id));
        await this.post({
          type: "hoverInfo",
          id: m.id,
          text: d.text,
          ...(d.location ? { location: `${d.location.file}:${d.location.line}` } : {}),
        });
        return;
      }
      case "goto": {
        const index = this.checkEvent(m.index);
        await this.deps.goto(index);
        // The line that sent the message, whichever end was clicked.
        const send = this.deps.replay.messageAt(this.checkEvent(m.id))?.send;
        const loc = send !== undefined ? this.deps.replay.locationOf(send) : undefined;
        if (loc) await this.deps.openSource(loc.file, loc.line);
        return;
      }
      case "selectThread":
        if (m.pid >= this.deps.replay.processes().length)
          throw new Error(`no process ${m.pid} in this recording`);
        await this.deps.selectThread(m.pid);
        return;
      case "exportSvg":
        await this.deps.saveSvg?.(m.svg);
        return;
      case "rendered":
        return;
    }
  }

  private applyFilter(f: ViewFilter): void {
    const r = this.deps.replay;
    const fromIndex = f.fromSeq !== undefined ? r.resolveMoment({ seq: f.fromSeq }) : undefined;
    const toIndex = f.toSeq !== undefined ? r.resolveMoment({ seq: f.toSeq }) : undefined;
    if (fromIndex !== undefined && toIndex !== undefined && fromIndex > toIndex)
      throw new Error(`the seq range ${f.fromSeq}..${f.toSeq} is empty`);
    this.filter = f;
    this.source = new FlowSource(r, { hidden: f.hidden, solo: f.solo, fromIndex, toIndex });
    this.generation++;
  }

  private postInit(): void {
    const cursor = this.deps.cursor;
    void this.post({
      type: "init",
      generation: this.generation,
      lanes: this.source.lanes,
      total: this.source.total,
      filter: this.filter,
      density: this.source.density(200),
      ...(cursor && this.inRange(cursor.index) ? { cursor: this.source.positionOf(cursor.index) } : {}),
    });
  }

  private postCursor(): void {
    const c = this.deps.cursor;
    if (!c || !this.inRange(c.index)) return;
    void this.post({
      type: "cursor",
      generation: this.generation,
      index: c.index,
      position: this.source.positionOf(c.index),
    });
  }

  private inRange(index: number): boolean {
    return Number.isInteger(index) && index >= 0 && index < this.deps.replay.eventCount;
  }

  private checkEvent(index: number): number {
    if (!this.inRange(index)) throw new Error(`no event ${index} in this recording`);
    return index;
  }

  private fail(message: string): void {
    this.deps.log?.(`message flow: ${message}`);
    void this.post({ type: "error", message });
  }
}
