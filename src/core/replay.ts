// `Replay`: one loaded recording and everything that can be asked of it. It ties the store (columns
// and indexes), the decoded-event cache, the query engine, the state reconstructor, message flow, the
// timeline and the correlator into the one typed API that the CLI, the debug adapter, the hovers and
// the webview host use.

import { unwrapState, type WrappedState } from "./userState";
import { lineIn, stackOfException, stackOfExit } from "./exceptionStack";
import type { TermStyle } from "./terms/inspect";
import { senderNamedIn } from "./messages";
import { LoadCancelledError, ReplayError, TraceLoadError } from "./errors";
import { Correlator } from "./correlator";
import { MessageFlow } from "./messages";
import type { MailboxAtEnd } from "./mailboxes";
import { RecordedStructs } from "./terms/inspectRecorded";
import { FlowPages, type FlowPage, type FlowPageOptions } from "./flowPages";
import { ProcessTable } from "./processes";
import { QueryEngine } from "./query";
import { QueryMonitor } from "./queryMonitor";
import { BreakpointSearch } from "./search";
import { diffTerms, StateReconstructor } from "./state";
import { buildCsr, csrCount, csrList, lowerBound, type Csr } from "./store/csr";
import { decodeEvent, resolveSame, resolveSent, sameRefs, sameRow, sentRef } from "./store/eventDecode";
import { type CellName, cellOf } from "./store/cells";
import { columnsInMemory } from "./store/rowFields";
import { type EventColumns, KIND_CODES } from "./store/columns";
import { FrameSource } from "./store/frames";
import { EventReader } from "./store/eventReader";
import type { ArgMemo, ColumnSource } from "./columnFilter";
import { Lru } from "./store/lru";
import {
  FunctionCalls,
  type FunctionCall,
  type FunctionCallsOptions,
  type FunctionCallSummary,
} from "./functionCalls";
import { LineHistory, type CallRecord, type LineCallsOptions, type LineCounts } from "./lineHistory";
import { loadStore, reuseIndex, type StoreData } from "./store/store";
import type { IndexStatus } from "./store/indexCache";
import { loadInWorker } from "./loadWorkerClient";
import { decodeEtf, decodeTerm } from "./terms/decode";
import { etfBodyOffset, skipTerm } from "./terms/skip";
import { COMPRESSED, LIST_EXT, NIL_EXT } from "./terms/tags";
import { Scan } from "./reader/scan";
import type { Term, Tuple } from "./terms/term";
import { Timeline, type StepKind } from "./timeline";
import { formatTime } from "./describe";
import type {
  ClauseRan,
  Direction,
  EventFilter,
  EventKind,
  LoadProblem,
  MessageFlowEntry,
  MessageFlowOptions,
  Mfa,
  ModuleInfo,
  Moment,
  OpenOptions,
  ProcessInfo,
  QueryPlan,
  ReplayStats,
  SourceLocation,
  StackFrame,
  StateAt,
  StateChange,
  TermDiff,
  TimelineTarget,
  TraceEvent,
  TraceFileInfo,
} from "./types";
import { EVENT_KINDS } from "./types";

/** The columns `decodeEvent` reads. */
const DECODED_COLUMNS = ["seq", "file", "time", "kind", "pid", "mfa", "peer", "site", "flags"] as const;

export class Replay {
  /** The loaded trace files, in the order given (frozen). */
  readonly files: readonly TraceFileInfo[];
  /** Frames that could not be used (each reported with file, frame and byte offset); all else was kept. */
  readonly problems: readonly LoadProblem[];
  private readonly cache: Lru<number, TraceEvent>;
  private readonly source: FrameSource;
  private readonly reader: EventReader;
  private readonly procs: ProcessTable;
  private readonly monitor = new QueryMonitor();
  private readonly query: QueryEngine;
  private readonly states: StateReconstructor;
  private readonly flowIx: MessageFlow;
  private recordedStructs?: RecordedStructs;
  private readonly flowPages: FlowPages;
  private readonly timeline: Timeline;
  private readonly correlator: Correlator;
  private readonly search: BreakpointSearch;
  private readonly lines: LineHistory;
  private readonly fnCalls: FunctionCalls;
  private byFile?: Csr;
  private bySeq?: Int32Array[];
  private closed = false;
  private decodedColumnsRead = false;

  private constructor(
    private readonly store: StoreData,
    cacheSize: number,
  ) {
    // What the replay hands out is the engine's own state: frozen, so that no caller can change it under the others.
    this.files = Object.freeze(store.files.map((f) => Object.freeze(f)));
    this.problems = Object.freeze(store.problems.map((p) => Object.freeze(p)));
    for (const m of store.tables.mfas) Object.freeze(m);
    Object.freeze(store.tables.mfas);
    for (const mod of store.tables.modules.values()) {
      for (const f of mod.functions) Object.freeze(f.clauseLines);
      mod.functions.forEach((f) => Object.freeze(f));
      Object.freeze(mod.functions);
      Object.freeze(mod);
    }
    this.cache = new Lru(cacheSize);
    this.source = new FrameSource(store.files.map((f) => f.path));
    this.reader = new EventReader(store, this.source);
    this.procs = new ProcessTable(store);
    const decode = (row: number): TraceEvent => this.event(row);
    this.query = new QueryEngine(store, (p) => this.findProcess(p).id, decode, this.monitor);
    this.states = new StateReconstructor(store, decode);
    this.flowIx = new MessageFlow(
      store,
      this.procs,
      (send) => this.flowPages.replyOf(send),
      (receive) => senderNamedIn(decode(receive).message, this.procs),
      (send) => decode(send).message,
    );
    this.flowPages = new FlowPages(store, this.flowIx);
    this.correlator = new Correlator(store);
    this.timeline = new Timeline(store, this.correlator);
    this.search = new BreakpointSearch(
      store,
      this.query,
      this.correlator,
      this.states,
      this.timeline,
      decode,
    );
    // A line's or a function's page of calls is handed over and dropped, as a query's answer is:
    // kept in the cache, its events would outlive two scavenges and be copied into the old heap.
    this.lines = new LineHistory(store, (rows) => this.events(rows, false));
    this.fnCalls = new FunctionCalls(
      store,
      (rows) => this.events(rows, false),
      (call) => {
        const c = this.correlator.clauseOf(call);
        return c?.known ? c.index : undefined;
      },
    );
  }

