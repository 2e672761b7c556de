// The messages between the message-flow webview and the extension host, typed once for both sides.
// Each side validates what it receives with `parseViewMessage` / `parseHostMessage` and drops (and
// reports) anything else, so a malformed message can never reach the diagram or the replay.

import type { FlowItem, FlowLane, FlowMarker, FlowMarkerKind } from "../core/flowLayout";
import type { MessageStatus } from "../core/types";

/** What the webview keeps across hide/show (VS Code's webview state) and sends back when ready. */
export interface ViewState {
  scrollTop: number;
  scrollLeft: number;
  zoom: number;
  pattern: string;
  collapseIdle: boolean;
  hidden: number[];
  solo: number[];
  fromSeq?: number;
  toSeq?: number;
  selected?: number;
  follow: boolean;
}

export interface ViewFilter {
  hidden: number[];
  solo: number[];
  fromSeq?: number;
  toSeq?: number;
}

export type ViewToHost =
  | { type: "ready"; state?: ViewState }
  | { type: "requestPage"; page: number; from: number; to: number }
  | { type: "setFilter"; filter: ViewFilter }
  | { type: "goto"; index: number; end: "send" | "receive"; id: number }
  | { type: "selectThread"; pid: number }
  | { type: "hover"; id: number }
  | { type: "exportSvg"; svg: string }
  /** After drawing data that arrived: how many arrows, and how long it took (for the tests and bench). */
  | { type: "rendered"; arrows: number; lanes: number; ms: number };

export type HostToView =
  | {
      type: "init";
      /** Changes whenever the rows change (a new filter): pages of an older generation are dropped. */
      generation: number;
      lanes: FlowLane[];
      total: number;
      filter: ViewFilter;
      /** Messages per slice of the rows, for the overview. */
      density: number[];
      /** Row position of the replay's current moment (fractional: between rows). */
      cursor?: number;
    }
  | {
      type: "page";
      generation: number;
      page: number;
      from: number;
      to: number;
      items: FlowItem[];
      markers: FlowMarker[];
      seqs: number[];
    }
  | { type: "cursor"; generation: number; index: number; position: number }
  | { type: "hoverInfo"; id: number; text: string; location?: string }
  | { type: "error"; message: string };

export class ProtocolError extends Error {}

type Obj = Record<string, unknown>;

function obj(x: unknown, what: string): Obj {
  if (typeof x !== "object" || x === null || Array.isArray(x))
    throw new ProtocolError(`${what}: not an object`);
  return x as Obj;
}

