// The event store: loads one or more trace files into columns (merged by time when there are several)
// and builds the indexes every query, state and navigation answer uses — temporal, by process, by
// function, by kind, by call site, by state owner, the send/receive pairs and the call nesting.

import { readTrace, type ReadOptions } from "../reader/readTrace";
import { LoadTables, type PidRecord } from "../reader/tables";
import { Atom, type Term } from "../terms/term";
import type {
  CallSite,
  FunctionInfo,
  LoadProblem,
  Mfa,
  ModuleInfo,
  ProcessInfo,
  TraceFileInfo,
} from "../types";
import { infoName } from "./infoName";

export { infoName };
import { buildCsr, type Csr, kindIndex } from "./csr";
import { IndexArena } from "./prefault";
import { SendQueues } from "./sendQueues";
import { buildProcessList } from "../processes";
import { IndexWriter, readIndex, type IndexStatus } from "./indexCache";
import type { CellName } from "./cells";
import {
  createColumns,
  type EventColumns,
  FLAG_NO_PROCESS,
  KIND_CODES,
  permuteColumns,
  setId,
  trimColumns,
} from "./columns";

export interface StoreIndexes {
  byPid: Csr;
  byMfa: Csr;
  /** Offsets only: a kind's rows are found in the kind column when first asked for (`derivedCsr`). */
  byKind: Csr;
  bySite: Csr;
  /** State sources per process: `state` events, or callback returns when a process has none. */
  byStateOwner: Csr;
  /**
   * Call nesting. For a call: the enclosing call (-1 at the top). For a return/exception: the call it
   * closes (-1 when the call was not recorded). For any other event: the innermost open call.
   */
  link: Int32Array;
  /**
   * Each row's partner: for a call, the return/exception that closes it; for a send, its receive; for
   * a receive, its send; else -1. One array, not two, since no row has both (4 bytes per event less).
   */
  partner: Int32Array;
  /** `partner`, to be read at calls only. */
  match: Int32Array;
  /** `partner`, to be read at sends and receives only. */
  pair: Int32Array;
  /**
   * Stack depth: a call at its new frame's depth, a return at the depth of the frame it closes. 16
   * bits, widened to 32 when a recursion goes deeper than 32767 frames.
   */
  depth: Int16Array | Int32Array;
}

/** What the interning tables hold once loading is over. */
export interface StoreTables {
  pids: PidRecord[];
  mfas: Mfa[];
  sites: CallSite[];
  aux: Term[];
  modules: Map<string, ModuleInfo>;
}

export interface StoreData {
  files: TraceFileInfo[];
  problems: LoadProblem[];
  cols: EventColumns;
  /**
   * Stores read from an index: one value of a column, read with its 4 KiB page rather than the whole
   * column (the column itself once it is in memory). What a launch touches of a big recording.
   */
  cell?: (name: CellName, row: number) => number;
  /**
   * Stores read from an index: reads the columns and indexes into memory in the background, a few
   * pages per event-loop turn (never keeping the process alive), so that later requests find them there.
   */
  prefetch?: () => void;
  tables: StoreTables;
  ix: StoreIndexes;
  /** Whether the persistent index was reused, built or could not be saved (see indexCache). */
  index?: IndexStatus;
  /** Settles once the index this open built has been saved (or could not be). */
  indexSaved?: Promise<IndexStatus>;
  /** First and last event times, when read from the index. */
  timeRange?: { start: number; end: number };
  /** The process table, when it was read from the index or built along with it. */
  processes?: ProcessInfo[];
  /** Releases what a store read from an index holds open. */
  close?: () => void;
}

export interface StoreOptions extends ReadOptions {
  /** Read and write the persistent index (default true). */
  index?: boolean;
}

/** Counts trace parses in this thread, so that tests can see an open answered from the index. */
export const loadCounters = { parses: 0 };