  /**
   * Loads one trace file, or several (one per node) merged by time. Throws `TraceLoadError` when a file
   * cannot be read as a trace at all; damaged frames inside a file end up in `problems` instead.
   */
  static async open(paths: string | string[], opts: OpenOptions = {}): Promise<Replay> {
    const list = typeof paths === "string" ? [paths] : paths;
    if (list.length === 0) throw new TraceLoadError("(none)", "no trace file given");
    if (list.length > 255)
      throw new TraceLoadError(list[0], "at most 255 trace files can be loaded together");
    const { signal } = opts;
    const cancelled = (): never => {
      throw new LoadCancelledError(list);
    };
    if (signal?.aborted) cancelled();
    // A valid index is read on this thread (it is cheap); only a parse goes to the worker.
    const store = opts.worker
      ? ((opts.index !== false ? reuseIndex(list, opts) : undefined) ??
        (await loadInWorker(list, opts.onProgress, opts.index, signal)))
      : await loadStore(list, {
          index: opts.index,
          onProgress: opts.onProgress,
          // The parse yields now and then: where a cancel takes effect.
          yieldEvery: () =>
            new Promise<void>((r) => setImmediate(r)).then(() => (signal?.aborted ? cancelled() : undefined)),
        });
    if (signal?.aborted) cancelled();
    return new Replay(store, opts.cacheSize ?? 4096);
  }

  /** Whether this open reused the persistent index, built it, or could not save it (and why, once). */
  get indexStatus(): IndexStatus {
    return this.store.index ?? { state: "off" };
  }

  /** Settles when the index this open built is saved (at once when it was reused or is off). */
  async indexSaved(): Promise<IndexStatus> {
    return (await this.store.indexSaved) ?? this.indexStatus;
  }

  /** Number of events. */
  get eventCount(): number {
    return this.store.cols.length;
  }

  /** First and last event times, in nanoseconds since the earliest recording start. */
  get timeRange(): { start: number; end: number } {
    const n = this.eventCount;
    if (n === 0) return { start: 0, end: 0 };
    if (this.store.timeRange) return { ...this.store.timeRange };
    const t = this.store.cols.time;
    return { start: t[0], end: t[n - 1] };
  }

  /** The event at `index`, decoded from its bytes in the file (kept in an LRU cache). */
  event(index: number): TraceEvent {
    this.checkIndex(index);
    const hit = this.cache.get(index);
    if (hit) return hit;
    const at = (column: CellName): number => this.cell(column, index);
    const bytes = this.source.read(at("file"), at("frameOff"), at("frameLen"));
    const raw = decodeEtf(bytes);
    let ev: TraceEvent;
    if (this.store.cell && !this.decodedInMemory()) {
      // From an index: the event's own fields, each read with its page, not whole columns.
      const one = { length: 1 } as Record<string, unknown>;
      for (const col of DECODED_COLUMNS) one[col] = [at(col)];
      ev = decodeEvent({ ...this.store, cols: one as unknown as EventColumns }, 0, raw);
      ev.index = index;
    } else ev = decodeEvent(this.store, index, raw);
    const ref = ev.kind === "receive" ? sentRef(raw) : undefined;
    if (ref !== undefined) {
      // Format 2: the message is the one written at its send, which the load paired with it.
      const send = this.store.ix.pair[index];
      resolveSent(ev, ref, send >= 0 ? this.event(send) : undefined);
    }
    const same =
      ev.kind === "call" || ev.kind === "return" || ev.kind === "state" ? sameRefs(raw) : undefined;
    if (same) {
      // Format 2: a large term its process wrote before, named by that event's seq (see `sameRow`).
      resolveSame(ev, same, (seq) => {
        const row = sameRow(this.store, index, seq);
        return row >= 0 ? this.event(row) : undefined;
      });
    }
    this.cache.set(index, ev);
    return ev;
  }

  /** Whether the columns `decodeEvent` reads are all in memory (a lazy one is a getter until read). */
  private decodedInMemory(): boolean {
    this.decodedColumnsRead ||= columnsInMemory(this.store.cols, DECODED_COLUMNS);
    return this.decodedColumnsRead;
  }

  /**
   * Reads the columns and indexes of a recording opened from its index into memory in the background
   * (a few pages per event-loop turn), so that no later request pays a whole column. Idempotent.
   */
  prefetch(): void {
    this.store.prefetch?.();
  }

  /** One value of a column: from memory, or (index-backed store) read with its page alone. */
  private cell(name: CellName, index: number): number {
    return cellOf(this.store, name, index);
  }

