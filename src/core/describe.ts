// One-line descriptions of events and times, as a person reads them: `CinemaDemo.TicketOffice.reserve(12, "ann")`,
// `→ #PID<0.130.0> TicketOffice: {:reserve, 12}`. Shared by the CLI, the debug adapter and the hovers.

import { escapeControls } from "./escape";
import { mfaLabel } from "./store/eventDecode";
import { inspect, type TermStyle } from "./terms/inspect";
import type { Term } from "./terms/term";
import type { ProcessInfo, TraceEvent } from "./types";

export interface DescribeOptions {
  /** Elements shown per collection (default 8). */
  limit?: number;
  /** Characters of the whole line before it is cut with `…` (default 200; Infinity: never cut). */
  width?: number;
  /** Characters of a string shown before ` <> ...` (default 200). */
  printableLimit?: number;
  /** The recorded Elixir's way of printing terms (`Replay.termStyle()`). */
  termStyle?: TermStyle;
  processLabel?: (id: number) => string;
}

export function describeEvent(e: TraceEvent, opts: DescribeOptions = {}): string {
  const show = (t: Term | undefined): string =>
    t === undefined
      ? "?"
      : inspect(t, { limit: opts.limit ?? 8, printableLimit: opts.printableLimit ?? 200, ...opts.termStyle });
  const who = (id: number | undefined, fallback?: Term): string =>
    id !== undefined
      ? (opts.processLabel?.(id) ?? `process ${id}`)
      : fallback !== undefined
        ? show(fallback)
        : "(unknown)";
  const fn = e.mfa ? mfaLabel(e.mfa) : "?";
  let text: string;
  switch (e.kind) {
    case "call":
      text = `${fn.replace(/\/\d+$/, "")}(${(e.args ?? []).map(show).join(", ")})`;
      break;
    case "return":
      text = `${fn} → ${show(e.value)}`;
      break;
    case "exception":
      text = `${fn} ${e.exception?.class === "error" ? "raised" : e.exception?.class === "throw" ? "threw" : "exited"} ${show(e.exception?.reason)}`;
      break;
    case "send":
      text = `→ ${who(e.peer, e.to)}${e.sendStatus === "no_process" ? " (no such process)" : ""}: ${show(e.message)}`;
      break;
    case "receive":
      text = `← ${e.peer !== undefined ? who(e.peer) : "?"}: ${show(e.message)}`;
      break;
    case "spawn":
      text = `spawned ${who(e.peer)} ${e.mfa ? fn : ""}`.trimEnd();
      break;
    case "exit":
      text = `exited: ${show(e.detail)}`;
      break;
    case "link":
    case "unlink":
      text = `${e.kind}ed ${who(e.peer, e.detail)}`;
      break;
    case "state":
      text = `state after ${e.mfa ? `${escapeControls(e.mfa.fun)}/${e.mfa.arity}` : "?"}: ${show(e.state)}`;
      break;
    case "register":
    case "unregister":
      text = `${e.kind}ed as ${show(e.detail)}`;
      break;
    default:
      text = show(e.detail ?? e.raw);
  }
  const width = opts.width ?? 200;
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/**
 * `+12.345678ms` (`+4.0µs`, `+1.5s`) from the start of the recording, exact to the nanosecond so that the text typed back
 * as a moment is the same time; `tie` > 0 adds `#tie` for a later event at that very nanosecond (see
 * `Replay.timeLabel`, which supplies it).
 */
export function formatTime(ns: number, tie = 0): string {
  const a = Math.abs(ns);
  const sign = ns < 0 ? "-" : "+";
  const text =
    a < 1e3
      ? `${a.toFixed(0)}ns`
      : a < 1e6
        ? `${decimal(a, 1e3)}µs`
        : a < 1e9
          ? `${decimal(a, 1e6)}ms`
          : `${decimal(a, 1e9)}s`;
  return `${sign}${text}${tie > 0 ? `#${tie}` : ""}`;
}

/** `a / unit` with every nanosecond digit, computed on integers (no float rounding). */
function decimal(a: number, unit: number): string {
  const n = Math.round(a);
  const digits = Math.round(Math.log10(unit));
  // Trailing zeros say nothing (`4.0µs` is exactly 4000 ns); one stays so that the unit reads right.
  const frac = String(n % unit)
    .padStart(digits, "0")
    .replace(/(\d)0+$/, "$1");
  return `${Math.floor(n / unit)}.${frac}`;
}

/** A duration (latency, length of a recording) for reading, to 4 significant-ish digits: `1.235ms`. */
export function formatDuration(ns: number): string {
  if (Math.abs(ns) < 1e3) return `${ns.toFixed(0)}ns`;
  if (Math.abs(ns) < 1e6) return `${(ns / 1e3).toFixed(1)}µs`;
  if (Math.abs(ns) < 1e9) return `${(ns / 1e6).toFixed(3)}ms`;
  return `${(ns / 1e9).toFixed(3)}s`;
}

export function processLabeler(processes: readonly ProcessInfo[]): (id: number) => string {
  return (id) => processes[id]?.label ?? `process ${id}`;
}
