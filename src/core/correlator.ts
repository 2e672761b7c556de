// The correlator: from an event to the source line it stands for (via the module table the recorder
// wrote and the call sites it captured), and back from a source line to the events that happened
// there — the functions defined at that line and the calls made from it.

import { KIND_CODES } from "./store/columns";
import { cellOf } from "./store/cells";
import { csrList } from "./store/csr";
import type { StoreData } from "./store/store";
import type { ClauseRan, FunctionInfo, Mfa, ModuleInfo, SourceLocation } from "./types";

export class Correlator {
  private made?: CorrelatorTables;

  constructor(private readonly store: StoreData) {}

  /** Built on the first question: an open that asks none (`elixirscope info`) builds none. */
  private get t(): CorrelatorTables {
    return (this.made ??= correlatorTables(this.store));
  }

  /** Where a function is defined. */
  definition(mfa: number): SourceLocation | undefined {
    return mfa >= 0 ? this.t.defs[mfa] : undefined;
  }

  /**
   * The clause a call ran, for a call event, the return/exception that closes it, or any event made
   * inside it; undefined when there is no such call or its function is not in the module table. A
   * one-clause function is always known; otherwise it is what the recorder tagged the call with.
   */
  clauseOf(row: number): ClauseRan | undefined {
    const call = this.callOf(row);
    if (call < 0) return undefined;
    const fn = this.t.fns[cellOf(this.store, "mfa", call)];
    const cs = fn?.clauses ?? [];
    if (cs.length === 0) return undefined;
    const tag = cs.length === 1 ? 1 : cellOf(this.store, "clause", call);
    if (tag > 0 && tag <= cs.length)
      return { known: true, index: tag, line: cs[tag - 1].line, params: cs[tag - 1].params };
    const from = tag < 0 && -tag <= cs.length ? -tag - 1 : 0;
    return { known: false, candidates: cs.slice(from).map((c) => c.line) };
  }

  /** The module-table function of the call a row belongs to. */
  functionOf(row: number): FunctionInfo | undefined {
    const call = this.callOf(row);
    return call >= 0 ? this.t.fns[cellOf(this.store, "mfa", call)] : undefined;
  }

  /** The call a row belongs to: itself for a call, the call it closes, or the innermost open call. */
  private callOf(row: number): number {
    return cellOf(this.store, "kind", row) === KIND_CODES.call ? row : cellOf(this.store, "ix.link", row);
  }

  /** Where the frame of call `call` stands: its clause's line when known, else its function's definition. */
  frameLocation(call: number): SourceLocation | undefined {
    const def = this.definition(cellOf(this.store, "mfa", call));
    if (!def) return undefined;
    const clause = this.clauseOf(call);
    return clause?.known ? { file: def.file, line: clause.line } : def;
  }

  /** The call site of a call event, when the recorder captured it. */
  callSite(row: number): SourceLocation | undefined {
    const site = cellOf(this.store, "site", row);
    if (site < 0) return undefined;
    const s = this.store.tables.sites[site];
    return s.file !== undefined && s.line !== undefined ? { file: s.file, line: s.line } : undefined;
  }

  /**
   * The line an event stands for: a call's site where recorded, else the clause it ran (or its
   * function's definition); for other events the clause of the call the process was in.
   */
  locationOf(row: number): SourceLocation | undefined {
    const c = this.store.cols;
    const k = c.kind[row];
    if (k === KIND_CODES.call) return this.callSite(row) ?? this.frameLocation(row);
    if (k === KIND_CODES.return || k === KIND_CODES.exception) {
      const call = this.store.ix.link[row];
      return call >= 0 ? this.frameLocation(call) : this.definition(c.mfa[row]);
    }
    const open = this.store.ix.link[row];
    if (open >= 0) return this.frameLocation(open);
    if (k === KIND_CODES.state) return this.definition(c.mfa[row]);
    return undefined;
  }

