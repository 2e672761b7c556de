// Drives the debug adapter over the real protocol: a DebugClient runs `src/debugAdapter/stdio.ts` as a
// child process on stdio (through tsx), and these helpers read where the replay stands the way a
// client's views would: the stopped thread's stack, and every scope's variables of its top frame.

import { join } from "node:path";
import { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { violations } from "./dapSchema";

const ADAPTER = join(__dirname, "../../src/debugAdapter/stdio.ts");
export const TRACES = join(__dirname, "../../examples/traces");
export const CINEMA_SOURCES = join(__dirname, "../../examples/cinema_demo");

/** A client on a fresh adapter process; `stopped` tracks the last stop. */
export class Dap {
  readonly dc: DebugClient;
  stopped?: DebugProtocol.StoppedEvent;
  readonly outputs: DebugProtocol.OutputEvent[] = [];
  readonly events: DebugProtocol.Event[] = [];
  readonly progress: DebugProtocol.Event[] = [];
  /** Every way a message from the adapter broke the protocol's JSON schema: must stay empty. */
  readonly violations: string[] = [];
  /** Messages the adapter sent (responses and events), all validated. */
  received = 0;

  constructor() {
    this.dc = new DebugClient("node", ADAPTER, "elixirscope", {
      env: { ...process.env, NODE_OPTIONS: "--import tsx" },
    });
    // Generous: the suites run beside other heavy work, and a slow load is not a failure.
    this.dc.defaultTimeout = 90_000;
    // Every message the adapter sends is validated against the protocol's schema as it arrives.
    const client = this.dc as unknown as { dispatch(body: string): void };
    const dispatch = client.dispatch.bind(client);
    client.dispatch = (body: string): void => {
      this.received++;
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        this.violations.push(`not JSON: ${body.slice(0, 200)}`);
        return;
      }
      this.violations.push(...violations(parsed));
      dispatch(body);
    };
    this.dc.on("output", (e: DebugProtocol.OutputEvent) => this.outputs.push(e));
    this.dc.on("elixirscope/moment", (e: DebugProtocol.Event) => this.events.push(e));
    for (const kind of ["progressStart", "progressUpdate", "progressEnd"])
      this.dc.on(kind, (e: DebugProtocol.Event) => this.progress.push(e));
  }

  async start(): Promise<this> {
    await this.dc.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.dc.stop();
  }

  /** Throws when any message so far broke the schema. */
  assertConforms(): void {
    if (this.violations.length)
      throw new Error(
        `${this.violations.length} DAP schema violations:\n${[...new Set(this.violations)].slice(0, 10).join("\n")}`,
      );
  }

  get thread(): number {
    return this.stopped?.body.threadId ?? 1;
  }

  initialize(
    more: Partial<DebugProtocol.InitializeRequestArguments> = {},
  ): Promise<DebugProtocol.InitializeResponse> {
    return this.dc.initializeRequest({
      adapterID: "elixirscope",
      linesStartAt1: true,
      columnsStartAt1: true,
      pathFormat: "path",
      supportsInvalidatedEvent: true,
      supportsProgressReporting: true,
      ...more,
    });
  }

  /** Launches and waits for the first stop (on entry, or at the first breakpoint). */
  async launch(
    args: Record<string, unknown>,
    configure?: () => Promise<unknown>,
  ): Promise<DebugProtocol.StoppedEvent> {
    const stopped = this.dc.waitForEvent("stopped") as Promise<DebugProtocol.StoppedEvent>;
    const initialized = this.dc.waitForEvent("initialized");
    await this.initialize();
    await Promise.all([
      this.dc.launchRequest(args as DebugProtocol.LaunchRequestArguments),
      (async () => {
        await initialized;
        await configure?.();
        await this.dc.configurationDoneRequest();
      })(),
    ]);
    this.stopped = await stopped;
    return this.stopped;
  }

  /** Runs a request that moves the replay and waits for the stop it causes. */
  async moves(action: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
    const stopped = this.dc.waitForEvent("stopped") as Promise<DebugProtocol.StoppedEvent>;
    await action();
    this.stopped = await stopped;
    return this.stopped;
  }

  next(granularity?: DebugProtocol.SteppingGranularity): Promise<DebugProtocol.StoppedEvent> {
    return this.moves(() => this.dc.nextRequest({ threadId: this.thread, granularity }));
  }
  stepIn(granularity?: DebugProtocol.SteppingGranularity): Promise<DebugProtocol.StoppedEvent> {
    return this.moves(() => this.dc.stepInRequest({ threadId: this.thread, granularity }));
  }
  stepOut(): Promise<DebugProtocol.StoppedEvent> {
    return this.moves(() => this.dc.stepOutRequest({ threadId: this.thread }));
  }
  stepBack(granularity?: DebugProtocol.SteppingGranularity): Promise<DebugProtocol.StoppedEvent> {
    return this.moves(() => this.dc.stepBackRequest({ threadId: this.thread, granularity }));
  }
  continue(): Promise<DebugProtocol.StoppedEvent> {
    return this.moves(() => this.dc.continueRequest({ threadId: this.thread }));
  }
  reverseContinue(): Promise<DebugProtocol.StoppedEvent> {
    return this.moves(() => this.dc.reverseContinueRequest({ threadId: this.thread }));
  }
  custom(command: string, args?: unknown): Promise<DebugProtocol.StoppedEvent> {
    return this.moves(() => this.dc.customRequest(command, args));
  }

  async seq(): Promise<number> {
    return ((await this.dc.customRequest("elixirscope/position")).body as { seq: number }).seq;
  }

  async frames(threadId = this.thread): Promise<DebugProtocol.StackFrame[]> {
    return (await this.dc.stackTraceRequest({ threadId })).body.stackFrames;
  }

  /** `Scope/name` → value for every variable of every scope of a frame (the top one by default). */
  async vars(frameId?: number): Promise<Record<string, string>> {
    const id = frameId ?? (await this.frames())[0].id;
    const out: Record<string, string> = {};
    for (const s of (await this.dc.scopesRequest({ frameId: id })).body.scopes) {
      const v = await this.dc.variablesRequest({ variablesReference: s.variablesReference });
      for (const x of v.body.variables) out[`${s.name}/${x.name}`] = x.value;
    }
    return out;
  }

  async scope(name: string, frameId?: number): Promise<DebugProtocol.Variable[]> {
    const id = frameId ?? (await this.frames())[0].id;
    const s = (await this.dc.scopesRequest({ frameId: id })).body.scopes.find((x) => x.name === name);
    if (!s) throw new Error(`no scope ${name}`);
    return (await this.dc.variablesRequest({ variablesReference: s.variablesReference })).body.variables;
  }

  async children(
    v: DebugProtocol.Variable,
    more: Partial<DebugProtocol.VariablesArguments> = {},
  ): Promise<DebugProtocol.Variable[]> {
    return (await this.dc.variablesRequest({ variablesReference: v.variablesReference, ...more })).body
      .variables;
  }

  /** Everything a client's views show at the current moment. */
  async where(): Promise<{ seq: number; thread: number; frames: string[]; vars: Record<string, string> }> {
    const frames = await this.frames();
    return {
      seq: await this.seq(),
      thread: this.thread,
      frames: frames.map((f) => `${f.name}:${f.line}`),
      vars: frames.length ? await this.vars(frames[0].id) : {},
    };
  }

  async evaluate(
    expression: string,
    context = "repl",
    frameId?: number,
  ): Promise<DebugProtocol.EvaluateResponse["body"]> {
    return (await this.dc.evaluateRequest({ expression, context, frameId })).body;
  }

  /** Lets events already sent arrive (a round trip the adapter answers after them). */
  async settle(): Promise<void> {
    await this.dc.threadsRequest();
  }
}

export async function withDap<T>(f: (d: Dap) => Promise<T>): Promise<T> {
  const d = await new Dap().start();
  let result: T;
  try {
    result = await f(d);
  } finally {
    await d.stop();
  }
  d.assertConforms();
  return result;
}
