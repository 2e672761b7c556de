// The persistent index's file format: a loaded store (columns, indexes, tables, file infos, problems)
// as one little-endian binary file, so that a later open reads it back instead of re-parsing the trace.
// Layout: a head (magic, format, metadata length and CRC), JSON metadata, then 8-aligned typed-array
// sections, each with its own CRC-32. Sections are read when first used (touching fresh memory is the
// dominant cost of an open), and each is checked (checksum, length, ids in range) before it is used.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { crc32 } from "node:zlib";
import { decodeEtf } from "../terms/decode";
import { encodeTerm } from "../terms/encode";
import { Atom, Pid, type Term } from "../terms/term";
import type { CallSite, LoadProblem, Mfa, ModuleInfo, ProcessInfo, TraceFileInfo } from "../types";
import type { Csr } from "./csr";
import type { EventColumns } from "./columns";
import { COLUMN_TYPES, KIND_CODES } from "./columns";
import type { StoreData, StoreIndexes } from "./store";

export const INDEX_MAGIC = Buffer.from("ESINDEX\0", "latin1");
/** Bumped whenever the layout or the meaning of a stored column changes: older files are rebuilt. */
export const INDEX_FORMAT = 5; // 4: cols.clause, module-table clauses and tail calls; 5: spawn aux, via names
const HEAD = 24;

/** What must still hold of a trace file for an index built from it to be trusted. */
export interface TraceFingerprint {
  size: number;
  mtimeMs: number;
  /** Hash of the file's first and last bytes (the header frame and the footer). */
  ends: string;
}

type Typed = Float64Array | Int32Array | Uint32Array | Uint8Array;
const CTORS = { Float64Array, Int32Array, Uint32Array, Uint8Array } as const;
type CtorName = keyof typeof CTORS;

interface Section {
  name: string;
  type: CtorName;
  offset: number;
  length: number;
  crc: number;
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
  /** The process table; an exit reason is stored as its aux id. */
  processes?: Array<Omit<ProcessInfo, "exitReason"> & { exitAux?: number }>;
  sections: Section[];
  total: number;
}

