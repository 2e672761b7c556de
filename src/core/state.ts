// The state reconstructor: the GenServer state of a process at any moment. Every `state` event (or,
// for a process recorded without them, every callback's return) is a full snapshot, so each one is
// a checkpoint: the state at a moment is the latest snapshot at or before it, found by binary search
// in the state-owner index and decoded once (the decoded-event cache keeps it hot).

import { cellOf } from "./store/cells";
import { KIND_CODES } from "./store/columns";
import { csrList, upperBound } from "./store/csr";
import type { StoreData } from "./store/store";
import { termEquals } from "./terms/equal";
import { inspect } from "./terms/inspect";
import { Atom, ErlMap, ImproperList, type Term, Tuple } from "./terms/term";
import type { StateAt, StateChange, TermDiff, TraceEvent } from "./types";

export class StateReconstructor {
  constructor(
    private readonly store: StoreData,
    private readonly decode: (row: number) => TraceEvent,
  ) {}

  /** The state in force at `row` for process `pid`: the latest snapshot at or before it. */
  at(pid: number, row: number): StateAt | undefined {
    const owners = csrList(this.store.ix.byStateOwner, pid);
    for (let i = upperBound(owners, row) - 1; i >= 0; i--) {
      const s = this.snapshot(owners[i]);
      if (s) return s;
    }
    return undefined;
  }

  history(pid: number): StateChange[] {
    const { cols, tables } = this.store;
    return Array.from(csrList(this.store.ix.byStateOwner, pid), (row) => ({
      index: row,
      time: cols.time[row],
      callback:
        cols.mfa[row] >= 0
          ? `${tables.mfas[cols.mfa[row]].fun}/${tables.mfas[cols.mfa[row]].arity}`
          : undefined,
    }));
  }

  /** The snapshot before `row` in the same process (for "what changed"). */
  previous(pid: number, row: number): StateAt | undefined {
    return row > 0 ? this.at(pid, row - 1) : undefined;
  }

  /** The latest snapshot before `before` where the value at `path` differs from the snapshot preceding it. */
  lastChange(pid: number, path: Term[], before: number): number | undefined {
    const owners = csrList(this.store.ix.byStateOwner, pid);
    let i = upperBound(owners, before - 1) - 1;
    let later = i >= 0 ? this.snapshot(owners[i]) : undefined;
    while (i >= 0 && later) {
      let j = i - 1;
      let earlier: StateAt | undefined;
      while (j >= 0 && !(earlier = this.snapshot(owners[j]))) j--;
      const now = valueAt(later.state, path);
      if (!earlier) return now === undefined ? undefined : later.index;
      if (!sameValue(now, valueAt(earlier.state, path))) return later.index;
      later = earlier;
      i = j;
    }
    return undefined;
  }

  /** The first snapshot after (before) `from` where the value at `path` differs from the one in force at `from`. */
  nextChange(pid: number, path: Term[], from: number, forward: boolean): number | undefined {
    const owners = csrList(this.store.ix.byStateOwner, pid);
    if (forward) {
      let prev = valueAt(this.at(pid, from)?.state, path);
      for (let i = upperBound(owners, from); i < owners.length; i++) {
        const s = this.snapshot(owners[i]);
        if (!s) continue;
        const v = valueAt(s.state, path);
        if (!sameValue(v, prev)) return s.index;
        prev = v;
      }
      return undefined;
    }
    const hit = this.lastChange(pid, path, from);
    return hit;
  }

  private snapshot(row: number): StateAt | undefined {
    const ev = this.decode(row);
    const m = ev.mfa;
    const callback = m ? `${m.fun}/${m.arity}` : undefined;
    if (cellOf(this.store, "kind", row) === KIND_CODES.state)
      return ev.state === undefined ? undefined : { index: row, callback, state: ev.state };
    const state = stateFromReturn(m?.fun ?? "", ev.value);
    return state === undefined ? undefined : { index: row, callback, state };
  }
}

