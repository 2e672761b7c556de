// Message flow: who sent what to whom and when. Each send comes with the receive the store paired it
// with (per-pair FIFO), its latency, and — when it has none — why: the receiver had died, never
// existed in the recording, ended without taking it, or still had it queued when the recording ended.

import { cellOf, type CellName } from "./store/cells";
import { FLAG_NO_PROCESS, KIND_CODES } from "./store/columns";
import { buildCsr, csrList, lowerBound, type Csr } from "./store/csr";
import type { StoreData } from "./store/store";
import type { ProcessTable } from "./processes";
import { Atom, Pid, type Term, Tuple } from "./terms/term";
import type { MessageFlowEntry, MessageFlowOptions } from "./types";
import { ReplayError } from "./errors";
import { EndMailboxes } from "./mailboxes";

export class MessageFlow {
  /** Sends by destination process: the message-pair index's second half (the first is sends by sender). */
  private byDest?: Csr;

  /** The recorded mailboxes at the end (the footer's snapshot), when the trace has them. */
  readonly mailboxes: EndMailboxes;

  /** `replyOf`: the reply send of a `$gen_call` send (see FlowPages), so that `flow(A, B)` shows B's replies to A. */
  constructor(
    private readonly store: StoreData,
    private readonly processes: ProcessTable,
    private readonly replyOf: (send: number) => number | undefined = () => undefined,
    /** The sender a received message names (`$gen_call`'s caller), for a receive with no recorded send. */
    private readonly senderOf: (receive: number) => number | undefined = () => undefined,
    /** A send event's message, to find the sends still queued at the end. */
    messageOf: (send: number) => Term | undefined = () => undefined,
  ) {
    this.mailboxes = new EndMailboxes(
      store,
      processes,
      () => this.dest(),
      messageOf,
      (pid) =>
        Array.from(csrList(store.ix.byPid, pid)).filter(
          (r) => store.cols.kind[r] === KIND_CODES.receive && store.ix.pair[r] < 0,
        ),
    );
  }

  /**
   * One value of a column at one row: from an index whose columns are not in memory yet, read with its
   * page (cells.ts). The scopes of each stop ask `at` for one event, which read seven whole columns
   * (~100 MB at 5M events, seconds of page faults on the first inspect after a launch).
   */
  private v(name: CellName, row: number): number {
    return cellOf(this.store, name, row);
  }

  private sender(r: number): number | undefined {
    const p = this.v("peer", r);
    return p >= 0 ? p : this.senderOf(r);
  }

  flow(from: number | undefined, to: number | undefined, opts: MessageFlowOptions = {}): MessageFlowEntry[] {
    const { cols, ix } = this.store;
    const limit = opts.limit ?? Infinity;
    if (!(limit >= 0))
      throw new ReplayError(`bad message flow limit ${String(opts.limit)}: expected a non-negative number`);
    const tFrom = opts.timeRange?.from ?? -Infinity;
    const tTo = opts.timeRange?.to ?? Infinity;
    // Candidate sends: the smaller of the sender's events and the sends addressed to the receiver.
    let rows: ArrayLike<number>;
    const bySender = from !== undefined ? csrList(ix.byPid, from) : undefined;
    const byReceiver = to !== undefined ? csrList(this.dest(), to) : undefined;
    if (bySender && byReceiver) rows = bySender.length <= byReceiver.length ? bySender : byReceiver;
    else rows = bySender ?? byReceiver ?? csrList(ix.byKind, KIND_CODES.send);
    const out: MessageFlowEntry[] = [];
    // Between two processes, the replies to A's calls travel B → A: they belong to the flow too. The
    // sends are then gathered whole, since a reply may sort before a later call that a limit would cut.
    const withReplies = from !== undefined && to !== undefined && from !== to;
    const sendLimit = withReplies ? Infinity : limit;
    let i = lowerBound(cols.time, tFrom, 0, cols.length);
    i = lowerBound(rows, i);
    for (; i < rows.length && out.length < sendLimit; i++) {
      const r = rows[i];
      if (cols.kind[r] !== KIND_CODES.send) continue;
      if (from !== undefined && cols.pid[r] !== from) continue;
      if (to !== undefined && cols.peer[r] !== to) continue;
      const t = cols.time[r];
      if (t < tFrom) continue;
      if (t > tTo) break;
      out.push(this.entryOfSend(r));
    }
    if (withReplies) {
      const n = out.length;
      for (let k = 0; k < n; k++) {
        const reply = this.replyOf(out[k].send!);
        if (reply === undefined || cols.pid[reply] !== to) continue;
        const t = cols.time[reply];
        if (t >= tFrom && t <= tTo) out.push(this.entryOfSend(reply));
      }
      out.sort((a, b) => a.send! - b.send!);
      if (out.length > limit) out.length = limit;
    }
    // Receives whose sender was not recorded still belong to a flow into `to`.
    if (to !== undefined && from === undefined) {
      for (const r of csrList(ix.byPid, to)) {
        if (cols.kind[r] !== KIND_CODES.receive || ix.pair[r] >= 0) continue;
        const t = cols.time[r];
        if (t < tFrom || t > tTo) continue;
        const from = this.sender(r);
        out.push({
          receive: r,
          to,
          status: this.mailboxes.queued(r, to) ? "queued_at_end" : "delivered",
          receivedAt: t,
          ...(from !== undefined ? { from } : {}),
        });
      }
      out.sort((a, b) => (a.send ?? a.receive!) - (b.send ?? b.receive!));
      if (out.length > limit) out.length = limit;
    }
    return out;
  }

