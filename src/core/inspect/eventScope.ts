// The names an expression sees at an event: `args`, `value` (a return), `msg` (send/receive, and the
// message a GenServer callback was called with: `handle_call(msg, from, state)`), `state`
// (the process's GenServer state in force then), `reason` and `class` (exception, exit), `kind`, `fun`
// (`"CinemaDemo.TicketOffice.hold/3"`), `module`, `name` (the process's registered name), `seq`, `pid`, `from`
// and `to` (pid texts of a message's ends). The state is looked up only when an expression reads it.

import type { Replay } from "../replay";
import { mfaLabel } from "../store/eventDecode";
import { atom, bin } from "../terms/build";
import type { Term } from "../terms/term";
import type { TraceEvent } from "../types";
import type { Scope } from "./expression";

export const SCOPE_NAMES = [
  "args",
  "value",
  "msg",
  "state",
  "reason",
  "class",
  "kind",
  "fun",
  "module",
  "name",
  "seq",
  "pid",
  "from",
  "to",
] as const;

export class EventScopes {
  constructor(private readonly replay: Replay) {}

  /** The scope of an event; `frameArgs` replaces `args` for a caller's frame. */
  of(e: TraceEvent, frameArgs?: Term[]): Scope {
    const r = this.replay;
    const pidText = (id: number | undefined): Term | undefined =>
      id === undefined ? undefined : bin(r.process(id).pid);
    const flow = e.kind === "send" || e.kind === "receive" ? r.messageAt(e.index) : undefined;
    const name = r.nameAt(e.pid, e.index);
    const scope: Scope = {
      args: frameArgs ?? e.args,
      value: e.value,
      msg: e.message ?? callbackMessage(e),
      reason: e.exception?.reason ?? (e.kind === "exit" ? e.detail : undefined),
      class: e.exception ? atom(e.exception.class) : e.kind === "exit" ? atom("exit") : undefined,
      kind: atom(e.kind),
      fun: e.mfa ? bin(mfaLabel(e.mfa)) : undefined,
      module: e.mfa ? atom(e.mfa.module) : undefined,
      name: name ? atom(name) : undefined,
      seq: e.seq,
      pid: pidText(e.pid),
      from: e.kind === "send" ? pidText(e.pid) : pidText(flow?.from),
      to: e.kind === "receive" ? pidText(e.pid) : pidText(flow?.to),
    };
    let state: { v: Term | undefined } | undefined;
    Object.defineProperty(scope, "state", {
      enumerable: true,
      get: () => (state ??= { v: r.getStateAt(e.pid, e.index)?.state }).v,
    });
    return scope;
  }
}

const CALLBACKS = new Set(["handle_call", "handle_cast", "handle_info", "handle_continue"]);

/** The request a GenServer callback handles, so that `msg == {:hold, 12}` works on a handle_call breakpoint. */
function callbackMessage(e: TraceEvent): Term | undefined {
  return e.kind === "call" && e.mfa && CALLBACKS.has(e.mfa.fun) && e.args?.length ? e.args[0] : undefined;
}