/** The new state inside a GenServer callback's return value (`{:reply, r, s}`, `{:noreply, s}`, `{:ok, s}`, ...). */
export function stateFromReturn(fun: string, value: Term | undefined): Term | undefined {
  if (!(value instanceof Tuple) || !(value.elements[0] instanceof Atom)) return undefined;
  const [tag, ...rest] = value.elements;
  switch ((tag as Atom).name) {
    case "ok":
      return fun === "init" || fun === "code_change" ? rest[0] : undefined;
    case "reply":
      return rest[1];
    case "noreply":
      return rest[0];
    case "stop":
      return rest.length === 3 ? rest[2] : rest[1];
    default:
      return undefined;
  }
}

/** The value at a path of map keys / list and tuple positions, or undefined when the path does not exist. */
export function valueAt(term: Term | undefined, path: Term[]): Term | undefined {
  let cur: Term | undefined = term;
  for (const seg of path) {
    if (cur === undefined) return undefined;
    if (cur instanceof ErlMap) cur = cur.get(seg, termEquals);
    else if (Array.isArray(cur) && typeof seg === "number") cur = cur[seg];
    else if (cur instanceof Tuple && typeof seg === "number") cur = cur.elements[seg];
    else return undefined;
  }
  return cur;
}

function sameValue(a: Term | undefined, b: Term | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return termEquals(a, b);
}

/** A structural diff: maps by key, tuples and lists by position; anything else compared whole. */
export function diffTerms(a: Term, b: Term, path: Term[] = [], out: TermDiff[] = []): TermDiff[] {
  if (termEquals(a, b)) return out;
  if (a instanceof ErlMap && b instanceof ErlMap && structName(a) === structName(b)) {
    for (const [k, va] of a.entries) {
      const vb = b.get(k, termEquals);
      if (vb === undefined) out.push(diff([...path, k], "removed", va, undefined));
      else diffTerms(va, vb, [...path, k], out);
    }
    for (const [k, vb] of b.entries)
      if (a.get(k, termEquals) === undefined) out.push(diff([...path, k], "added", undefined, vb));
    return out;
  }
  const ea = elements(a);
  const eb = elements(b);
  if (ea && eb && ea.kind === eb.kind && (ea.kind === "list" || ea.items.length === eb.items.length)) {
    const n = Math.max(ea.items.length, eb.items.length);
    for (let i = 0; i < n; i++) {
      if (i >= ea.items.length) out.push(diff([...path, i], "added", undefined, eb.items[i]));
      else if (i >= eb.items.length) out.push(diff([...path, i], "removed", ea.items[i], undefined));
      else diffTerms(ea.items[i], eb.items[i], [...path, i], out);
    }
    return out;
  }
  out.push(diff(path, "changed", a, b));
  return out;
}

function elements(t: Term): { kind: "list" | "tuple"; items: Term[] } | undefined {
  if (Array.isArray(t)) return { kind: "list", items: t };
  if (t instanceof Tuple) return { kind: "tuple", items: t.elements };
  if (t instanceof ImproperList) return undefined;
  return undefined;
}

function structName(m: ErlMap): string | undefined {
  const s = m.get(Atom.of("__struct__"), termEquals);
  return s instanceof Atom ? s.name : undefined;
}

function diff(
  path: Term[],
  change: TermDiff["change"],
  before: Term | undefined,
  after: Term | undefined,
): TermDiff {
  const d: TermDiff = { path, pathText: pathText(path), change };
  if (before !== undefined) d.before = before;
  if (after !== undefined) d.after = after;
  return d;
}

/** Elixir-like access path: `.seats[12].status`, `["key"]`, `[0]`. */
export function pathText(path: Term[]): string {
  return path
    .map((seg) => {
      if (seg instanceof Atom && /^[a-z_][A-Za-z0-9_?!]*$/.test(seg.name)) return `.${seg.name}`;
      return `[${inspect(seg)}]`;
    })
    .join("");
}
