// Turns one event's frame term into a `TraceEvent`, using the columns for what the load already
// resolved (ids, pairing, names) and the decoded tuple for the payload terms.

import { escapeControls } from "../escape";
import { Atom, type Term, Tuple } from "../terms/term";
import { EVENT_KINDS, type EventKind, type TraceEvent } from "../types";
import { FLAG_NO_PROCESS, KIND_CODES } from "./columns";
import { pidRowIndex } from "./cells";
import type { StoreData } from "./store";

/**
 * A decoded event is made by `new`, not from an object literal. V8 counts how many objects of a
 * literal survive young-generation collections; the events the replay's cache keeps (stepping, states)
 * all survive, so V8 decided to allocate that literal's objects straight into the old heap ("allocation
 * site pretenuring", never undone) — every later event too, a query's 100 dropped ones included: each
 * stored a young term into an old object (write barrier), filled fresh old-heap pages (20–70 µs each on
 * this VM) and, held by dead old events until a mark-compact, kept their young terms alive through
 * scavenges that copied megabytes (the ~27 ms p99s). Objects made by `new` have no allocation site. The
 * prototype is `Object.prototype`: the events are plain objects, as before.
 */
type EventHead = [
  index: number,
  seq: number,
  file: number,
  time: number,
  kind: EventKind,
  pid: number,
  raw: Term,
];
// Typed by the tuple, not a rest parameter: the function takes seven plain parameters (no array per event).
const setHead: (this: TraceEvent, ...head: EventHead) => void = function (
  index,
  seq,
  file,
  time,
  kind,
  pid,
  raw,
) {
  this.index = index;
  this.seq = seq;
  this.file = file;
  this.time = time;
  this.kind = kind;
  this.pid = pid;
  this.raw = raw;
};
const DecodedEvent = setHead as unknown as new (...head: EventHead) => TraceEvent;
DecodedEvent.prototype = Object.prototype;

export function decodeEvent(store: StoreData, row: number, raw: Term): TraceEvent {
  const c = store.cols;
  const t = store.tables;
  const kind = EVENT_KINDS[c.kind[row]];
  const ev = new DecodedEvent(row, c.seq[row], c.file[row], c.time[row], kind, c.pid[row], raw);
  const el = raw instanceof Tuple ? raw.elements : [];
  if (c.mfa[row] >= 0) ev.mfa = t.mfas[c.mfa[row]];
  if (c.peer[row] >= 0) ev.peer = c.peer[row];
  switch (c.kind[row]) {
    case KIND_CODES.call:
      ev.args = Array.isArray(el[5]) ? el[5] : [];
      if (c.site[row] >= 0) ev.caller = t.sites[c.site[row]];
      break;
    case KIND_CODES.return:
      ev.value = el[5];
      break;
    case KIND_CODES.exception: {
      const cr = el[5];
      const cls = cr instanceof Tuple && cr.elements[0] instanceof Atom ? cr.elements[0].name : "error";
      const reason = cr instanceof Tuple && cr.elements.length === 2 ? cr.elements[1] : cr;
      ev.exception = { class: cls, reason, stacktrace: el[6] ?? [] };
      break;
    }
    case KIND_CODES.send:
      ev.to = el[4];
      ev.message = el[5];
      ev.sendStatus = c.flags[row] & FLAG_NO_PROCESS ? "no_process" : "ok";
      break;
    case KIND_CODES.receive:
      ev.message = el[5];
      break;
    case KIND_CODES.spawn:
      ev.detail = el[5];
      break;
    case KIND_CODES.state:
      ev.state = el[5];
      break;
    case KIND_CODES.exit:
    case KIND_CODES.register:
    case KIND_CODES.unregister:
    case KIND_CODES.process:
    case KIND_CODES.overload:
    case KIND_CODES.link:
    case KIND_CODES.unlink:
      ev.detail = el[4];
      break;
  }
  return ev;
}

const SENT = Atom.of("$sent");

/**
 * The send seq that a receive's frame names instead of carrying its message (trace format 2:
 * `{:receive, seq, t, pid, from, :"$sent", send_seq}`), or undefined.
 */
export function sentRef(raw: Term): number | undefined {
  if (!(raw instanceof Tuple) || raw.elements.length < 7 || raw.elements[0] !== Atom.of("receive"))
    return undefined;
  const ref = raw.elements[6];
  return raw.elements[5] === SENT && typeof ref === "number" ? ref : undefined;
}

/**
 * Gives a receive that names its send (see `sentRef`) that send's message, and its raw term the
 * format-1 shape `{:receive, seq, t, pid, from, msg}`, so that every view shows what it showed when
 * receives carried their messages. Without its send (missing, dropped or damaged: the load reported
 * it) the message is the marker `{:"$not_recorded", :sent, send_seq}`.
 */
export function resolveSent(ev: TraceEvent, ref: number, send: TraceEvent | undefined): void {
  const found = send !== undefined && send.kind === "send" && send.seq === ref && send.file === ev.file;
  const message = found ? send.message! : new Tuple([Atom.of("$not_recorded"), Atom.of("sent"), ref]);
  ev.message = message;
  if (ev.raw instanceof Tuple) ev.raw = new Tuple([...ev.raw.elements.slice(0, 5), message]);
}

/**
 * Where a term is in an event: a place (an argument's index for a call; 0 for a return's value or a
 * state), or `[place, j]`, element j of the tuple at that place.
 */
export type SamePath = number | [number, number];

/** One place of an event that holds what a place of an earlier event of its process holds. */
export interface SameRef {
  here: SamePath;
  seq: number;
  there: SamePath;
}

/**
 * The references a call, return or state frame carries instead of large terms its process wrote
 * before (trace format 2: `[{here, seq, there}]` appended to the event, `{:"$same", seq}` at each
 * `here`), or undefined.
 */
