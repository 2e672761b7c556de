// Message flow in pages, for the sequence diagram: every message (or those between a set of processes)
// in time order, a GenServer call and its reply folded into one item, read page by page through a
// token that resumes where the last page ended — a one-time index, then O(page) per page.

import { ReplayError } from "./errors";
import type { MessageFlow } from "./messages";
import { FLAG_GEN_CALL, FLAG_TAGGED, KIND_CODES } from "./store/columns";
import { lowerBound, upperBound } from "./store/csr";
import { Lru } from "./store/lru";
import type { StoreData } from "./store/store";
import type { MessageFlowEntry } from "./types";

/** Where the next page starts: after the item with this id. Plain data, so it can cross a webview. */
export interface FlowPageToken {
  readonly after: number;
}

/** One item of the flow: a message, or a GenServer call with its reply (one round trip). */
export type FlowItem = MessageFlowEntry & {
  /** Stable: the item's first event index (its send, or its receive when no send was recorded). */
  id: number;
  kind: "message" | "call";
  /** For a call: the reply sent back to its tag or alias, when one was recorded. */
  reply?: MessageFlowEntry;
};

export interface FlowPageOptions {
  /** Messages between these processes only (process ids): both ends in the set, or one end when the set has one pid. */
  pids?: number[];
  /** The `next` token of the previous page. */
  after?: FlowPageToken;
  /** Items per page (default 500). */
  limit?: number;
  /** Only items whose id lies in this event index range, inclusive. */
  indexRange?: { from?: number; to?: number };
}

export interface FlowPage {
  entries: FlowItem[];
  /** Present when more items follow. */
  next?: FlowPageToken;
  /** Items in the whole flow under these `pids` and `indexRange`, not just this page. */
  total: number;
}

export class FlowPages {
  private built?: { items: Int32Array; replyOf: Map<number, number>; callOf: Map<number, number> };
  /** pid set → its items; bounded by items held (2M, 8 MB) since a diagram may ask about many process sets. */
  private readonly filtered = new Lru<string, Int32Array>(2_000_000, (ids) => Math.max(1, ids.length));

  constructor(
    private readonly store: StoreData,
    private readonly flow: MessageFlow,
  ) {}

  /** A page of the flow; see `FlowPageOptions`. */
  page(opts: FlowPageOptions = {}): FlowPage {
    const limit = opts.limit ?? 500;
    if (!Number.isInteger(limit) || limit < 1)
      throw new ReplayError(`bad flow page limit ${String(opts.limit)}: expected a whole number ≥ 1`);
    const after = opts.after;
    if (
      after !== undefined &&
      (typeof after !== "object" || after === null || !Number.isInteger(after.after))
    )
      throw new ReplayError(
        `bad flow page token ${JSON.stringify(after)}: pass the "next" of the previous page`,
      );
    const from = opts.indexRange?.from ?? 0;
    const to = opts.indexRange?.to ?? Infinity;
    if (typeof from !== "number" || typeof to !== "number" || Number.isNaN(from) || Number.isNaN(to))
      throw new ReplayError(`bad flow index range ${JSON.stringify(opts.indexRange)}: expected numbers`);
    const list = this.items(opts.pids);
    const first = lowerBound(list, from);
    const end = upperBound(list, to);
    const total = Math.max(0, end - first);
    let lo = after === undefined ? first : Math.max(first, upperBound(list, after.after));
    const entries: FlowItem[] = [];
    for (; lo < end && entries.length < limit; lo++) entries.push(this.item(list[lo]));
    const page: FlowPage = { entries, total };
    if (lo < end && entries.length > 0) page.next = { after: entries[entries.length - 1].id };
    return page;
  }

  /** The reply send of a `$gen_call` send, if one was recorded. */
  replyOf(send: number): number | undefined {
    return this.index().replyOf.get(send);
  }

  /** The `$gen_call` send a reply send answers, if it is one. */
  callOf(reply: number): number | undefined {
    return this.index().callOf.get(reply);
  }

  private item(id: number): FlowItem {
    // `at` builds a fresh entry each time: completing it in place spares a copy per item.
    const item = this.flow.at(id) as FlowItem;
    const reply = this.index().replyOf.get(id);
    item.id = id;
    item.kind = reply === undefined ? "message" : "call";
    if (reply !== undefined) item.reply = this.flow.at(reply)!;
    return item;
  }

  /** The item ids under a pid filter, ascending. */
  private items(pids: number[] | undefined): Int32Array {
    const { items } = this.index();
    if (pids === undefined) return items;
    if (!Array.isArray(pids) || pids.length === 0)
      throw new ReplayError(
        `bad flow pids ${JSON.stringify(pids)}: expected a non-empty list of process ids`,
      );
    const count = this.store.tables.pids.length;
    for (const p of pids)
      if (!Number.isInteger(p) || p < 0 || p >= count)
        throw new ReplayError(`unknown process id ${String(p)} (this trace has ${count} processes)`);
    const set = [...new Set(pids)].sort((a, b) => a - b);
    const key = set.join(",");
    const known = this.filtered.get(key);
    if (known) return known;
    const { cols } = this.store;
    const inSet = new Uint8Array(count);
    for (const p of set) inSet[p] = 1;
    const one = set.length === 1;
    const out = new Int32Array(items.length);
    let n = 0;
    for (const id of items) {
      // A send's ends are its sender and its destination; a receive's, its receiver and its sender.
      const a = cols.pid[id];
      const b = cols.peer[id];
      const hitA = inSet[a] === 1;
      const hitB = b >= 0 && inSet[b] === 1;
      if (one ? hitA || hitB : hitA && hitB) out[n++] = id;
    }
    const list = out.slice(0, n);
    this.filtered.set(key, list);
    return list;
  }

  /**
   * Built once: every send that is not a folded reply, and every receive with no recorded send, in
   * event order; and the call/reply pairs. A reply is the first later send whose first element has the
   * call's tag hash, addressed to the caller (or to an alias the store could not tie to a process).
   */
  private index(): { items: Int32Array; replyOf: Map<number, number>; callOf: Map<number, number> } {
    if (this.built) return this.built;
    const { cols, ix } = this.store;
    const replyOf = new Map<number, number>();
    const callOf = new Map<number, number>();
    const open = new Map<number, number[]>();
    const n = cols.length;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const k = cols.kind[i];
      if (k === KIND_CODES.receive) {
        if (ix.pair[i] < 0) count++;
        continue;
      }
      if (k !== KIND_CODES.send) continue;
      count++;
      const f = cols.flags[i];
      if (f & FLAG_GEN_CALL) {
        const list = open.get(cols.tagHash[i]);
        if (list) list.push(i);
        else open.set(cols.tagHash[i], [i]);
      } else if (f & FLAG_TAGGED) {
        const list = open.get(cols.tagHash[i]);
        if (!list) continue;
        const to = cols.peer[i];
        const at = list.findIndex((c) => to < 0 || to === cols.pid[c]);
        if (at < 0) continue;
        const call = list[at];
        list.splice(at, 1);
        if (list.length === 0) open.delete(cols.tagHash[i]);
        replyOf.set(call, i);
        callOf.set(i, call);
        count--;
      }
    }
    const folded = new Uint8Array(n);
    for (const r of callOf.keys()) folded[r] = 1;
    const items = new Int32Array(count);
    let w = 0;
    for (let i = 0; i < n; i++) {
      const k = cols.kind[i];
      if ((k === KIND_CODES.send && !folded[i]) || (k === KIND_CODES.receive && ix.pair[i] < 0))
        items[w++] = i;
    }
    this.built = { items, replyOf, callOf };
    return this.built;
  }
}
