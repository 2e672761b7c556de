// The Debug Console's query language over the recording. Plain expressions (`state.seats[12]`,
// `args[0]`, `msg`, `length(args)`) are evaluated at the selected frame; commands ask the whole
// recording. Each answer is a term (expandable in the console) or lines of text, each listed event
// prefixed `[seq N]`; a bad query is one line saying what is wrong.

import { describeEvent, formatTime, processLabeler } from "../describe";
import type { Replay } from "../replay";
import { valueAt } from "../state";
import { termEquals } from "../terms/equal";
import { inspect } from "../terms/inspect";
import type { Term } from "../terms/term";
import { EVENT_KINDS, type EventFilter, type EventKind } from "../types";
import { accessPath, evalExpr, ExprError, parseExpr, type Scope, truthy } from "./expression";
import type { EventScopes } from "./eventScope";
import { parseMoment, resolveMoment } from "../moment";

export type Answer = { text: string; goto?: number } | { term: Term };

export const COMMANDS: Record<string, string> = {
  events: "events [pid=P] [fun=Mod.fun/arity] [kind=call,send] [from=SEQ] [to=SEQ] [limit=N] [if EXPR]",
  flow: "flow FROM [TO] [limit=N]        messages between processes, paired, with latency",
  state_at: "state_at PID MOMENT             a GenServer's state at a moment (seq, time:1ms, first crash...)",
  diff: "diff MOMENT1 MOMENT2 [PID]       what changed in a state between two moments",
  history:
    "history [PID] [PATH]             every change of a state (or of one path in it, e.g. state.seats[12])",
  processes: "processes [all]                  processes alive now (or all of them)",
  goto: "goto MOMENT                      move there (seq, index:N, time:1.5ms, a position, first crash, ...)",
  position: "position                         the shareable position of this moment",
  help: "help (or .help)                  this list",
};

const HELP = [
  "Expressions at the selected frame: state, state.seats[12], args[0], msg, value, reason, length(args) > 1, msg == {:hold, 12}",
  ...Object.values(COMMANDS),
].join("\n");

export interface EvalContext {
  replay: Replay;
  scopes: EventScopes;
  /** The current moment. */
  at: number;
  /** The scope of the selected frame (its own args). */
  scope: Scope;
}

export function evaluate(ctx: EvalContext, input: string): Answer {
  const { replay: r } = ctx;
  const src = input.trim();
  if (src === "") throw new ExprError(`empty input; try "help"`);
  const [cmd, ...rest] = src.split(/\s+/);
  const label = processLabeler(r.processes());
  const moment = (s: string | undefined, what: string): number => {
    if (s === undefined)
      throw new ExprError(`${what} is missing (a seq, time:1.5ms, a position, first crash...)`);
    return resolveMoment(r, parseMoment(/^\d+$/.test(s) ? Number(s) : s, what));
  };
  const line = (i: number): string => {
    const e = r.event(i);
    return `[seq ${e.seq}] ${r.timeLabel(i)} ${label(e.pid)} ${e.kind} ${describeEvent(e, { processLabel: label, width: 160, termStyle: r.termStyle() })}`;
  };
  switch (cmd) {
    case "help":
    case ".help":
      // `.help` too: some clients' REPLs (nvim-dap) keep `help` for their own.
      return { text: HELP };
    case "position":
      return { text: r.positionOf(ctx.at) };
    case "goto":
      return {
        text: `moved to ${rest.join(" ")}`,
        goto: moment(rest.join(" ") || undefined, "goto: the moment"),
      };
    case "events":
      return { text: events(ctx, src.slice(cmd.length), line) };
    case "flow": {
      const keys = rest.filter((x) => x.includes("="));
      const [from, to] = rest.filter((x) => !x.includes("="));
      if (!from) throw new ExprError(`flow: which processes? (${COMMANDS.flow.split("  ")[0]})`);
      let limit = 50;
      for (const k of keys) {
        const m = /^limit=(\d+)$/.exec(k);
        if (!m) throw new ExprError(`flow: unknown option "${k}" (limit=N)`);
        limit = Number(m[1]);
      }
      const entries = r.getMessageFlow(from, to, { limit });
      return {
        text:
          entries
            .map((m) => {
              const e = r.event(m.send ?? m.receive!);
              const dest = m.to !== undefined ? label(m.to) : (m.toName ?? "?");
              const latency = m.latencyNs !== undefined ? ` ${formatTime(m.latencyNs).slice(1)}` : "";
              return `[seq ${e.seq}] ${m.from !== undefined ? label(m.from) : "?"} → ${dest} ${m.status}${latency}: ${inspect(e.message!, { limit: 6 })}`;
            })
            .join("\n") || "no messages",
      };
    }
    case "state_at": {
      if (!rest[0]) throw new ExprError(`state_at: which process? (${COMMANDS.state_at.split("  ")[0]})`);
      const at = moment(rest.slice(1).join(" ") || undefined, "state_at: the moment");
      const s = r.getStateAt(rest[0], at);
      if (!s) return { text: `no recorded state for ${rest[0]} at that moment` };
      return { term: s.state };
    }
    case "diff": {
      const a = moment(rest[0], "diff: the first moment");
      const b = moment(rest[1], "diff: the second moment");
      const pid = rest[2] !== undefined ? r.findProcess(rest[2]).id : r.pidOf(ctx.at);
      const sa = r.getStateAt(pid, a);
      const sb = r.getStateAt(pid, b);
      if (!sa || !sb) return { text: `${label(pid)} has no recorded state at one of those moments` };
      const d = r.diffStates(sa.state, sb.state);
      const show = (t: Term | undefined): string => (t === undefined ? "(none)" : inspect(t, { limit: 5 }));
      return {
        text:
          d.map((x) => `state${x.pathText}: ${show(x.before)} → ${show(x.after)}`).join("\n") ||
          "no difference",
      };
    }
    case "history":
      return { text: history(ctx, rest, label) };
    case "processes": {
      const list = rest[0] === "all" ? r.processes() : r.processesAliveAt(ctx.at);
      return {
        text: list
          .map(
            (p) =>
              `${p.label}${p.exitedAt !== undefined ? `  exits at seq ${r.event(p.exitedAt).seq}${p.crashed ? " (crash)" : ""}` : ""}`,
          )
          .join("\n"),
      };
    }
  }
  return { term: evalExpr(parseExpr(src), ctx.scope, { strict: true }) };
}

