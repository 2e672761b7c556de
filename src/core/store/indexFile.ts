// The persistent index's file format: a loaded store (columns, indexes, tables, file infos, problems)
// as one little-endian binary file, so that a later open reads it back instead of re-parsing the trace.
// Layout: a head (magic, format, where the metadata is, its length and CRC), 8-aligned typed-array
// sections, the table of page sums, then the JSON metadata. Sections are checked per 4 KiB page
// (indexPages.ts; a section's page sums are read, and checked against their own sum in the metadata,
// with its first page). Sections are read when first used (touching fresh memory is the dominant cost
// of an open), or only the pages a look-up touches (one event's fields, one process's rows), and each
// is checked (sums, length, ids in range) first.

import { closeSync, fstatSync, openSync } from "node:fs";
import { crc32 } from "../crc32";
import { decodeEtf } from "../terms/decode";
import { encodeTerm } from "../terms/encode";
import { Atom, Pid, type Term } from "../terms/term";
import type { CallSite, LoadProblem, Mfa, ModuleInfo, ProcessInfo, TraceFileInfo } from "../types";
import { type Csr, derivedCsr, rareRowsOf } from "./csr";
import type { EventColumns } from "./columns";
import { COLUMN_TYPES, KIND_CODES, WIDE_TYPES } from "./columns";
import {
  type ColumnCoding,
  codedType,
  decodeCell,
  decodeColumn,
  decodedArray,
  decodePart,
  partsOf,
  encodeColumn,
  validCoding,
} from "./columnCodec";
import {
  DamagedPageError,
  PagedFile,
  type PagedSection,
  pageCount,
  pageSum,
  pageSums,
  paddedLength,
  type ReadAt,
  readInto,
} from "./indexPages";
import { type CellName, cellSection } from "./cells";
import { LazyTermTable } from "./termTable";
import type { StoreData, StoreIndexes } from "./store";

export const INDEX_MAGIC = Buffer.from("ESINDEX\0", "latin1");
/** Bumped whenever the layout or the meaning of a stored column changes: older files are rebuilt. */
export const INDEX_FORMAT = 15; // 4: cols.clause, module-table clauses and tail calls; 5: spawn aux, via names; 6: page sums; 7: per section; 8: cols.argFp0–3; 9: argFp as bytes; 10: narrow seq, frameOff, frameLen, clause; 11: process table by column; 12: metadata last, ids in 16 bits; 13: kind lists derived, no posInPid, match+pair one partner array, depth in 16 bits; 14: seq, file, time by rule, no msgHash, aux in 16 bits, clause in 8; 15: the kind index keeps its rare kinds' rows
/**
 * The head: magic, format (u32 at 8), the metadata's length (u32 at 12), its CRC-32 (u32 at 16) and
 * offset (f64 at 24). The metadata is last in the file, so its end is the file's.
 */
const HEAD = 32;
/** One-value reads of a column before it is read whole (each may read a 4 KiB page). */
const CELLS_BEFORE_WHOLE = 4096;
/**
 * Pages a background read (`prefetch`) reads at once: 64 KiB. Its check and copy into fresh memory
 * (page faults cost 20-70 µs each on this machine) land between requests: 512 KiB runs, three in
 * flight, made the requests during the prefetch wait 10-230 ms (load 5-8); 64 KiB, two, 1-13 ms.
 */
const PREFETCH_PAGES = 16;
/** Runs of pages the prefetch keeps in flight on the thread pool. */
const PREFETCH_IN_FLIGHT = 2;
/** Ids the prefetch checks per event-loop turn. */
const PREFETCH_CHECK = 1 << 16;
/**
 * Rows of a column stored by rule the prefetch decodes per turn: 128 KiB of times, ~32 new pages
 * (about a millisecond of page faults here), so that a request waits little behind a turn.
 */
const DECODE_PART = 1 << 14;
/**
 * The sections a debug session reads first (stepping, stacks, then events' fields), prefetched in
 * this order; the others follow in file order.
 */
const PREFETCH_FIRST = [
  "ix.depth",
  "cols.pid",
  "ix.byPid.offsets",
  "ix.byPid.rows",
  "cols.kind",
  "ix.partner",
  "ix.link",
  "cols.mfa",
  "cols.site",
  "cols.clause",
  "cols.file",
  "cols.frameOff",
  "cols.frameLen",
  "cols.seq",
  "cols.time",
  "cols.peer",
  "cols.aux",
];

/** What must still hold of a trace file for an index built from it to be trusted. */
export interface TraceFingerprint {
  size: number;
  mtimeMs: number;
  /** Hash of the file's first and last bytes (the header frame and the footer). */
  ends: string;
}

type Typed = Float64Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Uint8Array | Int8Array;
const CTORS = {
  Float64Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Uint8Array,
  Int8Array,
} as const;
type CtorName = keyof typeof CTORS;

interface Section {
  name: string;
  type: CtorName;
  offset: number;
  length: number;
  /** Index of its first page's sum in the table of sums. */
  page: number;
  /** The checksum of its page sums. */
  sums: number;
}

