// Debug adapter speed over the real protocol: the bundled adapter runs as a child process on stdio,
// driven like a client, on the synthetic trace. Each figure is a request's round trip until the
// adapter has answered it (for moves: until its `stopped` event arrives).

import { join } from "node:path";
import { DebugClient } from "@vscode/debugadapter-testsupport";
import { percentile } from "./stats";
import type { DebugProtocol } from "@vscode/debugprotocol";

const round = (x: number): number => Number(x.toFixed(3));

export async function benchDap(tracePath: string, samples = 100): Promise<Record<string, number>> {
  const dc = new DebugClient("node", join(__dirname, "..", "dist", "debugAdapter.js"), "elixirscope");
  dc.defaultTimeout = 120_000;
  await dc.start();
  try {
    const first = dc.waitForEvent("stopped", 120_000) as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([dc.configurationSequence(), dc.launch({ trace: tracePath, startAt: "seq:500000" })]);
    let thread = (await first).body.threadId!;
    const move = async (request: () => Promise<unknown>): Promise<number> => {
      const t = performance.now();
      const stopped = dc.waitForEvent("stopped") as Promise<DebugProtocol.StoppedEvent>;
      await request();
      thread = (await stopped).body.threadId ?? thread;
      return performance.now() - t;
    };
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
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: "Bench.Worker.request/2" }] });
    const rc: number[] = [];
    for (let i = 0; i < samples; i++)
      rc.push(await move(() => dc.reverseContinueRequest({ threadId: thread })));
    return {
      dap_step_back_p50_ms: round(percentile(back, 50)),
      dap_step_back_p99_ms: round(percentile(back, 99)),
      dap_next_p50_ms: round(percentile(next, 50)),
      dap_next_p99_ms: round(percentile(next, 99)),
      dap_reverse_continue_p50_ms: round(percentile(rc, 50)),
      dap_reverse_continue_p99_ms: round(percentile(rc, 99)),
      dap_inspect_p50_ms: round(percentile(inspect, 50)),
      dap_inspect_p99_ms: round(percentile(inspect, 99)),
    };
  } finally {
    await dc.stop();
  }
}
