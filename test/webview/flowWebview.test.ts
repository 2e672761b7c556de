// The message-flow webview bundle in real headless Chromium, served the shipped double-booking
// recording page by page by the real host session: every message drawn once, lanes named as in the
// debugger, click → typed goto, filters, keyboard, cursor, hover, export, state restore — with any
// Content-Security-Policy violation or page error failing the test. Saves a screenshot artifact.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { FlowSource } from "../../src/core/flowSource";
import { Replay } from "../../src/core/replay";
import type { ViewState } from "../../src/shared/webviewProtocol";
import { ARTIFACTS, buildWebview, launch, openFlow, type FlowHarness } from "./flowBrowser";

const TRACE = join(__dirname, "../../examples/traces/double_booking.estrace");

describe("message-flow webview in headless Chromium", function () {
  this.timeout(120_000);
  let browser: Browser;
  let replay: Replay;
  let source: FlowSource;
  let bundle: { js: string; css: string };
  let h: FlowHarness | undefined;

  before(async () => {
    [browser, replay, bundle] = await Promise.all([launch(), Replay.open(TRACE), buildWebview()]);
    source = new FlowSource(replay);
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    replay?.close();
  });
  afterEach(async () => {
    const v = h?.violations ?? [];
    const e = h?.errors ?? [];
    await h?.close();
    h = undefined;
    assert.deepEqual(v, [], "Content-Security-Policy violations");
    assert.deepEqual(e, [], "page errors");
  });

  const drawnIds = (x: FlowHarness): Promise<number[]> =>
    x.page.$$eval("#body g.arrow", (gs) => gs.map((g) => Number(g.getAttribute("data-id"))));
  const scrollTo = async (x: FlowHarness, top: number): Promise<void> => {
    await x.page.evaluate((t) => (document.getElementById("scroller")!.scrollTop = t), top);
    await x.settle();
  };
  const rowTop = (rank: number): number => 34 + rank * 18;
  /** Where on the page the point `t` of the way along an arrow is (0: its send, 1: its receive). */
  const along = (x: FlowHarness, id: number, t: number): Promise<{ x: number; y: number }> =>
    x.page.evaluate(
      ([id, t]) => {
        const line = document.querySelector(`#body g.arrow[data-id="${id}"] line.shaft`)!;
        const svg = document.getElementById("body")!;
        const r = svg.getBoundingClientRect();
        const top = Number(svg.getAttribute("viewBox")!.split(" ")[1]);
        // No named helpers in here: the page has no __name for the transpiler's decorations.
        const [x1, y1, x2, y2] = ["x1", "y1", "x2", "y2"].map((k) => Number(line.getAttribute(k)));
        return { x: r.left + x1 + (x2 - x1) * t, y: r.top - top + y1 + (y2 - y1) * t };
      },
      [id, t],
    );

  it("draws every recorded message exactly once while scrolling, on lanes named as in the debugger", async () => {
    // Wide enough for every lane: headers outside the horizontal view are not drawn.
    h = await openFlow(browser, replay, bundle, { width: 2800 });
    const heads = await h.page.$$eval("#head .lane-head title", (ts) => ts.map((t) => t.textContent));
    assert.deepEqual(
      heads,
      source.lanes.map((l) => l.name),
    );
    assert.ok(heads.some((name) => /^#PID<[\d.]+> CinemaDemo\.TicketOffice$/.test(name ?? "")));
    const height = await h.page.evaluate(() => document.getElementById("scroller")!.clientHeight);
    const seen = new Set<number>();
    let lifelines = 0;
    for (let top = 0; top < rowTop(source.total) + height; top += height / 2) {
      await scrollTo(h, top);
      for (const id of await drawnIds(h)) seen.add(id);
      lifelines = Math.max(lifelines, await h.page.$$eval("#body .lifeline", (l) => l.length));
    }
    const sends = replay.getEventIndices({ kinds: ["send"] });
    const unpaired = replay
      .getEventIndices({ kinds: ["receive"] })
      .filter((i) => replay.messageAt(i)?.send === undefined);
    assert.equal(seen.size, sends.length + unpaired.length);
    for (const s of sends) assert.ok(seen.has(s), `send ${s} drawn`);
    assert.ok(lifelines > 5 && lifelines <= source.lanes.length);
    const requested = h.posted.filter((m) => m.type === "requestPage").length;
    assert.equal(requested, 1, "one 500-row page covers this recording; nothing is asked twice");
  });

  it("clicking an arrow posts a typed goto for the nearer end and opens the sending line; a lane selects its thread", async () => {
    h = await openFlow(browser, replay, bundle);
    const hold = source.page(0, source.total).items.find((i) => i.label === '{:hold, 12, "carol"}')!;
    await scrollTo(h, rowTop(hold.sendRank!) - 200);
    let since = h.posted.length;
    let p = await along(h, hold.id, 0.15);
    await h.page.mouse.click(p.x, p.y);
    assert.deepEqual(await h.waitFor((m) => m.type === "goto", since), {
      type: "goto",
      index: hold.send,
      end: "send",
      id: hold.id,
    });
    since = h.posted.length;
    p = await along(h, hold.id, 0.9);
    await h.page.mouse.click(p.x, p.y);
    assert.deepEqual(await h.waitFor((m) => m.type === "goto", since), {
      type: "goto",
      index: hold.receive,
      end: "receive",
      id: hold.id,
    });
    assert.equal(h.calls[0], `goto ${hold.send}`);
    const loc = replay.locationOf(hold.send!)!;
    assert.equal(h.calls[1], `open ${loc.file}:${loc.line}`);
    assert.equal(h.calls[2], `goto ${hold.receive}`);
    const office = source.lanes.find((l) => l.name.endsWith("TicketOffice"))!;
    await h.page.click(`#head .lane-head[data-pid="${office.pid}"] rect`);
    await h.waitFor((m) => m.type === "selectThread");
    assert.ok(h.calls.includes(`thread ${office.pid}`));
  });

  it("filters by message pattern, hides and solos processes, and cuts to a seq range", async () => {
    h = await openFlow(browser, replay, bundle, { height: 1400 });
    await scrollTo(h, rowTop(280));
    await h.page.fill("#pattern", "{:hold, _, _}");
    await h.settle();
    const labels = await h.page.$$eval("#body g.arrow text.label", (ts) =>
      ts.map((t) => t.firstChild!.textContent!.trim()),
    );
    assert.ok(labels.length >= 2);
    for (const l of labels) assert.match(l, /^\{:hold, \d+, "[^"]+"\}/);
    await h.page.fill("#pattern", "");

    const office = source.lanes.find((l) => l.name.endsWith("TicketOffice"))!;
    let since = h.posted.length;
    await h.page.click(`#head g[data-pid="${office.pid}"] [data-act="hide"]`);
    await h.waitFor((m) => m.type === "rendered", since);
    await h.settle();
    assert.deepEqual(
      h.posted.find((m, i) => i >= since && m.type === "setFilter"),
      {
        type: "setFilter",
        filter: { hidden: [office.pid], solo: [] },
      },
    );
    const hidden = new FlowSource(replay, { hidden: [office.pid] });
    const heads = await h.page.$$eval("#head .lane-head", (g) =>
      g.map((x) => Number(x.getAttribute("data-pid"))),
    );
    assert.ok(!heads.includes(office.pid));
    const ids = new Set(hidden.page(0, hidden.total).items.map((i) => i.id));
    for (const id of await drawnIds(h)) assert.ok(ids.has(id), `arrow ${id} does not touch the hidden lane`);

    since = h.posted.length;
    await h.page.click('#toolbar [data-act="showAll"]');
    await h.waitFor((m) => m.type === "rendered", since);
    since = h.posted.length;
    await h.page.click(`#head g[data-pid="${office.pid}"] [data-act="solo"]`);
    await h.waitFor((m) => m.type === "rendered", since);
    assert.deepEqual(
      await h.page.$$eval("#head .lane-head", (g) => g.map((x) => Number(x.getAttribute("data-pid")))),
      [office.pid],
    );

    since = h.posted.length;
    await h.page.click('#toolbar [data-act="showAll"]');
    await h.waitFor((m) => m.type === "rendered", since);
    await h.page.fill("#fromSeq", "500");
    await h.page.fill("#toSeq", "560");
    since = h.posted.length;
    await h.page.click('#toolbar [data-act="range"]');
    await h.waitFor((m) => m.type === "rendered", since);
    await h.settle();
    const cut = new FlowSource(replay, {
      fromIndex: replay.resolveMoment({ seq: 500 }),
      toIndex: replay.resolveMoment({ seq: 560 }),
    });
    const seqs = await h.page.$$eval("#body text.seq", (ts) => ts.map((t) => Number(t.textContent)));
    assert.equal(seqs.length, cut.total);
    assert.ok(seqs.every((s) => s >= 500 && s <= 560));
  });

  it("moves between messages with the arrow keys and jumps with Enter", async () => {
    h = await openFlow(browser, replay, bundle);
    const order = source
      .page(0, source.total)
      .items.sort((a, b) => (a.sendRank ?? a.receiveRank!) - (b.sendRank ?? b.receiveRank!) || a.id - b.id);
    await h.page.focus("#scroller");
    await h.page.keyboard.press("ArrowDown");
    await h.page.keyboard.press("ArrowDown");
    await h.page.keyboard.press("ArrowDown");
    const selected = await h.page.$eval("#body g.arrow.selected", (g) => Number(g.getAttribute("data-id")));
    assert.equal(selected, order[2].id);
    await h.page.keyboard.press("ArrowUp");
    const since = h.posted.length;
    await h.page.keyboard.press("Enter");
    const go = await h.waitFor((m) => m.type === "goto", since);
    assert.deepEqual(go, {
      type: "goto",
      index: order[1].send ?? order[1].receive,
      end: order[1].send !== undefined ? "send" : "receive",
      id: order[1].id,
    });
    for (let i = 0; i < 60; i++) await h.page.keyboard.press("ArrowDown");
    await h.settle();
    const far = await h.page.$eval("#body g.arrow.selected", (g) => Number(g.getAttribute("data-id")));
    assert.equal(far, order[61].id, "selection scrolls the view along");
    assert.ok((await h.page.evaluate(() => document.getElementById("scroller")!.scrollTop)) > 0);
  });

  it("draws the current moment and scrolls to keep it in view as the replay moves", async () => {
    h = await openFlow(browser, replay, bundle);
    const at = source.rows[330];
    h.moveCursor(at);
    await h.settle();
    const info = await h.page.evaluate(() => {
      const s = document.getElementById("scroller")!;
      const line = document.querySelector("#body line.cursor")!;
      return { top: s.scrollTop, height: s.clientHeight, y: Number(line.getAttribute("y1")) };
    });
    assert.equal(info.y, rowTop(330) + 9);
    assert.ok(info.y > info.top && info.y < info.top + info.height, "the line is in view");
    assert.equal(await h.page.$$eval("#minimap line.cursor", (l) => l.length), 1);
  });

  it("shows a message's term on hover, exports the view as SVG, and restores its view when shown again", async () => {
    h = await openFlow(browser, replay, bundle);
    const hold = source.page(0, source.total).items.find((i) => i.label === '{:hold, 12, "dave"}')!;
    await scrollTo(h, rowTop(hold.sendRank!) - 300);
    const p = await along(h, hold.id, 0.5);
    await h.page.mouse.move(p.x, p.y);
    await h.page.waitForSelector("#tooltip:not([hidden])");
    const tip = await h.page.textContent("#tooltip");
    assert.match(tip!, /\{:hold, 12, "dave"\}/);
    assert.match(tip!, /sent at .+\.ex:\d+/);

    let svg = "";
    const since = h.posted.length;
    await h.page.click('#toolbar [data-act="export"]');
    const ex = await h.waitFor((m) => m.type === "exportSvg", since);
    if (ex.type === "exportSvg") svg = ex.svg;
    assert.match(svg, /^<svg xmlns/);
    assert.ok((svg.match(/<g class="arrow /g) ?? []).length >= (await drawnIds(h)).length - 2);
    assert.match(svg, /\{:hold, 12, &#34;dave&#34;\}/);
    assert.deepEqual(h.calls.slice(-1), ["svg"]);

    await h.page.fill("#pattern", "dave");
    await h.page.check("#collapse");
    await h.settle();
    const state = (await h.page.evaluate(
      () => (window as unknown as { __flowState: unknown }).__flowState,
    )) as ViewState;
    assert.equal(state.pattern, "dave");
    const top = await h.page.evaluate(() => document.getElementById("scroller")!.scrollTop);
    const v = h.violations.length + h.errors.length;
    await h.close();
    assert.equal(v, 0);
    h = await openFlow(browser, replay, bundle, { state });
    assert.equal(await h.page.inputValue("#pattern"), "dave");
    assert.equal(await h.page.isChecked("#collapse"), true);
    assert.equal(await h.page.evaluate(() => document.getElementById("scroller")!.scrollTop), top);
  });

  it("the CSP listener catches a blocked inline script (so a silent page really had none)", async () => {
    h = await openFlow(browser, replay, bundle);
    await h.page.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "window.__ran = 1";
      document.body.append(s);
    });
    await h.page.waitForTimeout(100);
    assert.equal(await h.page.evaluate(() => (window as unknown as { __ran?: number }).__ran), undefined);
    assert.equal(h.violations.length, 1);
    assert.match(h.violations[0], /^script-src/);
    h.violations.length = 0;
    // Chromium also logs the blocked script as a console error.
    assert.ok(h.errors.every((e) => /Content Security Policy/.test(e)));
    h.errors.length = 0;
  });

  it("screenshot: the double-booking race, two customers' holds interleaving at the ticket office", async () => {
    h = await openFlow(browser, replay, bundle, { width: 1200, height: 1150 });
    await h.page.check("#collapse");
    const items = source.page(0, source.total).items;
    const firstAsk = items.find((i) => i.label === "{:available?, 12}")!;
    const daveHold = items.find((i) => i.label === '{:hold, 12, "dave"}')!;
    // From the race's first question down, as far as keeps dave's hold in the 1150-pixel view.
    await scrollTo(h, Math.max(rowTop(firstAsk.sendRank!) - 40, rowTop(daveHold.sendRank!) - 1000));
    const p = await along(h, daveHold.id, 0.6);
    await h.page.mouse.move(p.x, p.y);
    await h.page.waitForSelector("#tooltip:not([hidden])");
    await h.page.screenshot({ path: join(ARTIFACTS, "flow-double-booking.png") });
    const drawn = await h.page.$$eval("#body g.arrow text.label", (ts) =>
      ts.map((t) => t.firstChild!.textContent!.trim()),
    );
    assert.ok(drawn.includes('{:hold, 12, "carol"}') && drawn.includes('{:hold, 12, "dave"}'));
  });
});
