// Per-line history of a source file, for hovers and gutter counts: how often each line's functions
// were called, returned and raised, how many calls were made from it, and its calls page by page, each
// with its own return or exception. Files are the paths the trace recorded, matched exactly (a call
// site recorded relative to the project is completed to the one module source it is the tail of).

import { findFunction } from "./correlator";
import { ReplayError } from "./errors";
import { KIND_CODES } from "./store/columns";
import { csrList } from "./store/csr";
import { Lru } from "./store/lru";
import { countMerged, mergedRows, walkMerged } from "./mergedRows";
import type { StoreData } from "./store/store";
import type { Term } from "./terms/term";
import type { Mfa, SourceLocation, TraceEvent } from "./types";

/** What happened at one line of a recorded source file; each kind is counted on its own. */
export interface LineCounts {
  line: number;
  /** Calls of functions defined (or with a clause) at this line. */
  calls: number;
  /** Calls made from this line (its recorded call sites). */
  callsFrom: number;
  /** Returns of functions defined (or with a clause) at this line. */
  returns: number;
  /** Exceptions out of functions defined (or with a clause) at this line. */
  exceptions: number;
}

/** How a call ended: its own return or exception, or neither before the recording ended. */
export type CallOutcome =
  | { kind: "return"; index: number; value: Term }
  | { kind: "exception"; index: number; class: string; reason: Term }
  /** No return or exception of this call was recorded: the recording ended first, or its frame was unwound untraced. */
  | { kind: "running" };

/** One recorded call, paired with how it ended (per line here, per function in `functionCalls`). */
export interface RecordedCall {
  /** The call event's index. */
  call: number;
  mfa: Mfa;
  /** Process id (`ProcessInfo.id`). */
  pid: number;
  /** Nanoseconds since the recording began. */
  time: number;
  args: Term[];
  outcome: CallOutcome;
  /** From the call to its return or exception. */
  durationNs?: number;
}

/** One call at a line, paired with how it ended. */
export interface CallRecord extends RecordedCall {
  /** Where the call stands in source: its call site when recorded, else its function's definition. */
  location?: SourceLocation;
  /** Whether the line defines the function called (`definition`) or makes the call (`callSite`). */
  via: "definition" | "callSite";
}

export interface LineCallsOptions {
  /** `newest` first (default) or `oldest` first. */
  order?: "newest" | "oldest";
  /** Calls skipped before the page (default 0). */
  offset?: number;
  /** Calls in the page (default 20). */
  limit?: number;
  /** Only this process's calls (a process id). */
  pid?: number;
}

/**
 * A page ending at most this many calls from either end of a line is found by walking the line's index
 * lists, without building its list of calls (a hover's first page); a deeper one builds and keeps it.
 */
export const lineHistorySettings = { walkedRows: 1000 };

interface FileLines {
  /** line → mfa ids defined (or with a clause) there */
  defs: Map<number, number[]>;
  /** line → call-site ids there */
  sites: Map<number, number[]>;
}

export class LineHistory {
  private files?: Map<string, FileLines>;
  private siteFile?: Array<string | undefined>;
  /** The module table's absolute sources, which relative call-site paths complete to. */
  private absolute: string[] = [];
  /** Per mfa id: calls, returns, exceptions (3 slots each). */
  private mfaCounts?: Int32Array;
  /** Per call-site id: calls made there. */
  private siteCalls?: Int32Array;
  /**
   * `line\0file\0pid` → the line's call rows, ascending. Bounded by rows held (2M rows, 8 MB), since a
   * hover may visit any line and a hot line may hold a good part of the recording.
   */
  private readonly callLists = new Lru<string, Int32Array>(2_000_000, (rows) => Math.max(1, rows.length));
  /** Same keys → how many calls, for lines whose list was not built (a number each). */
  private readonly callTotals = new Lru<string, number>(100_000);

  constructor(
    private readonly store: StoreData,
    /** Decodes events, nearby frames read together (a page's calls and their returns in one batch). */
    private readonly decode: (rows: number[]) => TraceEvent[],
  ) {}

  /** How many per-line call lists are built and kept. */
  get listsKept(): number {
    return this.callLists.size;
  }

  /** Every recorded source file, exact and completed (see `canonical`). */
  recordedFiles(): string[] {
    return [...this.index().keys()];
  }

  /** Counts per line of `file` (a recorded path), lines with no events left out, ascending. */
  lineCounts(file: string): LineCounts[] {
    const f = this.fileLines(file);
    if (!f) return [];
    const counts = this.mfaCounts!;
    const siteCalls = this.siteCalls!;
    const lines = new Set([...f.defs.keys(), ...f.sites.keys()]);
    const out: LineCounts[] = [];
    for (const line of [...lines].sort((a, b) => a - b)) {
      const c: LineCounts = { line, calls: 0, callsFrom: 0, returns: 0, exceptions: 0 };
      for (const m of f.defs.get(line) ?? []) {
        c.calls += counts[m * 3];
        c.returns += counts[m * 3 + 1];
        c.exceptions += counts[m * 3 + 2];
      }
      for (const s of f.sites.get(line) ?? []) c.callsFrom += siteCalls[s];
      if (c.calls || c.callsFrom || c.returns || c.exceptions) out.push(c);
    }
    return out;
  }

