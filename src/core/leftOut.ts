// What a recording says it left out, in words: events lost to load shedding, private helpers that
// stopped being traced (hot by call rate, argument bytes or call count) or were never traced (private
// recursive helpers, counted from the start) and the calls not recorded since, terms summarised past a process's byte budget. Read from the overload events and the
// footer the recorder writes (recorder/lib/elixir_scope/recorder/hot_helpers.ex, term_budget.ex).

import type { Replay } from "./replay";
import { Atom, ErlMap, Tuple, type Term } from "./terms/term";

/** One line per thing left out, in the order they happened; empty when nothing was. */
export function leftOut(r: Replay): string[] {
  const lines: string[] = [];
  const notRecorded = new Map<string, number>();
  let dropped = 0;
  let overBudget = 0;
  let budgetProcs = 0;
  for (const f of r.files) {
    const footer = f.footer instanceof ErlMap ? f.footer : undefined;
    dropped += num(get(footer, "dropped"));
    const skipped = get(footer, "private_calls_not_recorded");
    if (skipped instanceof ErlMap)
      for (const [k, v] of skipped.entries)
        notRecorded.set(mfaText(k), num(v) + (notRecorded.get(mfaText(k)) ?? 0));
    const over = get(footer, "terms_over_budget");
    if (over instanceof ErlMap)
      for (const [, v] of over.entries) {
        overBudget += num(v);
        budgetProcs++;
      }
  }
  const shed = new Map<string, number>();
  for (const i of r.getEventIndices({ kinds: ["overload"] })) {
    const info = r.event(i).detail;
    const reason = text(get(info, "reason"));
    const fn = get(info, "function");
    if (reason === "private_recursion" && fn !== undefined) {
      // Counted from the start, never traced (recorder option `private_recursion: :trace` records them).
      // One never called left nothing out: not listed (an application has many).
      const name = mfaText(fn);
      const missed = notRecorded.get(name) ?? 0;
      if (missed > 0)
        lines.push(
          `${name} not traced (part of a private recursion over data: counted only): ${fmt(missed)} calls not recorded`,
        );
    } else if (reason.startsWith("private_") && fn !== undefined) {
      const name = mfaText(fn);
      const why =
        reason === "private_rate"
          ? `at ${fmt(num(get(info, "calls_per_ms")))} calls/ms`
          : reason === "private_bytes"
            ? `its arguments reached ${fmt(num(get(info, "argument_bytes")))} bytes`
            : "its call budget was spent";
      const missed = notRecorded.get(name);
      lines.push(
        `${name} untraced after ${fmt(num(get(info, "calls_before")))} calls (${why}) at ${r.timeLabel(i)}` +
          (missed !== undefined ? `: ${fmt(missed)} calls not recorded` : ""),
      );
    } else shed.set(reason, (shed.get(reason) ?? 0) + num(get(info, "dropped")));
  }
  if (dropped > 0 || shed.size > 0)
    lines.push(
      `${fmt(dropped)} events lost to load shedding` +
        (shed.size ? ` (${[...shed].map(([k, n]) => `${k}: ${fmt(n)}`).join(", ")})` : ""),
    );
  if (overBudget > 0)
    lines.push(
      `${fmt(overBudget)} terms summarised past their process's byte budget (${budgetProcs} process${budgetProcs === 1 ? "" : "es"})`,
    );
  return lines;
}

function get(m: Term | undefined, key: string): Term | undefined {
  if (!(m instanceof ErlMap)) return undefined;
  return m.entries.find(([k]) => k instanceof Atom && k.name === key)?.[1];
}

function num(t: Term | undefined): number {
  return typeof t === "number" ? t : typeof t === "bigint" ? Number(t) : 0;
}

function text(t: Term | undefined): string {
  return t instanceof Atom ? t.name : "";
}

function mfaText(t: Term): string {
  if (!(t instanceof Tuple) || t.elements.length !== 3) return "?";
  const [m, f, a] = t.elements;
  return `${text(m).replace(/^Elixir\./, "")}.${text(f)}/${num(a)}`;
}

function fmt(n: number): string {
  return n.toLocaleString("en-US");
}
