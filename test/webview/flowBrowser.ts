// Runs the real webview bundle in headless Chromium (Debian's /usr/bin/chromium via playwright-core)
// against the real host session over a real Replay: a stubbed acquireVsCodeApi carries messages both
// ways as VS Code would, and every Content-Security-Policy violation and page error is recorded.
// Used by the browser tests and by `npm run bench` (flow_render_ms).

import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";
import type { Replay } from "../../src/core/replay";
import { ReplayCursor } from "../../src/core/cursor";
import { FlowPanelSession } from "../../src/extension/flowPanelSession";
import { flowPanelHtml } from "../../src/extension/flowPanelHtml";
import type { HostToView, ViewState, ViewToHost } from "../../src/shared/webviewProtocol";

const ROOT = join(__dirname, "../..");
export const ARTIFACTS = join(ROOT, "test-artifacts");
const ORIGIN = "https://flow.test";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/** Bundles webview-ui/main.ts as esbuild.mjs does, into test-artifacts/webview/. */
export async function buildWebview(): Promise<{ js: string; css: string }> {
  const dir = join(ARTIFACTS, "webview");
  mkdirSync(dir, { recursive: true });
  await esbuild.build({
    entryPoints: [join(ROOT, "webview-ui/main.ts")],
    outfile: join(dir, "webview.js"),
    bundle: true,
    platform: "browser",
    target: "es2022",
    format: "iife",
    minify: true,
    logLevel: "warning",
  });
  return {
    js: readFileSync(join(dir, "webview.js"), "utf8"),
    css: readFileSync(join(dir, "webview.css"), "utf8"),
  };
}

export interface FlowHarness {
  page: Page;
  session: FlowPanelSession;
  /** Everything the webview posted, validated, in order. */
  posted: ViewToHost[];
  /** What the host did for it: `goto N`, `thread P`, `open file:line`, `svg`. */
  calls: string[];
  violations: string[];
  errors: string[];
  moveCursor(index: number): void;
  /** The first message from `since` on (an index into `posted`) that passes `pred`. */
  waitFor(pred: (m: ViewToHost) => boolean, since?: number, timeoutMs?: number): Promise<ViewToHost>;
  /** Waits until every page the webview asked for was answered and drawn. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function openFlow(
  browser: Browser,
  replay: Replay,
  bundle: { js: string; css: string },
  opts: {
    state?: ViewState;
    width?: number;
    height?: number;
    cursor?: number;
    post?: (m: HostToView) => void;
  } = {},
): Promise<FlowHarness> {
  const page = await browser.newPage({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 } });
  const posted: ViewToHost[] = [];
  const calls: string[] = [];
  const violations: string[] = [];
  const errors: string[] = [];
  const waiters: Array<() => void> = [];
  let asked = 0;
  let answered = 0;
  const cursor = new ReplayCursor(replay, opts.cursor ?? 0);
  const session = new FlowPanelSession(
    {
      replay,
      cursor,
      goto: (i) => void calls.push(`goto ${i}`),
      selectThread: (p) => void calls.push(`thread ${p}`),
      openSource: (f, l) => void calls.push(`open ${f}:${l}`),
      saveSvg: () => void calls.push("svg"),
      onMessage: (m) => {
        posted.push(m);
        for (const w of waiters.splice(0)) w();
      },
      log: (m) => errors.push(m),
    },
    async (m) => {
      opts.post?.(m);
      await page
        .evaluate((data) => window.dispatchEvent(new MessageEvent("message", { data })), m)
        .catch(() => undefined);
      if (m.type === "page") answered++;
    },
  );
  await page.exposeFunction("__flowToHost", async (m: unknown) => {
    if ((m as { type?: string })?.type === "requestPage") asked++;
    await session.handle(m);
  });
  await page.exposeFunction("__flowViolation", (v: string) => void violations.push(v));
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  // A string, not a function: the test runner's transpiler may decorate functions with helpers the
  // page does not have.
  await page.addInitScript(`(() => {
    let saved = ${JSON.stringify(opts.state ?? null)};
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__flowToHost(JSON.parse(JSON.stringify(m))),
      getState: () => saved,
      setState: (s) => { saved = s; window.__flowState = s; },
    });
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__flowViolation(e.violatedDirective + " " + e.blockedURI));
  })();`);
  const html = flowPanelHtml({
    cspSource: ORIGIN,
    scriptUri: `${ORIGIN}/webview.js`,
    styleUri: `${ORIGIN}/webview.css`,
  });
  await page.route(`${ORIGIN}/**`, (route) => {
    const url = route.request().url();
    if (url.endsWith("/webview.js"))
      return route.fulfill({ contentType: "text/javascript", body: bundle.js });
    if (url.endsWith("/webview.css")) return route.fulfill({ contentType: "text/css", body: bundle.css });
    return route.fulfill({ contentType: "text/html", body: html });
  });
  await page.goto(`${ORIGIN}/index.html`);

  const h: FlowHarness = {
    page,
    session,
    posted,
    calls,
    violations,
    errors,
    moveCursor(index) {
      cursor.moveTo(index, "step", "debug");
    },
    async waitFor(pred, since = 0, timeoutMs = 10000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const hit = posted.slice(since).find(pred);
        if (hit) return hit;
        if (Date.now() > end)
          throw new Error(
            `timed out waiting for a webview message; got ${posted.map((m) => m.type).join(", ")}; errors: ${errors.join(" | ")}; csp: ${violations.join(" | ")}`,
          );
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    },
    async settle() {
      for (let i = 0; i < 200; i++) {
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        if (asked === answered) {
          await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
          if (asked === answered) return;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`pages still outstanding: asked ${asked}, answered ${answered}`);
    },
    async close() {
      session.dispose();
      cursor.dispose();
      await page.close();
    },
  };
  await h.waitFor((m) => m.type === "rendered");
  await h.settle();
  return h;
}
