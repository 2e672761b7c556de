// Debug adapter speed over the real protocol: the adapter runs as a child process on stdio (the bundled
// `dist/debugAdapter.js` when built, else `src/debugAdapter/stdio.ts` through tsx) and is driven like a
// client on a trace. Each figure is a request's round trip until the adapter has answered it (for
// moves: until its `stopped` event has arrived), from the middle of the recording.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { commandEnv } from "../src/cli/commandEnv";
import { p50p99, percentile } from "./stats";

export interface DapBenchOptions {
  /** Moves measured per figure (default 100). */
  samples?: number;
  /** The adapter entry to run (default: the bundled one if built, else the TypeScript source through tsx). */
  adapter?: string;
  /** A function pattern the reverse-continue figure stops at (default: the synthetic trace's worker requests). */
  breakpoint?: string;
  /** The logpoint figure (default on): its source file and line (default the synthetic trace's `Bench.Util.parse/2`). */
  logpoint?: boolean;
  logpointFile?: string;
  logpointLine?: number;
}

/** initialize, launch at the last event, configurationDone: resolves with the first `stopped`. */
async function launchAtEnd(dc: DebugClient, trace: string): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent("stopped", 300_000) as Promise<DebugProtocol.StoppedEvent>;
  const initialized = dc.waitForEvent("initialized", 300_000);
  await dc.initializeRequest({
    adapterID: "elixirscope",
    linesStartAt1: true,
    columnsStartAt1: true,
    pathFormat: "path",
  });
  await Promise.all([
    dc.launchRequest({ trace, startAt: "end" } as DebugProtocol.LaunchRequestArguments),
    initialized.then(() => dc.configurationDoneRequest()),
  ]);
  return stopped;
}

/**
 * One launch to the last event, then the adapter is told to go and its exit awaited. Answers the
 * launch's time to its first `stopped`, taken as the measured session's.
 */