/** Loads from the persistent index when a valid one exists; otherwise parses the traces and saves one. */
export async function loadStore(paths: string[], opts: StoreOptions = {}): Promise<StoreData> {
  if (opts.index === false) return { ...(await parseStore(paths, opts)), index: { state: "off" } };
  const found = readIndex(paths);
  if (found.store) {
    const total = found.store.files.reduce((a, f) => a + f.bytes, 0);
    opts.onProgress?.({
      file: paths[0],
      bytesRead: total,
      bytesTotal: total,
      events: found.store.cols.length,
    });
    return { ...found.store, index: found.status };
  }
  if (!found.fingerprints)
    return {
      ...(await parseStore(paths, opts)),
      index: { state: "unsaved", note: "index not saved: a trace could not be read again" },
    };
  // The columns are written while the indexes are built; the rest once the store is complete.
  const writer = new IndexWriter(paths, found.fingerprints, found.note);
  let store: StoreData;
  try {
    store = await parseStore(paths, opts, writer);
  } catch (e) {
    await writer.abort();
    throw e;
  }
  // Reported at once as being built; the status object is completed when the write settles.
  const index: IndexStatus = {
    state: found.note ? "rebuilt" : "built",
    ...(found.note ? { note: found.note } : {}),
  };
  const indexSaved = writer.finish(store).then((s) => Object.assign(index, s));
  return { ...store, index, indexSaved };
}

/** The store from a valid persistent index, or undefined when the traces must be parsed. */
export function reuseIndex(paths: string[], opts: ReadOptions = {}): StoreData | undefined {
  const found = readIndex(paths);
  return found.store ? reused(found.store, found.status, opts) : undefined;
}

function reused(store: StoreData, status: IndexStatus, opts: ReadOptions): StoreData {
  const total = store.files.reduce((a, f) => a + f.bytes, 0);
  opts.onProgress?.({
    file: store.files[0].path,
    bytesRead: total,
    bytesTotal: total,
    events: store.cols.length,
  });
  return { ...store, index: status };
}

/**
 * Told of each part of a store as it becomes final, before the rest is built (the index writer): the
 * columns once they hold their rows (all but `peer` and `site`, which the index build still sets,
 * and `time`; those by name once set, with memory no longer read as `scratch`), and indexes as they
 * are built.
 */
export interface BuildListener {
  columns(cols: EventColumns, only?: string[], scratch?: Uint32Array): void;
  indexes(part: Partial<StoreIndexes>): void;
}

/** Parses the trace files into columns and builds every index. */
export async function parseStore(
  paths: string[],
  opts: ReadOptions = {},
  listener?: BuildListener,
): Promise<StoreData> {
  loadCounters.parses++;
  const cols = createColumns();
  const tables = new LoadTables();
  const problems: LoadProblem[] = [];
  const files: TraceFileInfo[] = [];
  const firstRow: number[] = [];
  const arena = new IndexArena();
  for (let f = 0; f < paths.length; f++) {
    firstRow.push(cols.length);
    files.push(await readTrace(paths[f], f, cols, tables, problems, { ...opts, arena }));
  }
  firstRow.push(cols.length);
  trimColumns(cols);
  orderByTime(cols, files, firstRow);
  resolveNames(cols, tables);
  listener?.columns(cols);
  const store: StoreData = { files, problems, cols, tables, ix: buildIndexes(cols, tables, arena, listener) };
  // Read by the pairing alone (and now maybe holding the index writer's time ticks): given back.
  cols.msgHash = new Uint32Array(0);
  store.processes = buildProcessList(store);
  return store;
}

/**
 * Puts every file on the earliest file's clock, then orders all events by time. Within one file the
 * recorder's order is the order trace messages reached its tracer, which for different processes is
 * not always the order they happened in (a receive can arrive before its send); timestamps are. A
 * process's own events keep their order: its timestamps never go back, and ties keep file order.
 */
function orderByTime(cols: EventColumns, files: TraceFileInfo[], firstRow: number[]): void {
  if (files.length > 1) {
    const t0 = Math.min(...files.map((f) => f.startSystemTimeNs));
    for (let f = 0; f < files.length; f++) {
      const shift = files[f].startSystemTimeNs - t0;
      for (let i = firstRow[f]; i < firstRow[f + 1]; i++) cols.time[i] += shift;
    }
  }
  if (inOrder(cols.time, cols.length)) return;
  const order = Int32Array.from({ length: cols.length }, (_, i) => i);
  const t = cols.time;
  order.sort((a, b) => t[a] - t[b] || a - b);
  permuteColumns(cols, order);
}

/** Whether `t[0, n)` never goes down (a loop of its own: see `countRows`). */
function inOrder(t: Float64Array, n: number): boolean {
  for (let i = 1; i < n; i++) if (t[i] < t[i - 1]) return false;
  return true;
}

