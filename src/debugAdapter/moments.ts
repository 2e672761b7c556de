// Moments as people write them, for `startAt` and `elixirscope/goto`: a recorded seq (`120`,
// `seq:120`, `seq:120@node-b` in a several-node replay), `index:N`, a time since the recording began
// (`time:1.5ms`, `+1.500ms`), a shared position (`1a2b3c4d@120`), `start`/`end`, or a query:
// `first crash`, `last exception`, `first raise|throw|exit|linked_exit`, `first call TicketOffice.hold/3`,
// `first send`. Parsed once where they enter (so launch refuses a bad one at once), resolved on a replay.

import type { Replay } from "../core/replay";
import { EVENT_KINDS, type EventKind, type ExceptionFilter } from "../core/types";
import { AdapterError } from "./errors";

export type MomentSpec =
  | { kind: "seq"; seq: number; node?: string }
  | { kind: "index"; index: number }
  | { kind: "time"; ns: number }
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

export const MOMENT_FORMS =
  '120, "seq:120", "index:7", "time:1.5ms", a position like "1a2b3c4d@120", "start", "end", "first crash", "last exception", "first call TicketOffice.hold/3"';

export function parseMoment(spec: unknown, what: string): MomentSpec {
  const bad = (): never => {
    throw new AdapterError(`${what} ${JSON.stringify(spec)} is not a moment: use ${MOMENT_FORMS}`);
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
  if ((m = /^(?:time:\s*|\+)(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s)?$/.exec(s)))
    return { kind: "time", ns: Math.round(Number(m[1]) * UNITS[m[2] ?? "ns"]) };
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

/** The event index a moment stands for; a ReplayError or AdapterError says why there is none. */
export function resolveMoment(r: Replay, m: MomentSpec): number {
  switch (m.kind) {
    case "seq": {
      if (m.node === undefined) return r.resolveMoment({ seq: m.seq });
      const file = r.files.findIndex((f) => f.node === m.node || f.node.startsWith(`${m.node}@`));
      if (file < 0)
        throw new AdapterError(
          `no loaded trace is of node ${m.node} (${r.files.map((f) => f.node).join(", ")})`,
        );
      return r.resolveMoment({ seq: m.seq, file });
    }
    case "index":
      return r.resolveMoment(m.index);
    case "time":
      // Times read as the adapter prints them (`+1.500ms`): since the recording began, so before the first event is the first event.
      return r.resolveMoment({ time: Math.max(m.ns, r.timeRange.start) });
    case "position":
      return r.parsePosition(m.text);
    case "edge":
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
      if (hit === undefined) throw new AdapterError(`"${m.text}": the recording has none`);
      return hit;
    }
  }
}

/** The first (last) event of the whole recording that hits a timeline target, edges included. */
export function edgeHit(
  r: Replay,
  last: boolean,
  target: Parameters<Replay["findNext"]>[2][number],
): number | undefined {
  const edge = last ? r.eventCount - 1 : 0;
  // findNext looks strictly after (before) its start, so the edge event itself is checked by a step back.
  if (r.eventCount > 1 && r.findNext(last ? edge - 1 : 1, last ? "forward" : "backward", [target]) === edge)
    return edge;
  return r.findNext(edge, last ? "backward" : "forward", [target]);
}