  /** The send/receive pair an event belongs to. */
  at(row: number): MessageFlowEntry | undefined {
    const k = this.v("kind", row);
    if (k === KIND_CODES.send) return this.entryOfSend(row);
    if (k !== KIND_CODES.receive) return undefined;
    const send = this.v("ix.pair", row);
    if (send >= 0) return this.entryOfSend(send);
    const to = this.v("pid", row);
    const e: MessageFlowEntry = {
      receive: row,
      to,
      // Its send was not recorded; the mailbox snapshot still says whether it was taken.
      status: this.mailboxes.queued(row, to) ? "queued_at_end" : "delivered",
      receivedAt: this.v("time", row),
    };
    const from = this.sender(row);
    if (from !== undefined) e.from = from;
    return e;
  }

  private entryOfSend(r: number): MessageFlowEntry {
    const { tables } = this.store;
    const to = this.v("peer", r);
    const e: MessageFlowEntry = {
      send: r,
      from: this.v("pid", r),
      status: "delivered",
      sentAt: this.v("time", r),
    };
    if (to >= 0) e.to = to;
    else {
      const aux = this.v("aux", r);
      if (aux >= 0) {
        const name = tables.aux.term(aux);
        e.toName = name instanceof Atom ? name.name : undefined;
      }
    }
    const rcv = this.v("ix.pair", r);
    // In the receiver's mailbox at the end (its snapshot says so): it entered the mailbox (the
    // receive event, when recorded) but nothing took it out.
    const queued = to >= 0 && this.mailboxes.queued(r, to);
    if (rcv >= 0) {
      e.receive = rcv;
      e.receivedAt = this.v("time", rcv);
      if (queued) e.status = "queued_at_end";
      else e.latencyNs = e.receivedAt - e.sentAt!;
      return e;
    }
    const box = to >= 0 ? this.mailboxes.of(to) : undefined;
    if (queued) e.status = "queued_at_end";
    else if (this.v("flags", r) & FLAG_NO_PROCESS) e.status = "dead_process";
    else if (to < 0) e.status = "unknown_process";
    else {
      const dest = this.processes.get(to);
      if (dest.exitedAt !== undefined && dest.exitedAt < r) e.status = "dead_process";
      else if (dest.eventCount === 0) e.status = "unknown_process";
      else if (dest.exitedAt !== undefined) e.status = "never_received";
      // Without a whole snapshot of its mailbox (older traces): alive at the end, its receives
      // recorded, none took it — it is taken to be still in the mailbox.
      else if (this.receives()[to] && !(box && box.messages.length === box.count)) e.status = "queued_at_end";
      else if (dest.lastEvent > r) e.status = "never_received";
      else e.status = "in_flight";
    }
    return e;
  }

  private hasReceive?: Uint8Array;

  /** Per process: 1 when the recording has any receive of it (its receives were traced). */
  private receives(): Uint8Array {
    if (!this.hasReceive) {
      const { cols, ix } = this.store;
      this.hasReceive = new Uint8Array(this.store.tables.pids.length);
      for (const r of csrList(ix.byKind, KIND_CODES.receive)) this.hasReceive[cols.pid[r]] = 1;
    }
    return this.hasReceive;
  }

  private dest(): Csr {
    const { cols } = this.store;
    this.byDest ??= buildCsr(
      cols.peer,
      cols.length,
      this.store.tables.pids.length,
      (i) => cols.kind[i] === KIND_CODES.send,
    );
    return this.byDest;
  }
}

/**
 * The caller a `GenServer.call` request carries (`{:"$gen_call", {pid, ref}, request}`; since OTP 24
 * the tag may be `[:alias | ref]`), as a process of the recording; undefined for other messages.
 */
export function senderNamedIn(msg: Term | undefined, procs: ProcessTable): number | undefined {
  if (!(msg instanceof Tuple) || msg.elements.length !== 3 || msg.elements[0] !== Atom.of("$gen_call"))
    return undefined;
  const from = msg.elements[1];
  const pid = from instanceof Tuple && from.elements.length === 2 ? from.elements[0] : undefined;
  if (!(pid instanceof Pid)) return undefined;
  try {
    return procs.find(`<0.${pid.id}.${pid.serial}>@${pid.node.name}`).id;
  } catch {
    return undefined;
  }
}
