// Which recorded source file an open document stands for, and whether it is still the version that
// was recorded. The trace holds no content hash, so the check compares the document's `def` lines
// with the function and clause lines of the recorded module table: moved or added clauses mean the
// recording's lines no longer fit, and the hovers say so instead of showing another line's history.

import type { Replay } from "../core/replay";
import type { ModuleInfo } from "../core/types";
import { readSource, type SourceFacts } from "./elixirSource";

export interface RecordedDoc {
  /** The recorded path this document stands for. */
  recorded: string;
  modules: ModuleInfo[];
  facts: SourceFacts;
  /** Why the document no longer matches the recording, or undefined when it does. */
  changed?: string;
}

/**
 * The recorded file an open document stands for: the one the path mapping takes to exactly this
 * workspace path (the engine's file identity), with the modules compiled from it. Undefined for a
 * document the recording does not know, even if its name looks like a recorded one.
 */
export function describeDoc(
  replay: Replay,
  localPath: string,
  text: string,
  toLocal: (recorded: string) => string | undefined,
): RecordedDoc | undefined {
  const recorded = replay.recordedFileFor(localPath, toLocal);
  if (recorded === undefined) return undefined;
  const modules = replay.modules().filter((m) => m.source.replace(/\\/g, "/") === recorded);
  const facts = readSource(text);
  return { recorded, modules, facts, changed: mismatch(modules, facts) };
}

function mismatch(modules: ModuleInfo[], facts: SourceFacts): string | undefined {
  const lineCount = facts.lineStarts.length;
  const defLines = new Map<string, Set<number>>();
  for (const d of facts.defs) {
    const set = defLines.get(d.name) ?? new Set<number>();
    set.add(d.line + 1);
    defLines.set(d.name, set);
  }
  for (const mod of modules) {
    const recordedLines = new Map<string, Set<number>>();
    for (const f of mod.functions) {
      if (f.line <= 0) continue;
      const lines = [f.line, ...f.clauseLines];
      const set = recordedLines.get(f.name) ?? new Set<number>();
      for (const l of lines) set.add(l);
      recordedLines.set(f.name, set);
      const here = defLines.get(f.name);
      if (!here) {
        // Generated functions (`use GenServer`'s child_spec) have no def: their line must still exist.
        if (f.line > lineCount) return `${f.name}/${f.arity} was at line ${f.line}, past the end of the file`;
        continue;
      }
      for (const l of lines)
        if (!here.has(l))
          return `${f.name}/${f.arity} had a clause at line ${l}; the file has it at line ${[...here].join(", ")}`;
    }
    for (const [name, lines] of defLines) {
      const rec = recordedLines.get(name);
      if (!rec) continue;
      for (const l of lines)
        if (!rec.has(l)) return `${name} has a clause at line ${l} that the recording does not`;
    }
  }
  return undefined;
}