  /**
   * Several events at once, cheaper than one by one: nearby frames are read together. `keep: false`
   * reads without filling the cache (a query's answer, a page of line history or of the flow diagram:
   * handed over and dropped): such a batch would evict what stepping uses, and cached events live long
   * enough to be promoted to the old heap, which made collecting them cost 3–5× the decoding and
   * made the scavenge that copies them (into fresh old-heap pages) a ~27 ms pause on a slow VM.
   */
  events(indices: ArrayLike<number>, keep = true): TraceEvent[] {
    const out = new Array<TraceEvent>(indices.length);
    const missing: number[] = [];
    const where: number[] = [];
    for (let i = 0; i < indices.length; i++) {
      this.checkIndex(indices[i]);
      const hit = this.cache.get(indices[i]);
      if (hit) out[i] = hit;
      else {
        missing.push(indices[i]);
        where.push(i);
      }
    }
    const read = this.reader.read(missing);
    for (let k = 0; k < read.length; k++) {
      out[where[k]] = read[k];
      if (keep) this.cache.set(missing[k], read[k]);
    }
    return out;
  }

  /** Events `from` to `to - 1` in order, read in large blocks and not kept in the cache (export, logs). */
  streamEvents(from = 0, to = this.eventCount): Generator<TraceEvent> {
    if (from < to) {
      this.checkIndex(from);
      this.checkIndex(to - 1);
    }
    return this.reader.stream(from, to);
  }

  /**
   * The raw frames (ETF, version byte first) of events `from` to `to - 1` in order, read in large
   * blocks without decoding: `buf[start, end)` is valid only during the call (export transcodes them).
   */
  scanFrames(
    visit: (buf: Buffer, start: number, end: number, index: number) => void,
    from = 0,
    to = this.eventCount,
  ): void {
    if (from < to) {
      this.checkIndex(from);
      this.checkIndex(to - 1);
    }
    this.reader.scanFrames(from, to, visit);
  }

  /** Where event `index`'s frame (its term, version byte first) starts in its file, and its length. */
  frameAt(index: number): { offset: number; length: number } {
    this.checkIndex(index);
    return { offset: this.cell("frameOff", index), length: this.cell("frameLen", index) };
  }

  /** `frameAt(index).offset` alone: one page of one column when the index is on disk. */
  frameOffset(index: number): number {
    this.checkIndex(index);
    return this.cell("frameOff", index);
  }

  /** Frames of events `from`.. packed in a fresh buffer, up to `maxRows` / `maxBytes` (EventReader.frameChunk). */
  frameChunk(
    from: number,
    maxRows: number,
    maxBytes: number,
    into?: Buffer,
  ): { bytes: Buffer; bounds: Uint32Array; to: number } {
    this.checkIndex(from);
    return this.reader.frameChunk(from, this.eventCount, maxRows, maxBytes, into);
  }

  /**
   * The arguments of call events, decoded only at the positions `want` asks for (the others are left
   * as `[]` without being decoded), the frames read together: what classifying calls by a few
   * arguments costs, rather than decoding every argument (a GenServer's whole state) of each.
   */
  callArgs(calls: number[], want: (position: number) => boolean): Term[][] {
    const out = new Array<Term[]>(calls.length);
    const c = this.store.cols;
    for (const i of calls) {
      this.checkIndex(i);
      if (c.kind[i] !== KIND_CODES.call) throw new ReplayError(`event ${i} is not a call`);
    }
    const scan = new Scan();
    this.reader.visitFrames(calls, (buf, start, end, k) => {
      out[k] = partialArgs(scan, buf, start, end, want) ?? this.event(calls[k]).args ?? [];
    });
    return out;
  }

  /** Argument k's fingerprint column, read (whole, from the index) only when a condition tests that argument. */
  private static readonly fpColumns = [
    (c: EventColumns) => c.argFp0,
    (c: EventColumns) => c.argFp1,
    (c: EventColumns) => c.argFp2,
    (c: EventColumns) => c.argFp3,
  ];

  /** What argument tests learnt of calls, kept for every later condition (see columnFilter.ts). */
  private readonly argMemo: ArgMemo = new Map();

  /** What a condition pre-filter reads of events without decoding them (see columnFilter.ts). */
  columnSource(): ColumnSource {
    const c = this.store.cols;
    return {
      memo: this.argMemo,
      kindOf: (i) => this.kindOf(i),
      seqOf: (i) => c.seq[i],
      mfaOf: (i) => this.mfaOf(i),
      frameBytes: (i) => {
        this.checkIndex(i);
        return this.source.view(c.file[i], c.frameOff[i], c.frameLen[i]);
      },
      frameRange: (i, at) => {
        this.checkIndex(i);
        this.source.range(c.file[i], c.frameOff[i], c.frameLen[i], at);
      },
      argFingerprints: (k) => Replay.fpColumns[k](c),
    };
  }

  /** The event's kind, from the columns (no decoding). */
  kindOf(index: number): EventKind {
    this.checkIndex(index);
    return EVENT_KINDS[this.cell("kind", index)];
  }

  /**
   * Whether event `index` names an earlier event instead of carrying a term: a receive that names its
   * send, or a call, return or state that names a large term of its process (trace format 2; the
   * load keeps the reference as its aux term, which these kinds have no other use for).
   */
  refersToEarlier(index: number): boolean {
    this.checkIndex(index);
    return REFERRING_KINDS.includes(this.cell("kind", index)) && this.cell("aux", index) >= 0;
  }

