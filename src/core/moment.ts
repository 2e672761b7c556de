// The one notion of a moment, as people write them in `startAt`, `elixirscope/goto`, the console, the
// CLI and the language server: a recorded seq (`120`, `seq:120`, `seq:120@node-b` in a several-node
// replay), `index:N`, a time since the recording began as displayed (`time:1.5ms`, `+1.500000ms`,
// `+1.500000ms#2` for the third event at that very nanosecond), a shared position (`1a2b3c4d@120`),
// `start`/`end`, or a query: `first crash`, `last exception`, `first raise|throw|exit|linked_exit`,
// `first call TicketOffice.hold/3`, `first send`. Parsed once where they enter, resolved on a replay.

import { ReplayError } from "./errors";
import type { Replay } from "./replay";
import { EVENT_KINDS, type EventKind, type ExceptionFilter, type TimelineTarget } from "./types";

/** A parsed moment; `resolveMoment` turns it into an event index of a given replay. */
export type MomentSpec =
  | { kind: "seq"; seq: number; node?: string }
  | { kind: "index"; index: number }
  /** `tie`: which of the events at exactly `ns` (0 = the first), as `formatTime` shows it after `#`. */
  | { kind: "time"; ns: number; tie?: number }
  | { kind: "position"; text: string }
  | { kind: "edge"; end: boolean }
  | { kind: "query"; last: boolean; exceptions: ExceptionFilter[]; text: string }
  | { kind: "query"; last: boolean; function: string; text: string }
  | { kind: "query"; last: boolean; eventKind: EventKind; text: string };

const UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9 };
const EXCEPTIONS: Record<string, ExceptionFilter[]> = {
  crash: ["crash"],
  exception: ["raise", "throw", "exit"],
  raise: ["raise"],
  error: ["raise"],
  throw: ["throw"],
  exit: ["exit"],
  linked_exit: ["linked_exit"],
};

/** The accepted forms, for error messages and help texts. */
export const MOMENT_FORMS =
  '120, "seq:120", "index:7", "time:1.5ms", a position like "1a2b3c4d@120", "start", "end", "first crash", "last exception", "first call TicketOffice.hold/3"';

/**
 * Parses a moment as a person or a client sends it. A bare number is a recorded seq (what the debugger
 * shows), not an event index (write `index:N` for that). Throws a `ReplayError` naming `what` and the
 * accepted forms.
 */
export function parseMoment(spec: unknown, what: string): MomentSpec {
  const bad = (): never => {
    throw new ReplayError(`${what} ${JSON.stringify(spec)} is not a moment: use ${MOMENT_FORMS}`);
  };
  if (typeof spec === "number") {
    if (!Number.isSafeInteger(spec) || spec < 0) bad();
    return { kind: "seq", seq: spec };
  }
  if (typeof spec !== "string") return bad();
  const s = spec.trim();
  let m: RegExpExecArray | null;
  if ((m = /^(?:seq:\s*)?(\d+)(?:@(\S+))?$/.exec(s)) && !/^[0-9a-f]{8}@\d+$/.test(s))
    return { kind: "seq", seq: Number(m[1]), node: m[2] };
  if ((m = /^index:\s*(\d+)$/.exec(s))) return { kind: "index", index: Number(m[1]) };
  if ((m = /^(?:time:\s*|\+)(\d+)(?:\.(\d+))?\s*(ns|us|µs|ms|s)?(?:#(\d+))?$/.exec(s))) {
    const ns = exactNs(m[1], m[2] ?? "", UNITS[m[3] ?? "ns"]);
    if (!Number.isSafeInteger(ns)) bad();
    return m[4] === undefined ? { kind: "time", ns } : { kind: "time", ns, tie: Number(m[4]) };
  }
  if (/^[0-9a-f]{8}@\d+$/.test(s)) return { kind: "position", text: s };
  if (s === "start" || s === "end") return { kind: "edge", end: s === "end" };
  if ((m = /^(first|last)\s+(.+)$/.exec(s))) {
    const last = m[1] === "last";
    const what = m[2].trim();
    if (EXCEPTIONS[what]) return { kind: "query", last, exceptions: EXCEPTIONS[what], text: s };
    if ((EVENT_KINDS as readonly string[]).includes(what) && what !== "call")
      return { kind: "query", last, eventKind: what as EventKind, text: s };
    const fn = /^(?:call\s+)?(\S+)$/.exec(what);
    if (fn && /[./*]/.test(fn[1])) return { kind: "query", last, function: fn[1], text: s };
    if (what === "call") return { kind: "query", last, eventKind: "call", text: s };
  }
  return bad();
}

/** `1.234567` ms → 1234567 ns, in decimal digits so that no float rounding moves a displayed time. */
function exactNs(whole: string, frac: string, unit: number): number {
  const digits = Math.round(Math.log10(unit));
  if (frac.length > digits) {
    // More digits than nanoseconds: round the excess (a person may type `1.2345678ms`).
    const kept = frac.slice(0, digits);
    const up = Number(frac[digits]) >= 5 ? 1 : 0;
    return Number(whole) * unit + (digits ? Number(kept) : 0) + up;
  }
  return Number(whole) * unit + (digits ? Number(frac.padEnd(digits, "0")) : 0);
}

/** The event index a moment stands for on `r`; a `ReplayError` says why there is none. */
export function resolveMoment(r: Replay, m: MomentSpec): number {
  switch (m.kind) {
    case "seq":
      return r.resolveMoment(m.node === undefined ? { seq: m.seq } : { seq: m.seq, node: m.node });
    case "index":
      return r.resolveMoment(m.index);
    case "time": {
      // Times count from the recording's start, so a time before the first event is the first event.
      const start = r.eventCount ? r.timeRange.start : 0;
      return r.resolveMoment(m.ns < start ? { time: start } : { time: m.ns, tie: m.tie });
    }
    case "position":
      return r.parsePosition(m.text);
    case "edge":
      if (r.eventCount === 0) throw new ReplayError("the trace has no events");
      return m.end ? r.eventCount - 1 : 0;
    case "query": {
      let hit: number | undefined;
      if ("exceptions" in m) hit = edgeHit(r, m.last, { kind: "exception", filters: m.exceptions });
      else {
        const found = r.getEventIndices({
          ...("function" in m
            ? { functions: [m.function], kinds: ["call" as const] }
            : { kinds: [m.eventKind] }),
          order: m.last ? "desc" : "asc",
          limit: 1,
        });
        hit = found[0];
      }
      if (hit === undefined) throw new ReplayError(`"${m.text}": the recording has none`);
      return hit;
    }
  }
}

/** The first (last) event of the whole recording that hits a timeline target, edges included. */
export function edgeHit(r: Replay, last: boolean, target: TimelineTarget): number | undefined {
  if (r.eventCount === 0) return undefined;
  const edge = last ? r.eventCount - 1 : 0;
  // findNext looks strictly after (before) its start, so the edge event itself is checked by a step back.
  if (r.eventCount > 1 && r.findNext(last ? edge - 1 : 1, last ? "forward" : "backward", [target]) === edge)
    return edge;
  return r.findNext(edge, last ? "backward" : "forward", [target]);
}
