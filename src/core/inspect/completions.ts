// Completions for the Debug Console: after `state.` (or any path) the keys of the value there, after
// `fun=` the recorded functions, after `pid=` and the process arguments of commands the process
// names, else the names an expression can use, the known functions and the commands.

import type { Replay } from "../replay";
import { mfaLabel, moduleLabel } from "../store/eventDecode";
import { Atom, ErlMap } from "../terms/term";
import { evalExpr, KNOWN_FUNCTIONS, parseExpr, type Scope, untruncate } from "./expression";
import { SCOPE_NAMES } from "./eventScope";
import { COMMANDS } from "./console";

const MAX = 200;

/** What completes a word (the shape of a DAP completion item, so front ends pass it on as it is). */
export type CompletionKind = "variable" | "function" | "field" | "value" | "keyword";
export interface Completion {
  label: string;
  type: CompletionKind;
  /** Where the replaced text starts in the input, 0-based. */
  start: number;
  length: number;
}

export function completions(r: Replay, scope: Scope, text: string, column: number): Completion[] {
  const before = text.slice(0, Math.max(0, column - 1));
  const item = (label: string, prefix: string, type: CompletionKind): Completion => ({
    label,
    type,
    start: before.length - prefix.length,
    length: prefix.length,
  });
  // `fun=Ticket` and `pid=Tic`: recorded functions and processes.
  let m = /(?:^|\s)fun=(\S*)$/.exec(before);
  if (m) {
    const prefix = m[1];
    const names = r.functions().map((f) => mfaLabel(f));
    return pick(names, prefix).map((n) => item(n, prefix, "function"));
  }
  m = /(?:(?:^|\s)pid=|^(?:flow|state_at|history|diff\s+\S+\s+\S+)\s+(?:\S+\s+)?)(\S*)$/.exec(before);
  if (m && !/^\s*(?:state|args|msg)/.test(m[1])) {
    const prefix = m[1];
    const names = new Set<string>();
    for (const p of r.processes()) {
      names.add(p.pid);
      if (p.name) names.add(moduleLabel(p.name).replace(/^:/, ""));
    }
    return pick([...names], prefix).map((n) => item(n, prefix, "value"));
  }
  // `state.seats.` / `state.se`: the keys of the value the path leads to.
  m = /([A-Za-z_][\w.?![\]:"]*)\.([a-z_]\w*[?!]?)?$/.exec(before);
  if (m) {
    const prefix = m[2] ?? "";
    try {
      const value = untruncate(evalExpr(parseExpr(m[1]), scope));
      if (value instanceof Atom && value.name.startsWith("Elixir.")) {
        const mod = `${value.name.slice(7)}.`;
        const funs = KNOWN_FUNCTIONS.filter((f) => f.startsWith(mod)).map((f) =>
          f.slice(mod.length).replace(/\/\d+$/, ""),
        );
        return pick(funs, prefix).map((f) => item(f, prefix, "function"));
      }
      if (value instanceof ErlMap) {
        const keys = value.entries
          .map(([k]) => k)
          .filter(
            (k): k is Atom => k instanceof Atom && k.name !== "__struct__" && /^[a-z_]\w*[?!]?$/.test(k.name),
          )
          .map((k) => k.name);
        return pick(keys, prefix).map((k) => item(k, prefix, "field"));
      }
    } catch {
      // Not a path that evaluates here: nothing to complete after its dot.
    }
    return [];
  }
  const word = /([A-Za-z_][\w.?!]*)$/.exec(before)?.[1] ?? "";
  const atStart = before.trim() === word;
  const words: Array<[string, CompletionKind]> = [
    ...SCOPE_NAMES.map((n): [string, CompletionKind] => [n, "variable"]),
    ...KNOWN_FUNCTIONS.map((f): [string, CompletionKind] => [f.replace(/\/\d+$/, ""), "function"]),
    ...(atStart ? Object.keys(COMMANDS).map((c): [string, CompletionKind] => [c, "keyword"]) : []),
  ];
  const seen = new Set<string>();
  return words
    .filter(([w]) => w.startsWith(word) && !seen.has(w) && seen.add(w))
    .slice(0, MAX)
    .map(([w, type]) => item(w, word, type));
}

function pick(names: string[], prefix: string): string[] {
  const lower = prefix.toLowerCase();
  return [...new Set(names)]
    .filter((n) => n.toLowerCase().startsWith(lower) || n.toLowerCase().includes(`.${lower}`))
    .sort()
    .slice(0, MAX);
}