interface Meta {
  format: number;
  fingerprints: TraceFingerprint[];
  events: number;
  files: Array<Omit<TraceFileInfo, "header" | "footer" | "path">>;
  problems: Array<Omit<LoadProblem, "file" | "text"> & { fileIndex: number }>;
  pids: Array<[string, number, number, number, string]>;
  mfas: Mfa[];
  sites: CallSite[];
  modules: ModuleInfo[];
  /** Terms (headers, footers, aux) are ETF in the `terms` section; these count them. */
  auxCount: number;
  hasFooter: boolean[];
  csr: string[];
  /** First and last event times, so that an open need not read the time column to know them. */
  timeRange: { start: number; end: number };
  /** The process table, by column (see ProcessColumns). */
  processes?: ProcessColumns;
  /** Columns stored by rule (columnCodec.ts): those with no section, or whose section holds ticks. */
  codings: Record<string, ColumnCoding>;
  sections: Section[];
  /** The table of page sums (a Uint32Array). */
  sums: { offset: number; length: number };
}

/**
 * The process table as one array per field, process `i` being pid `i`: JSON.parse reads arrays of
 * numbers and strings several times faster than 640 objects of twelve keys (the table was 80 % of
 * the metadata, and parsing it ~10 % of a whole `elixirscope info` run). Absent numbers are -1,
 * absent strings null; the pid's text and node are the pid table's.
 */
interface ProcessColumns {
  label: string[];
  crashed: number[];
  firstEvent: number[];
  lastEvent: number[];
  eventCount: number[];
  parent: number[];
  spawnedAt: number[];
  exitedAt: number[];
  /** The exit reason's aux id. */
  exitAux: number[];
  name: Array<string | null>;
  module: Array<string | null>;
  /** Index into `calls`. */
  initialCall: number[];
  calls: Mfa[];
}

function processColumns(store: StoreData): ProcessColumns | undefined {
  const list = store.processes;
  if (!list) return undefined;
  const calls: Mfa[] = [];
  const callIds = new Map<string, number>();
  const callId = (m: Mfa | undefined): number => {
    if (!m) return -1;
    const key = `${m.module}\0${m.fun}\0${m.arity}`;
    let id = callIds.get(key);
    if (id === undefined)
      callIds.set(key, (id = calls.push({ module: m.module, fun: m.fun, arity: m.arity }) - 1));
    return id;
  };
  list.forEach((p, i) => {
    const pid = store.tables.pids[i];
    if (p.id !== i || p.pid !== pid?.text || p.node !== pid.node)
      throw new Error(`process ${i} is not pid ${i} of the pid table`);
  });
  const num = (f: (p: ProcessInfo) => number | undefined): number[] => list.map((p) => f(p) ?? -1);
  return {
    label: list.map((p) => p.label),
    crashed: list.map((p) => (p.crashed ? 1 : 0)),
    firstEvent: num((p) => p.firstEvent),
    lastEvent: num((p) => p.lastEvent),
    eventCount: num((p) => p.eventCount),
    parent: num((p) => p.parent),
    spawnedAt: num((p) => p.spawnedAt),
    exitedAt: num((p) => p.exitedAt),
    exitAux: num((p) => (p.exitedAt !== undefined ? store.cols.aux[p.exitedAt] : undefined)),
    name: list.map((p) => p.name ?? null),
    module: list.map((p) => p.module ?? null),
    initialCall: list.map((p) => callId(p.initialCall)),
    calls,
  };
}

/**
 * A pid table entry read from the index: its term is made when first asked for (writing an index,
 * moving a store to another thread). An open reads only the text and node: 640 pids' terms, their
 * atoms and the destructuring of their rows were ~0.2 MB of fresh memory at every `info`.
 */
class StoredPid {
  readonly node: string;
  readonly text: string;
  private made?: Pid;

  constructor(private readonly row: [string, number, number, number, string]) {
    this.node = row[0];
    this.text = row[4];
  }

  get term(): Pid {
    const r = this.row;
    return (this.made ??= new Pid(Atom.of(r[0]), r[1], r[2], r[3]));
  }
}

/** Where a process read from the index keeps its exit reason's aux id (not enumerable: not data). */
const EXIT_AUX = Symbol("exitAux");

/**
 * The process table back from its columns; an exit reason is decoded when first asked for (the aux
 * terms are, and keep what they decoded). Every exited process gets the same getter function, so
 * that V8 gives them one shape: a closure per process made each a shape of its own, ~1.5 KB of
 * fresh memory per crashed process at every open (the 1M trace: ~0.5 MB, its young-heap copies).
 */
function processList(
  c: ProcessColumns,
  pids: StoreData["tables"]["pids"],
  auxTerm: (id: number) => Term,
  auxCount: number,
): () => ProcessInfo[] {
  const n = pids.length;
  const fields = [
    c.label,
    c.crashed,
    c.firstEvent,
    c.lastEvent,
    c.eventCount,
    c.parent,
    c.spawnedAt,
    c.exitedAt,
    c.exitAux,
    c.name,
    c.module,
    c.initialCall,
  ];
  if (!Array.isArray(c.calls) || fields.some((f) => !Array.isArray(f) || f.length !== n))
    throw new IndexFileError("process table does not match the pid table");
  // The objects are made when the list is first asked for: an open that lists no process makes none.
  return () => processObjects(c, pids, auxTerm, auxCount);
}