export function encodeIndex(store: StoreData, fingerprints: TraceFingerprint[]): Buffer[] {
  const arrays: Array<[string, Typed]> = [];
  for (const name of Object.keys(COLUMN_TYPES)) arrays.push([`cols.${name}`, colOf(store.cols, name)]);
  const csr: string[] = [];
  for (const [name, v] of Object.entries(store.ix) as Array<[string, Typed | Csr | undefined]>) {
    if (v === undefined) continue;
    if (ArrayBuffer.isView(v)) arrays.push([`ix.${name}`, v]);
    else {
      csr.push(name);
      arrays.push([`ix.${name}.offsets`, v.offsets], [`ix.${name}.rows`, v.rows]);
    }
  }
  const terms: Term[] = [];
  for (const f of store.files) terms.push(f.header);
  for (const f of store.files) if (f.footer !== undefined) terms.push(f.footer);
  terms.push(...store.tables.aux);
  const encoded = terms.map((t) => encodeTerm(t));
  const termOffsets = new Uint32Array(encoded.length + 1);
  for (let i = 0; i < encoded.length; i++) termOffsets[i + 1] = termOffsets[i] + encoded[i].length;
  const termBytes = Buffer.concat(encoded);
  arrays.push(
    ["terms.offsets", termOffsets],
    ["terms.bytes", new Uint8Array(termBytes.buffer, termBytes.byteOffset, termBytes.length)],
  );

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
    csr,
    timeRange: timeRangeOf(store),
    processes: store.processes?.map(({ exitReason: _r, ...p }) => ({
      ...p,
      ...(p.exitedAt !== undefined ? { exitAux: store.cols.aux[p.exitedAt] } : {}),
    })),
    sections: [],
    total: 0,
  };
  // Section offsets depend on the JSON's length and the JSON holds them: lay out, then re-measure
  // until stable (numbers only grow in digits, so two or three rounds settle it).
  let json = Buffer.alloc(0);
  for (let round = 0; round < 8; round++) {
    let at = align8(HEAD + json.length);
    meta.sections = arrays.map(([name, a]) => {
      const s: Section = {
        name,
        type: a.constructor.name as CtorName,
        offset: at,
        length: a.length,
        crc: crc32(bytesOf(a)) >>> 0,
      };
      at = align8(at + a.byteLength);
      return s;
    });
    meta.total = at;
    const next = Buffer.from(JSON.stringify(meta), "utf8");
    if (next.length === json.length) {
      json = next;
      break;
    }
    json = next;
  }
  const head = Buffer.alloc(HEAD);
  INDEX_MAGIC.copy(head, 0);
  head.writeUInt32LE(INDEX_FORMAT, 8);
  head.writeUInt32LE(json.length, 12);
  head.writeUInt32LE(crc32(json) >>> 0, 16);
  const out: Buffer[] = [head, json];
  let pos = HEAD + json.length;
  for (let i = 0; i < arrays.length; i++) {
    const s = meta.sections[i];
    if (s.offset > pos) out.push(Buffer.alloc(s.offset - pos));
    const a = arrays[i][1];
    out.push(bytesOf(a));
    pos = s.offset + a.byteLength;
  }
  if (meta.total > pos) out.push(Buffer.alloc(meta.total - pos));
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
export function openIndex(file: string, paths: string[], expected: TraceFingerprint[]): StoreData {
  const fd = openSync(file, "r");
  try {
    return lazyStore(fd, file, paths, expected);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function lazyStore(fd: number, file: string, paths: string[], expected: TraceFingerprint[]): StoreData {
  const size = fstatSync(fd).size;
  const head = readExactly(fd, 0, Math.min(HEAD, size));
  if (head.length < HEAD || !head.subarray(0, 8).equals(INDEX_MAGIC))
    throw new IndexFileError("not an ElixirScope index file");
  const format = head.readUInt32LE(8);
  if (format !== INDEX_FORMAT)
    throw new IndexFileError(`index format ${format}, this ElixirScope reads ${INDEX_FORMAT}`);
  const jsonLen = head.readUInt32LE(12);
  if (HEAD + jsonLen > size) throw new IndexFileError("truncated (metadata runs past the end)");
  const json = readExactly(fd, HEAD, jsonLen);
  if (crc32(json) >>> 0 !== head.readUInt32LE(16))
    throw new IndexFileError("metadata checksum mismatch (damaged)");
  let meta: Meta;
  try {
    meta = JSON.parse(json.toString("utf8")) as Meta;
  } catch {
    throw new IndexFileError("metadata is not JSON");
  }
  if (meta.total !== size) throw new IndexFileError(`truncated (${size} of ${meta.total} bytes)`);
  if (!sameFingerprints(meta.fingerprints, expected))
    throw new IndexFileError("stale: the trace changed since the index was built");
  if (meta.files.length !== paths.length) throw new IndexFileError("built for another set of traces");

  const n = meta.events;
  const sections = new Map<string, Section>();
  for (const s of meta.sections) {
    const Ctor = CTORS[s.type];
    if (!Ctor) throw new IndexFileError(`unknown section type ${s.type}`);
    if (
      s.offset % 8 !== 0 ||
      s.offset < HEAD + jsonLen ||
      s.offset + s.length * Ctor.BYTES_PER_ELEMENT > size
    )
      throw new IndexFileError(`section ${s.name} is out of bounds`);
    sections.set(s.name, s);
  }
  const limits = {
    pids: meta.pids.length,
    mfas: meta.mfas.length,
    sites: meta.sites.length,
    aux: meta.auxCount,
    files: paths.length,
    events: n,
  };
  let closed = false;
  const read = (name: string, length?: number): Typed => {
    const s = sections.get(name);
    if (!s) throw new IndexFileError(`${file}: section ${name} is missing`);
    if (closed) throw new IndexFileError(`${file}: read after the replay was closed`);
    if (length !== undefined && s.length !== length)
      throw new IndexFileError(`${file}: section ${name} has ${s.length} entries, expected ${length}`);
    const Ctor = CTORS[s.type];
    // A fresh ArrayBuffer per section: offset 0, so every typed view is aligned.
    const bytes = Buffer.from(new ArrayBuffer(s.length * Ctor.BYTES_PER_ELEMENT));
    readInto(fd, bytes, s.offset);
    if (crc32(bytes) >>> 0 !== s.crc)
      throw new IndexFileError(
        `${file}: section ${name} is damaged (checksum mismatch); delete the file to rebuild it`,
      );
    const a = new Ctor(bytes.buffer, 0, s.length);
    checkSection(name, a, limits, file);
    return a;
  };

  const cols = { length: n } as EventColumns;
  for (const name of Object.keys(COLUMN_TYPES)) {
    if (sections.get(`cols.${name}`)?.type !== COLUMN_TYPES[name as keyof typeof COLUMN_TYPES].name)
      throw new IndexFileError(`section cols.${name} is missing or of the wrong type`);
    lazy(cols, name, () => read(`cols.${name}`, n));
  }
  const ix = {} as Record<string, unknown>;
  for (const s of meta.sections) {
    const m = /^ix\.(\w+)$/.exec(s.name);
    if (m) lazy(ix, m[1], () => read(s.name, n));
  }
  for (const name of meta.csr) {
    const csr = {} as Csr;
    lazy(csr, "offsets", () => read(`ix.${name}.offsets`));
    lazy(csr, "rows", () => read(`ix.${name}.rows`));
    ix[name] = csr;
  }
  for (const name of ["byPid", "byMfa", "byKind", "bySite", "byStateOwner"])
    if (!meta.csr.includes(name)) throw new IndexFileError(`index ${name} is missing`);
  for (const name of ["posInPid", "link", "match", "depth", "pair"])
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
  const aux: Term[] = [];
  for (let i = 0; i < meta.auxCount; i++) aux.push(term(t++));

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
  return {
    files,
    problems,
    cols,
    tables: {
      pids: meta.pids.map(([node, id, serial, creation, text]) => ({
        term: new Pid(Atom.of(node), id, serial, creation),
        node,
        text,
      })),
      mfas: meta.mfas,
      sites: meta.sites,
      aux,
      modules: new Map(meta.modules.map((m) => [m.module, m])),
    },
    ix: ix as unknown as StoreIndexes,
    timeRange: meta.timeRange,
    processes: meta.processes?.map(({ exitAux, ...p }) => {
      if (exitAux !== undefined && (exitAux < -1 || exitAux >= aux.length))
        throw new IndexFileError("process table refers to an id out of range");
      return { ...p, ...(exitAux !== undefined ? { exitReason: aux[exitAux] } : {}) };
    }),
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
function checkSection(
  name: string,
  a: Typed,
  lim: { pids: number; mfas: number; sites: number; aux: number; files: number; events: number },
  file: string,
): void {
  const range: Record<string, [number, number]> = {
    "cols.pid": [0, lim.pids],
    "cols.peer": [-1, lim.pids],
    "cols.mfa": [-1, lim.mfas],
    "cols.site": [-1, lim.sites],
    "cols.aux": [-1, lim.aux],
    "cols.file": [0, lim.files],
    "cols.kind": [0, KIND_CODES.unknown + 1],
    "ix.link": [-1, lim.events],
    "ix.match": [-1, lim.events],
    "ix.pair": [-1, lim.events],
    "ix.posInPid": [0, lim.events],
  };
  let r = range[name];
  if (!r && name.endsWith(".rows")) r = [0, lim.events];
  if (!r && name.endsWith(".offsets") && name.startsWith("ix.")) {
    for (let k = 0; k < a.length; k++)
      if (a[k] < (k > 0 ? a[k - 1] : 0)) throw new IndexFileError(`${file}: index ${name} is malformed`);
    return;
  }
  if (!r) return;
  const [lo, hi] = r;
  for (let i = 0; i < a.length; i++)
    if (a[i] < lo || a[i] >= hi)
      throw new IndexFileError(`${file}: ${name} holds an id out of range at ${i}`);
}

function readExactly(fd: number, at: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  readInto(fd, b, at);
  return b;
}

function readInto(fd: number, b: Buffer, at: number): void {
  let got = 0;
  while (got < b.length) {
    const k = readSync(fd, b, got, b.length - got, at + got);
    if (k <= 0) throw new IndexFileError("truncated");
    got += k;
  }
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
