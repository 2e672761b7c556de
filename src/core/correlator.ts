// The correlator: from an event to the source line it stands for (via the module table the recorder
// wrote and the call sites it captured), and back from a source line to the events that happened
// there — the functions defined at that line and the calls made from it.

import { KIND_CODES } from "./store/columns";
import { csrList } from "./store/csr";
import type { StoreData } from "./store/store";
import type { FunctionInfo, Mfa, ModuleInfo, SourceLocation } from "./types";

export class Correlator {
  /** mfa id → definition location (or undefined when the module table does not know it). */
  private readonly defs: Array<SourceLocation | undefined>;
  /** normalised file → line → mfa ids defined (or with a clause) there. */
  private readonly defsByLine = new Map<string, Map<number, number[]>>();
  /** normalised file → line → call-site ids at that line. */
  private readonly sitesByLine = new Map<string, Map<number, number[]>>();

  constructor(private readonly store: StoreData) {
    const { tables } = store;
    this.defs = tables.mfas.map((m) => {
      const mod = tables.modules.get(m.module);
      const fn = mod && findFunction(mod, m);
      return mod && fn && fn.line > 0 ? { file: mod.source, line: fn.line } : undefined;
    });
    tables.mfas.forEach((m, id) => {
      const mod = tables.modules.get(m.module);
      const fn = mod && findFunction(mod, m);
      if (!mod || !fn) return;
      for (const line of new Set([fn.line, ...fn.clauseLines])) push(this.defsByLine, mod.source, line, id);
    });
    tables.sites.forEach((s, id) => {
      if (s.file !== undefined && s.line !== undefined) push(this.sitesByLine, s.file, s.line, id);
    });
  }

  /** Where a function is defined. */
  definition(mfa: number): SourceLocation | undefined {
    return mfa >= 0 ? this.defs[mfa] : undefined;
  }

  /** The call site of a call event, when the recorder captured it. */
  callSite(row: number): SourceLocation | undefined {
    const site = this.store.cols.site[row];
    if (site < 0) return undefined;
    const s = this.store.tables.sites[site];
    return s.file !== undefined && s.line !== undefined ? { file: s.file, line: s.line } : undefined;
  }

  /**
   * The line an event stands for: a call's site where recorded, else its function's definition; for
   * other events the definition of the function the process was in.
   */
  locationOf(row: number): SourceLocation | undefined {
    const c = this.store.cols;
    const k = c.kind[row];
    if (k === KIND_CODES.call) return this.callSite(row) ?? this.definition(c.mfa[row]);
    if (k === KIND_CODES.return || k === KIND_CODES.exception) return this.definition(c.mfa[row]);
    const open = this.store.ix.link[row];
    if (open >= 0) return this.definition(c.mfa[open]);
    if (k === KIND_CODES.state) return this.definition(c.mfa[row]);
    return undefined;
  }

  /** Functions defined (or with a clause) at `file:line`; `file` matches by path suffix. */
  functionIdsAt(file: string, line: number): number[] {
    return lookup(this.defsByLine, file, line);
  }

  functionsAt(file: string, line: number): Mfa[] {
    return this.functionIdsAt(file, line).map((id) => this.store.tables.mfas[id]);
  }

  /** Every event whose function is defined at `file:line` or that was called from that line, ascending. */
  eventsAt(file: string, line: number): number[] {
    // Breakpoint searches ask for the same line again and again: answer each line once.
    const key = `${line}:${file}`;
    const known = this.eventsAtCache.get(key);
    if (known) return known;
    const found = this.collectEventsAt(file, line);
    this.eventsAtCache.set(key, found);
    return found;
  }

  private readonly eventsAtCache = new Map<string, number[]>();

  private collectEventsAt(file: string, line: number): number[] {
    const lists: Int32Array[] = [];
    for (const id of this.functionIdsAt(file, line)) lists.push(csrList(this.store.ix.byMfa, id));
    for (const id of lookup(this.sitesByLine, file, line)) lists.push(csrList(this.store.ix.bySite, id));
    const all = new Set<number>();
    for (const l of lists) for (const r of l) if (this.store.cols.kind[r] !== KIND_CODES.spawn) all.add(r);
    return [...all].sort((a, b) => a - b);
  }

  /** Files the recording knows source for (module table and call sites). */
  files(): string[] {
    return [...new Set([...this.defsByLine.keys(), ...this.sitesByLine.keys()])];
  }

  /** Lines of `file` that have events, for breakpoint verification and editor decorations. */
  linesWithEvents(file: string): number[] {
    const lines = new Set<number>();
    for (const table of [this.defsByLine, this.sitesByLine])
      for (const [f, byLine] of table) if (sameFile(f, file)) for (const l of byLine.keys()) lines.add(l);
    return [...lines].sort((a, b) => a - b);
  }
}

export function findFunction(mod: ModuleInfo, m: Mfa): FunctionInfo | undefined {
  return mod.functions.find((f) => f.name === m.fun && f.arity === m.arity);
}

function push(table: Map<string, Map<number, number[]>>, file: string, line: number, id: number): void {
  const key = normalise(file);
  let byLine = table.get(key);
  if (!byLine) table.set(key, (byLine = new Map()));
  const ids = byLine.get(line) ?? [];
  if (!ids.includes(id)) ids.push(id);
  byLine.set(line, ids);
}

function lookup(table: Map<string, Map<number, number[]>>, file: string, line: number): number[] {
  const out: number[] = [];
  for (const [f, byLine] of table) if (sameFile(f, file)) out.push(...(byLine.get(line) ?? []));
  return out;
}

function normalise(p: string): string {
  return p.replace(/\\/g, "/");
}

/**
 * Recorded paths are absolute on the recording machine; a query may give a workspace path elsewhere
 * or a relative one. They match when one ends with the other at a path-segment boundary, or when
 * they share their last two segments at least (`lib/ticket_office.ex`).
 */
export function sameFile(recorded: string, asked: string): boolean {
  const a = normalise(recorded);
  const b = normalise(asked);
  if (a === b) return true;
  const as = a.split("/");
  const bs = b.split("/");
  let common = 0;
  while (
    common < as.length &&
    common < bs.length &&
    as[as.length - 1 - common] === bs[bs.length - 1 - common]
  )
    common++;
  if (common === 0) return false;
  return common >= 2 || common === as.length || common === bs.length;
}