function processObjects(
  c: ProcessColumns,
  pids: StoreData["tables"]["pids"],
  auxTerm: (id: number) => Term,
  auxCount: number,
): ProcessInfo[] {
  const n = pids.length;
  const exitReason = {
    get(this: { [EXIT_AUX]: number }): Term {
      return auxTerm(this[EXIT_AUX]);
    },
    enumerable: true,
  };
  const out: ProcessInfo[] = [];
  for (let i = 0; i < n; i++) {
    const p: ProcessInfo = {
      id: i,
      pid: pids[i].text,
      node: pids[i].node,
      label: c.label[i],
      crashed: c.crashed[i] === 1,
      firstEvent: c.firstEvent[i],
      lastEvent: c.lastEvent[i],
      eventCount: c.eventCount[i],
    };
    if (c.parent[i] >= 0) p.parent = c.parent[i];
    if (c.spawnedAt[i] >= 0) p.spawnedAt = c.spawnedAt[i];
    const call = c.initialCall[i];
    if (call >= 0) {
      if (call >= c.calls.length) throw new IndexFileError("process table refers to an id out of range");
      p.initialCall = c.calls[call];
    }
    if (c.name[i] !== null) p.name = c.name[i]!;
    if (c.module[i] !== null) p.module = c.module[i]!;
    if (c.exitedAt[i] >= 0) {
      p.exitedAt = c.exitedAt[i];
      const aux = c.exitAux[i];
      if (aux < -1 || aux >= auxCount) throw new IndexFileError("process table refers to an id out of range");
      if (aux >= 0) {
        Object.defineProperty(p, EXIT_AUX, { value: aux });
        Object.defineProperty(p, "exitReason", exitReason);
      }
    }
    out.push(p);
  }
  return out;
}

/** Bytes to write back to back from a file position. */
export interface IndexWrite {
  at: number;
  buffers: Buffer[];
}

/**
 * The columns a first open writes while it still builds the indexes: all but those the index build
 * sets (a send's or receive's peer, a tail call's site), and the time, written once the pairing is
 * done so that its ticks can take the message hashes' memory. The page sums of every section are
 * taken once the store is complete, so a column changed after its write would read back as damaged
 * (and be rebuilt), never as a wrong answer.
 */
const SET_BY_INDEX_BUILD = new Set(["peer", "site", "time"]);

/**
 * Lays the index file out as its parts become final: sections one after another from the head on,
 * then the table of page sums and the JSON metadata, and the head (which says where the metadata is)
 * last. The sections' places do not depend on the metadata, so a first open can write the columns
 * while it builds the indexes, and the rest while it sums the pages.
 */
export class IndexLayout {
  private at = HEAD;
  private readonly placed: Array<{ name: string; array: Typed; offset: number }> = [];
  /** Columns stored by rule (columnCodec.ts), by name. */
  private readonly codings: Record<string, ColumnCoding> = {};

  /**
   * The columns that will not change any more, placed: `only` those, or all but SET_BY_INDEX_BUILD.
   * `scratch`: memory no longer read (a column's whose work is done) that a coding may write into.
   */
  columns(cols: EventColumns, only?: string[], scratch?: Uint32Array): IndexWrite {
    return this.place(
      this.encode(
        cols,
        Object.keys(COLUMN_TYPES).filter((name) =>
          only ? only.includes(name) : !SET_BY_INDEX_BUILD.has(name),
        ),
        scratch,
      ),
    );
  }

  /** The sections of the columns `names` not placed or coded yet, each as it is or by its rule. */
  private encode(cols: EventColumns, names: string[], scratch?: Uint32Array): Array<[string, Typed]> {
    const done = new Set(this.placed.map((p) => p.name));
    const out: Array<[string, Typed]> = [];
    for (const name of names) {
      if (done.has(`cols.${name}`) || this.codings[name]) continue;
      const { coding, array } = encodeColumn(cols, name, colOf(cols, name), scratch);
      if (coding) this.codings[name] = coding;
      if (array) out.push([`cols.${name}`, array]);
    }
    return out;
  }

  /** Indexes (whole arrays, or lists as offsets and rows) that will not change any more, placed. */
  indexes(ix: Partial<StoreIndexes>): IndexWrite {
    return this.place(indexArrays(ix));
  }

  /** Every section of the store not placed yet (columns, indexes, terms), placed. */
  rest(store: StoreData): IndexWrite {
    const done = new Set(this.placed.map((p) => p.name));
    const arrays = this.encode(store.cols, Object.keys(COLUMN_TYPES));
    for (const entry of indexArrays(store.ix)) if (!done.has(entry[0])) arrays.push(entry);
    const terms: Term[] = [];
    for (const f of store.files) terms.push(f.header);
    for (const f of store.files) if (f.footer !== undefined) terms.push(f.footer);
    for (let i = 0; i < store.tables.aux.length; i++) terms.push(store.tables.aux.term(i)!);
    const encoded = terms.map((t) => encodeTerm(t));
    const termOffsets = new Uint32Array(encoded.length + 1);
    for (let i = 0; i < encoded.length; i++) termOffsets[i + 1] = termOffsets[i] + encoded[i].length;
    const termBytes = Buffer.concat(encoded);
    arrays.push(
      ["terms.offsets", termOffsets],
      ["terms.bytes", new Uint8Array(termBytes.buffer, termBytes.byteOffset, termBytes.length)],
    );
    return this.place(arrays);
  }