function events(ctx: EvalContext, args: string, line: (i: number) => string): string {
  const f = eventFilter(ctx.replay, ctx.scopes, args);
  const found = ctx.replay.getEventIndices(f);
  if (found.length === 0) return "no events";
  const more = found.length === f.limit ? `\n(first ${f.limit}; add limit=N for more)` : "";
  return found.map(line).join("\n") + more;
}

/** `pid=P fun=F kind=call,send from=SEQ to=SEQ limit=N [if EXPR]` as an engine filter (limit 20 by default). */
export function eventFilter(r: Replay, scopes: EventScopes, args: string): EventFilter {
  const ifAt = args.search(/(^|\s)if\s/);
  const opts = (ifAt >= 0 ? args.slice(0, ifAt) : args).trim();
  const condition = ifAt >= 0 ? parseExpr(args.slice(ifAt).replace(/^\s*if\s/, "")) : undefined;
  const f: EventFilter = { limit: 20 };
  for (const arg of opts.split(/\s+/).filter((x) => x !== "")) {
    const eq = arg.indexOf("=");
    const k = eq > 0 ? arg.slice(0, eq) : arg;
    const v = eq > 0 ? arg.slice(eq + 1) : "";
    if (v === "")
      throw new ExprError(`events: "${arg}" should be key=value (pid, fun, kind, from, to, limit)`);
    if (k === "pid") f.pids = [...(f.pids ?? []), v];
    else if (k === "fun") f.functions = [...(f.functions ?? []), v];
    else if (k === "kind") {
      const kinds = v.split(",");
      const bad = kinds.find((x) => !(EVENT_KINDS as readonly string[]).includes(x));
      if (bad) throw new ExprError(`events: unknown kind "${bad}" (${EVENT_KINDS.join(", ")})`);
      f.kinds = kinds as EventKind[];
    } else if (k === "limit" || k === "from" || k === "to") {
      if (!/^\d+$/.test(v)) throw new ExprError(`events: ${k} must be a number`);
      if (k === "limit") f.limit = Number(v);
      else {
        const at = r.resolveMoment({ seq: Number(v) });
        f.indexRange = { ...f.indexRange, [k]: at };
      }
    } else throw new ExprError(`events: unknown key "${k}" (pid, fun, kind, from, to, limit)`);
  }
  if (condition)
    f.predicate = (e) => {
      try {
        return truthy(evalExpr(condition, scopes.of(e)));
      } catch (err) {
        if (err instanceof ExprError) return false;
        throw err;
      }
    };
  return f;
}

/** Every state change of a process, or of one path in its state, with the value it took. */
function history(ctx: EvalContext, args: string[], label: (id: number) => string): string {
  const r = ctx.replay;
  const pathArg = args.find((a) => a === "state" || a.startsWith("state.") || a.startsWith("state["));
  const pidArg = args.find((a) => a !== pathArg);
  const pid = pidArg !== undefined ? r.findProcess(pidArg).id : r.pidOf(ctx.at);
  let path: Term[] = [];
  if (pathArg) {
    const p = accessPath(parseExpr(pathArg));
    if (!p || p.root !== "state")
      throw new ExprError(`history: "${pathArg}" is not a path in the state like state.seats[12]`);
    path = p.path;
  }
  const out: string[] = [];
  let prev: Term | undefined;
  let first = true;
  for (const h of r.stateHistory(pid)) {
    const s = r.getStateAt(pid, h.index);
    if (!s || s.index !== h.index) continue;
    const v = valueAt(s.state, path);
    const same = first ? false : v === undefined || prev === undefined ? v === prev : termEquals(v, prev);
    if (!same)
      out.push(
        `[seq ${r.event(h.index).seq}] ${r.timeLabel(h.index)} ${h.callback ?? "?"}: ${v === undefined ? "(absent)" : inspect(v, { limit: 8 })}`,
      );
    prev = v;
    first = false;
  }
  return out.join("\n") || `${label(pid)} has no recorded state`;
}
