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

const BUILT_IN: ReadonlySet<string> = new Set(SCOPE_NAMES);

type BuiltIn = Exclude<(typeof SCOPE_NAMES)[number], "state">;
type Flow = ReturnType<Replay["messageAt"]>;

export class EventScopes {
  constructor(private readonly replay: Replay) {}

  /** The scope of an event; `frameArgs` replaces `args` for a caller's frame (opened by `frameCall`). */
  of(e: TraceEvent, frameArgs?: Term[], frameCall?: number): Scope {
    let flow: { v: Flow } | undefined;
    const flowOf = (): Flow => (flow ??= { v: this.replay.messageAt(e.index) }).v;
    const scope: Scope = {};
    for (const n of SCOPE_NAMES) if (n !== "state") scope[n] = this.builtIn(e, n, frameArgs, flowOf);
    for (const [k, v] of Object.entries(this.params(e, frameArgs, frameCall)))
      if (!Object.prototype.hasOwnProperty.call(scope, k)) scope[k] = v;
    this.lazyState(scope, e);
    return scope;
  }

  /**
   * Scopes for expressions that read only `names`: when every one is a built-in name, a scope of just
   * those (a logpoint's `{args}` prints thousands of lines, and the other names, the parameters above
   * all, cost more than the decode); else the whole scope, whose names an unknown-name error lists.
   */
  reading(names: Iterable<string>): (e: TraceEvent) => Scope {
    const wanted = [...new Set(names)];
    if (!wanted.every((n) => BUILT_IN.has(n))) return (e) => this.of(e);
    return (e) => {
      const flowOf = (): Flow => this.replay.messageAt(e.index);
      const scope: Scope = {};
      for (const n of wanted)
        if (n === "state") this.lazyState(scope, e);
        else scope[n] = this.builtIn(e, n as BuiltIn, undefined, flowOf);
      return scope;
    };
  }

  private builtIn(
    e: TraceEvent,
    n: BuiltIn,
    frameArgs: Term[] | undefined,
    flow: () => Flow,
  ): Term | undefined {
    const r = this.replay;
    const pidText = (id: number | undefined): Term | undefined =>
      id === undefined ? undefined : bin(r.process(id).pid);
    switch (n) {
      case "args":
        return frameArgs ?? e.args;
      case "value":
        return e.value;
      case "msg":
        return e.message ?? callbackMessage(e);
      case "reason":
        return e.exception?.reason ?? (e.kind === "exit" ? e.detail : undefined);
      case "class":
        return e.exception ? atom(e.exception.class) : e.kind === "exit" ? atom("exit") : undefined;
      case "kind":
        return atom(e.kind);
      case "fun":
        return e.mfa ? bin(mfaLabel(e.mfa)) : undefined;
      case "module":
        return e.mfa ? atom(e.mfa.module) : undefined;
      case "name": {
        const name = r.nameAt(e.pid, e.index);
        return name ? atom(name) : undefined;
      }
      case "seq":
        return e.seq;
      case "pid":
        return pidText(e.pid);
      case "from":
        return e.kind === "send" ? pidText(e.pid) : e.kind === "receive" ? pidText(flow()?.from) : undefined;
      case "to":
        return e.kind === "receive" ? pidText(e.pid) : e.kind === "send" ? pidText(flow()?.to) : undefined;
    }
  }

  /** `state`: the process's state then, looked up only when an expression reads it. */
  private lazyState(scope: Scope, e: TraceEvent): void {
    let state: { v: Term | undefined } | undefined;
    Object.defineProperty(scope, "state", {
      enumerable: true,
      configurable: true,
      get: () => (state ??= { v: this.replay.getStateAt(e.pid, e.index)?.state }).v,
    });
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
