// Turns one event's frame term into a `TraceEvent`, using the columns for what the load already
// resolved (ids, pairing, names) and the decoded tuple for the payload terms.

import { escapeControls } from "../escape";
import { Atom, type Term, Tuple } from "../terms/term";
import { EVENT_KINDS, type TraceEvent } from "../types";
import { FLAG_NO_PROCESS, KIND_CODES } from "./columns";
import type { StoreData } from "./store";

export function decodeEvent(store: StoreData, row: number, raw: Term): TraceEvent {
  const c = store.cols;
  const t = store.tables;
  const kind = EVENT_KINDS[c.kind[row]];
  const ev: TraceEvent = {
    index: row,
    seq: c.seq[row],
    file: c.file[row],
    time: c.time[row],
    kind,
    pid: c.pid[row],
    raw,
  };
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

/** `Elixir.CinemaDemo.TicketOffice` → `CinemaDemo.TicketOffice`; Erlang modules as `:lists`. */
export function moduleLabel(module: string): string {
  // Names come from the trace: control characters are escaped wherever a label is shown.
  if (module.startsWith("Elixir.")) return escapeControls(module.slice(7));
  return `:${escapeControls(module)}`;
}

export function mfaLabel(m: { module: string; fun: string; arity: number }): string {
  return `${moduleLabel(m.module)}.${escapeControls(m.fun)}/${m.arity}`;
}