  /** Lines of `file` with any events, ascending. */
  recordedLines(file: string): number[] {
    return this.lineCounts(file).map((c) => c.line);
  }

  /** A page of the calls at `file:line` (of functions defined there, or made from there). */
  lineCalls(file: string, line: number, opts: LineCallsOptions = {}): { total: number; calls: CallRecord[] } {
    if (typeof file !== "string") throw new ReplayError(`bad file ${JSON.stringify(file)}: expected a path`);
    if (!Number.isInteger(line)) throw new ReplayError(`bad line ${String(line)}: expected a whole number`);
    const order = opts.order ?? "newest";
    if (order !== "newest" && order !== "oldest")
      throw new ReplayError(`bad order ${JSON.stringify(order)}: expected "newest" or "oldest"`);
    const offset = opts.offset ?? 0;
    const limit = opts.limit ?? 20;
    if (!Number.isInteger(offset) || offset < 0)
      throw new ReplayError(`bad offset ${String(offset)}: expected a whole number ≥ 0`);
    if (!Number.isInteger(limit) || limit < 0)
      throw new ReplayError(`bad limit ${String(limit)}: expected a whole number ≥ 0`);
    if (opts.pid !== undefined && !Number.isInteger(opts.pid))
      throw new ReplayError(`bad pid ${String(opts.pid)}: expected a process id (ProcessInfo.id)`);
    const f = this.fileLines(file);
    if (!f) return { total: 0, calls: [] };
    const defined = new Set(f.defs.get(line) ?? []);
    const key = `${line}\0${this.canonical(file)}\0${opts.pid ?? ""}`;
    let rows = this.callLists.get(key);
    let total = rows?.length ?? this.callTotals.get(key);
    const lists = rows ? [] : this.listsAt(f, line);
    const keep = rows ? () => true : this.keep(opts.pid);
    if (!rows && offset + limit > lineHistorySettings.walkedRows) {
      rows = mergedRows(lists, keep, total);
      this.callLists.set(key, rows);
    }
    if (rows) {
      const n = rows.length;
      const page: number[] = [];
      for (let k = offset; k < n && page.length < limit; k++)
        page.push(rows[order === "newest" ? n - 1 - k : k]);
      return { total: n, calls: this.records(page, defined) };
    }
    if (total === undefined)
      this.callTotals.set(key, (total = this.countCalls(f, line, opts.pid, lists, keep)));
    const picked: number[] = [];
    let skipped = 0;
    if (limit > 0)
      walkMerged(lists, order === "newest", keep, (r) => {
        if (skipped < offset) {
          skipped++;
          return true;
        }
        return picked.push(r) < limit;
      });
    return { total, calls: this.records(picked, defined) };
  }

  /** The recorded file a workspace path stands for: the one whose mapping to this machine is `local`. */
  recordedFileFor(local: string, toLocal?: (recorded: string) => string | undefined): string | undefined {
    const want = normalise(local);
    if (!toLocal) return this.index().has(this.canonical(want)) ? this.canonical(want) : undefined;
    return this.recordedFiles().find((f) => {
      const mapped = toLocal(f);
      return mapped !== undefined && normalise(mapped) === want;
    });
  }

  /** A recorded path as this index keys it: slashes made forward, a relative call site completed. */
  canonical(file: string): string {
    this.index();
    return this.complete(normalise(file));
  }

  /** The records of the calls `rows`, their events and their returns' decoded in one batch. */
  private records(rows: number[], defined: Set<number>): CallRecord[] {
    const match = this.store.ix.match;
    const wanted = rows.slice();
    for (const r of rows) if (match[r] >= 0) wanted.push(match[r]);
    const events = this.decode(wanted);
    const byRow = new Map<number, TraceEvent>();
    for (let i = 0; i < wanted.length; i++) byRow.set(wanted[i], events[i]);
    return rows.map((r) => this.record(r, byRow, defined));
  }

  private record(row: number, decoded: Map<number, TraceEvent>, defined: Set<number>): CallRecord {
    const { cols, ix, tables } = this.store;
    const e = decoded.get(row)!;
    const m = ix.match[row];
    let outcome: CallOutcome = { kind: "running" };
    if (m >= 0) {
      const end = decoded.get(m)!;
      outcome =
        end.kind === "return"
          ? { kind: "return", index: m, value: end.value! }
          : { kind: "exception", index: m, class: end.exception!.class, reason: end.exception!.reason };
    }
    const rec: CallRecord = {
      call: row,
      mfa: tables.mfas[cols.mfa[row]],
      pid: cols.pid[row],
      time: cols.time[row],
      args: e.args ?? [],
      outcome,
      via: defined.has(cols.mfa[row]) ? "definition" : "callSite",
    };
    if (m >= 0) rec.durationNs = cols.time[m] - cols.time[row];
    const location = this.locationOfCall(row);
    if (location) rec.location = location;
    return rec;
  }