/**
 * Sends addressed to a registered name get the pid that held the name at that moment, so that
 * `send(TicketOffice, msg)` pairs like a send to a pid.
 */
function resolveNames(cols: EventColumns, tables: StoreTables): void {
  const holder = new Map<string, number>();
  // The names each process holds, so that an exit drops its own (not a walk of every name per exit).
  const held = new Map<number, Set<string>>();
  const release = (name: string): void => {
    const p = holder.get(name);
    if (p === undefined) return;
    holder.delete(name);
    held.get(p)?.delete(name);
  };
  for (let i = 0; i < cols.length; i++) {
    const k = cols.kind[i];
    if (k === KIND_CODES.register || k === KIND_CODES.unregister || k === KIND_CODES.process) {
      const name = k === KIND_CODES.process ? infoName(tables.aux[cols.aux[i]]) : tables.aux[cols.aux[i]];
      if (name instanceof Atom) {
        release(name.name);
        if (k !== KIND_CODES.unregister) {
          const p = cols.pid[i];
          holder.set(name.name, p);
          const names = held.get(p);
          if (names) names.add(name.name);
          else held.set(p, new Set([name.name]));
        }
      }
    } else if (k === KIND_CODES.exit) {
      const names = held.get(cols.pid[i]);
      if (names) {
        for (const n of names) holder.delete(n);
        held.delete(cols.pid[i]);
      }
    } else if (k === KIND_CODES.send && cols.peer[i] < 0 && cols.aux[i] >= 0) {
      const to = tables.aux[cols.aux[i]];
      if (to instanceof Atom) cols.peer[i] = holder.get(to.name) ?? -1;
    }
  }
}

const CALLBACK_ARITY = new Map<string, number>([
  ["init", 1],
  ["handle_call", 3],
  ["handle_cast", 2],
  ["handle_info", 2],
  ["handle_continue", 2],
  ["code_change", 3],
]);

export function isStateCallback(fun: string, arity: number): boolean {
  return CALLBACK_ARITY.get(fun) === arity;
}

/**
 * Builds the list indexes and the call nesting in two sweeps over the columns — one counting (and
 * replaying calls per process), one placing rows — instead of one pair of passes per index: at a
 * million events each pass over the columns costs milliseconds, and every fresh array page faults.
 */
export function buildIndexes(
  cols: EventColumns,
  tables: StoreTables,
  arena: IndexArena = new IndexArena(),
  listener?: BuildListener,
): StoreIndexes {
  const n = cols.length;
  const pidCount = tables.pids.length;
  const mfaCount = tables.mfas.length;
  const kindCount = KIND_CODES.unknown + 1;

  const callbackMfa = new Uint8Array(mfaCount);
  tables.mfas.forEach((m, id) => (callbackMfa[id] = isStateCallback(m.fun, m.arity) ? 1 : 0));
  const pidOff = new Int32Array(pidCount + 1);
  const mfaOff = new Int32Array(mfaCount + 1);
  const kindOff = new Int32Array(kindCount + 1);
  const stateEvents = new Int32Array(pidCount);
  const callbackReturns = new Int32Array(pidCount);
  const multiFile = countRows(cols, callbackMfa, pidOff, kindOff, mfaOff, stateEvents, callbackReturns) !== 0;
  // State sources per process: its `state` events, or its callback returns when it has none.
  const ownerOff = new Int32Array(pidCount + 1);
  for (let p = 0; p < pidCount; p++) {
    pidOff[p + 1] += pidOff[p];
    ownerOff[p + 1] = ownerOff[p] + (stateEvents[p] > 0 ? stateEvents[p] : callbackReturns[p]);
  }
  for (let m = 0; m < mfaCount; m++) mfaOff[m + 1] += mfaOff[m];
  for (let k = 0; k < kindCount; k++) kindOff[k + 1] += kindOff[k];

  const pidRows = arena.take(n);
  const mfaRows = new Int32Array(mfaOff[mfaCount]);
  const ownerRows = new Int32Array(ownerOff[pidCount]);
  placeRows(
    cols,
    callbackMfa,
    stateEvents,
    { rows: pidRows, fill: pidOff.slice(0, pidCount) },
    { rows: mfaRows, fill: mfaOff.slice(0, mfaCount) },
    { rows: ownerRows, fill: ownerOff.slice(0, pidCount) },
  );
  const byPid = { offsets: pidOff, rows: pidRows };
  const byKind = kindIndex(kindOff, () => cols.kind);
  const byMfa = { offsets: mfaOff, rows: mfaRows };
  const byStateOwner = { offsets: ownerOff, rows: ownerRows };
  listener?.indexes({ byPid, byKind, byMfa, byStateOwner });

  const { link, partner, depth } = buildNesting(cols, pidCount, arena);
  listener?.indexes({ link, depth });
  resolveTailCalls(cols, tables, link);
  // Only call events carry a call site (-1 elsewhere): no list of the calls is needed to find them.
  const bySite = buildCsr(cols.site, n, tables.sites.length);
  listener?.columns(cols, ["site"]);
  listener?.indexes({ bySite });
  const sends = kindOff[KIND_CODES.send + 1] - kindOff[KIND_CODES.send];
  pairMessages(cols, pidCount, tables.aux, partner, sends, multiFile);
  // The message hashes are read by the pairing alone: their memory takes the time's ticks.
  listener?.columns(cols, ["peer", "time"], cols.msgHash);
  listener?.indexes({ partner });
  return { byPid, byMfa, byKind, bySite, byStateOwner, link, partner, match: partner, pair: partner, depth };
}

