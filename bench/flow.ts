// The message-flow figures: building the diagram's rows on the bench trace, the host answering one
// page of 500 rows (flow_page_ms), and the webview's first render of a 10,000-message page in headless
// Chromium (flow_render_ms: from the page message arriving to the diagram drawn, measured in the page).

import { FlowSource } from "../src/core/flowSource";
import type { Replay } from "../src/core/replay";
import { FlowPanelSession } from "../src/extension/flowPanelSession";
import type { HostToView } from "../src/shared/webviewProtocol";
import { buildWebview, launch, openFlow } from "../test/webview/flowBrowser";
import { percentile } from "./stats";

const round = (x: number): number => Number(x.toFixed(3));

export async function benchFlow(r: Replay, samples = 60): Promise<Record<string, number>> {
  const t0 = performance.now();
  const source = new FlowSource(r);
  const openMs = performance.now() - t0;
  const session = new FlowPanelSession(
    { replay: r, goto: () => undefined, selectThread: () => undefined, openSource: () => undefined },
    () => undefined,
  );
  let s = 12345;
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const from = Math.floor((s / 2 ** 32) * (source.total - 500));
    const t = performance.now();
    session.page(0, from, from + 500);
    times.push(performance.now() - t);
  }
  session.dispose();
  const page = {
    flow_page_ms: round(percentile(times, 50)),
    flow_host_page_p99_ms: round(percentile(times, 99)),
  };

  // A page with 10,000 messages from the start of the recording.
  let to = 10_000;
  let big = source.page(0, to);
  while (big.items.length < 10_000 && to < source.total)
    big = source.page(0, (to = Math.min(source.total, to * 2)));
  const items = big.items.slice(0, 10_000);
  const last = Math.max(...items.map((it) => Math.max(it.sendRank ?? 0, it.receiveRank ?? 0))) + 1;
  const seqs: number[] = [];
  for (let k = 0; k < last; k++) seqs.push(source.seqAt(k) ?? 0);

  const [browser, bundle] = await Promise.all([launch(), buildWebview()]);
  try {
    const h = await openFlow(browser, r, bundle, { width: 1280, height: 900 });
    const renders: number[] = [];
    for (let i = 0; i < 5; i++) {
      const since = h.posted.length;
      const msg: HostToView = {
        type: "page",
        generation: h.session.generation,
        page: 1000 + i,
        from: 0,
        to: last,
        items,
        markers: big.markers.filter((m) => m.rank < last),
        seqs,
      };
      await h.post(msg);
      const done = await h.waitFor((m) => m.type === "rendered", since, 120_000);
      if (done.type === "rendered") renders.push(done.ms);
    }
    await h.close();
    renders.sort((a, b) => a - b);
    return {
      flow_open_ms: round(openMs),
      flow_rows: source.total,
      ...page,
      flow_render_ms: round(renders[0]),
      flow_render_median_ms: round(renders[2]),
    };
  } finally {
    await browser.close();
  }
}
