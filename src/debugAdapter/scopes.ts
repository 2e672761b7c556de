// The scopes of a frame at the current moment: Arguments (of the call that opened the frame), Return
// value and Exception or Exit (top frame, on those events), Process state (the GenServer state in
// force, with what its last change touched marked, and what a replaced value was), Message (on a send or receive, with the peer
// and whether it arrived) and Event (kind, seq, time, process, position).

import type { DebugProtocol } from "@vscode/debugprotocol";
import { describeEvent, formatTime } from "../core/describe";
import type { Replay } from "../core/replay";
import { atom } from "../core/terms/build";
import { inspect } from "../core/terms/inspect";
import type { Term } from "../core/terms/term";
import type { ViewFrame } from "../core/inspect/frames";
import { type VariableStore } from "./variables";

export interface ScopeContext {
  replay: Replay;
  vars: VariableStore;
  label: (pid: number) => string;
}

export function frameScopes(
  ctx: ScopeContext,
  at: number,
  frame: ViewFrame,
  top: boolean,
): DebugProtocol.Scope[] {
  const { replay: r, vars } = ctx;
  const e = r.event(at);
  const scopes: DebugProtocol.Scope[] = [];
  const add = (name: string, variables: DebugProtocol.Variable[], hint?: string, statePid?: number): void => {
    scopes.push({
      name,
      presentationHint: hint,
      variablesReference: vars.add({ kind: "list", variables, statePid }),
      namedVariables: variables.length,
      expensive: false,
    });
  };
  const text = (name: string, value: string): DebugProtocol.Variable => ({
    name,
    value,
    variablesReference: 0,
    presentationHint: { kind: "virtual", attributes: ["readOnly"] },
  });

  const args =
    frame.callIndex !== undefined
      ? r.event(frame.callIndex).args
      : top && e.kind === "call"
        ? e.args
        : undefined;
  if (args)
    add(
      "Arguments",
      args.map((a, i) => vars.variable(`args[${i}]`, a, `args[${i}]`)),
      "arguments",
    );

  if (top && e.kind === "return" && e.value !== undefined)
    add("Return value", [vars.variable("value", e.value, "value")], "returnValue");
  if (top && e.exception)
    add("Exception", [
      vars.variable("class", atom(e.exception.class), "class"),
      vars.variable("reason", e.exception.reason, "reason"),
      vars.variable("stacktrace", e.exception.stacktrace),
    ]);
  if (top && e.kind === "exit" && e.detail !== undefined) {
    const p = r.process(e.pid);
    add("Exit", [
      vars.variable("reason", e.detail, "reason"),
      text("crash", p.crashed ? "yes: an abnormal reason" : "no"),
    ]);
  }

  const state = r.getStateAt(e.pid, at);
  if (state) {
    const before = state.index > 0 ? r.getStateAt(e.pid, state.index - 1) : undefined;
    const changes = before ? r.diffStates(before.state, state.state) : [];
    const variables = [
      vars.variable("state", state.state, "state", {
        pid: e.pid,
        path: [],
        changed: changes.map((c) => c.path),
        before: before?.state,
      }),
    ];
    const summary = before
      ? changes.length
        ? changes.map((c) => `state${c.pathText} ${c.change}`).join(", ")
        : "nothing: the callback left the state as it was"
      : "this is the first recorded state";
    variables.push(text("changed", summary));
    variables.push(
      text(
        "set by",
        `${state.callback ?? "?"} at seq ${r.event(state.index).seq}${state.index === at ? " (this event)" : ""}`,
      ),
    );
    add("Process state", variables, undefined, e.pid);
  }

  if (top && (e.kind === "send" || e.kind === "receive") && e.message !== undefined) {
    const flow = r.messageAt(at);
    const variables = [vars.variable("msg", e.message, "msg")];
    const peer = e.kind === "send" ? flow?.to : flow?.from;
    variables.push(
      text(e.kind === "send" ? "to" : "from", peer !== undefined ? ctx.label(peer) : showTerm(e.to)),
    );
    if (flow) {
      const latency = flow.latencyNs !== undefined ? ` after ${formatTime(flow.latencyNs).slice(1)}` : "";
      variables.push(text("status", flow.status.replace(/_/g, " ") + latency));
      const other = e.kind === "send" ? flow.receive : flow.send;
      if (other !== undefined)
        variables.push(text(e.kind === "send" ? "received at" : "sent at", `seq ${r.event(other).seq}`));
    }
    add("Message", variables);
  }

  add("Event", [
    text("kind", e.kind),
    text("seq", String(e.seq)),
    text("time", r.timeLabel(at)),
    text("process", ctx.label(e.pid)),
    text("summary", describeEvent(e, { processLabel: ctx.label, termStyle: r.termStyle() })),
    text("position", r.positionOf(at)),
    ...(r.files.length > 1 ? [text("node", r.files[e.file].node)] : []),
  ]);
  return scopes;
}

function showTerm(t: Term | undefined): string {
  return t === undefined ? "(unknown)" : inspect(t, { limit: 5 });
}