async function launchOnce(
  adapter: string,
  trace: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<number> {
  const dc = new DebugClient("node", adapter, "elixirscope", { env, cwd });
  dc.defaultTimeout = 300_000;
  await dc.start();
  const child = (dc as unknown as { _adapterProcess: import("node:child_process").ChildProcess })
    ._adapterProcess;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const launched = performance.now();
  await launchAtEnd(dc, trace);
  const toStop = performance.now() - launched;
  await dc.disconnectRequest({});
  await exited;
  return toStop;
}

export async function benchDap(
  tracePath: string,
  opts: DapBenchOptions = {},
): Promise<Record<string, number>> {
  const samples = opts.samples ?? 100;
  const root = join(__dirname, "..");
  const bundled = join(root, "dist", "debugAdapter.js");
  const adapter =
    opts.adapter ?? (existsSync(bundled) ? bundled : join(root, "src", "debugAdapter", "stdio.ts"));
  // The adapter is started as the product starts it: `elixirscope dap` (bin/elixirscope.js's shebang)
  // and the extension's external adapter (src/extension/adapterFactory.ts) both empty
  // NODE_EXTRA_CA_CERTS, which Node 20 otherwise parses at start-up for TLS the adapter never does
  // (40-70 ms where it names the system's whole CA bundle, as on the bench VM), and ask glibc for huge
  // pages. The figure with the environment as inherited is kept beside it
  // (`dap_launch_to_stop_inherited_env_ms`).
  const inherited = adapter.endsWith(".ts")
    ? { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import tsx`.trim() }
    : process.env;
  const env = { ...inherited, ...commandEnv(process.env) };
  // The bundled adapter keeps V8's compiled code beside it (dist/cli-dap.js.v8cache), written when
  // its first process exits: one launch first, so that the figures are those of every later launch.
  if (adapter.endsWith(".js")) await launchOnce(adapter, tracePath, env, root);
  const launchInherited = await launchOnce(adapter, tracePath, inherited, root);
  const dc = new DebugClient("node", adapter, "elixirscope", { env, cwd: root });
  dc.defaultTimeout = 300_000;
  await dc.start();
  try {
    const launched = performance.now();
    let thread = (await launchAtEnd(dc, tracePath)).body.threadId!;
    const launchToStop = performance.now() - launched;
    const { index: last } = (await dc.customRequest("elixirscope/position")).body as { index: number };
    const middle = dc.waitForEvent("stopped") as Promise<DebugProtocol.StoppedEvent>;
    await dc.customRequest("elixirscope/goto", { index: Math.floor(last / 2) });
    thread = (await middle).body.threadId!;
    const move = async (request: () => Promise<unknown>): Promise<number> => {
      const t = performance.now();
      const stopped = dc.waitForEvent("stopped") as Promise<DebugProtocol.StoppedEvent>;
      await request();
      thread = (await stopped).body.threadId ?? thread;
      return performance.now() - t;
    };
    // What a client shows after each stop: the stack, the top frame's scopes, the first scope's variables.
    const inspectTop = async (): Promise<number> => {
      const t = performance.now();
      const st = await dc.stackTraceRequest({ threadId: thread });
      const scopes = await dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
      await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference });
      return performance.now() - t;
    };
    const next: number[] = [];
    const back: number[] = [];
    const inspect: number[] = [];
    for (let i = 0; i < samples; i++) {
      next.push(await move(() => dc.nextRequest({ threadId: thread })));
      inspect.push(await inspectTop());
      back.push(await move(() => dc.stepBackRequest({ threadId: thread })));
    }
    await dc.setFunctionBreakpointsRequest({
      breakpoints: [{ name: opts.breakpoint ?? "Bench.Worker.request/2" }],
    });
    const rc: number[] = [];
    for (let i = 0; i < samples; i++)
      rc.push(await move(() => dc.reverseContinueRequest({ threadId: thread })));

    // A condition that never holds: reverse continue from the end searches every call of the function.
    // The first run reads the calls' argument bytes; the recording remembers what it read, so the
    // runs after it (the median) test every call again from that memo, as a user re-setting it would.
    const never: number[] = [];
    for (let i = 0; i < 3; i++) {
      // Set afresh each time: the adapter remembers a condition's answers per breakpoint.
      await dc.setFunctionBreakpointsRequest({
        breakpoints: [{ name: opts.breakpoint ?? "Bench.Worker.request/2", condition: "args[1] == -1" }],
      });
      const end = dc.waitForEvent("stopped") as Promise<DebugProtocol.StoppedEvent>;
      await dc.customRequest("elixirscope/goto", { index: last });
      await end;
      never.push(await move(() => dc.reverseContinueRequest({ threadId: thread })));
    }
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });

    // A logpoint on the hottest function's first line: time until its first 100 lines are out.
    let firstPage = NaN;
    if (opts.logpoint !== false) {
      let lines = 0;
      const t = performance.now();
      const page = new Promise<void>((resolve) => {
        const on = (e: DebugProtocol.OutputEvent): void => {
          if (!e.body.output.startsWith("[seq ")) return;
          if (++lines === 100) {
            firstPage = performance.now() - t;
            dc.removeListener("output", on);
            resolve();
          }
        };
        dc.on("output", on);
      });
      await dc.setBreakpointsRequest({
        source: { path: opts.logpointFile ?? "/bench/lib/util.ex" },
        breakpoints: [{ line: opts.logpointLine ?? 10, logMessage: "{args}" }],
      });
      await page;
      await dc.setBreakpointsRequest({
        source: { path: opts.logpointFile ?? "/bench/lib/util.ex" },
        breakpoints: [],
      });
    }
    return {
      dap_launch_to_stop_ms: Math.round(launchToStop),
      dap_launch_to_stop_inherited_env_ms: Math.round(launchInherited),
      dap_reverse_continue_never_ms: Number(percentile(never, 50).toFixed(1)),
      dap_reverse_continue_never_first_ms: Number(never[0].toFixed(1)),
      logpoint_first_page_ms: Number(firstPage.toFixed(1)),
      ...p50p99("dap_step_back", back, 3),
      ...p50p99("dap_next", next, 3),
      ...p50p99("dap_reverse_continue", rc, 3),
      ...p50p99("dap_inspect", inspect, 3),
    };
  } finally {
    await dc.stop();
  }
}