export function sameRefs(raw: Term): SameRef[] | undefined {
  if (!(raw instanceof Tuple)) return undefined;
  const el = raw.elements;
  const tag = el[0];
  const at =
    tag === CALL && el.length === 9 ? 8 : (tag === RETURN || tag === STATE) && el.length === 7 ? 6 : -1;
  return at < 0 ? undefined : sameList(el[at]);
}

/** The references of a `[{here, seq, there}]` list (see `sameRefs`), or undefined when it is not one. */
export function sameList(list: Term): SameRef[] | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const out: SameRef[] = [];
  for (const r of list as Term[]) {
    if (!(r instanceof Tuple) || r.elements.length !== 3) return undefined;
    const [h, seq, t] = r.elements;
    const here = pathOf(h);
    const there = pathOf(t);
    if (here === undefined || typeof seq !== "number" || there === undefined) return undefined;
    out.push({ here, seq, there });
  }
  return out;
}

function pathOf(t: Term): SamePath | undefined {
  if (typeof t === "number" && Number.isInteger(t) && t >= 0) return t;
  if (
    Array.isArray(t) &&
    t.length === 2 &&
    t.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 0)
  )
    return [t[0] as number, t[1] as number];
  return undefined;
}

const CALL = Atom.of("call");
const RETURN = Atom.of("return");
const STATE = Atom.of("state");
const SAME = Atom.of("$same");

/** The term at place `p` of a decoded call, return or state, or undefined. */
function placeOf(ev: TraceEvent, p: number): Term | undefined {
  if (ev.kind === "call") return ev.args?.[p];
  if (p !== 0) return undefined;
  return ev.kind === "return" ? ev.value : ev.kind === "state" ? ev.state : undefined;
}

function termAt(ev: TraceEvent, path: SamePath): Term | undefined {
  if (typeof path === "number") return placeOf(ev, path);
  const t = placeOf(ev, path[0]);
  return t instanceof Tuple ? t.elements[path[1]] : undefined;
}

/** Whether `t` is the placeholder `{:"$same", seq}`. */
function isPlaceholder(t: Term | undefined, seq: number): boolean {
  return t instanceof Tuple && t.elements.length === 2 && t.elements[0] === SAME && t.elements[1] === seq;
}

/**
 * Fills each placeholder `refs` name with the term the earlier event holds there (`find(seq)`: that
 * event of the same process and file, decoded and itself resolved, or undefined), and gives the raw
 * term the shape it has without references, so that every view shows what it showed before. A
 * reference to no such event (the load reported it) shows as `{:"$not_recorded", :same, seq}`.
 */
export function resolveSame(
  ev: TraceEvent,
  refs: SameRef[],
  find: (seq: number) => TraceEvent | undefined,
): void {
  const places: Term[] =
    ev.kind === "call" ? [...(ev.args ?? [])] : [ev.kind === "return" ? ev.value! : ev.state!];
  for (const { here, seq, there } of refs) {
    const src = find(seq);
    const term = (src && termAt(src, there)) ?? new Tuple([Atom.of("$not_recorded"), Atom.of("same"), seq]);
    const p = typeof here === "number" ? here : here[0];
    if (p >= places.length) continue;
    if (typeof here === "number") {
      if (isPlaceholder(places[p], seq)) places[p] = term;
      continue;
    }
    const t = places[p];
    if (!(t instanceof Tuple) || !isPlaceholder(t.elements[here[1]], seq)) continue;
    const el = [...t.elements];
    el[here[1]] = term;
    places[p] = new Tuple(el);
  }
  if (!(ev.raw instanceof Tuple)) return;
  const el = ev.raw.elements.slice(0, ev.raw.elements.length - 1);
  if (ev.kind === "call") {
    ev.args = places;
    el[5] = places;
  } else {
    if (ev.kind === "return") ev.value = places[0];
    else ev.state = places[0];
    el[5] = places[0];
  }
  ev.raw = new Tuple(el);
}

/**
 * The row of the call, return or state `seq` of the file and process of `row`, earlier in that
 * process's events, or -1. The process's rows are searched backwards from `row`, by windows: what a
 * reference names is among the last few large terms its process wrote, a few rows back.
 */
export function sameRow(store: StoreData, row: number, seq: number): number {
  const c = store.cols;
  const pid = c.pid[row];
  const file = c.file[row];
  const byPid = store.ix.byPid;
  const from = byPid.offsets[pid];
  let to = pidRowIndex(store, pid, row);
  for (let span = 64; to > from; span *= 4) {
    const lo = Math.max(from, to - span);
    const list = byPid.slice ? byPid.slice(lo, to) : byPid.rows.subarray(lo, to);
    for (let k = list.length - 1; k >= 0; k--) {
      const r = list[k];
      if (c.file[r] !== file) continue;
      if (c.seq[r] < seq) return -1;
      if (c.seq[r] === seq) {
        const kind = c.kind[r];
        const ok = kind === KIND_CODES.call || kind === KIND_CODES.return || kind === KIND_CODES.state;
        return ok ? r : -1;
      }
    }
    to = lo;
  }
  return -1;
}

/** `Elixir.CinemaDemo.TicketOffice` → `CinemaDemo.TicketOffice`; Erlang modules as `:lists`. */
export function moduleLabel(module: string): string {
  // Names come from the trace: control characters are escaped wherever a label is shown.
  if (module.startsWith("Elixir.")) return escapeControls(module.slice(7));
  return `:${escapeControls(module)}`;
}

export function mfaLabel(m: { module: string; fun: string; arity: number }): string {
  return `${moduleLabel(m.module)}.${escapeControls(m.fun)}/${m.arity}`;
}