  /**
   * What completes the file once every section is placed: the table of page sums and the metadata
   * after the sections, and the head. Sums every section's pages (the arrays must be final).
   */
  tail(store: StoreData, fingerprints: TraceFingerprint[]): IndexWrite[] {
    const pageLists = this.placed.map((p) => pageSums(bytesOf(p.array)));
    const sums = new Uint32Array(pageLists.reduce((n, l) => n + l.length, 0));
    const sections: Section[] = [];
    for (let i = 0, page = 0; i < pageLists.length; page += pageLists[i++].length) {
      const { name, array, offset } = this.placed[i];
      sums.set(pageLists[i], page);
      sections.push({
        name,
        type: array.constructor.name as CtorName,
        offset,
        length: array.length,
        page,
        sums: pageSum(new Int32Array(pageLists[i].buffer), 0, pageLists[i].length),
      });
    }
    const sumsAt = this.at;
    const paths = store.files.map((f) => f.path);
    const meta: Meta = {
      format: INDEX_FORMAT,
      fingerprints,
      events: store.cols.length,
      files: store.files.map(({ header: _h, footer: _f, path: _p, ...rest }) => rest),
      problems: store.problems.map(({ file, text: _t, ...rest }) => ({
        ...rest,
        fileIndex: paths.indexOf(file),
      })),
      pids: store.tables.pids.map((p) => [p.node, p.term.id, p.term.serial, p.term.creation, p.text]),
      mfas: store.tables.mfas,
      sites: store.tables.sites,
      modules: [...store.tables.modules.values()],
      auxCount: store.tables.aux.length,
      hasFooter: store.files.map((f) => f.footer !== undefined),
      csr: Object.entries(store.ix)
        .filter(([, v]) => v !== undefined && !ArrayBuffer.isView(v) && !(v as Csr).list)
        .map(([name]) => name),
      timeRange: timeRangeOf(store),
      codings: this.codings,
      processes: processColumns(store),
      sections,
      sums: { offset: sumsAt, length: sums.length },
    };
    const json = Buffer.from(JSON.stringify(meta), "utf8");
    const metaAt = sumsAt + sums.byteLength;
    const head = Buffer.alloc(HEAD);
    INDEX_MAGIC.copy(head, 0);
    head.writeUInt32LE(INDEX_FORMAT, 8);
    head.writeUInt32LE(json.length, 12);
    head.writeUInt32LE(crc32(json) >>> 0, 16);
    head.writeDoubleLE(metaAt, 24);
    return [
      { at: sumsAt, buffers: [bytesOf(sums), json] },
      { at: 0, buffers: [head] },
    ];
  }

  /** Places sections back to back (8-aligned, zero-padded): one run of bytes. */
  private place(arrays: Array<[string, Typed]>): IndexWrite {
    const start = this.at;
    const buffers: Buffer[] = [];
    for (const [name, array] of arrays) {
      const offset = this.at;
      this.placed.push({ name, array, offset });
      buffers.push(bytesOf(array));
      this.at = align8(offset + array.byteLength);
      if (this.at > offset + array.byteLength)
        buffers.push(Buffer.alloc(this.at - offset - array.byteLength));
    }
    return { at: start, buffers };
  }
}

/**
 * Index sections by name: `ix.<name>` for an array, `ix.<name>.offsets` and `.rows` for a list, the
 * offsets and the rare keys' rows (`.rareRows`) for a list derived from a column (the kind's).
 * `match` and `pair` are `partner`.
 */
function indexArrays(ix: Partial<StoreIndexes>): Array<[string, Typed]> {
  const out: Array<[string, Typed]> = [];
  for (const [name, v] of Object.entries(ix) as Array<[string, Typed | Csr | undefined]>) {
    if (v === undefined || name === "match" || name === "pair") continue;
    if (ArrayBuffer.isView(v)) out.push([`ix.${name}`, v]);
    else if (v.list) out.push([`ix.${name}.offsets`, v.offsets], [`ix.${name}.rareRows`, rareRowsOf(v)]);
    else out.push([`ix.${name}.offsets`, v.offsets], [`ix.${name}.rows`, v.rows]);
  }
  return out;
}

/** Why an index file cannot be used. */
export class IndexFileError extends Error {}

/**
 * Opens a store over an index file. The head, metadata and terms are read and checked now; columns
 * and indexes are read (and checked) on first use, from a descriptor kept open until `close`.
 * `paths` are the traces as the caller named them now (they replace the stored ones in infos and
 * problem texts); `expected` their current fingerprints.
 */