  /** Whether any event names an earlier one (see `refersToEarlier`); computed once. */
  hasReferences(): boolean {
    if (this.anyRefs === undefined) {
      const c = this.store.cols;
      this.anyRefs = REFERRING_KINDS.some((k) => csrList(this.store.ix.byKind, k).some((r) => c.aux[r] >= 0));
    }
    return this.anyRefs;
  }

  private anyRefs: boolean | undefined;

  /** The event's recorded seq (per trace file), from the columns. */
  seqOf(index: number): number {
    this.checkIndex(index);
    return this.cell("seq", index);
  }

  /** The other process of a send, receive, spawn, link or unlink (its id), from the columns. */
  peerOf(index: number): number | undefined {
    this.checkIndex(index);
    const p = this.cell("peer", index);
    return p >= 0 ? p : undefined;
  }

  /**
   * The name a register event gave its process (an atom; `{:pg, group}` for a group), as kept at
   * load: no decoding. Undefined for other kinds (`unregister` included).
   */
  registeredNameOf(index: number): Term | undefined {
    this.checkIndex(index);
    if (this.cell("kind", index) !== KIND_CODES.register) return undefined;
    const aux = this.cell("aux", index);
    return this.store.tables.aux.term(aux);
  }

  /** The event's process id (`ProcessInfo.id`), from the columns. */
  pidOf(index: number): number {
    this.checkIndex(index);
    return this.cell("pid", index);
  }

  /** The event's time in nanoseconds since the recording began, from the columns. */
  timeOf(index: number): number {
    this.checkIndex(index);
    return this.cell("time", index);
  }

  /** The function of a call/return/exception (the callback of a state event), from the columns. */
  mfaOf(index: number): Mfa | undefined {
    this.checkIndex(index);
    const m = this.cell("mfa", index);
    return m >= 0 ? this.store.tables.mfas[m] : undefined;
  }

  /** Stack depth of the event's process at that event. */
  depthOf(index: number): number {
    this.checkIndex(index);
    return this.store.ix.depth[index];
  }

  /**
   * Turns a moment (index, recorded seq, or time) into an event index. A `{seq}` without `file` or
   * `node` in a several-node recording must be unique across the files, else the error names the nodes.
   * Throws `ReplayError` when the moment is not in this recording.
   */
  resolveMoment(m: Moment): number {
    const n = this.eventCount;
    if (n === 0) throw new ReplayError("the trace has no events");
    if (typeof m === "number") {
      this.checkIndex(m);
      return m;
    }
    if (m === null || typeof m !== "object")
      throw new ReplayError(`bad moment ${JSON.stringify(m)}: expected an index, {seq} or {time}`);
    if ("index" in m) return this.resolveMoment(m.index);
    if ("seq" in m) return this.resolveSeq(m.seq, m.file, m.node);
    if ("time" in m) return this.resolveTime(m.time, m.tie ?? 0);
    throw new ReplayError(`bad moment ${JSON.stringify(m)}: expected an index, {seq} or {time}`);
  }

  private resolveSeq(seq: number, file: number | undefined, node: string | undefined): number {
    if (typeof seq !== "number" || !Number.isInteger(seq))
      throw new ReplayError(`bad moment: seq ${String(seq)} is not an integer`);
    if (node !== undefined) {
      const f = this.files.findIndex((x) => x.node === node || x.node.startsWith(`${node}@`));
      if (f < 0)
        throw new ReplayError(
          `no loaded trace is of node ${node} (${this.files.map((x) => x.node).join(", ")})`,
        );
      if (file !== undefined && file !== f)
        throw new ReplayError(`bad moment: file ${file} is not of node ${node}`);
      file = f;
    }
    if (file !== undefined) {
      if (!Number.isInteger(file) || file < 0 || file >= this.files.length)
        throw new ReplayError(`bad moment: file ${file} is not one of the ${this.files.length} loaded files`);
      const row = this.seqRow(file, seq);
      if (row >= 0) return row;
      const rows = this.rowsBySeq(file);
      const seqs = this.store.cols.seq;
      const range = rows.length
        ? `${seqs[rows[0]]} to ${seqs[rows[rows.length - 1]]}`
        : "nowhere: it has none";
      throw new ReplayError(
        `no event with seq ${seq} in ${this.files[file].path} (its events run from seq ${range})`,
      );
    }
    if (this.files.length === 1) return this.resolveSeq(seq, 0, undefined);
    // Several nodes: a seq is only a moment when one file has it; guessing a file would move silently.
    const hits = this.files.map((_, f) => this.seqRow(f, seq)).filter((row) => row >= 0);
    if (hits.length === 1) return hits[0];
    const nodes = this.files.map((f) => f.node).join(", ");
    if (hits.length === 0)
      throw new ReplayError(`no event with seq ${seq} in any of the loaded traces (${nodes})`);
    throw new ReplayError(
      `seq ${seq} is in several loaded traces (${this.files
        .filter((_, f) => this.seqRow(f, seq) >= 0)
        .map((f) => f.node)
        .join(", ")}): name the node, as in seq:${seq}@${this.files[0].node}`,
    );
  }

  /** The row of `file` with recorded seq `seq`, or -1. */
  private seqRow(file: number, seq: number): number {
    const rows = this.rowsBySeq(file);
    const seqs = this.store.cols.seq;
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqs[rows[mid]] < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo < rows.length && seqs[rows[lo]] === seq ? rows[lo] : -1;
  }