// The two sweeps over every row are functions of their own, each one loop: a one-pass loop runs
// unoptimised until V8 has compiled the function around it for that loop (on-stack replacement), so
// the smaller the function, the sooner it runs at full speed and the less the other core compiles.

/**
 * The first sweep: rows per process, kind and function, and state sources per process. Returns
 * non-zero when the rows come from more than one file.
 */
function countRows(
  cols: EventColumns,
  callbackMfa: Uint8Array,
  pidOff: Int32Array,
  kindOff: Int32Array,
  mfaOff: Int32Array,
  stateEvents: Int32Array,
  callbackReturns: Int32Array,
): number {
  const { pid, kind, mfa, file } = cols;
  const STATE = KIND_CODES.state;
  const RETURN = KIND_CODES.return;
  const n = cols.length;
  const file0 = n > 0 ? file[0] : 0;
  let otherFile = 0;
  for (let i = 0; i < n; i++) {
    const p = pid[i];
    const k = kind[i];
    const m = mfa[i];
    pidOff[p + 1]++;
    kindOff[k + 1]++;
    if (m >= 0) {
      mfaOff[m + 1]++;
      if (k === RETURN && callbackMfa[m] === 1) callbackReturns[p]++;
    }
    if (k === STATE) stateEvents[p]++;
    otherFile |= file[i] ^ file0;
  }
  // Compared by the caller: a compare after the loop, never run when V8 compiled the loop, would
  // deoptimise it on the way out.
  return otherFile;
}

/** The second sweep: each row into its process's, function's and state owner's list. */
function placeRows(
  cols: EventColumns,
  callbackMfa: Uint8Array,
  stateEvents: Int32Array,
  byPid: { rows: Int32Array; fill: Int32Array },
  byMfa: { rows: Int32Array; fill: Int32Array },
  byOwner: { rows: Int32Array; fill: Int32Array },
): void {
  const { pid, kind, mfa } = cols;
  const STATE = KIND_CODES.state;
  const RETURN = KIND_CODES.return;
  const [pidRows, pidFill] = [byPid.rows, byPid.fill];
  const [mfaRows, mfaFill] = [byMfa.rows, byMfa.fill];
  const [ownerRows, ownerFill] = [byOwner.rows, byOwner.fill];
  for (let i = 0; i < cols.length; i++) {
    const p = pid[i];
    const k = kind[i];
    const m = mfa[i];
    pidRows[pidFill[p]++] = i;
    if (m >= 0) mfaRows[mfaFill[m]++] = i;
    if (k === STATE || (k === RETURN && stateEvents[p] === 0 && m >= 0 && callbackMfa[m] === 1))
      ownerRows[ownerFill[p]++] = i;
  }
}

