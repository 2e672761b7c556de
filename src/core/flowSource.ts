// The message-flow diagram's data, answered from a Replay a page at a time: the diagram's rows (the
// sends, receives and lifeline events of the shown processes, in replay order), the lanes, and for a
// row range the arrows and markers in it. The webview host and the CLI both read the diagram here.

import { inspect, inspectPretty } from "./terms/inspect";
import { Atom, ImproperList, Ref, Tuple, type Term } from "./terms/term";
import { lowerBound } from "./store/csr";
import { mfaLabel, moduleLabel } from "./store/eventDecode";
import { formatLatency, type FlowItem, type FlowLane, type FlowMarker } from "./flowLayout";
import type { Replay } from "./replay";
import type { EventKind, MessageFlowEntry, SourceLocation, TraceEvent } from "./types";

/** Which processes and which part of the recording the diagram shows. */
export interface FlowFilter {
  /** Processes left out. */
  hidden?: number[];
  /** When not empty, only these processes. */
  solo?: number[];
  /** Event index range, inclusive. */
  fromIndex?: number;
  toIndex?: number;
}

const ROW_KINDS: EventKind[] = ["send", "receive", "spawn", "exit", "link", "unlink", "state"];

export interface FlowPage {
  from: number;
  to: number;
  items: FlowItem[];
  markers: FlowMarker[];
}

export class FlowSource {
  /** The diagram's rows: event indices, ascending. A row's position here is its rank. */
  readonly rows: Int32Array;
  readonly lanes: FlowLane[];
  private readonly visible?: ReadonlySet<number>;

  constructor(
    private readonly replay: Replay,
    readonly filter: FlowFilter = {},
  ) {
    const procs = replay.processes();
    const solo = (filter.solo ?? []).filter((p) => p >= 0 && p < procs.length);
    const hidden = new Set(filter.hidden ?? []);
    if (solo.length || hidden.size)
      this.visible = new Set((solo.length ? solo : procs.map((p) => p.id)).filter((p) => !hidden.has(p)));
    const range =
      filter.fromIndex !== undefined || filter.toIndex !== undefined
        ? { from: filter.fromIndex, to: filter.toIndex }
        : undefined;
    let rows = replay.getEventIndices({
      kinds: ROW_KINDS,
      ...(this.visible ? { pids: [...this.visible] } : {}),
      ...(range ? { indexRange: range } : {}),
    });
    if (this.visible) {
      // A message row stays only when its other end is shown too (or was never a recorded process).
      const vis = this.visible;
      rows = rows.filter((i) => {
        const k = replay.kindOf(i);
        if (k !== "send" && k !== "receive") return true;
        const m = replay.messageAt(i);
        const other = k === "send" ? m?.to : m?.from;
        return other === undefined || vis.has(other);
      });
    }
    this.rows = Int32Array.from(rows);
    // Queries answer in index order; sort only if one ever does not.
    for (let k = 1; k < this.rows.length; k++)
      if (this.rows[k] < this.rows[k - 1]) {
        this.rows.sort();
        break;
      }
    this.lanes = this.buildLanes();
    // The call/reply pairs are indexed once per replay, from the columns: build them with the rows,
    // so that the first page does not pay for it.
    if (this.rows.length > 0) replay.replyOf(this.rows[0]);
  }

  get total(): number {
    return this.rows.length;
  }

  /** The rank of an event that is a row, else undefined. */
  rankOf(index: number): number | undefined {
    const k = lowerBound(this.rows, index);
    return k < this.rows.length && this.rows[k] === index ? k : undefined;
  }

  /**
   * Where an event falls between rows: its rank when it is a row, else halfway between the rows around
   * it (so the current-moment line sits between the messages before and after).
   */
  positionOf(index: number): number {
    const k = lowerBound(this.rows, index);
    if (k < this.rows.length && this.rows[k] === index) return k;
    return Math.max(0, Math.min(this.rows.length - 1, k - 0.5));
  }

  /** The recorded seq of the event at a rank. */
  seqAt(rank: number): number | undefined {
    const i = this.rows[rank];
    return i === undefined ? undefined : this.replay.seqOf(i);
  }

  /** The arrows and markers of rows [from, to). An arrow whose send is above `from` comes with its receive. */
  page(from: number, to: number): FlowPage {
    const lo = Math.max(0, Math.min(from, this.total));
    const hi = Math.max(lo, Math.min(to, this.total));
    const items: FlowItem[] = [];
    const markers: FlowMarker[] = [];
    const calls = new Map<number, FlowItem>();
    const decoded = this.prefetch(lo, hi);
    for (let k = lo; k < hi; k++) {
      const i = this.rows[k];
      const kind = this.replay.kindOf(i);
      if (kind === "send" || kind === "receive") {
        const m = this.replay.messageAt(i);
        if (!m) continue;
        if (kind === "receive" && m.send !== undefined) {
          const s = this.rankOf(m.send);
          if (s !== undefined && s >= lo && s < hi) continue;
        }
        const item = this.item(
          m,
          kind === "send" ? k : undefined,
          kind === "receive" ? k : undefined,
          decoded,
        );
        if (item.kind === "call" && item.pair !== undefined) calls.set(item.pair, item);
        items.push(item);
      } else {
        markers.push(this.marker(i, k, kind, decoded));
      }
    }
    // Replies whose call is on this page point back at it.
    for (const it of items) {
      const call = it.send !== undefined ? calls.get(it.send) : undefined;
      if (call) {
        it.kind = "reply";
        it.pair = call.id;
      }
    }
    return { from: lo, to: hi, items, markers };
  }