  private locationOfCall(row: number): SourceLocation | undefined {
    const { cols, tables } = this.store;
    const site = cols.site[row];
    if (site >= 0 && this.siteFile![site] !== undefined)
      return { file: this.siteFile![site]!, line: tables.sites[site].line! };
    const mfa = tables.mfas[cols.mfa[row]];
    const mod = tables.modules.get(mfa.module);
    const fn = mod && findFunction(mod, mfa);
    return mod && fn && fn.line > 0 ? { file: normalise(mod.source), line: fn.line } : undefined;
  }

  /**
   * How many calls `lineCalls` pages through. A line with one function (or one call site) and no
   * process filter has them counted already (`index`); walking its list instead cost ~3 ms for a
   * line of 80k calls on first use, before the walk is compiled: the slowest of a session's first hovers.
   */
  private countCalls(
    f: FileLines,
    line: number,
    pid: number | undefined,
    lists: Int32Array[],
    keep: (row: number) => boolean,
  ): number {
    if (pid === undefined && lists.length === 1) {
      const defs = f.defs.get(line) ?? [];
      return defs.length === 1 ? this.mfaCounts![defs[0] * 3] : this.siteCalls![f.sites.get(line)![0]];
    }
    return countMerged(lists, keep);
  }

  /** The index lists of a line's calls, each ascending: its functions' events, then its call sites'. */
  private listsAt(f: FileLines, line: number): Int32Array[] {
    const { ix } = this.store;
    const lists: Int32Array[] = [];
    for (const m of f.defs.get(line) ?? []) lists.push(csrList(ix.byMfa, m));
    for (const s of f.sites.get(line) ?? []) lists.push(csrList(ix.bySite, s));
    return lists;
  }

  /** Which rows of those lists are calls (of process `pid`, when given). */
  private keep(pid: number | undefined): (row: number) => boolean {
    // The pid column only when asked by process: from an index, reading a column reads it whole.
    const { cols } = this.store;
    const kind = cols.kind;
    const call = KIND_CODES.call;
    if (pid === undefined) return (r) => kind[r] === call;
    const pids = cols.pid;
    return (r) => kind[r] === call && pids[r] === pid;
  }

  private fileLines(file: string): FileLines | undefined {
    if (typeof file !== "string") throw new ReplayError(`bad file ${JSON.stringify(file)}: expected a path`);
    return this.index().get(this.complete(normalise(file)));
  }

  /** A relative recorded path completed to the one absolute module source ending with it; else itself. */
  private complete(p: string): string {
    if (isAbsolute(p)) return p;
    const hits = this.absolute.filter((a) => a.endsWith(`/${p}`));
    return hits.length === 1 ? hits[0] : p;
  }

  private index(): Map<string, FileLines> {
    if (this.files) return this.files;
    const { cols, tables } = this.store;
    const files = new Map<string, FileLines>();
    const at = (file: string): FileLines => {
      let f = files.get(file);
      if (!f) files.set(file, (f = { defs: new Map(), sites: new Map() }));
      return f;
    };
    const add = (m: Map<number, number[]>, line: number, id: number): void => {
      const ids = m.get(line) ?? [];
      if (!ids.includes(id)) ids.push(id);
      m.set(line, ids);
    };
    this.absolute = [
      ...new Set([...tables.modules.values()].map((m) => normalise(m.source)).filter(isAbsolute)),
    ];
    tables.mfas.forEach((m, id) => {
      const mod = tables.modules.get(m.module);
      const fn = mod && findFunction(mod, m);
      if (!mod || !fn) return;
      const f = at(normalise(mod.source));
      for (const line of new Set([fn.line, ...fn.clauseLines])) if (line > 0) add(f.defs, line, id);
    });
    this.siteFile = tables.sites.map((s) =>
      s.file !== undefined && s.line !== undefined ? this.complete(normalise(s.file)) : undefined,
    );
    this.siteFile.forEach((file, id) => {
      if (file !== undefined) add(at(file).sites, tables.sites[id].line!, id);
    });
    // Counted once for the whole recording: a line's counts are then sums over its few functions.
    const counts = new Int32Array(tables.mfas.length * 3);
    const siteCalls = new Int32Array(tables.sites.length);
    const { kind, mfa, site } = cols;
    for (let i = 0; i < cols.length; i++) {
      const k = kind[i];
      const m = mfa[i];
      if (k === KIND_CODES.call) {
        if (m >= 0) counts[m * 3]++;
        if (site[i] >= 0) siteCalls[site[i]]++;
      } else if (m >= 0 && k === KIND_CODES.return) counts[m * 3 + 1]++;
      else if (m >= 0 && k === KIND_CODES.exception) counts[m * 3 + 2]++;
    }
    this.mfaCounts = counts;
    this.siteCalls = siteCalls;
    this.files = files;
    return files;
  }
}

function normalise(p: string): string {
  return p.replace(/\\/g, "/");
}

function isAbsolute(p: string): boolean {
  return p.startsWith("/") || /^[A-Za-z]:\//.test(p);
}