/**
 * Puts tail calls back on the line that made them. The BEAM reports the caller of a function called in
 * tail position as the place its caller was called from (the caller's frame is gone), so such a call
 * carries its parent's call site. When it does, and the parent's function makes a tail call to it
 * (module table), its site becomes that line in the parent — the one in the clause the parent ran
 * when several qualify; when it cannot be told, the site keeps the parent's function and file but no
 * line (the frame is shown at the function, marked approximate), never a line in another function.
 */
export function resolveTailCalls(cols: EventColumns, tables: StoreTables, link: Int32Array): void {
  const fnOf = new Map<number, FunctionInfo | undefined>();
  const fn = (mfa: number): FunctionInfo | undefined => {
    if (!fnOf.has(mfa)) {
      const m = tables.mfas[mfa];
      fnOf.set(
        mfa,
        tables.modules.get(m.module)?.functions.find((f) => f.name === m.fun && f.arity === m.arity),
      );
    }
    return fnOf.get(mfa);
  };
  const made = new Map<string, number>();
  const sitesOf = new Map<number, Map<number, Map<number, number>>>();
  const siteOf = (parentMfa: number, calleeMfa: number): Map<number, number> => {
    let byCallee = sitesOf.get(parentMfa);
    if (!byCallee) sitesOf.set(parentMfa, (byCallee = new Map()));
    let byClause = byCallee.get(calleeMfa);
    if (!byClause) byCallee.set(calleeMfa, (byClause = new Map()));
    return byClause;
  };
  /** The site id of `pf`'s tail call to `callee` from clause `clause`, made when first needed; -1: none. */
  const tailSite = (pf: FunctionInfo, parentMfa: number, callee: Mfa | undefined, clause: number): number => {
    if (!callee) return -1;
    let lines = pf
      .tailCalls!.filter(
        (t) =>
          t.callee.module === callee.module && t.callee.fun === callee.fun && t.callee.arity === callee.arity,
      )
      .map((t) => t.line);
    if (lines.length === 0) return -1;
    if (lines.length > 1) lines = inClause(pf, clause, lines);
    const pm = tables.mfas[parentMfa];
    const source = tables.modules.get(pm.module)?.source;
    const line = lines.length === 1 ? lines[0] : undefined;
    const key = `${parentMfa}:${line ?? ""}`;
    let id = made.get(key);
    if (id === undefined) {
      id = tables.sites.length;
      tables.sites.push({
        mfa: pm,
        ...(source ? { file: source } : {}),
        ...(line !== undefined ? { line } : {}),
      });
      made.set(key, id);
    }
    return id;
  };
  // Compared as recorded: in a chain of tail calls each one carries the same site. Calls go in row
  // order, so only a parent's site may have been rewritten already; those few keep their old one here.
  const recorded = new Map<number, number>();
  const { kind } = cols;
  for (let i = 0; i < cols.length; i++) {
    if (kind[i] !== KIND_CODES.call) continue;
    const parent = link[i];
    if (parent < 0 || cols.mfa[parent] < 0) continue;
    if (cols.site[i] !== (recorded.get(parent) ?? cols.site[parent])) continue;
    const pf = fn(cols.mfa[parent]);
    if (!pf?.tailCalls?.length || cols.mfa[i] < 0) continue;
    // The site a parent's tail call to this callee gets, by parent, callee and the parent's clause:
    // worked out once per triple (a hot tail-calling loop has thousands of calls, one answer).
    const byPair = siteOf(cols.mfa[parent], cols.mfa[i]);
    const clause = cols.clause[parent];
    let id = byPair.get(clause);
    if (id === undefined) {
      id = tailSite(pf, cols.mfa[parent], tables.mfas[cols.mfa[i]], clause);
      byPair.set(clause, id);
    }
    if (id < 0) continue;
    recorded.set(i, cols.site[i]);
    setId(cols, "site", i, id);
  }
}

/** The lines that lie in the clause a call ran (known clauses only; otherwise all of them). */
function inClause(f: FunctionInfo, tag: number, lines: number[]): number[] {
  const cs = f.clauses ?? [];
  if (tag <= 0 || tag > cs.length) return lines;
  const from = cs[tag - 1].line;
  const to = tag < cs.length ? cs[tag].line : Infinity;
  return lines.filter((l) => l >= from && l < to);
}

/**
 * Replays call/return/exception per process to recover the call tree, tolerating missing returns.
 * Each process's stack of open calls is a chain through `link` (a call links to the call it was made
 * in), so the replay needs only the innermost open call per process: no arrays grow or shrink.
 */