  /**
   * Decodes the frames a page's labels need in one batch (one read per run of nearby frames) instead
   * of one read per row: the messages, and the rare exits that are not a process's last. Everything
   * else on a page comes from the columns and indexes. The events stay with the page, not in the
   * replay's cache: ~200 per page would evict what stepping uses and, living on in the cache, be
   * copied into the old heap by a later scavenge (a ~27 ms pause on this VM, fresh pages).
   */
  private prefetch(lo: number, hi: number): Map<number, TraceEvent> {
    const need: number[] = [];
    for (let k = lo; k < hi; k++) {
      const i = this.rows[k];
      const kind = this.replay.kindOf(i);
      if (kind === "send" || kind === "receive") {
        const m = this.replay.messageAt(i);
        const id = m && (m.send ?? m.receive);
        if (id !== undefined) need.push(id);
      } else if (kind === "exit" && this.replay.process(this.replay.pidOf(i)).exitedAt !== i) need.push(i);
    }
    const decoded = new Map<number, TraceEvent>();
    const events = this.replay.events(need, false);
    for (let k = 0; k < need.length; k++) decoded.set(need[k], events[k]);
    return decoded;
  }

  /** How many messages each of `buckets` equal slices of the rows holds (the overview). */
  density(buckets: number): number[] {
    const out = new Array<number>(Math.max(1, buckets)).fill(0);
    const n = this.total;
    if (n === 0) return out;
    for (let k = 0; k < n; k++)
      if (this.replay.kindOf(this.rows[k]) === "send")
        out[Math.min(out.length - 1, Math.floor((k * out.length) / n))]++;
    return out;
  }

  /** The message of an arrow in full (Elixir syntax) and where it was sent from. */
  describe(id: number): { text: string; location?: SourceLocation } {
    const e = this.replay.event(id);
    const m = this.replay.messageAt(id);
    const name = (p: number | undefined): string =>
      p === undefined
        ? (m?.toName ?? "?")
        : (this.lanes.find((l) => l.pid === p)?.name ?? this.replay.process(p).label);
    const head = `${name(m?.from)} → ${name(m?.to)}${m?.latencyNs !== undefined ? ` in ${formatLatency(m.latencyNs)}` : ` (${m?.status.replace(/_/g, " ") ?? "?"})`}`;
    const text = `${head}\n${e.message !== undefined ? inspectPretty(e.message, 80, { limit: 50, printableLimit: 400, ...this.replay.termStyle() }) : "?"}`;
    const send = m?.send;
    const location = send !== undefined ? this.replay.locationOf(send) : undefined;
    return location ? { text, location } : { text };
  }

  private item(
    m: MessageFlowEntry,
    sendRank: number | undefined,
    receiveRank: number | undefined,
    decoded: Map<number, TraceEvent>,
  ): FlowItem {
    const sr = sendRank ?? (m.send !== undefined ? this.rankOf(m.send) : undefined);
    let rr = receiveRank ?? (m.receive !== undefined ? this.rankOf(m.receive) : undefined);
    // A receive outside the shown range still ends its arrow: at the edge the range cuts it.
    if (rr === undefined && m.receive !== undefined && (m.to === undefined || this.shows(m.to)))
      rr = Math.min(this.total - 1, lowerBound(this.rows, m.receive));
    const id = m.send ?? m.receive!;
    const message = (decoded.get(id) ?? this.replay.event(id)).message;
    const item: FlowItem = { id, kind: "message", status: m.status, label: "?" };
    if (m.from !== undefined) item.from = m.from;
    if (m.to !== undefined) item.to = m.to;
    if (m.toName !== undefined) item.toName = m.toName;
    if (m.send !== undefined) item.send = m.send;
    if (m.receive !== undefined) item.receive = m.receive;
    if (sr !== undefined) item.sendRank = sr;
    if (rr !== undefined) item.receiveRank = rr;
    if (m.latencyNs !== undefined) item.latencyNs = m.latencyNs;
    const style = this.replay.termStyle();
    const short = (t: Term): string => inspect(t, { limit: 4, printableLimit: 40, ...style });
    const call = callOf(message);
    if (call) {
      item.kind = "call";
      item.label = short(call.request);
      const reply = m.send !== undefined && m.receive !== undefined ? this.replay.replyOf(m.send) : undefined;
      if (reply !== undefined) item.pair = reply;
    } else if (message !== undefined && isReply(message)) {
      item.kind = "reply";
      item.label = short((message as Tuple).elements[1]);
    } else item.label = message === undefined ? "?" : short(message);
    return item;
  }