function int(o: Obj, k: string, what: string, min = 0): number {
  const v = o[k];
  if (typeof v !== "number" || !Number.isInteger(v) || v < min)
    throw new ProtocolError(`${what}: "${k}" must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function optInt(o: Obj, k: string, what: string): number | undefined {
  return o[k] === undefined ? undefined : int(o, k, what);
}

function num(o: Obj, k: string, what: string): number {
  const v = o[k];
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new ProtocolError(`${what}: "${k}" must be a number`);
  return v;
}

function str(o: Obj, k: string, what: string, max = 1e7): string {
  const v = o[k];
  if (typeof v !== "string" || v.length > max) throw new ProtocolError(`${what}: "${k}" must be a string`);
  return v;
}

function bool(o: Obj, k: string, what: string): boolean {
  const v = o[k];
  if (typeof v !== "boolean") throw new ProtocolError(`${what}: "${k}" must be true or false`);
  return v;
}

function ints(o: Obj, k: string, what: string): number[] {
  const v = o[k];
  if (
    !Array.isArray(v) ||
    v.length > 1e6 ||
    !v.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 0)
  )
    throw new ProtocolError(`${what}: "${k}" must be a list of integers ≥ 0`);
  return v as number[];
}

function arr(o: Obj, k: string, what: string): unknown[] {
  const v = o[k];
  if (!Array.isArray(v)) throw new ProtocolError(`${what}: "${k}" must be a list`);
  return v;
}

function filterOf(x: unknown, what: string): ViewFilter {
  const o = obj(x, what);
  const f: ViewFilter = { hidden: ints(o, "hidden", what), solo: ints(o, "solo", what) };
  const a = optInt(o, "fromSeq", what);
  const b = optInt(o, "toSeq", what);
  if (a !== undefined) f.fromSeq = a;
  if (b !== undefined) f.toSeq = b;
  return f;
}

function stateOf(x: unknown): ViewState {
  const what = "ready.state";
  const o = obj(x, what);
  const s: ViewState = {
    scrollTop: num(o, "scrollTop", what),
    scrollLeft: num(o, "scrollLeft", what),
    zoom: num(o, "zoom", what),
    pattern: str(o, "pattern", what, 1000),
    collapseIdle: bool(o, "collapseIdle", what),
    hidden: ints(o, "hidden", what),
    solo: ints(o, "solo", what),
    follow: bool(o, "follow", what),
  };
  for (const k of ["fromSeq", "toSeq", "selected"] as const) {
    const v = optInt(o, k, what);
    if (v !== undefined) s[k] = v;
  }
  return s;
}

/** A message from the webview, checked field by field; throws ProtocolError naming the problem. */
export function parseViewMessage(x: unknown): ViewToHost {
  const o = obj(x, "webview message");
  const type = o.type;
  const what = `webview message "${String(type)}"`;
  switch (type) {
    case "ready":
      return o.state === undefined || o.state === null ? { type } : { type, state: stateOf(o.state) };
    case "requestPage": {
      const from = int(o, "from", what);
      const to = int(o, "to", what);
      if (to < from || to - from > 20000) throw new ProtocolError(`${what}: bad row range ${from}..${to}`);
      return { type, page: int(o, "page", what), from, to };
    }
    case "setFilter":
      return { type, filter: filterOf(o.filter, what) };
    case "goto": {
      const end = o.end;
      if (end !== "send" && end !== "receive")
        throw new ProtocolError(`${what}: "end" must be "send" or "receive"`);
      return { type, index: int(o, "index", what), end, id: int(o, "id", what) };
    }
    case "selectThread":
      return { type, pid: int(o, "pid", what) };
    case "hover":
      return { type, id: int(o, "id", what) };
    case "exportSvg": {
      const svg = str(o, "svg", what, 50_000_000);
      if (!svg.startsWith("<svg")) throw new ProtocolError(`${what}: not an SVG document`);
      return { type, svg };
    }
    case "rendered":
      return { type, arrows: int(o, "arrows", what), lanes: int(o, "lanes", what), ms: num(o, "ms", what) };
    default:
      throw new ProtocolError(`unknown webview message type ${JSON.stringify(type)}`);
  }
}

const STATUSES: MessageStatus[] = [
  "delivered",
  "in_flight",
  "queued_at_end",
  "never_received",
  "dead_process",
  "unknown_process",
];
const ITEM_KINDS: FlowItem["kind"][] = ["message", "call", "reply"];
const MARKER_KINDS: FlowMarkerKind[] = ["spawn", "exit", "crash", "link", "unlink", "state"];

function laneOf(x: unknown): FlowLane {
  const what = "lane";
  const o = obj(x, what);
  return {
    pid: int(o, "pid", what),
    name: str(o, "name", what, 1000),
    crashed: bool(o, "crashed", what),
    firstRank: int(o, "firstRank", what),
    lastRank: int(o, "lastRank", what),
  };
}

function itemOf(x: unknown): FlowItem {
  const what = "arrow";
  const o = obj(x, what);
  const kind = o.kind as FlowItem["kind"];
  const status = o.status as MessageStatus;
  if (!ITEM_KINDS.includes(kind)) throw new ProtocolError(`${what}: bad kind ${JSON.stringify(kind)}`);
  if (!STATUSES.includes(status)) throw new ProtocolError(`${what}: bad status ${JSON.stringify(status)}`);
  const it: FlowItem = { id: int(o, "id", what), kind, status, label: str(o, "label", what, 10000) };
  for (const k of ["from", "to", "send", "receive", "sendRank", "receiveRank", "pair"] as const) {
    const v = optInt(o, k, what);
    if (v !== undefined) it[k] = v;
  }
  if (o.latencyNs !== undefined) it.latencyNs = num(o, "latencyNs", what);
  if (o.toName !== undefined) it.toName = str(o, "toName", what, 1000);
  return it;
}

function markerOf(x: unknown): FlowMarker {
  const what = "marker";
  const o = obj(x, what);
  const kind = o.kind as FlowMarkerKind;
  if (!MARKER_KINDS.includes(kind)) throw new ProtocolError(`${what}: bad kind ${JSON.stringify(kind)}`);
  const m: FlowMarker = {
    index: int(o, "index", what),
    rank: int(o, "rank", what),
    pid: int(o, "pid", what),
    kind,
    text: str(o, "text", what, 10000),
  };
  const peer = optInt(o, "peer", what);
  if (peer !== undefined) m.peer = peer;
  return m;
}

/** A message from the extension host, checked field by field; throws ProtocolError naming the problem. */
export function parseHostMessage(x: unknown): HostToView {
  const o = obj(x, "host message");
  const type = o.type;
  const what = `host message "${String(type)}"`;
  switch (type) {
    case "init": {
      const m: HostToView = {
        type,
        generation: int(o, "generation", what),
        lanes: arr(o, "lanes", what).map(laneOf),
        total: int(o, "total", what),
        filter: filterOf(o.filter, what),
        density: ints(o, "density", what),
      };
      if (o.cursor !== undefined) m.cursor = num(o, "cursor", what);
      return m;
    }
    case "page":
      return {
        type,
        generation: int(o, "generation", what),
        page: int(o, "page", what),
        from: int(o, "from", what),
        to: int(o, "to", what),
        items: arr(o, "items", what).map(itemOf),
        markers: arr(o, "markers", what).map(markerOf),
        seqs: ints(o, "seqs", what),
      };
    case "cursor":
      return {
        type,
        generation: int(o, "generation", what),
        index: int(o, "index", what),
        position: num(o, "position", what),
      };
    case "hoverInfo": {
      const m: HostToView = { type, id: int(o, "id", what), text: str(o, "text", what, 100000) };
      if (o.location !== undefined) m.location = str(o, "location", what, 4096);
      return m;
    }
    case "error":
      return { type, message: str(o, "message", what, 10000) };
    default:
      throw new ProtocolError(`unknown host message type ${JSON.stringify(type)}`);
  }
}

/** Rows per page the webview asks for. */
export const PAGE_ROWS = 500;