  /** Functions defined (or with a clause) at `file:line`; `file` matches by path suffix. */
  functionIdsAt(file: string, line: number): number[] {
    return lookup(this.t.defsByLine, file, line);
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

  /**
   * The calls among `eventsAt(file, line)`, ascending, kept per line (never to be changed): straight
   * from the index lists, kind test in the same pass, not through the line's events (a hot function's
   * returns were gathered only to be dropped again). Typed and sized exactly: a logpoint on a hot
   * line waited on filling a growing array more than on the pass itself.
   */
  callsAt(file: string, line: number): Int32Array {
    const key = `${line}:${file}`;
    const known = this.callsAtCache.get(key);
    if (known) return known;
    const lists: Int32Array[] = [];
    for (const id of this.functionIdsAt(file, line)) {
      const cs = this.t.fns[id]?.clauses ?? [];
      const onClause = cs.length > 1 && cs.some((c) => c.line === line);
      lists.push(
        this.callRows(
          csrList(this.store.ix.byMfa, id),
          onClause ? (r) => this.mayHaveRun(r, line) : undefined,
        ),
      );
    }
    for (const id of lookup(this.t.sitesByLine, file, line))
      lists.push(this.callRows(csrList(this.store.ix.bySite, id)));
    const some = lists.filter((l) => l.length > 0);
    let found = some[0] ?? new Int32Array(0);
    if (some.length > 1) {
      const all = new Int32Array(some.reduce((n, l) => n + l.length, 0));
      let w = 0;
      for (const l of some) all.set(l, (w += l.length) - l.length);
      all.sort();
      w = 0;
      for (let k = 0; k < all.length; k++) if (k === 0 || all[k] !== all[k - 1]) all[w++] = all[k];
      found = all.slice(0, w);
    }
    this.callsAtCache.set(key, found);
    return found;
  }

  private readonly callsAtCache = new Map<string, Int32Array>();

  /** The call events among `rows` (that `also` keeps, when given): counted first, then filled. */
  private callRows(rows: Int32Array, also?: (row: number) => boolean): Int32Array {
    const kind = this.store.cols.kind;
    const call = KIND_CODES.call;
    let n = 0;
    for (let k = 0; k < rows.length; k++) if (kind[rows[k]] === call && (!also || also(rows[k]))) n++;
    const out = new Int32Array(n);
    if (n === 0) return out;
    let w = 0;
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k];
      if (kind[r] === call && (!also || also(r))) out[w++] = r;
    }
    return out;
  }

  private collectEventsAt(file: string, line: number): number[] {
    // Each index list is already ascending. A line usually has one (its function's events, or its
    // call sites'): that one is filtered in order. Several are gathered in a plain array, then sorted
    // as numbers and deduplicated: a hot line has tens of thousands of events, where a Set and a
    // comparator sort cost more than the walk.
    const lists: number[][] = [];
    const kind = this.store.cols.kind;
    for (const id of this.functionIdsAt(file, line)) {
      // On a clause line of a function of several clauses: only the calls that ran that clause (and
      // their returns), plus those whose clause is not known, which might have.
      const fn = this.t.fns[id];
      const cs = fn?.clauses ?? [];
      const onClause = cs.length > 1 && cs.some((c) => c.line === line);
      const rows = csrList(this.store.ix.byMfa, id);
      const out: number[] = [];
      for (let k = 0; k < rows.length; k++) {
        const r = rows[k];
        if (kind[r] === KIND_CODES.spawn) continue;
        if (onClause && !this.mayHaveRun(r, line)) continue;
        out.push(r);
      }
      if (out.length) lists.push(out);
    }
    for (const id of lookup(this.t.sitesByLine, file, line)) {
      const rows = csrList(this.store.ix.bySite, id);
      const out: number[] = [];
      for (let k = 0; k < rows.length; k++) if (kind[rows[k]] !== KIND_CODES.spawn) out.push(rows[k]);
      if (out.length) lists.push(out);
    }
    if (lists.length <= 1) return lists[0] ?? [];
    const sorted = Int32Array.from(lists.flat()).sort();
    const out: number[] = [];
    for (let k = 0; k < sorted.length; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) out.push(sorted[k]);
    return out;
  }

  private mayHaveRun(row: number, line: number): boolean {
    const ran = this.clauseOf(row);
    if (ran === undefined) return true;
    return ran.known ? ran.line === line : ran.candidates.includes(line);
  }

  /** Files the recording knows source for (module table and call sites). */
  files(): string[] {
    return [...new Set([...this.t.defsByLine.keys(), ...this.t.sitesByLine.keys()])];
  }

  /** Lines of `file` that have events, for breakpoint verification and editor decorations. */
  linesWithEvents(file: string): number[] {
    const lines = new Set<number>();
    for (const table of [this.t.defsByLine, this.t.sitesByLine])
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

interface CorrelatorTables {
  /** mfa id → definition location (or undefined when the module table does not know it). */
  defs: Array<SourceLocation | undefined>;
  /** mfa id → its function in the module table. */
  fns: Array<FunctionInfo | undefined>;
  /** normalised file → line → mfa ids defined (or with a clause) there. */
  defsByLine: Map<string, Map<number, number[]>>;
  /** normalised file → line → call-site ids at that line. */
  sitesByLine: Map<string, Map<number, number[]>>;
}

function correlatorTables(store: StoreData): CorrelatorTables {
  const { tables } = store;
  const defsByLine = new Map<string, Map<number, number[]>>();
  const sitesByLine = new Map<string, Map<number, number[]>>();
  const fns: Array<FunctionInfo | undefined> = [];
  const defs: Array<SourceLocation | undefined> = [];
  tables.mfas.forEach((m, id) => {
    const mod = tables.modules.get(m.module);
    const fn = mod && findFunction(mod, m);
    fns.push(fn);
    defs.push(mod && fn && fn.line > 0 ? { file: mod.source, line: fn.line } : undefined);
    if (!mod || !fn) return;
    for (const line of new Set([fn.line, ...fn.clauseLines])) push(defsByLine, mod.source, line, id);
  });
  tables.sites.forEach((s, id) => {
    if (s.file !== undefined && s.line !== undefined) push(sitesByLine, s.file, s.line, id);
  });
  return { defs, fns, defsByLine, sitesByLine };
}