  private shows(pid: number): boolean {
    return !this.visible || this.visible.has(pid);
  }

  private marker(index: number, rank: number, kind: EventKind, decoded: Map<number, TraceEvent>): FlowMarker {
    const pid = this.replay.pidOf(index);
    const who = (p: number | undefined): string => (p === undefined ? "?" : this.laneName(p));
    const base = { index, rank, pid };
    switch (kind) {
      case "spawn": {
        // The child is known from the process table; only an unknown one needs the event decoded.
        const peer = this.spawned().get(index) ?? this.replay.peerOf(index);
        return {
          ...base,
          kind: "spawn",
          ...(peer !== undefined ? { peer } : {}),
          text: `spawned ${who(peer)}`,
        };
      }
      case "link":
      case "unlink": {
        const peer = this.replay.peerOf(index);
        return {
          ...base,
          kind,
          ...(peer !== undefined ? { peer } : {}),
          text: `${kind}ed with ${who(peer)}`,
        };
      }
      case "exit": {
        const p = this.replay.process(pid);
        const last = p.exitedAt === index;
        const crash = p.crashed && last;
        const detail = last ? p.exitReason : (decoded.get(index) ?? this.replay.event(index)).detail;
        const reason = detail !== undefined ? inspect(detail, { limit: 6, printableLimit: 80 }) : "?";
        return {
          ...base,
          kind: crash ? "crash" : "exit",
          text: `${crash ? "crashed" : "exited"}: ${reason}`,
        };
      }
      default: {
        const mfa = this.replay.mfaOf(index);
        return { ...base, kind: "state", text: `state changed${mfa ? ` by ${mfa.fun}/${mfa.arity}` : ""}` };
      }
    }
  }

  private spawnedAt?: Map<number, number>;

  /** Spawn event index → the child process, from the process table. */
  private spawned(): Map<number, number> {
    if (!this.spawnedAt) {
      this.spawnedAt = new Map();
      for (const p of this.replay.processes())
        if (p.spawnedAt !== undefined && p.parent !== undefined) this.spawnedAt.set(p.spawnedAt, p.id);
    }
    return this.spawnedAt;
  }

  private laneNames?: Map<number, string>;

  private laneName(pid: number): string {
    this.laneNames ??= new Map(this.lanes.map((l) => [l.pid, l.name]));
    return this.laneNames.get(pid) ?? this.replay.process(pid).label;
  }

  private buildLanes(): FlowLane[] {
    const first = new Map<number, number>();
    const last = new Map<number, number>();
    const touch = (p: number | undefined, k: number): void => {
      if (p === undefined || p < 0 || !this.shows(p)) return;
      if (!first.has(p)) first.set(p, k);
      last.set(p, k);
    };
    for (let k = 0; k < this.rows.length; k++) {
      const i = this.rows[k];
      touch(this.replay.pidOf(i), k);
    }
    const out: FlowLane[] = [];
    for (const [pid, f] of first) {
      const p = this.replay.process(pid);
      // A lifeline runs from the process's first row to its exit, or to the end of what is shown.
      const ended = p.exitedAt !== undefined && this.rankOf(p.exitedAt) !== undefined;
      out.push({
        pid,
        name: this.nameOf(pid, this.rows[f]),
        crashed: p.crashed,
        firstRank: f,
        lastRank: ended ? last.get(pid)! : Math.max(this.rows.length - 1, last.get(pid)!),
      });
    }
    return out.sort((a, b) => a.firstRank - b.firstRank || a.pid - b.pid);
  }

  /** As the debugger names the thread: the name registered then, else the server module, else the first function. */
  private nameOf(pid: number, at: number): string {
    const p = this.replay.process(pid);
    const reg = this.replay.nameAt(pid, at) ?? p.name;
    if (reg) return `#PID${p.pid} ${moduleLabel(reg).replace(/^:/, "")}`;
    if (p.module || p.initialCall) return p.label;
    const call = this.replay.getEventIndices({ pids: [pid], kinds: ["call"], limit: 1 })[0];
    const mfa = call === undefined ? undefined : this.replay.mfaOf(call);
    return mfa ? `${p.label} ${mfaLabel(mfa)}` : p.label;
  }
}

/** `{:"$gen_call", {from, tag}, request}`: a GenServer call, with the tag its reply carries. */
function callOf(t: Term | undefined): { tag: Term; request: Term } | undefined {
  if (!(t instanceof Tuple) || t.elements.length !== 3) return undefined;
  const [head, from, request] = t.elements;
  if (!(head instanceof Atom) || head.name !== "$gen_call") return undefined;
  if (!(from instanceof Tuple) || from.elements.length !== 2) return undefined;
  return { tag: from.elements[1], request };
}

/** `{ref, value}` or `{[:alias | ref], value}`: the shape of a GenServer reply. */
function isReply(t: Term): boolean {
  if (!(t instanceof Tuple) || t.elements.length !== 2) return false;
  const tag = t.elements[0];
  if (tag instanceof Ref) return true;
  return tag instanceof ImproperList && tag.tail instanceof Ref;
}