  private resolveTime(time: number, tie: number): number {
    const { start, end } = this.timeRange;
    if (typeof time !== "number" || Number.isNaN(time) || time < start || time > end)
      throw new ReplayError(`time ${time} ns is outside the recording (${start} to ${end} ns)`);
    if (!Number.isInteger(tie) || tie < 0) throw new ReplayError(`bad moment: tie ${tie} is not a count`);
    // Events are in time order (the store sorts them at load), so the first at or after `time` is a bisection.
    const t = this.store.cols.time;
    const first = lowerBound(t, time, 0, this.eventCount);
    if (tie === 0) return first;
    if (first + tie < this.eventCount && t[first + tie] === t[first] && t[first] === time) return first + tie;
    let same = 0;
    while (first + same < this.eventCount && t[first + same] === time) same++;
    throw new ReplayError(`time ${time} ns has ${same} event${same === 1 ? "" : "s"}, so no #${tie}`);
  }

  /**
   * The event's time as displayed and typed back (`+1.234567ms`, `+1.234567ms#1` for the second event
   * at that very nanosecond): `resolveMoment(parseMoment(timeLabel(i)))` is `i` for every event.
   */
  timeLabel(index: number): string {
    this.checkIndex(index);
    // A binary search of single values: a label at launch need not read the whole time column.
    const time = this.cell("time", index);
    let lo = 0;
    let hi = index;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cell("time", mid) < time) lo = mid + 1;
      else hi = mid;
    }
    return formatTime(time, index - lo);
  }

  /** A file's event rows in recorded-seq order (time order may differ slightly: see the store). */
  private rowsBySeq(file: number): Int32Array {
    this.bySeq ??= [];
    let rows = this.bySeq[file];
    if (!rows) {
      this.byFile ??= buildCsr(this.store.cols.file, this.eventCount, this.files.length);
      const seqs = this.store.cols.seq;
      rows = csrList(this.byFile, file).slice();
      for (let i = 1; i < rows.length; i++)
        if (seqs[rows[i]] < seqs[rows[i - 1]]) {
          rows.sort((a, b) => seqs[a] - seqs[b]);
          break;
        }
      this.bySeq[file] = rows;
    }
    return rows;
  }

  /** A stable, shareable name for a moment: the recording's identity and the event's recorded seq. */
  positionOf(index: number): string {
    this.checkIndex(index);
    // Hashed once per file: a logpoint asks for the position of each line it prints.
    this.fileIds ??= this.files.map(fileIdentity);
    return `${this.fileIds[this.cell("file", index)]}@${this.cell("seq", index)}`;
  }

  private fileIds?: string[];

  /** The event a position from `positionOf` names; a `ReplayError` when it is of another recording. */
  parsePosition(text: string): number {
    const m = /^([0-9a-f]{8})@(\d+)$/.exec(text.trim());
    if (!m)
      throw new ReplayError(
        `bad position "${text}": expected the form 1a2b3c4d@120 (from "elixirscope/position")`,
      );
    const file = this.files.findIndex((f) => fileIdentity(f) === m[1]);
    if (file < 0)
      throw new ReplayError(
        `position "${text}" belongs to another recording than ${this.files.map((f) => f.path).join(", ")}`,
      );
    return this.resolveMoment({ seq: Number(m[2]), file });
  }

  // ── processes ──────────────────────────────────────────────────────────────

  /**
   * Every process, indexed by its id: `processes()[id].id === id`. The id (a number) is how the whole
   * API names a process — `TraceEvent.pid`, `peer`, flow ends, filters; `ProcessInfo.pid` is only the
   * display text (`<0.123.0>`). Frozen.
   */
  processes(): readonly ProcessInfo[] {
    return this.procs.list;
  }

  /** The process with this id; a `ReplayError` for an unknown id. */
  process(id: number): ProcessInfo {
    return this.procs.get(id);
  }

  /** A process by pid text (`<0.123.0>`, `#PID<0.123.0>`, `0.123.0`), registered name, server module, or id. */
  findProcess(spec: number | string): ProcessInfo {
    return this.procs.find(spec);
  }

  /** Processes spawned (or first seen) at or before the event and not yet exited. */
  processesAliveAt(index: number): ProcessInfo[] {
    this.checkIndex(index);
    return this.procs.aliveAt(index);
  }

  /** The name a process was registered under at that moment. */
  nameAt(pid: number, index: number): string | undefined {
    return this.procs.nameAt(pid, index);
  }

  /** The recorded module table: each module's source path and its functions' lines (frozen). */
  modules(): ModuleInfo[] {
    return [...this.store.tables.modules.values()];
  }

  /** A module's table entry, by atom name with or without `Elixir.`. */
  moduleInfo(module: string): ModuleInfo | undefined {
    return this.store.tables.modules.get(module) ?? this.store.tables.modules.get(`Elixir.${module}`);
  }

  /** Every function the recording has events of (frozen). */
  functions(): readonly Mfa[] {
    return this.store.tables.mfas;
  }

  // ── queries ────────────────────────────────────────────────────────────────

  /** The events a filter selects, decoded (see `EventFilter`; `explain` shows the index used). */
  getEvents(filter: EventFilter): TraceEvent[] {
    return this.events(this.query.rows(filter), false);
  }

  /** The event indices a filter selects, without decoding unless the filter has a predicate. */
  getEventIndices(filter: EventFilter): number[] {
    return this.query.rows(filter);
  }

  /** How many events a filter selects, its offset and limit aside, without listing them. */
  countEvents(filter: EventFilter): number {
    return this.query.count(filter);
  }

  /** Which index a filter would use and how many candidates it would scan. */
  explain(filter: EventFilter): QueryPlan {
    return this.query.explain(filter);
  }

  /** Events of each kind in the whole recording, from the kind index's offsets (no rows read). */
  kindCounts(): Record<EventKind, number> {
    const ix = this.store.ix.byKind;
    return Object.fromEntries(EVENT_KINDS.map((k) => [k, csrCount(ix, KIND_CODES[k])])) as Record<
      EventKind,
      number
    >;
  }

  // ── state ──────────────────────────────────────────────────────────────────

  /** The GenServer state of `pid` in force at a moment (the latest snapshot at or before it). */
  getStateAt(pid: number | string, at: Moment): StateAt | undefined {
    return this.states.at(this.findProcess(pid).id, this.resolveMoment(at));
  }

  /** Every moment the process's GenServer state was set, in order. */
  stateHistory(pid: number | string): StateChange[] {
    return this.states.history(this.findProcess(pid).id);
  }

  /** What differs between two terms, path by path. */
  diffStates(a: Term, b: Term): TermDiff[] {
    return diffTerms(a, b);
  }

  /** The latest moment before `before` at which the value at `path` in `pid`'s state was written (changed). */
  lastChange(pid: number | string, path: Term[], before: number): number | undefined {
    return this.states.lastChange(this.findProcess(pid).id, path, before);
  }

  // ── messages ───────────────────────────────────────────────────────────────

  /**
   * Messages from `from` to `to` (either may be omitted), each paired with its receive and latency,
   * in send order. With both given, `to`'s replies to `from`'s GenServer calls are included too.
   */
  getMessageFlow(
    from?: number | string,
    to?: number | string,
    opts: MessageFlowOptions = {},
  ): MessageFlowEntry[] {
    const f = from === undefined ? undefined : this.findProcess(from).id;
    const t = to === undefined ? undefined : this.findProcess(to).id;
    return this.flowIx.flow(f, t, opts);
  }

  /**
   * A page of the whole message flow in time order (by send, or by receive when no send was recorded),
   * or of the messages between `pids` (process ids): a `GenServer.call` and its reply are one `call`
   * item. Pass the page's `next` as `after` for the following page; `total` counts every item.
   */
  flowPage(opts: FlowPageOptions = {}): FlowPage {
    this.checkOpen();
    return this.flowPages.page(opts);
  }

  /**
   * The send of the reply to a `GenServer.call` send (the flow index's call/reply pairs, matched by the
   * call's tag from the columns: nothing is decoded), if one was recorded.
   */
  replyOf(send: number): number | undefined {
    this.checkIndex(send);
    return this.flowPages.replyOf(send);
  }

  /** The send/receive pair an event belongs to. */
  messageAt(index: number): MessageFlowEntry | undefined {
    this.checkIndex(index);
    return this.flowIx.at(index);
  }

  /**
   * What `pid` still had in its mailbox when the recording stopped: its length and first messages in
   * queue order (the footer's snapshot); undefined when the trace has none for it (older recorders,
   * a process that had ended).
   */
  mailboxAtEnd(pid: number | string): MailboxAtEnd | undefined {
    return this.flowIx.mailboxes.of(this.findProcess(pid).id);
  }

  // ── timeline ───────────────────────────────────────────────────────────────

  /** The process's call stack at an event, innermost frame first. */
  stackAt(index: number): StackFrame[] {
    this.checkIndex(index);
    const frames = this.timeline.stackAt(index);
    // An exception stands at the line that raised, not at its function's head.
    const raised = this.raiseLine(index);
    const top = frames[0];
    const mfa = this.mfaOf(index);
    if (
      raised !== undefined &&
      top?.location &&
      top.mfa &&
      mfa &&
      top.mfa.fun === mfa.fun &&
      top.mfa.module === mfa.module
    )
      frames[0] = { ...top, location: { file: top.location.file, line: raised } };
    return frames;
  }

  /** Where a debugger step in/over/out, forward or backward, lands in the event's process. */
  step(index: number, how: StepKind, dir: Direction): number | undefined {
    this.checkIndex(index);
    return this.timeline.step(index, how, dir);
  }

  /** The process's next (previous) event. */
  nextInProcess(index: number, dir: Direction): number | undefined {
    this.checkIndex(index);
    return this.timeline.nextInProcess(index, dir);
  }

  /** The first event strictly after (`forward`) or before `from` that hits any of the targets. */
  findNext(from: number, dir: Direction, targets: TimelineTarget[]): number | undefined {
    this.checkIndex(from);
    return this.search.findNext(from, dir, targets);
  }

  // ── source ─────────────────────────────────────────────────────────────────

  /**
   * The source line an event stands for (a call's site, else its function's definition; an
   * exception, the line that raised when its stacktrace is known); the path as recorded.
   */
  locationOf(index: number): SourceLocation | undefined {
    this.checkIndex(index);
    const at = this.correlator.locationOf(index);
    const raised = this.raiseLine(index);
    return raised !== undefined && at ? { file: at.file, line: raised } : at;
  }

  /**
   * The stacktrace of an exception or exit event: the exception's own, or the one its process's exit
   * carried when it exited with this very exception; undefined when the recording does not have it.
   */
  exceptionStack(index: number): Tuple[] | undefined {
    this.checkIndex(index);
    const e = this.event(index);
    if (e.kind === "exit") return stackOfExit(e.detail);
    if (e.kind !== "exception") return undefined;
    const p = this.process(e.pid);
    const exit = p.exitedAt !== undefined && p.exitedAt > index ? this.event(p.exitedAt) : undefined;
    return stackOfException(e, exit);
  }

  /**
   * The user's state inside a behaviour's wrapper struct (`%Stage{module: UserMod, state: ...}`),
   * with the wrapper's and the callback module's names; undefined when `state` wraps nothing.
   */
  userState(state: Term): WrappedState | undefined {
    return unwrapState(state, (m) => this.moduleInfo(m) !== undefined);
  }

  /** The line an exception event's function raised at, from its stacktrace. */
  private raiseLine(index: number): number | undefined {
    if (this.kindOf(index) !== "exception") return undefined;
    const stack = this.exceptionStack(index);
    const mfa = this.mfaOf(index);
    return stack && mfa ? lineIn(stack, mfa) : undefined;
  }

  /**
   * The clause a call ran (for a call, the return/exception closing it, or an event inside it): known
   * with its index, line and parameter names, or the candidate lines when the recording cannot tell.
   * Undefined outside any call or for a function the module table does not describe.
   */
  clauseOf(index: number): ClauseRan | undefined {
    this.checkIndex(index);
    return this.correlator.clauseOf(index);
  }

  /**
   * The source names of a call's arguments (`seat`, `customer`), from the clause heads: the clause
   * that ran, or when unknown a name every candidate clause gives that position; null where the
   * pattern binds no simple name (keep `args[N]` there).
   */
  paramNames(index: number): Array<string | null> | undefined {
    const ran = this.clauseOf(index);
    if (!ran) return undefined;
    if (ran.known) return ran.params;
    const fn = this.correlator.functionOf(index);
    const cands = (fn?.clauses ?? []).filter((c) => ran.candidates.includes(c.line)) ?? [];
    if (cands.length === 0) return undefined;
    return cands[0].params.map((p, k) => (cands.every((c) => c.params[k] === p) ? p : null));
  }

  /**
   * Options that make `inspect` print terms as the recorded program's Elixir did: charlists in that
   * version's form, structs as their `Inspect` printed them (definition order from the module table or
   * the footer's `structs`, derived-hidden fields hidden, the footer's `inspected` text for a struct
   * whose `Inspect` is its own). Leave them out for the raw view.
   */
  termStyle(): TermStyle {
    const v = /^(\d+)\.(\d+)/.exec(this.files[0]?.elixirVersion ?? "");
    const old = v !== null && (Number(v[1]) < 1 || (Number(v[1]) === 1 && Number(v[2]) < 15));
    this.recordedStructs ??= new RecordedStructs(this.files.map((f) => f.footer));
    const recorded = this.recordedStructs;
    return {
      charlistStyle: old ? "quotes" : "sigil",
      // A recorded module's frame, else the footer's layouts of the other loaded struct modules.
      structs: (m) => this.moduleInfo(m)?.struct ?? recorded.layout(m),
      inspected: (value, m) => recorded.text(value, m),
    };
  }

  /** Where a function is defined, from the recorded module table. */
  definitionOf(mfa: Mfa): SourceLocation | undefined {
    const id = this.store.tables.mfas.findIndex(
      (m) => m.module === mfa.module && m.fun === mfa.fun && m.arity === mfa.arity,
    );
    if (id >= 0) return this.correlator.definition(id);
    const mod = this.moduleInfo(mfa.module);
    const fn = mod?.functions.find((f) => f.name === mfa.fun && f.arity === mfa.arity);
    return mod && fn ? { file: mod.source, line: fn.line } : undefined;
  }

  /**
   * Every event of the functions defined at `file:line` and of the calls made from it, all kinds mixed
   * (for breakpoints); `file` matches by path suffix. For counts per kind use `lineCounts`.
   */
  eventsAt(file: string, line: number): number[] {
    return this.correlator.eventsAt(file, line).slice();
  }

  /** The calls among `eventsAt(file, line)`: where a line breakpoint or logpoint there stops. */
  callsAt(file: string, line: number): number[] {
    return Array.from(this.correlator.callsAt(file, line));
  }

  /** As `callsAt`, the list the recording keeps (no copy of a hot line's thousands): never to be changed. */
  sharedCallsAt(file: string, line: number): Int32Array {
    return this.correlator.callsAt(file, line);
  }

  /** Functions defined (or with a clause) at `file:line`; `file` matches by path suffix. */
  functionsAt(file: string, line: number): Mfa[] {
    return this.correlator.functionsAt(file, line);
  }

  /** Source files the recording has locations in. */
  sourceFiles(): string[] {
    return this.correlator.files();
  }

  /** Lines of `file` with events, for breakpoint verification; `file` matches by path suffix (see `recordedLines`). */
  linesWithEvents(file: string): number[] {
    return this.correlator.linesWithEvents(file);
  }

  // ── per-line history ───────────────────────────────────────────────────────

  /**
   * Source files as the trace recorded them (module table and call sites), slashes made forward and a
   * call site recorded relative to the project completed to the one module source it is the tail of.
   * These are the `file` arguments of `lineCounts`, `lineCalls` and `recordedLines`.
   */
  recordedFiles(): string[] {
    this.checkOpen();
    return this.lines.recordedFiles();
  }

  /** A recorded path as every view prints it: slashes forward, a relative call site completed to its module's source. */
  displayFile(file: string): string {
    this.checkOpen();
    return this.lines.canonical(file);
  }

  /**
   * The recorded file a workspace path stands for. `toLocal` maps a recorded path to this machine
   * (the debug adapter's path mapping); without it the path must be a recorded one already.
   * Undefined when no recorded file maps there.
   */
  recordedFileFor(localPath: string, toLocal?: (recorded: string) => string | undefined): string | undefined {
    this.checkOpen();
    return this.lines.recordedFileFor(localPath, toLocal);
  }

  /**
   * For each line of a recorded file that has events, ascending: calls of the functions defined (or
   * with a clause) there, calls made from there, returns and exceptions, each counted on its own.
   * `file` is matched exactly (see `recordedFiles`); an unknown file has no lines.
   */
  lineCounts(file: string): LineCounts[] {
    this.checkOpen();
    return this.lines.lineCounts(file);
  }

  /**
   * A page of the calls at `file:line` — calls of the functions defined there and calls made from
   * there, once each — newest first unless `order: "oldest"`, `limit` 20 by default, each paired with
   * its own return or exception (the call nesting `stackAt` and stepping use). `total` counts them all.
   */
  lineCalls(file: string, line: number, opts?: LineCallsOptions): { total: number; calls: CallRecord[] } {
    this.checkOpen();
    return this.lines.lineCalls(file, line, opts);
  }

  /**
   * A page of the recorded calls of one function (of one clause with `clause`), newest first unless
   * `order: "oldest"`, `limit` 10 by default, each paired with its own return or exception; only the
   * page is decoded. `total` counts every call under the filters. An unknown function has none.
   */
  functionCalls(mfa: Mfa, opts?: FunctionCallsOptions): { total: number; calls: FunctionCall[] } {
    this.checkOpen();
    return this.fnCalls.page(mfa, opts);
  }

  /** One call of `mfa` (its event index) decoded with its outcome; undefined when it is not a call of `mfa`. */
  functionCall(mfa: Mfa, call: number): FunctionCall | undefined {
    this.checkIndex(call);
    return this.fnCalls.record(mfa, call);
  }

  /** Counts, first/last times, last duration and callers of a function's calls, from the columns. */
  functionCallSummary(mfa: Mfa): FunctionCallSummary {
    this.checkOpen();
    return this.fnCalls.summary(mfa);
  }

  /** The event indices of a function's calls, ascending, without decoding (shared: do not modify). */
  functionCallIndices(mfa: Mfa): Int32Array {
    this.checkOpen();
    return this.fnCalls.indices(mfa);
  }

  /** Lines of a recorded file that have any events, ascending. */
  recordedLines(file: string): number[] {
    this.checkOpen();
    return this.lines.recordedLines(file);
  }

  // ── monitoring ─────────────────────────────────────────────────────────────

  /** Sizes, decoded-cache hits and per-index query figures. */
  stats(): ReplayStats {
    return {
      events: this.eventCount,
      processes: this.procs.list.length,
      functions: this.store.tables.mfas.length,
      decodedCacheSize: this.cache.size,
      decodedCacheHits: this.cache.hits,
      decodedCacheMisses: this.cache.misses,
      lineCallListsKept: this.lines.listsKept,
      queries: this.monitor.entries(),
      recent: this.monitor.recentQueries(),
    };
  }

  /** Releases the trace files and caches; later calls throw. Calling it again does nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.source.close();
    this.store.close?.();
    this.cache.clear();
  }

  private checkOpen(): void {
    if (this.closed) throw new ReplayError("this replay is closed");
  }

  private checkIndex(index: number): void {
    if (this.closed) throw new ReplayError("this replay is closed");
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= this.store.cols.length)
      throw new ReplayError(
        `event index ${String(index)} is out of range (this trace has events 0 to ${this.store.cols.length - 1})`,
      );
  }
}

function fileIdentity(f: TraceFileInfo): string {
  let h = 0x811c9dc5;
  for (const ch of `${f.node}|${f.startSystemTimeNs}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** The kinds whose aux term is a reference to an earlier event (see `Replay.refersToEarlier`). */
