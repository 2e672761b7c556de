// What the integration suites share: the activated extension's API, starting and stopping a replay
// the way the Run and Debug view does, waiting for the replay to move, DAP requests through the real
// VS Code session, and the page (notifications, screenshots) through the runner's UI bridge.

import assert from "node:assert/strict";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import type { ElixirScopeApi } from "../../src/extension/api";
import type { Moment } from "../../src/extension/services";
import { DEMO_TRACE, openDemo, type Demo } from "./demo";

export const EXTENSION_ID = "elixirscope.elixirscope";

export async function api(): Promise<ElixirScopeApi> {
  const ext = vscode.extensions.getExtension<ElixirScopeApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

export function workspace(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, "the runner opens a workspace folder");
  return f.uri.fsPath;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `test` until it returns a value that is not undefined/false, or fails after `ms`. */
export async function until<T>(what: string, test: () => T | undefined | false, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = test();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** `until` for an asynchronous test (e.g. a look at the page). */
export async function eventually<T>(
  what: string,
  test: () => Promise<T | undefined | false>,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await test();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Every `elixirscope/moment` event, in order: the tests wait for the next one after an action. */
const moments: Moment[] = [];
vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
  if (e.event === "elixirscope/moment") moments.push(e.body as Moment);
});

/** Runs `action` and waits for the replay's next moment (a stop). */
export async function moveBy(action: () => Thenable<unknown> | Promise<unknown>): Promise<Moment> {
  const seen = moments.length;
  await action();
  return until("the replay to move", () => moments[seen] && moments[moments.length - 1]);
}

/** Starts a replay through the configuration provider and waits for its first stop and loaded views. */
export async function startReplay(config: Partial<vscode.DebugConfiguration>): Promise<vscode.DebugSession> {
  const a = await api();
  const seen = moments.length;
  const started = new Promise<vscode.DebugSession>((resolve) => {
    const d = vscode.debug.onDidStartDebugSession((s) => {
      d.dispose();
      resolve(s);
    });
  });
  const ok = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders?.[0], {
    type: "elixirscope",
    request: "launch",
    name: "ElixirScope: Replay",
    ...config,
  });
  assert.equal(ok, true, "startDebugging");
  const session = await started;
  await until("the first stop", () => moments.length > seen);
  await until("the recording loaded for the views", () => a.services.current()?.moment !== undefined);
  return session;
}

export async function stopAll(): Promise<void> {
  while (vscode.debug.activeDebugSession) {
    const s = vscode.debug.activeDebugSession;
    const ended = new Promise<void>((resolve) => {
      const d = vscode.debug.onDidTerminateDebugSession((t) => {
        if (t.id !== s.id) return;
        d.dispose();
        resolve();
      });
    });
    await vscode.debug.stopDebugging(s);
    await ended;
  }
}

export async function threads(s: vscode.DebugSession): Promise<Array<{ id: number; name: string }>> {
  return (await s.customRequest("threads")).threads;
}

export interface Frame {
  id: number;
  name: string;
  line: number;
  source?: { path?: string };
}

/** In a remote window (code-server) VS Code hands the adapter's paths back as vscode-remote URIs. */
export function localPath(p: string | undefined): string | undefined {
  return p && /^vscode-remote:/.test(p) ? vscode.Uri.parse(p).fsPath : p;
}

export async function topFrames(s: vscode.DebugSession, threadId: number): Promise<Frame[]> {
  const frames: Frame[] = (await s.customRequest("stackTrace", { threadId, startFrame: 0, levels: 20 }))
    .stackFrames;
  return frames.map((f) => ({ ...f, source: f.source && { ...f.source, path: localPath(f.source.path) } }));
}

export interface Variable {
  name: string;
  value: string;
  variablesReference: number;
  evaluateName?: string;
}

export async function variables(s: vscode.DebugSession, ref: number): Promise<Variable[]> {
  return (await s.customRequest("variables", { variablesReference: ref })).variables;
}

// ── the page, through the runner's UI bridge ──────────────────────────────────
let bridgeSeq = 0;

async function bridge(
  req: Record<string, unknown>,
): Promise<{ ok: boolean; error?: string; texts?: string[] }> {
  const dir = process.env.E2E_UI_BRIDGE;
  assert.ok(dir, "run through scripts/e2e/test-extension.mjs (it passes --ui-bridge)");
  const name = `${process.pid}-${++bridgeSeq}`;
  const res = join(dir, `${name}.res.json`);
  // Written aside and renamed, as the runner writes its answers: it polls the folder, and a request
  // read while half written came back as "Unexpected end of JSON input".
  const pending = join(dir, `${name}.req.tmp`);
  writeFileSync(pending, JSON.stringify(req));
  renameSync(pending, join(dir, `${name}.req.json`));
  await until(`the runner to answer ${JSON.stringify(req)}`, () => existsSync(res), 30_000);
  const answer = JSON.parse(readFileSync(res, "utf8"));
  rmSync(res, { force: true });
  return answer;
}

/** aria-labels (else text) of the workbench elements matching a CSS selector. */
export async function pageTexts(selector: string): Promise<string[]> {
  const a = await bridge({ op: "texts", selector });
  assert.ok(a.ok, a.error);
  return a.texts ?? [];
}

/** A screenshot of the whole workbench into $ELIXIRSCOPE_E2E_ARTIFACTS (when set). */
export async function screenshot(name: string): Promise<void> {
  const dir = process.env.ELIXIRSCOPE_E2E_ARTIFACTS;
  if (!dir || !process.env.E2E_UI_BRIDGE) return;
  await sleep(700); // let the workbench paint what just changed
  const a = await bridge({ op: "screenshot", path: join(dir, `${name}.png`) });
  assert.ok(a.ok, a.error);
}

/**
 * The workbench's notifications so far: under the test driver it renders no toasts, but it announces
 * every new notification to screen readers ("Error: <message>"); the runner keeps each announcement.
 */
export async function notifications(): Promise<string[]> {
  const a = await bridge({ op: "alerts" });
  assert.ok(a.ok, a.error);
  return a.texts ?? [];
}

/**
 * Hooks for a suite that runs during a replay of the demo: before it, the demo opened with the core API
 * and a replay started at the office's `stateNo`-th handle_call state change; after it, the replay
 * stopped, the editors closed and the core replay released. The returned holder is filled in `before`.
 */
export function duringDemoReplay(stateNo: number): { demo: Demo; session: vscode.DebugSession } {
  const suite = {} as { demo: Demo; session: vscode.DebugSession };
  before(async () => {
    suite.demo = await openDemo(workspace());
    await stopAll();
    const at = suite.demo.officeStates[stateNo];
    suite.session = await startReplay({ trace: DEMO_TRACE, startAt: `seq:${suite.demo.seq(at)}` });
  });
  after(async () => {
    await stopAll();
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    suite.demo?.replay.close();
  });
  return suite;
}