export function openIndex(
  file: string,
  paths: string[],
  expected: TraceFingerprint[],
  readAt: ReadAt = readInto,
): StoreData {
  const fd = openSync(file, "r");
  try {
    return lazyStore(fd, file, paths, expected, readAt);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function lazyStore(
  fd: number,
  file: string,
  paths: string[],
  expected: TraceFingerprint[],
  readAt: ReadAt,
): StoreData {
  const size = fstatSync(fd).size;
  const head = readExactly(fd, 0, Math.min(HEAD, size));
  if (head.length < HEAD || !head.subarray(0, 8).equals(INDEX_MAGIC))
    throw new IndexFileError("not an ElixirScope index file");
  const format = head.readUInt32LE(8);
  if (format !== INDEX_FORMAT)
    throw new IndexFileError(`index format ${format}, this ElixirScope reads ${INDEX_FORMAT}`);
  const jsonLen = head.readUInt32LE(12);
  const metaAt = head.readDoubleLE(24);
  if (!Number.isSafeInteger(metaAt) || metaAt < HEAD || metaAt + jsonLen > size)
    throw new IndexFileError("truncated (metadata runs past the end)");
  if (metaAt + jsonLen !== size) throw new IndexFileError(`truncated (${size} of ${metaAt + jsonLen} bytes)`);
  const json = readExactly(fd, metaAt, jsonLen);
  if (crc32(json) >>> 0 !== head.readUInt32LE(16))
    throw new IndexFileError("metadata checksum mismatch (damaged)");
  let meta: Meta;
  try {
    meta = JSON.parse(json.toString("utf8")) as Meta;
  } catch {
    throw new IndexFileError("metadata is not JSON");
  }
  if (!sameFingerprints(meta.fingerprints, expected))
    throw new IndexFileError("stale: the trace changed since the index was built");
  if (meta.files.length !== paths.length) throw new IndexFileError("built for another set of traces");

  const n = meta.events;
  const sums = sumsTable(meta.sums, HEAD, metaAt);
  const sections = new Map<string, Section & PagedSection>();
  for (const s of meta.sections) {
    const Ctor = CTORS[s.type];
    if (!Ctor) throw new IndexFileError(`unknown section type ${s.type}`);
    const bytes = s.length * Ctor.BYTES_PER_ELEMENT;
    if (
      s.offset % 8 !== 0 ||
      s.offset < HEAD ||
      s.offset + paddedLength(bytes) > sums.offset ||
      !Number.isInteger(s.page) ||
      s.page < 0 ||
      s.page + pageCount(bytes) > sums.length ||
      !Number.isInteger(s.sums)
    )
      throw new IndexFileError(`section ${s.name} is out of bounds`);
    sections.set(s.name, { ...s, bytes });
  }
  const limits = {
    pids: meta.pids.length,
    mfas: meta.mfas.length,
    sites: meta.sites.length,
    aux: meta.auxCount,
    files: paths.length,
    events: n,
  };
  const paged = new PagedFile(fd, sums.offset, readAt);
  let closed = false;
  const section = (name: string): Section & PagedSection => {
    const s = sections.get(name);
    if (!s) throw new IndexFileError(`${file}: section ${name} is missing`);
    if (closed) throw new IndexFileError(`${file}: read after the replay was closed`);
    return s;
  };
  const damaged = (e: unknown): never => {
    if (e instanceof DamagedPageError)
      throw new IndexFileError(`${file}: ${e.message}; delete the file to rebuild it`);
    throw e;
  };
  /** Sections whose ids the prefetch has checked already, a part per event-loop turn. */
  const checked = new Set<string>();
  /** Sections read whole: their values are read from memory from then on. */
  const whole = new Set<string>();
  const read = (name: string, length?: number): Typed => {
    const s = section(name);
    if (length !== undefined && s.length !== length)
      throw new IndexFileError(`${file}: section ${name} has ${s.length} entries, expected ${length}`);
    let buf: ArrayBuffer;
    try {
      // One ArrayBuffer per section: offset 0, so every typed view is aligned.
      buf = paged.whole(s);
    } catch (e) {
      return damaged(e);
    }
    const a = new CTORS[s.type](buf, 0, s.length);
    if (!checked.has(name)) checkSection(name, a, limits, file);
    whole.add(name);
    return a;
  };

  const cols = { length: n } as EventColumns;
  const codings = new Map<string, ColumnCoding>();
  for (const [name, c] of Object.entries(meta.codings ?? {})) {
    if (!Object.hasOwn(COLUMN_TYPES, name) || !validCoding(name, c))
      throw new IndexFileError(`column ${name} is stored by a rule this version does not read`);
    codings.set(name, c);
  }
  for (const name of Object.keys(COLUMN_TYPES)) {
    const type = sections.get(`cols.${name}`)?.type;
    const coding = codings.get(name);
    const wide = (WIDE_TYPES as Record<string, { name: string } | undefined>)[name];
    if (
      coding
        ? type !== codedType(coding)
        : type !== COLUMN_TYPES[name as keyof typeof COLUMN_TYPES].name && type !== wide?.name
    )
      throw new IndexFileError(`section cols.${name} is missing or of the wrong type`);
    if (coding?.rule === "dropped")
      lazy(cols, name, () => {
        throw new IndexFileError(
          `${file}: cols.${name} is read only while a trace is parsed, not from its index`,
        );
      });
    else if (coding) {
      lazy(cols, name, () => {
        const length = coding.rule === "ticks" ? n : undefined;
        let a: Typed;
        try {
          a = decodeColumn(coding, n, () => read(`cols.${name}`, length));
        } catch (e) {
          if (e instanceof RangeError)
            throw new IndexFileError(`${file}: cols.${name} is malformed: ${e.message}`);
          throw e;
        }
        whole.add(`cols.${name}`);
        return a;
      });
    } else lazy(cols, name, () => read(`cols.${name}`, n));
  }
  const ix = {} as Record<string, unknown>;
  /** A section's array in memory (read whole on first use), by section name. */
  const inMemory = (name: string): Typed => {
    const [, group, key, part] = /^(cols|ix)\.(\w+)(?:\.(\w+))?$/.exec(name) ?? [];
    const owner = (group === "cols" ? cols : ix) as Record<string, unknown>;
    const v = owner[key];
    return (part ? (v as Record<string, unknown>)[part] : v) as Typed;
  };
  // One value without the whole column, until so many were asked for that reading it whole is cheaper.
  interface Cells {
    s: Section & PagedSection;
    /** A view of the section's buffer: valid where its pages were read. */
    view: Typed;
    asked: number;
    range: [number, number] | undefined;
  }
  const cells = new Map<string, Cells>();
  const cell = (cellName: CellName, row: number): number => {
    const coding = cellName.startsWith("ix.") ? undefined : codings.get(cellName);
    // A sparse column's rows are not at their places in its section: it is read whole.
    if (coding?.rule === "sparse") return (cols as unknown as Record<string, Typed>)[cellName][row];
    if (coding && coding.rule !== "ticks")
      return row >= 0 && row < n ? decodeCell(coding, row, () => 0) : NaN;
    const raw = rawCell(cellSection(cellName), row);
    return coding ? decodeCell(coding, row, () => raw) : raw;
  };
  /** One value of a section as it is stored. */
  const rawCell = (name: string, row: number): number => {
    let c = cells.get(name);
    if (!c) {
      const s = section(name);
      let buf: ArrayBuffer;
      try {
        buf = paged.range(s, 0, 0);
      } catch (e) {
        return damaged(e);
      }
      c = { s, view: new CTORS[s.type](buf, 0, s.length), asked: 0, range: rangeOf(name, limits) };
      cells.set(name, c);
    }
    if (whole.has(name) || !(row >= 0 && row < n)) return c.view[row];
    if (++c.asked > CELLS_BEFORE_WHOLE) {
      const a = inMemory(name);
      // A coded column's memory holds its values decoded; the view, its section (read whole with it).
      return name.startsWith("cols.") && codings.has(name.slice(5)) ? c.view[row] : a[row];
    }
    const at = row * c.view.BYTES_PER_ELEMENT;
    try {
      paged.range(c.s, at, at + 1);
    } catch (e) {
      return damaged(e);
    }
    const v = c.view[row];
    if (c.range && (v < c.range[0] || v >= c.range[1]))
      throw new IndexFileError(`${file}: ${name} holds an id out of range at ${row}`);
    return v;
  };
  let prefetching = false;
  /**
   * Reads the sections in the background: the thread pool reads a run of pages, this thread checks
   * them (a fraction of a millisecond per run) between requests, so that no request pays a whole read.
   */
  const prefetch = (): void => {
    if (prefetching) return;
    prefetching = true;
    const prefetched: string[] = [
      ...PREFETCH_FIRST.filter((name) => sections.has(name)),
      // Not the argument fingerprints: only a breakpoint condition on that argument reads them.
      ...meta.sections
        .map((x) => x.name)
        .filter(
          (x) =>
            (x.startsWith("cols.") || x.startsWith("ix.")) &&
            !x.startsWith("cols.argFp") &&
            !PREFETCH_FIRST.includes(x),
        ),
    ];
    let inFlight = 0;
    let failed = false;
    /** Checks a complete section's ids a part per turn, then puts it in place. */
    const install = (s: Section & PagedSection): void => {
      const a = new CTORS[s.type](paged.whole(s), 0, s.length);
      const check = (from: number): void => {
        if (closed || whole.has(s.name)) return;
        const to = Math.min(a.length, from + PREFETCH_CHECK);
        try {
          checkSection(s.name, a, limits, file, from, to);
        } catch {
          // Damaged: the request that needs the section will say so.
          return;
        }
        if (to < a.length) return void setImmediate(check, to);
        checked.add(s.name);
        const coded = s.name.startsWith("cols.") ? s.name.slice(5) : undefined;
        const coding = coded === undefined ? undefined : codings.get(coded);
        if (coded !== undefined && coding) {
          whole.add(s.name);
          decodeInParts(coded, coding, a);
        } else inMemory(s.name);
      };
      check(0);
    };
    /**
     * Decodes a column stored by rule into its own memory a part per turn (`raw`: its section, read
     * and checked), then puts it in place, unless a request read it meanwhile.
     */
    const decodeInParts = (name: string, coding: ColumnCoding, raw: Typed | undefined): void => {
      const out = decodedArray(coding, n);
      const parts = partsOf(coding, n);
      const step = (from: number): void => {
        if (closed || Object.getOwnPropertyDescriptor(cols, name)?.get === undefined) return;
        const to = Math.min(parts, from + DECODE_PART);
        try {
          decodePart(coding, out, raw, from, to);
        } catch {
          // Damaged: the request that reads the column will say so.
          return;
        }
        if (to < parts) return void setImmediate(step, to);
        Object.defineProperty(cols, name, {
          value: out,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      };
      step(0);
    };
    // Columns stored by rule with no section (seq as row + base, one file's zeros) are decoded from
    // the start; those with one (times as ticks, reply tags sparse) once their section is read.
    for (const [name, coding] of codings)
      if (coding.rule === "rows" || coding.rule === "zeros") decodeInParts(name, coding, undefined);
    /** Keeps a few runs of pages in flight on the thread pool, sections in `prefetched` order. */
    const pump = (): void => {
      while (!closed && !failed && inFlight < PREFETCH_IN_FLIGHT) {
        while (prefetched.length > 0 && (whole.has(prefetched[0]) || paged.aheadDone(section(prefetched[0]))))
          prefetched.shift();
        if (prefetched.length === 0) return;
        const s = section(prefetched[0]);
        inFlight++;
        paged.readAhead(s, PREFETCH_PAGES, (e) => {
          inFlight--;
          // A damaged page: the request that needs it will say so; stop reading ahead.
          if (e) failed = true;
          if (closed || failed) return;
          if (paged.complete(s) && !whole.has(s.name)) install(s);
          pump();
        });
      }
    };
    pump();
  };
  for (const s of meta.sections) {
    const m = /^ix\.(\w+)$/.exec(s.name);
    if (m) lazy(ix, m[1], () => read(s.name, n));
  }
  lazy(ix, "match", () => ix.partner);
  lazy(ix, "pair", () => ix.partner);
  // The kind index is its offsets and its rare kinds' rows; a common kind's rows are found in the
  // kind column when first asked for.
  lazy(ix, "byKind", () => {
    const offsets = read("ix.byKind.offsets", KIND_CODES.unknown + 2) as Int32Array;
    if (offsets[0] !== 0 || offsets[offsets.length - 1] !== n)
      throw new IndexFileError(`${file}: index byKind is malformed`);
    return derivedCsr(
      offsets,
      () => cols.kind,
      () => {
        throw new IndexFileError(`${file}: index byKind does not match the kind column`);
      },
      () => read("ix.byKind.rareRows") as Int32Array,
    );
  });
  for (const name of meta.csr) {
    const csr = {} as Csr;
    const rowsName = `ix.${name}.rows`;
    lazy(csr, "offsets", () => read(`ix.${name}.offsets`));
    lazy(csr, "rows", () => read(rowsName));
    // A few keys' rows are read alone; once half the section was read so, it is read whole.
    let partly = 0;
    csr.slice = (from: number, to: number): Int32Array => {
      const s = section(rowsName);
      if (!(from >= 0 && from <= to && to <= s.length))
        throw new IndexFileError(`${file}: index ${name} is malformed`);
      partly += to - from;
      if (whole.has(rowsName) || partly > s.length / 2) return csr.rows.subarray(from, to);
      let buf: ArrayBuffer;
      try {
        buf = paged.range(s, from * 4, to * 4);
      } catch (e) {
        return damaged(e);
      }
      const a = new Int32Array(buf, from * 4, to - from);
      checkSection(rowsName, a, limits, file);
      return a;
    };
    ix[name] = csr;
  }
  for (const name of ["byPid", "byMfa", "bySite", "byStateOwner"])
    if (!meta.csr.includes(name)) throw new IndexFileError(`index ${name} is missing`);
  for (const name of ["link", "partner", "depth", "byKind.offsets", "byKind.rareRows"])
    if (!sections.has(`ix.${name}`)) throw new IndexFileError(`index ${name} is missing`);

  const termOffsets = read("terms.offsets") as Uint32Array;
  const termBytes = read("terms.bytes") as Uint8Array;
  const term = (i: number): Term => {
    if (
      i + 1 >= termOffsets.length ||
      termOffsets[i] > termOffsets[i + 1] ||
      termOffsets[i + 1] > termBytes.length
    )
      throw new IndexFileError("term table is out of bounds");
    return decodeEtf(termBytes.subarray(termOffsets[i], termOffsets[i + 1]));
  };
  let t = 0;
  const headers = paths.map(() => term(t++));
  const footers = meta.hasFooter.map((has) => (has ? term(t++) : undefined));
  // Decoded when first read: an open that reads none (info, a launch) saves ~0.1 ms per term.
  const auxFirst = t;
  const aux = new LazyTermTable(meta.auxCount, (id) => term(auxFirst + id));

  const pids = meta.pids.map((p) => new StoredPid(p));
  const files: TraceFileInfo[] = meta.files.map((f, i) => ({
    ...f,
    path: paths[i],
    header: headers[i],
    ...(footers[i] !== undefined ? { footer: footers[i] } : {}),
  }));
  const problems: LoadProblem[] = meta.problems.map(({ fileIndex, ...p }) => {
    const f = paths[fileIndex] ?? paths[0];
    return { file: f, ...p, text: `${f}:frame ${p.frame} (byte offset ${p.offset}): ${p.message}` };
  });
  const processes = meta.processes && processList(meta.processes, pids, (id) => aux.term(id)!, aux.length);
  let processObjectsMade: ProcessInfo[] | undefined;
  return {
    files,
    problems,
    cols,
    cell,
    prefetch,
    tables: {
      pids,
      mfas: meta.mfas,
      sites: meta.sites,
      aux,
      modules: new Map(meta.modules.map((m) => [m.module, m])),
    },
    ix: ix as unknown as StoreIndexes,
    timeRange: meta.timeRange,
    get processes() {
      return processes && (processObjectsMade ??= processes());
    },
    close: () => {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}

function timeRangeOf(s: StoreData): { start: number; end: number } {
  const n = s.cols.length;
  if (n === 0) return { start: 0, end: 0 };
  const t = s.cols.time;
  return { start: t[0], end: t[n - 1] };
}

/** Defines `obj[key]` as read on first access, then kept as a plain property. */
function lazy(obj: object, key: string, load: () => unknown): void {
  Object.defineProperty(obj, key, {
    configurable: true,
    enumerable: true,
    get() {
      const value = load();
      Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
      return value;
    },
  });
}

/**
 * The ids the engine indexes tables with must be in range, or a damaged-but-checksummed (or forged)
 * file could make later look-ups read past a table. One pass over the section just read.
 */
interface Limits {
  pids: number;
  mfas: number;
  sites: number;
  aux: number;
  files: number;
  events: number;
}

function checkSection(name: string, a: Typed, lim: Limits, file: string, from = 0, to = a.length): void {
  let r = rangeOf(name, lim);
  if (!r && name.endsWith(".rows")) r = [0, lim.events];
  if (!r && name.endsWith(".offsets") && name.startsWith("ix.")) {
    for (let k = from; k < to; k++)
      if (a[k] < (k > 0 ? a[k - 1] : 0)) throw new IndexFileError(`${file}: index ${name} is malformed`);
    return;
  }
  if (!r) return;
  const bad = outOfRange(a, r[0], r[1], from, to);
  if (bad >= 0) throw new IndexFileError(`${file}: ${name} holds an id out of range at ${bad}`);
}

/**
 * The first index in [from, to) whose value is outside [lo, hi), or -1. One loop per array type:
 * a loop over every type at once does a polymorphic element load per value, ~25 ns each (125 ms for
 * the 5M kind column a logpoint reads), ~10× the monomorphic loop's.
 */
function outOfRange(a: Typed, lo: number, hi: number, from: number, to: number): number {
  if (a instanceof Int32Array) return outOfRangeI32(a, lo, hi, from, to);
  if (a instanceof Uint8Array) return outOfRangeU8(a, lo, hi, from, to);
  if (a instanceof Int16Array) return outOfRangeI16(a, lo, hi, from, to);
  for (let i = from; i < to; i++) if (a[i] < lo || a[i] >= hi) return i;
  return -1;
}

function outOfRangeI32(a: Int32Array, lo: number, hi: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (a[i] < lo || a[i] >= hi) return i;
  return -1;
}

function outOfRangeU8(a: Uint8Array, lo: number, hi: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (a[i] < lo || a[i] >= hi) return i;
  return -1;
}

function outOfRangeI16(a: Int16Array, lo: number, hi: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (a[i] < lo || a[i] >= hi) return i;
  return -1;
}

/** The range the values of a column of ids must lie in, or undefined for other sections. */
function rangeOf(name: string, lim: Limits): [number, number] | undefined {
  const range: Record<string, [number, number]> = {
    "cols.pid": [0, lim.pids],
    "cols.peer": [-1, lim.pids],
    "cols.mfa": [-1, lim.mfas],
    "cols.site": [-1, lim.sites],
    "cols.aux": [-1, lim.aux],
    "cols.file": [0, lim.files],
    "cols.kind": [0, KIND_CODES.unknown + 1],
    "ix.link": [-1, lim.events],
    "ix.partner": [-1, lim.events],
    "ix.byKind.rareRows": [0, lim.events],
  };
  return Object.hasOwn(range, name) ? range[name] : undefined;
}

function readExactly(fd: number, at: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  try {
    readInto(fd, b, at);
  } catch {
    throw new IndexFileError("truncated");
  }
  return b;
}

/** Where the table of page sums is (between the sections and the metadata); its entries are read with their sections. */
function sumsTable(
  m: { offset: number; length: number } | undefined,
  after: number,
  size: number,
): { offset: number; length: number } {
  if (
    !m ||
    !Number.isInteger(m.offset) ||
    !Number.isInteger(m.length) ||
    m.offset % 8 !== 0 ||
    m.offset < after ||
    m.length < 0 ||
    m.offset + m.length * 4 > size
  )
    throw new IndexFileError("the table of page sums is out of bounds");
  return m;
}

function bytesOf(a: Typed): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function sameFingerprints(a: TraceFingerprint[] | undefined, b: TraceFingerprint[]): boolean {
  return (
    Array.isArray(a) &&
    a.length === b.length &&
    a.every((x, i) => x.size === b[i].size && x.mtimeMs === b[i].mtimeMs && x.ends === b[i].ends)
  );
}

function colOf(cols: EventColumns, name: string): Typed {
  const a = (cols as unknown as Record<string, Typed>)[name];
  // Only the used rows are stored; the arrays may still have spare capacity.
  return a.length === cols.length ? a : a.subarray(0, cols.length);
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