const REFERRING_KINDS: number[] = [KIND_CODES.receive, KIND_CODES.call, KIND_CODES.return, KIND_CODES.state];

/**
 * A call frame's arguments with only the wanted positions decoded, read straight from its bytes;
 * undefined when the frame is not the plain shape (then the whole event is decoded instead).
 */
function partialArgs(
  s: Scan,
  buf: Buffer,
  start: number,
  end: number,
  want: (position: number) => boolean,
): Term[] | undefined {
  try {
    s.reset(buf, etfBodyOffset(buf, start), end);
    if (s.peekTag() === COMPRESSED) return undefined;
    // A frame with references (trace format 2, a 9th element) is decoded whole and resolved.
    const arity = s.tupleArity();
    if (arity < 6 || arity > 8) return undefined;
    for (let i = 0; i < 5; i++) s.skip(); // tag, seq, time, pid, mfa
    if (s.peekTag() !== LIST_EXT) return undefined; // a charlist or [] : the decoding path
    const n = buf.readUInt32BE(s.pos + 1);
    s.pos += 5;
    const args: Term[] = [];
    for (let k = 0; k < n; k++) {
      if (want(k)) {
        // Decoded terms keep views of their bytes: decode a copy, never the reused read buffer.
        const e = skipTerm(buf, s.pos, end);
        args.push(decodeTerm(Buffer.from(buf.subarray(s.pos, e)), 0).term);
        s.pos = e;
      } else {
        s.skip();
        args.push([]);
      }
    }
    return s.peekTag() === NIL_EXT ? args : undefined;
  } catch {
    return undefined;
  }
}
