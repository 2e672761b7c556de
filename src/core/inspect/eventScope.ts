// The names an expression sees at an event: `args`, `value` (a return), `msg` (send/receive, and the
// message a GenServer callback was called with: `handle_call(msg, from, state)`), `state`
// (the process's GenServer state in force then), `reason` and `class` (exception, exit), `kind`, `fun`
// (`"CinemaDemo.TicketOffice.hold/3"`), `module`, `name` (the process's registered name), `seq`, `pid`, `from`
// and `to` (pid texts of a message's ends). The state is looked up only when an expression reads it.
// The arguments are also there under their source names (`seat == 12` as well as `args[0] == 12`)
// where the clause that ran binds one; a built-in name above wins over a parameter of the same name.

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

  /** The scope of an event; `frameArgs` replaces `args` for a caller's frame (opened by `frameCall`). */
  of(e: TraceEvent, frameArgs?: Term[], frameCall?: number): Scope {
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
    for (const [k, v] of Object.entries(this.params(e, frameArgs, frameCall)))
      if (!Object.prototype.hasOwnProperty.call(scope, k)) scope[k] = v;
    let state: { v: Term | undefined } | undefined;
    Object.defineProperty(scope, "state", {
      enumerable: true,
      get: () => (state ??= { v: r.getStateAt(e.pid, e.index)?.state }).v,
    });
    return scope;
  }

  /**
   * Parameter names of the call an event is in (or of the frame's call), bound to its arguments. A
   * name another clause of the function binds is present with no value: known, but not at this moment.
   */
  private params(e: TraceEvent, frameArgs: Term[] | undefined, frameCall: number | undefined): Scope {
    const r = this.replay;
    let call = frameCall;
    if (call === undefined) {
      if (e.kind === "call") call = e.index;
      else {
        const top = r.stackAt(e.index)[0];
        call = top && top.callIndex >= 0 ? top.callIndex : undefined;
      }
    }
    const out: Scope = {};
    if (call === undefined) return out;
    const c = call === e.index ? e : r.event(call);
    const names = r.paramNames(call);
    const mfa = c.mfa;
    if (!names || !mfa) return out;
    const fn = r.moduleInfo(mfa.module)?.functions.find((f) => f.name === mfa.fun && f.arity === mfa.arity);
    for (const cl of fn?.clauses ?? []) for (const p of cl.params) if (p && !(p in out)) out[p] = undefined;
    const values = (frameCall !== undefined ? frameArgs : undefined) ?? c.args ?? [];
    names.forEach((n, i) => {
      if (n && !n.startsWith("_") && i < values.length) out[n] = values[i];
    });
    return out;
  }
}

const CALLBACKS = new Set(["handle_call", "handle_cast", "handle_info", "handle_continue"]);

/** The request a GenServer callback handles, so that `msg == {:hold, 12}` works on a handle_call breakpoint. */
function callbackMessage(e: TraceEvent): Term | undefined {
  return e.kind === "call" && e.mfa && CALLBACKS.has(e.mfa.fun) && e.args?.length ? e.args[0] : undefined;
}