function buildNesting(
  cols: EventColumns,
  pidCount: number,
  arena: IndexArena,
): { link: Int32Array; partner: Int32Array; depth: Int16Array | Int32Array } {
  const n = cols.length;
  const link = arena.take(n); // every row's is set below
  const match = arena.take(n).fill(-1);
  let depth: Int16Array | Int32Array = arena.take16(n);
  const innermost = new Int32Array(pidCount).fill(-1);
  const { pid, kind, mfa } = cols;
  for (let i = 0; i < n; i++) {
    const p = pid[i];
    const top = innermost[p];
    const open = top < 0 ? 0 : depth[top];
    // One deeper than 16 bits hold: the rest of the build (and the store) use 32.
    if (open >= 0x7fff && depth instanceof Int16Array) depth = Int32Array.from(depth);
    switch (kind[i]) {
      case KIND_CODES.call:
        link[i] = top;
        depth[i] = open + 1;
        innermost[p] = i;
        break;
      case KIND_CODES.return:
      case KIND_CODES.exception: {
        // The frame this closes is the innermost open call of the same function; frames above it
        // lost their returns (a crash unwound them, or they were not traced) and close with it.
        const m = mfa[i];
        let c = top;
        while (c >= 0 && mfa[c] !== m) c = link[c];
        if (c >= 0) {
          link[i] = c;
          match[c] = i;
          depth[i] = depth[c];
          innermost[p] = link[c];
        } else {
          link[i] = -1;
          depth[i] = open + 1;
        }
        break;
      }
      case KIND_CODES.exit:
        link[i] = top;
        depth[i] = open;
        innermost[p] = -1;
        break;
      default:
        link[i] = top;
        depth[i] = open;
    }
  }
  return { link, partner: match, depth };
}

/**
 * Pairs each receive with its send. Messages between two processes arrive in the order they were sent
 * (the BEAM's per-pair FIFO), so the earliest unpaired send of the same message to the receiver is
 * the one — restricted to the sender when the receive names it. Pairs go into `pair`, the partner
 * array the nesting filled at calls only (-1 elsewhere): no send or receive is a call.
 */
function pairMessages(
  cols: EventColumns,
  pidCount: number,
  aux: Term[],
  pair: Int32Array,
  sends: number,
  multiFile: boolean,
): void {
  const n = cols.length;
  // Unpaired sends per receiver and message hash (cut to 30 bits), queued by send number (not row:
  // sends are a few of the rows, and every array page costs).
  const queues = new SendQueues(sends);
  const sendNo = new Int32Array(sends);
  let sent = 0;
  // Sends whose destination is not a known pid (a process alias — how GenServer replies travel — or
  // an unregistered name) queue under an extra "nobody known" receiver: a receive that finds no send
  // addressed to it takes the earliest such send of the same message, and gives it its receiver.
  const UNKNOWN = pidCount;
  const early_: Array<Map<number, number[]> | undefined> = new Array(pidCount);
  // Receives that name their send (trace format 2) pair with it and nothing else; their sends are
  // not queued for the others.
  const refs = sentReferences(cols, aux);
  for (let i = 0; i < n; i++) {
    const k = cols.kind[i];
    if (k === KIND_CODES.send) {
      const no = sent++;
      sendNo[no] = i;
      if (cols.flags[i] & FLAG_NO_PROCESS || refs?.sends.has(i)) continue;
      const to = cols.peer[i] < 0 ? UNKNOWN : cols.peer[i];
      const key = cols.msgHash[i] & 0x3fffffff;
      // Another node's clock may run a little ahead: its receive can sort before this send.
      const early = to !== UNKNOWN ? takeEarlyReceive(early_, to, key, i, cols) : undefined;
      if (early !== undefined) {
        pair[i] = early;
        pair[early] = i;
        if (cols.peer[early] < 0) cols.peer[early] = cols.pid[i];
        continue;
      }
      queues.push(to, key, no);
    } else if (k === KIND_CODES.receive) {
      if (refs && cols.aux[i] >= 0) {
        // Its send, or none when the send is not in the file (the reader reported it).
        const s = refs.receives.get(i);
        if (s !== undefined) {
          pair[s] = i;
          pair[i] = s;
          if (cols.peer[i] < 0) cols.peer[i] = cols.pid[s];
          if (cols.peer[s] < 0) cols.peer[s] = cols.pid[i];
        }
        continue;
      }
      const key = cols.msgHash[i] & 0x3fffffff;
      const from = cols.peer[i];
      const me = cols.pid[i];
      const cur =
        takeSend(queues, sendNo, me, key, i, from, cols) ??
        takeSend(queues, sendNo, UNKNOWN, key, i, from, cols);
      if (cur === undefined) {
        // Kept for a send from another file that sorts after it (clock skew between nodes).
        if (multiFile) {
          const m = (early_[me] ??= new Map());
          const list = m.get(key) ?? [];
          list.push(i);
          m.set(key, list);
        }
        continue;
      }
      pair[cur] = i;
      pair[i] = cur;
      if (from < 0) cols.peer[i] = cols.pid[cur];
      if (cols.peer[cur] < 0) cols.peer[cur] = me;
    }
  }
}

