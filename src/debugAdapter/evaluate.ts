// The Debug Console's query language over the recording. Plain expressions (`state.seats[12]`,
// `args[0]`, `msg`) are evaluated at the current moment; commands ask the whole recording:
//   events [pid=P] [fun=Mod.fun/arity] [kind=call,send] [limit=N]
//   flow FROM [TO]          state_at PID SEQ          diff SEQ1 SEQ2          goto SEQ
// Each answer is a term (expandable) or text; a bad query is one line saying what is wrong.

import { describeEvent, formatTime, processLabeler } from "../core/describe";
import type { Replay } from "../core/replay";
import type { Term } from "../core/terms/term";
import { inspect } from "../core/terms/inspect";
import type { EventFilter, EventKind } from "../core/types";
import { evalExpr, ExprError, parseExpr } from "./condition";
import { eventScope } from "./eventScope";

export type Answer =
  { text: string; term?: undefined; goto?: number } | { term: Term; text?: undefined; goto?: undefined };

export const COMMANDS = ["events", "flow", "state_at", "diff", "goto", "help"];
export const NAMES = ["state", "args", "value", "msg", "reason", "kind", "fun", "seq", "pid"];

const HELP = `expressions: state, args[0], msg, state.seats[12], length(args), map_size(state) ...
events [pid=P] [fun=Mod.fun/arity] [kind=call,send] [limit=N]   flow FROM [TO]   state_at PID SEQ   diff SEQ1 SEQ2   goto SEQ`;

export function evaluate(replay: Replay, current: number, input: string): Answer {
  const src = input.trim();
  const [cmd, ...rest] = src.split(/\s+/);
  const label = processLabeler(replay.processes());
  const seqOf = (s: string | undefined, what: string): number => {
    if (s === undefined || !/^\d+$/.test(s)) throw new ExprError(`${what} must be a seq number`);
    return replay.resolveMoment({ seq: Number(s) });
  };
  switch (cmd) {
    case "help":
      return { text: HELP };
    case "events": {
      const f: EventFilter = { limit: 20 };
      for (const arg of rest) {
        const [k, v] = arg.split("=");
        if (v === undefined)
          throw new ExprError(`events: "${arg}" should be key=value (pid, fun, kind, limit)`);
        if (k === "pid") f.pids = [...(f.pids ?? []), v];
        else if (k === "fun") f.functions = [...(f.functions ?? []), v];
        else if (k === "kind") f.kinds = v.split(",") as EventKind[];
        else if (k === "limit") f.limit = Number(v);
        else throw new ExprError(`events: unknown key "${k}" (pid, fun, kind, limit)`);
      }
      const evs = replay.getEvents(f);
      if (evs.length === 0) return { text: "no events" };
      return {
        text: evs
          .map(
            (e) =>
              `[seq ${e.seq}] ${formatTime(e.time)} ${label(e.pid)} ${e.kind} ${describeEvent(e, { processLabel: label })}`,
          )
          .join("\n"),
      };
    }
    case "flow": {
      if (!rest[0]) throw new ExprError("flow: which processes? (flow FROM [TO])");
      const entries = replay.getMessageFlow(rest[0], rest[1], { limit: 50 });
      return {
        text:
          entries
            .map((m) => {
              const e = replay.event(m.send ?? m.receive!);
              const to = m.to !== undefined ? label(m.to) : (m.toName ?? "?");
              return `[seq ${e.seq}] ${m.from !== undefined ? label(m.from) : "?"} → ${to} ${m.status}${m.latencyNs !== undefined ? ` ${(m.latencyNs / 1000).toFixed(1)}µs` : ""}: ${inspect(e.message!, { limit: 6 })}`;
            })
            .join("\n") || "no messages",
      };
    }
    case "state_at": {
      if (!rest[0]) throw new ExprError("state_at: which process? (state_at PID SEQ)");
      const s = replay.getStateAt(rest[0], seqOf(rest[1], "state_at: the moment"));
      if (!s) return { text: `no recorded state for ${rest[0]} at that moment` };
      return { term: s.state };
    }
    case "diff": {
      const a = seqOf(rest[0], "diff: the first moment");
      const b = seqOf(rest[1], "diff: the second moment");
      const pid = replay.pidOf(current);
      const sa = replay.getStateAt(pid, a);
      const sb = replay.getStateAt(pid, b);
      if (!sa || !sb) return { text: `${label(pid)} has no recorded state at one of those moments` };
      const d = replay.diffStates(sa.state, sb.state);
      return {
        text:
          d
            .map(
              (x) =>
                `${x.pathText || "state"}: ${x.before !== undefined ? inspect(x.before, { limit: 5 }) : "(none)"} → ${x.after !== undefined ? inspect(x.after, { limit: 5 }) : "(none)"}`,
            )
            .join("\n") || "no difference",
      };
    }
    case "goto":
      return { text: `moved to seq ${rest[0]}`, goto: seqOf(rest[0], "goto: the moment") };
  }
  const expr = parseExpr(src);
  return { term: evalExpr(expr, eventScope(replay, replay.event(current))) };
}