/**
 * The receives that name their send by seq (trace format 2: the reader keeps the seq as the
 * receive's aux term), each with its send's row; undefined when the recording has none.
 */
function sentReferences(
  cols: EventColumns,
  aux: Term[],
): { receives: Map<number, number>; sends: Set<number> } | undefined {
  const n = cols.length;
  // Per file: the send seqs referred to, then their rows.
  let wanted: Map<number, Map<number, number>> | undefined;
  for (let i = 0; i < n; i++) {
    if (cols.kind[i] !== KIND_CODES.receive || cols.aux[i] < 0) continue;
    const seq = aux[cols.aux[i]];
    if (typeof seq !== "number") continue;
    wanted ??= new Map();
    let m = wanted.get(cols.file[i]);
    if (!m) wanted.set(cols.file[i], (m = new Map()));
    m.set(seq, -1);
  }
  if (!wanted) return undefined;
  for (let i = 0; i < n; i++) {
    if (cols.kind[i] !== KIND_CODES.send) continue;
    const m = wanted.get(cols.file[i]);
    if (m?.get(cols.seq[i]) === -1) m.set(cols.seq[i], i);
  }
  const receives = new Map<number, number>();
  const sends = new Set<number>();
  for (let i = 0; i < n; i++) {
    if (cols.kind[i] !== KIND_CODES.receive || cols.aux[i] < 0) continue;
    const seq = aux[cols.aux[i]];
    const s = typeof seq === "number" ? (wanted.get(cols.file[i])?.get(seq) ?? -1) : -1;
    // A send is referred to by one receive: a second claim (a damaged file) stays unpaired.
    if (s >= 0 && !sends.has(s)) {
      receives.set(i, s);
      sends.add(s);
    }
  }
  return { receives, sends };
}

/** An unpaired receive of the same message, recorded in another file than the send `s`. */
function takeEarlyReceive(
  early: Array<Map<number, number[]> | undefined>,
  to: number,
  key: number,
  s: number,
  cols: EventColumns,
): number | undefined {
  const list = early[to]?.get(key);
  if (!list) return undefined;
  const k = list.findIndex(
    (r) =>
      cols.file[r] !== cols.file[s] &&
      cols.msgHash[r] === cols.msgHash[s] &&
      (cols.peer[r] < 0 || cols.peer[r] === cols.pid[s]),
  );
  if (k < 0) return undefined;
  return list.splice(k, 1)[0];
}

/**
 * Unlinks and returns (as a row) the earliest queued send to `to` matching the receive `r` (same
 * message, and sender when known).
 */
function takeSend(
  queues: SendQueues,
  sendNo: Int32Array,
  to: number,
  key: number,
  r: number,
  from: number,
  cols: EventColumns,
): number | undefined {
  const slot = queues.find(to, key);
  if (slot < 0) return undefined;
  const next = queues.next;
  let prev = -1;
  let cur = queues.first(slot);
  while (
    cur >= 0 &&
    (cols.msgHash[sendNo[cur]] !== cols.msgHash[r] || (from >= 0 && cols.pid[sendNo[cur]] !== from))
  ) {
    prev = cur;
    cur = next[cur];
  }
  if (cur < 0) return undefined;
  queues.remove(slot, cur, prev);
  return sendNo[cur];
}
