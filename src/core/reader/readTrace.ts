// Streams one .estrace file in fixed-size chunks into the event columns: validates each frame once,
// reads the fields the indexes need, and leaves payload terms in the file as byte ranges. A bad frame
// is reported as `file:frame N (byte offset B): problem` and skipped by resynchronising on the next
// valid frame, so every good event before and after it is kept.

import { initialCallOf } from "../names";
import type { StructLayout } from "../terms/inspect";
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { TraceLoadError } from "../errors";
import { escapeControls } from "../escape";
import { decodeEtf, decodeTerm } from "../terms/decode";
import { EtfError } from "../terms/errors";
import { Atom, ErlMap, Pid, type Term, Tuple } from "../terms/term";
import * as T from "../terms/tags";
import {
  columnArrays,
  ensureCapacity,
  type EventColumns,
  fitsColumn,
  widenColumn,
  FLAG_CRASH,
  FLAG_ERROR,
  FLAG_EXIT,
  FLAG_GEN_CALL,
  FLAG_TAGGED,
  FLAG_NO_PROCESS,
  FLAG_THROW,
  KIND_CODES,
  kindCode,
} from "../store/columns";
import type { FunctionClause, FunctionInfo, LoadProblem, LoadProgress, Mfa, TraceFileInfo } from "../types";
import { Scan } from "./scan";
import { ByteInterner } from "./byteInterner";
import { LoadTables, termText } from "./tables";
import { isNormalExit } from "./exitReason";
import { ARG_FP_COUNT, skipArgs } from "./argFingerprint";
import { sameList } from "../store/eventDecode";
import { FORMAT_VERSIONS, PID_ID_SPAN, versionList } from "./formatVersions";
import {
  ARENA_ARRAYS,
  coreToSpare,
  type IndexArena,
  prefault,
  type Prefault,
  type PrefaultJob,
  prefaultSettings,
} from "../store/prefault";

export const MAGIC = Buffer.from([0x89, 0x45, 0x53, 0x54, 0x52, 0x43, 0x0d, 0x0a]);
export const FRAME_MARK = 0xe5;
const FRAME_HEAD = 5;
const CHUNK = 1 << 20;
const MAX_FRAME = 1 << 30;
/**
 * Rows past those written whose column pages the prefault thread may touch: a few chunks' worth (a
 * 1 MiB chunk holds ~5,000 events), so that it stays ahead without touching pages no row will use.
 */
const PREFAULT_AHEAD = 1 << 16;

// A Map, not an object: a header's `time_unit: :constructor` must not find Object.prototype.constructor.
const TIME_UNIT_NS = new Map<string, number>([
  ["second", 1e9],
  ["millisecond", 1e6],
  ["microsecond", 1e3],
  ["nanosecond", 1],
  ["native", 1],
]);

class FrameError extends Error {}

/** The widest wall-clock time a JavaScript Date can show, in nanoseconds since the epoch. */
const MAX_EPOCH_NS = 8.64e21;

// Codes of the frame tags that are not event kinds.
const TAG_HEADER = 100;
const TAG_MODULE = 101;
const TAG_FOOTER = 102;
const TAG_OTHER = 103;

function tooFew(tagName: () => string, arity: number, n: number): never {
  throw new FrameError(`:${tagName()} event has ${arity} elements, expected ${n}`);
}

function tagCode(name: string): number {
  if (name === "estrace") return TAG_HEADER;
  if (name === "module") return TAG_MODULE;
  if (name === "footer") return TAG_FOOTER;
  const code = kindCode(name);
  return code === undefined || name === "unknown" ? TAG_OTHER : code;
}

export interface ReadOptions {
  onProgress?: (p: LoadProgress) => void;
  /** Called between chunks so a host's event loop can run. */
  yieldEvery?: () => Promise<void>;
  /** Where the index build's arrays come from, faulted in during the parse (store.ts). */
  arena?: IndexArena;
}

/**
 * Reads `path` as file number `fileIndex` into `cols`/`tables`. Event times are stored in nanoseconds
 * since this file's own start; the caller shifts them once every header is known.
 */
export async function readTrace(
  path: string,
  fileIndex: number,
  cols: EventColumns,
  tables: LoadTables,
  problems: LoadProblem[],
  opts: ReadOptions = {},
): Promise<TraceFileInfo> {
  // Checked before opening: opening a FIFO blocks until a writer comes, and a device never ends.
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new TraceLoadError(path, ioProblem(e));
  }
  if (st.isDirectory()) throw new TraceLoadError(path, "is a directory, not a trace file");
  if (!st.isFile())
    throw new TraceLoadError(path, "is not a regular file (a FIFO, device or socket): give a trace file");
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw new TraceLoadError(path, ioProblem(e));
  }
  try {
    const size = fstatSync(fd).size;
    const magic = Buffer.alloc(MAGIC.length);
    const got = readSync(fd, magic, 0, MAGIC.length, 0);
    if (got < MAGIC.length || !magic.equals(MAGIC))
      throw new TraceLoadError(
        path,
        "not an ElixirScope trace (.estrace files start with the bytes 89 'ESTRC' 0D 0A)",
      );
    const before = problems.length;
    const reader = new FileReader(path, fileIndex, fd, size, cols, tables, problems, opts);
    try {
      await reader.run();
    } catch (e) {
      reader.prefault?.stop();
      throw e;
    }
    // After the parse: a site written by line only takes its file from a module frame read anywhere in the file.
    tables.resolveSiteFiles(problems);
    // Nothing readable at all: the first problem says why (a damaged header alone is only a warning).
    if (!reader.info || (reader.events === 0 && reader.headerAssumed && problems.length > before))
      throw new TraceLoadError(
        path,
        problems.length > before
          ? problems[before].text.slice(escapeControls(path).length + 1)
          : "no header frame: the file holds no readable frame",
      );
    return reader.info;
  } finally {
    closeSync(fd);
  }
}

class FileReader {
  info: TraceFileInfo | undefined;
  private buf = Buffer.allocUnsafe(CHUNK);
  /** File offset of buf[0]. */
  private base = MAGIC.length;
  private filled = 0;
  private frameNo = 0;
  private unitNs = 1;
  events = 0;
  /** The fingerprints of the call being read (see argFingerprint.ts). */
  private readonly argFp = new Uint8Array(ARG_FP_COUNT);
  /** The header was damaged or missing and defaults stand in for it. */
  headerAssumed = false;
  /** When progress was last reported (Date.now()); a double from the start, as `msgHash` is. */
  private lastProgress = -Infinity;
  private formatVersion = 1;
  /** The first row this file's events fill (the columns may already hold other files'). */
  private readonly firstRow: number;
  private readonly tags = new ByteInterner();
  private readonly scan = new Scan();
  /** The current frame's tag atom, as bytes; made into text only for error messages. */
  private tagStart = 0;
  private tagEnd = 0;
  private readonly tagName = (): string => this.buf.toString("utf8", this.tagStart, this.tagEnd);
  /** Where a resynchronisation began (file offset), or -1 while frames are in step. */
  private resyncFrom = -1;
  private resyncProblem = "";

  constructor(
    readonly path: string,
    readonly fileIndex: number,
    readonly fd: number,
    readonly size: number,
    readonly cols: EventColumns,
    readonly tables: LoadTables,
    readonly problems: LoadProblem[],
    readonly opts: ReadOptions,
  ) {
    this.firstRow = cols.length;
  }

  async run(): Promise<void> {
    let pos = 0;
    let eof = false;
    while (true) {
      pos = this.frames(pos);
      // Refill when fewer bytes than a frame head remain, or the frame at pos is incomplete.
      const avail = this.filled - pos;
      const need = this.need(pos, avail);
      if (avail < need && !eof) {
        pos = this.refill(pos, need);
        eof = this.base + this.filled >= this.size;
        this.presize();
        this.prefault?.written(this.cols.length);
        await this.progress();
        continue;
      }
      if (avail === 0) break;
      // The file ends inside a frame (`frames` left it): a recording that stopped mid-write.
      this.endResync(this.base + pos);
      if (this.buf[pos] === FRAME_MARK || this.resyncFrom < 0)
        this.report(
          this.frameNo,
          this.base + pos,
          `truncated last frame (${avail} of ${need} bytes); dropped`,
        );
      break;
    }
    this.endResync(this.size);
    this.prefault?.written(this.cols.length, true);
    this.opts.onProgress?.({
      file: this.path,
      bytesRead: this.size,
      bytesTotal: this.size,
      events: this.events,
    });
    if (this.info) this.info.events = this.events;
  }

  /**
   * Handles every frame the buffer holds whole from `pos` on; returns where it stopped. The hot loop
   * on its own, apart from `run`'s refills and progress: optimised code for it never meets a path it
   * has not run yet (a first progress report, the prefault thread starting), which would throw away
   * the whole inlined parse and have V8 compile it again.
   */
  private frames(pos: number): number {
    for (;;) {
      const avail = this.filled - pos;
      if (avail === 0 || avail < this.need(pos, avail)) return pos;
      pos = this.frame(pos, avail);
    }
  }

  /** How many bytes from `pos` the frame there needs in the buffer (a frame head at least). */
  private need(pos: number, avail: number): number {
    if (avail >= FRAME_HEAD && this.buf[pos] === FRAME_MARK) {
      const sz = this.buf.readUInt32BE(pos + 1);
      if (sz <= MAX_FRAME && this.base + pos + FRAME_HEAD + sz <= this.size) return FRAME_HEAD + sz;
    }
    return FRAME_HEAD;
  }

  /** Handles the frame at `pos`; returns where the next one starts. */
  private frame(pos: number, avail: number): number {
    const b = this.buf;
    const at = this.base + pos;
    if (b[pos] !== FRAME_MARK) return this.bad(pos, `expected a frame mark (E5), found ${hex(b[pos])}`);
    const sz = b.readUInt32BE(pos + 1);
    if (sz === 0 || sz > MAX_FRAME || at + FRAME_HEAD + sz > this.size)
      return this.bad(
        pos,
        `frame of ${sz} bytes runs past the end of the file (${this.size - at - FRAME_HEAD} bytes left)`,
      );
    if (avail < FRAME_HEAD + sz) return this.bad(pos, "frame is incomplete");
    const start = pos + FRAME_HEAD;
    const end = start + sz;
    if (b[start] !== T.VERSION)
      return this.bad(pos, `frame does not hold an ETF term (byte ${hex(b[start])}, expected 83)`);
    try {
      this.term(start, end, at + FRAME_HEAD);
    } catch (e) {
      if (e instanceof TraceLoadError) throw e;
      // Positions inside the chunk buffer mean nothing to a user: name the file offset.
      if (e instanceof EtfError) return this.bad(pos, `${e.reason} (at byte ${this.base + e.offset})`);
      return this.bad(pos, e instanceof Error ? e.message : String(e));
    }
    this.endResync(at);
    this.frameNo++;
    return end;
  }

  private term(start: number, end: number, fileOff: number): void {
    const s = this.scan;
    s.reset(this.buf, start + 1, end);
    if (s.peekTag() === T.COMPRESSED) {
      this.other(this.decodeWhole(start, end), fileOff);
      return;
    }
    const arity = s.tupleArity();
    if (arity < 1) throw new FrameError("frame term is not a tuple");
    if (!s.atomSpan()) throw new FrameError("frame tuple does not start with an atom");
    // The tag atom is looked up by its bytes: no string is made for the million ordinary events.
    let code = this.tags.find(this.buf, s.nameStart, s.pos);
    if (code < 0)
      code = this.tags.add(
        this.buf,
        s.nameStart,
        s.pos,
        tagCode(this.buf.toString("utf8", s.nameStart, s.pos)),
      );
    if (this.info === undefined && code !== TAG_HEADER)
      this.assumeHeader("the first readable frame is not the trace header", fileOff);
    if (code >= TAG_HEADER) {
      if (code !== TAG_OTHER) {
        this.other(this.decodeWhole(start, end), fileOff);
        return;
      }
    }
    this.tagStart = s.nameStart;
    this.tagEnd = s.pos;
    if (arity < 4)
      throw new FrameError(`:${this.tagName()} frame has ${arity} elements; an event has at least 4`);
    this.event(s, code === TAG_OTHER ? KIND_CODES.unknown : code, arity, start, end, fileOff);
  }

  private event(s: Scan, code: number, arity: number, start: number, end: number, fileOff: number): void {
    const seq = s.integer();
    if (seq === undefined)
      throw new FrameError(`:${this.tagName()} event: sequence number is not an integer`);
    const time = s.integer();
    if (time === undefined) throw new FrameError(`:${this.tagName()} event: timestamp is not an integer`);
    const pid = s.isPid() ? this.pidAt(s) : this.localPidAt(s);
    let mfa = -1;
    let peer = -1;
    let site = -1;
    let clause = 0;
    let hash = 0;
    let flags = 0;
    let aux = -1;
    let used = 4;
    let isCall = false;
    switch (code) {
      case KIND_CODES.call:
        if (arity < 6) tooFew(this.tagName, arity, 6);
        mfa = this.mfaAt(s);
        skipArgs(s, this.argFp);
        isCall = true;
        used = 6;
        if (arity >= 7) {
          // `:undefined` (no caller known) is passed over without making its name a string.
          if (!s.atomSpan()) {
            const t0 = s.skip();
            const b = this.buf;
            site = Math.max(
              -1,
              this.headerMfas && b[t0] === T.SMALL_TUPLE_EXT && b[t0 + 1] === 2
                ? this.tableSiteAt(t0, s.pos, seq, fileOff)
                : this.tables.siteId(b, t0, s.pos, this.path, this.frameNo, fileOff - FRAME_HEAD, seq),
            );
          }
          used = 7;
        }
        if (arity >= 8) {
          const tag = s.integer();
          // Any other term there is a newer recorder's: skipped with the rest.
          if (tag !== undefined) {
            clause = Math.abs(tag) <= 0x7fff ? tag : 0;
            used = 8;
            if (arity >= 9) {
              aux = this.sameAt(s, seq, pid, fileOff);
              used = 9;
            }
          }
        }
        break;
      case KIND_CODES.return:
      case KIND_CODES.state:
        if (arity < 6) tooFew(this.tagName, arity, 6);
        mfa = this.mfaAt(s);
        s.skip();
        used = 6;
        if (arity >= 7) {
          aux = this.sameAt(s, seq, pid, fileOff);
          used = 7;
        }
        break;
      case KIND_CODES.exception: {
        if (arity < 6) tooFew(this.tagName, arity, 6);
        mfa = this.mfaAt(s);
        const cr = s.tupleArity();
        if (cr === 2) {
          const cls = s.atom();
          flags = cls === "throw" ? FLAG_THROW : cls === "exit" ? FLAG_EXIT : FLAG_ERROR;
          s.skip();
        } else if (cr >= 0) {
          for (let i = 0; i < cr; i++) s.skip();
          flags = FLAG_ERROR;
        } else {
          s.skip();
          flags = FLAG_ERROR;
        }
        used = 6;
        break;
      }
      case KIND_CODES.send:
        if (arity < 6) tooFew(this.tagName, arity, 6);
        if (s.isPid()) peer = this.pidAt(s);
        else aux = this.auxAt(s);
        this.hashAt(s);
        hash = this.msgHash;
        flags = this.classifyMessage(s);
        used = 6;
        if (arity >= 7) {
          const status = s.atom();
          if (status !== undefined) used = 7;
          if (status === "no_process") flags |= FLAG_NO_PROCESS;
        }
        break;
      case KIND_CODES.receive:
        if (arity < 6) tooFew(this.tagName, arity, 6);
        if (s.isPid()) peer = this.pidAt(s);
        else s.skip();
        this.hashAt(s);
        hash = this.msgHash;
        used = 6;
        if (arity >= 7 && this.isSentMarker(s)) {
          const ref = s.integer();
          if (ref !== undefined) {
            used = 7;
            // Format 2: the message is the one written at send `ref` (see `sentRow`).
            aux = this.tables.addAux(ref);
            const send = this.sentRow(ref);
            if (send >= 0) {
              hash = this.cols.msgHash[send];
              if (peer < 0) peer = this.cols.pid[send];
            } else {
              hash = 0;
              this.report(
                this.frameNo,
                fileOff - FRAME_HEAD,
                `receive (seq ${seq}) refers to send seq ${ref}, which is not an earlier send of this file (missing, dropped or damaged); its message shows as not recorded`,
              );
            }
          }
        }
        break;
      case KIND_CODES.spawn: {
        if (arity < 6) tooFew(this.tagName, arity, 6);
        if (s.isPid()) peer = this.pidAt(s);
        else s.skip();
        const t0 = s.pos;
        s.skip();
        const init = decodeTerm(this.buf, t0).term;
        if (init instanceof Tuple && init.elements.length === 3) {
          const [m, f, a] = init.elements;
          const n = Array.isArray(a) ? a.length : typeof a === "number" ? a : -1;
          if (m instanceof Atom && f instanceof Atom && n >= 0)
            mfa = this.tables.internMfa(m.name, f.name, n);
        }
        // What the child runs, beyond `proc_lib.init_p/5`: kept for the process table's labels.
        const runs = initialCallOf(init);
        if (runs) aux = this.tables.addAux(new Tuple([Atom.of(runs.module), Atom.of(runs.fun), runs.arity]));
        used = 6;
        break;
      }
      case KIND_CODES.exit: {
        if (arity < 5) tooFew(this.tagName, arity, 5);
        const t0 = s.skip();
        const reason = this.keep(t0, s.pos);
        aux = this.tables.addAux(reason);
        if (!isNormalExit(reason)) flags = FLAG_CRASH;
        used = 5;
        break;
      }
      case KIND_CODES.link:
      case KIND_CODES.unlink:
        if (arity < 5) tooFew(this.tagName, arity, 5);
        if (s.isPid()) peer = this.pidAt(s);
        else s.skip();
        used = 5;
        break;
      case KIND_CODES.register:
      case KIND_CODES.unregister:
      case KIND_CODES.process:
      case KIND_CODES.overload:
        if (arity < 5) tooFew(this.tagName, arity, 5);
        aux = this.auxAt(s);
        used = 5;
        break;
    }
    // Whatever is left (extra fields of a newer recorder, an unknown kind's fields) is validated and kept.
    for (let k = used; k < arity; k++) s.skip();
    if (s.pos !== end)
      throw new FrameError(`:${this.tagName()} event: ${end - s.pos} bytes left after the term`);
    const c = this.cols;
    const i = c.length;
    if (i >= c.seq.length) ensureCapacity(c, i + 1);
    // Narrow columns (columns.ts) take nearly every value; the first that does not fit widens its column
    // (ids are -1 or more: only their upper bound is checked).
    if (seq >>> 0 !== seq && !fitsColumn(c, "seq", seq)) widenColumn(c, "seq");
    if (fileOff > 0xffffffff && !fitsColumn(c, "frameOff", fileOff)) widenColumn(c, "frameOff");
    if (end - start > 0xffff && !fitsColumn(c, "frameLen", end - start)) widenColumn(c, "frameLen");
    if ((pid > 0x7fff || peer > 0x7fff) && !fitsColumn(c, "pid", Math.max(pid, peer))) widenColumn(c, "pid");
    if (mfa > 0x7fff && !fitsColumn(c, "mfa", mfa)) widenColumn(c, "mfa");
    if (site > 0x7fff && !fitsColumn(c, "site", site)) widenColumn(c, "site");
    if (aux > 0x7fff && !fitsColumn(c, "aux", aux)) widenColumn(c, "aux");
    if ((clause > 0x7f || clause < -0x80) && !fitsColumn(c, "clause", clause)) widenColumn(c, "clause");
    c.seq[i] = seq;
    c.time[i] = time * this.unitNs;
    c.pid[i] = pid;
    c.kind[i] = code;
    c.mfa[i] = mfa;
    c.peer[i] = peer;
    c.site[i] = site;
    c.clause[i] = clause;
    c.msgHash[i] = hash;
    c.tagHash[i] = code === KIND_CODES.send ? this.tagHash : 0;
    c.flags[i] = flags;
    c.aux[i] = aux;
    c.file[i] = this.fileIndex;
    c.frameOff[i] = fileOff;
    c.frameLen[i] = end - start;
    if (isCall) {
      // Other rows keep the 0 (FP_NONE) their fresh arrays hold.
      const fp = this.argFp;
      c.argFp0[i] = fp[0];
      c.argFp1[i] = fp[1];
      c.argFp2[i] = fp[2];
      c.argFp3[i] = fp[3];
    }
    c.length = i + 1;
    this.events++;
  }

  /** Decodes a frame's term from its own copy; error offsets are moved back into the chunk buffer. */
  private decodeWhole(start: number, end: number): Term {
    try {
      return decodeEtf(copyOf(this.buf, start, end));
    } catch (e) {
      if (e instanceof EtfError) throw new EtfError(e.reason, e.offset + start);
      throw e;
    }
  }

  /**
   * Format 3: an event's pid written as the integer `I + 32768 * S` is `<0.I.S>` of the header's node,
   * with the header's `pid_creation` (see docs/trace-format.md "Event pids"); the same id as the whole pid.
   */
  private localPidAt(s: Scan): number {
    const n = this.localPid ? s.integer() : undefined;
    if (n === undefined || n < 0 || n >= PID_ID_SPAN * 8192)
      throw new FrameError(
        `:${this.tagName()} event: the fourth element is not a pid${this.localPid ? " or a process number" : ""}`,
      );
    let id = this.localPids.get(n);
    if (id === undefined) {
      const { node, creation } = this.localPid!;
      id = this.tables.internPid(new Pid(node, n % PID_ID_SPAN, Math.floor(n / PID_ID_SPAN), creation));
      this.localPids.set(n, id);
    }
    return id;
  }

  /** The header's node and `pid_creation` (format 3), and the pid ids of the numbers seen. */
  private localPid: { node: Atom; creation: number } | undefined;
  private readonly localPids = new Map<number, number>();

  private pidAt(s: Scan): number {
    const t0 = s.skipPid();
    return this.tables.pidId(this.buf, t0, s.pos);
  }

  private mfaAt(s: Scan): number {
    const tag = this.buf[s.pos];
    if (this.headerMfas && (tag === T.SMALL_INTEGER_EXT || tag === T.INTEGER_EXT)) {
      // Format 3: the function at that position of the header's `functions`.
      const i = s.integer()!;
      if (i < 0 || i >= this.headerMfas.length)
        throw new FrameError(
          `:${this.tagName()} event: function ${i} is not one of the header's ${this.headerMfas.length} functions`,
        );
      // Interned at first use, as a whole `{m, f, a}` is: the ids (and `functions()`) are the same.
      let id = this.headerMfas[i];
      if (id < 0) {
        const m = this.headerFns[i];
        id = this.headerMfas[i] = this.tables.internMfa(m.module, m.fun, m.arity);
      }
      return id;
    }
    const t0 = s.skipMfa();
    return this.tables.mfaId(this.buf, t0, s.pos);
  }

  /**
   * Format 3: a call site `{i, line}`, the header's function `i` at `line` (its file the module
   * table's). By bytes per file: the same bytes name another function in another file.
   */
  private tableSiteAt(start: number, end: number, seq: number, fileOff: number): number {
    const known = this.tableSites.find(this.buf, start, end);
    if (known !== -1) return known;
    const t = decodeTerm(this.buf, start, end).term;
    const [i, line] = t instanceof Tuple ? t.elements : [];
    if (typeof i !== "number" || typeof line !== "number" || i < 0 || i >= this.headerFns.length)
      throw new FrameError(
        `:call event: its call site names function ${String(i)} at line ${String(line)}, not one of the header's ${this.headerFns.length} functions`,
      );
    const id = this.tables.tableSiteId(
      this.headerFns[i],
      line,
      this.path,
      this.frameNo,
      fileOff - FRAME_HEAD,
      seq,
    );
    return this.tableSites.add(this.buf, start, end, id);
  }

  private readonly tableSites = new ByteInterner();

  /** The header's `functions` (format 3), and their function ids once used (-1 before). */
  private headerMfas: Int32Array | undefined;
  private headerFns: Mfa[] = [];

  private auxAt(s: Scan): number {
    const t0 = s.skip();
    return this.tables.addAux(this.keep(t0, s.pos));
  }

  /**
   * Decodes a term that outlives the load. Decoded binaries are views of the bytes they came from,
   * and the chunk buffer is reused, so such terms are decoded from their own copy.
   */
  private keep(start: number, end: number): Term {
    return decodeTerm(copyOf(this.buf, start, end), 0).term;
  }

  /** Where the term `hashAt` last skipped began. */
  private lastTermStart = 0;

  /** Whether the term `hashAt` last skipped is the atom `:"$sent"` (a receive that refers to its send). */
  private isSentMarker(s: Scan): boolean {
    const end = s.pos;
    s.pos = this.lastTermStart;
    const yes =
      s.atomSpan() &&
      s.pos - s.nameStart === SENT.length &&
      this.buf.compare(SENT, 0, SENT.length, s.nameStart, s.pos) === 0;
    s.pos = end;
    return yes;
  }

  /**
   * The row of this file's send event `seq`, or -1. The recorder writes seqs in increasing order, so
   * a bisection over the rows read so far finds it without a table of every send.
   */
  private sentRow(seq: number, kinds: readonly number[] = SEND_KIND): number {
    const c = this.cols;
    let lo = this.firstRow;
    let hi = c.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c.seq[mid] < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo < c.length && c.seq[lo] === seq && kinds.includes(c.kind[lo]) ? lo : -1;
  }

  /**
   * A call's, return's or state's references to large terms its process wrote before (trace format
   * 2: `[{here, seq, there}]`), kept as its aux term; each must name an earlier call, return or state
   * of the same process in this file, else it is reported (the place then shows as not recorded).
   * -1 when the element is not such a list (a newer recorder's: skipped).
   */
  private sameAt(s: Scan, seq: number, pid: number, fileOff: number): number {
    const t0 = s.skip();
    const term = this.keep(t0, s.pos);
    const refs = sameList(term);
    if (!refs) return -1;
    for (const r of refs) {
      const row = this.sentRow(r.seq, SAME_KINDS);
      if (row < 0 || this.cols.pid[row] !== pid)
        this.report(
          this.frameNo,
          fileOff - FRAME_HEAD,
          `${this.tagName()} (seq ${seq}) refers to seq ${r.seq}, which is not an earlier call, return or state of its process in this file (missing, dropped or damaged); that term shows as not recorded`,
        );
    }
    return this.tables.addAux(term);
  }

  /**
   * Skips a message and keeps its hash in `msgHash`. A field, not a return value: a hash is a uint32,
   * above the small-integer range for most values, so returned from a call V8 did not inline it was
   * a fresh heap number per message (the 1M trace: 2.5 MB of young garbage).
   */
  private hashAt(s: Scan): void {
    const t0 = s.skip();
    this.lastTermStart = t0;
    this.msgHash = hashBytes(this.buf, t0, s.pos);
  }

  /**
   * The hash of the message `hashAt` last skipped. Made a double from the start (NaN, never read
   * before a hash is written): a hash above 2^30 stored in a field that held a small integer changes
   * the field's representation, and V8 then throws away every optimised function built on this
   * class's shape.
   */
  private msgHash = NaN;

  /** The tag hash of the last message classified (see `EventColumns.tagHash`); a double, as `msgHash`. */
  private tagHash = NaN;

  /**
   * Recognises a GenServer call `{:"$gen_call", {from, tag}, request}` and a reply-shaped `{tag, value}`
   * in the message just skipped (it ends at `s.pos`), so that calls pair with their replies without
   * decoding every message later. Returns the flags; leaves the cursor where it was.
   */
  private classifyMessage(s: Scan): number {
    const end = s.pos;
    const start = this.lastTermStart;
    this.tagHash = 0;
    let flags = 0;
    s.pos = start;
    const n = s.tupleArity();
    if (n === 3 && s.atomSpan() && this.isGenCall(s.nameStart, s.pos)) {
      if (s.tupleArity() === 2) {
        s.skip();
        const t0 = s.skip();
        this.tagHash = hashBytes(this.buf, t0, s.pos);
        flags = FLAG_GEN_CALL;
      }
    } else if (n === 2) {
      const t0 = s.skip();
      this.tagHash = hashBytes(this.buf, t0, s.pos);
      flags = FLAG_TAGGED;
    }
    s.pos = end;
    return flags;
  }

  private isGenCall(start: number, end: number): boolean {
    if (end - start !== GEN_CALL.length) return false;
    for (let i = 0; i < GEN_CALL.length; i++) if (this.buf[start + i] !== GEN_CALL[i]) return false;
    return true;
  }

  /** Header, module-table and footer frames: decoded whole (they are few and small). */
  private other(term: Term, fileOff: number): void {
    if (!(term instanceof Tuple) || !(term.elements[0] instanceof Atom))
      throw new FrameError("frame term is not a tagged tuple");
    const tag = term.elements[0].name;
    if (this.info === undefined) {
      if (tag === "estrace") {
        this.header(term, fileOff);
        return;
      }
      this.assumeHeader("the first readable frame is not the trace header", fileOff);
    }
    if (this.info === undefined) return;
    if (tag === "estrace") throw new FrameError("a second header frame in the middle of the file");
    if (tag === "module") this.module(term);
    else if (tag === "footer") this.info.footer = term.elements[1];
    else throw new FrameError(`compressed :${tag} frame at ${fileOff} cannot be indexed`);
  }

  private header(term: Tuple, fileOff: number): void {
    const [, version, meta] = term.elements;
    const known = typeof version === "number" && FORMAT_VERSIONS.includes(version);
    if ((typeof version === "number" || typeof version === "bigint") && !known)
      throw new TraceLoadError(
        this.path,
        `trace format version ${String(version)} is not supported (this ElixirScope reads versions ${versionList()})`,
      );
    if (!known || !(meta instanceof ErlMap) || term.elements.length !== 3) {
      this.assumeHeader(!known ? "its version is not an integer" : "its info is not a map", fileOff);
      return;
    }
    this.formatVersion = version;
    const get = (k: string): Term | undefined =>
      meta.entries.find(([key]) => key instanceof Atom && key.name === k)?.[1];
    const text = (k: string): string => {
      const v = get(k);
      return v instanceof Atom ? v.name : v === undefined ? "" : (termText(v) ?? String(v));
    };
    // A damaged value is a warning naming the field; the frames after it are still good.
    const warn = (problem: string): void => this.report(0, fileOff, `header ${problem}`);
    let unit = text("time_unit") || "nanosecond";
    let unitNs = TIME_UNIT_NS.get(unit);
    if (unitNs === undefined) {
      warn(
        `time_unit :${unit} is not one of ${[...TIME_UNIT_NS.keys()].join(", ")}; times are read as nanoseconds`,
      );
      unit = "nanosecond";
      unitNs = 1;
    }
    this.unitNs = unitNs;
    const start = get("start_system_time");
    let startNs = typeof start === "number" || typeof start === "bigint" ? Number(start) * unitNs : NaN;
    if (!(Math.abs(startNs) <= MAX_EPOCH_NS)) {
      if (start !== undefined)
        warn(
          `start_system_time ${start instanceof Atom ? `:${start.name}` : String(termText(start) ?? start)} is not a time between the years -271821 and 275760; the recording's start is unknown`,
        );
      startNs = 0;
    }
    const functions = get("functions");
    if (version >= 3 && functions !== undefined) {
      const list = Array.isArray(functions) ? functions : [];
      const fns = list.map((t): Mfa | undefined => {
        const el = t instanceof Tuple ? t.elements : [];
        const [m, f, a] = el;
        return el.length === 3 && m instanceof Atom && f instanceof Atom && typeof a === "number"
          ? { module: m.name, fun: f.name, arity: a }
          : undefined;
      });
      if (!Array.isArray(functions) || fns.includes(undefined))
        warn(
          "functions is not a list of {module, function, arity}; events naming their function by number are dropped",
        );
      else {
        this.headerFns = fns as Mfa[];
        this.headerMfas = new Int32Array(fns.length).fill(-1);
      }
    }
    const creation = get("pid_creation");
    const node = get("node");
    if (version >= 3 && typeof creation === "number" && creation >= 0 && node instanceof Atom)
      this.localPid = { node, creation };
    else if (version >= 3 && creation !== undefined)
      warn(
        "pid_creation is not a non-negative integer beside an atom node; events naming their process by number are dropped",
      );
    this.info = this.fileInfo(unit, startNs, meta, {
      node: text("node"),
      recorderVersion: text("recorder_version"),
      otpRelease: text("otp_release"),
      elixirVersion: text("elixir_version"),
    });
  }

  /**
   * The header is damaged or missing but frames follow: they are read with default header values
   * (times in nanoseconds from 0), and the damage is a warning rather than the loss of the file.
   */
  private assumeHeader(why: string, fileOff: number): void {
    this.report(
      0,
      fileOff,
      `damaged trace header (${why}); the frames are read with default header values (nanosecond times, start unknown)`,
    );
    this.unitNs = 1;
    this.headerAssumed = true;
    this.info = this.fileInfo("nanosecond", 0, new ErlMap([]), {
      node: "",
      recorderVersion: "",
      otpRelease: "",
      elixirVersion: "",
    });
  }

  private fileInfo(
    unit: string,
    startNs: number,
    header: Term,
    names: Pick<TraceFileInfo, "node" | "recorderVersion" | "otpRelease" | "elixirVersion">,
  ): TraceFileInfo {
    return {
      path: this.path,
      formatVersion: this.formatVersion,
      ...names,
      timeUnit: unit,
      startSystemTimeNs: startNs,
      header,
      events: 0,
      bytes: this.size,
    };
  }

  private module(term: Tuple): void {
    const [, mod, source, fns, extra] = term.elements;
    if (!(mod instanceof Atom)) throw new FrameError(":module frame: the module is not an atom");
    const functions = [];
    for (const f of Array.isArray(fns) ? fns : []) {
      if (!(f instanceof Tuple)) continue;
      const [name, arity, line, clauses, params, tails] = f.elements;
      if (!(name instanceof Atom) || typeof arity !== "number") continue;
      const clauseLines = Array.isArray(clauses)
        ? clauses.filter((c): c is number => typeof c === "number")
        : [];
      functions.push({
        name: name.name,
        arity,
        line: typeof line === "number" ? line : 0,
        clauseLines,
        clauses: clauseInfo(clauseLines, params, arity),
        tailCalls: tailCalls(tails),
      });
    }
    this.tables.modules.set(mod.name, {
      module: mod.name,
      source: source !== undefined ? (termText(source) ?? "") : "",
      functions,
      ...structLayout(extra),
    });
  }

  /** A frame that cannot be used: reported once per damaged stretch, then skipped byte by byte until a frame parses. */
  private bad(pos: number, problem: string): number {
    if (this.resyncFrom < 0) {
      this.resyncFrom = this.base + pos;
      this.resyncProblem = problem;
    }
    const next = this.buf.indexOf(FRAME_MARK, pos + 1);
    return next < 0 || next >= this.filled ? this.filled : next;
  }

  private endResync(at: number): void {
    if (this.resyncFrom < 0) return;
    const skipped = at - this.resyncFrom;
    const where = at >= this.size ? "dropped to the end of the file" : "skipped to the next valid frame";
    this.report(this.frameNo, this.resyncFrom, `${this.resyncProblem}; ${skipped} bytes ${where}`);
    this.frameNo++;
    this.resyncFrom = -1;
  }

  private report(frame: number, offset: number, problem: string): void {
    // Messages quote bytes from the file (tag atoms, header values): escaped, so one problem is one line.
    const message = escapeControls(problem);
    this.problems.push({
      file: this.path,
      frame,
      offset,
      message,
      text: `${escapeControls(this.path)}:frame ${frame} (byte offset ${offset}): ${message}`,
    });
  }

  /** Moves the unread tail to the front and reads more; grows the buffer for a frame bigger than it. */
  private refill(pos: number, need: number): number {
    const rest = this.filled - pos;
    if (need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(bigger, 0, pos, this.filled);
      this.buf = bigger;
    } else if (pos > 0) this.buf.copy(this.buf, 0, pos, this.filled);
    this.base += pos;
    this.filled = rest;
    while (this.filled < this.buf.length && this.base + this.filled < this.size) {
      let n: number;
      try {
        n = readSync(this.fd, this.buf, this.filled, this.buf.length - this.filled, this.base + this.filled);
      } catch (e) {
        throw new TraceLoadError(this.path, ioProblem(e));
      }
      if (n <= 0) break;
      this.filled += n;
    }
    return 0;
  }

  /** Once a chunk has shown the average frame size, sizes the columns for the whole file at once. */
  private presized = false;
  /**
   * The thread faulting the columns' pages in ahead of the rows written (prefault.ts): told the rows
   * written at each chunk, stopped when the parse fails; otherwise it ends by itself once the count
   * is final.
   */
  prefault: Prefault | undefined;
  /**
   * Sizes the columns from the frames the buffer holds whole, walked by their length prefixes before
   * any of them is parsed: replaced once the parse runs, the columns would throw away the optimised
   * code V8 was building for it (it treats fields written once as constants; at 1M events ~130 ms of
   * compiling lost, then done again).
   */
  private presize(): void {
    if (this.presized) return;
    const b = this.buf;
    let at = 0;
    let frames = 0;
    while (at + FRAME_HEAD <= this.filled && b[at] === FRAME_MARK) {
      const end = at + FRAME_HEAD + b.readUInt32BE(at + 1);
      if (end > this.filled) break;
      at = end;
      frames++;
    }
    // Big frames (few to a chunk): from the events parsed so far, once there are enough.
    if (frames < 1000 && this.events < 1000) return;
    this.presized = true;
    const perEvent = frames >= 1000 ? at / frames : this.base / this.events;
    const rest = Math.ceil((this.size - this.base) / perEvent);
    const expected = Math.ceil(rest * 1.05) + this.events;
    const from = this.cols.length;
    const big =
      rest >= prefaultSettings.minRows &&
      coreToSpare() &&
      this.cols.seq.length < from - this.events + expected;
    ensureCapacity(this.cols, from - this.events + expected, big);
    // The pages of the rows this file is expected to fill, not the spare 5 %.
    if (!big) return;
    const cap = this.cols.seq.length;
    const jobs: PrefaultJob[] = [{ arrays: columnArrays(this.cols), from, to: cap, ahead: PREFAULT_AHEAD }];
    // Then the index build's arrays, as far as rows are written: they are filled once every row is read.
    const arena = this.opts.arena?.reserve(ARENA_ARRAYS, cap);
    if (arena) jobs.push({ arrays: arena, from: 0, to: cap, ahead: 0 });
    this.prefault = prefault(jobs);
    this.prefault.written(from);
  }

  private async progress(): Promise<void> {
    const now = Date.now();
    if (now - this.lastProgress >= 100) {
      this.lastProgress = now;
      this.opts.onProgress?.({
        file: this.path,
        bytesRead: this.base,
        bytesTotal: this.size,
        events: this.events,
      });
      if (this.opts.yieldEvery) await this.opts.yieldEvery();
    }
  }
}

/** FNV-1a over the message bytes: equal messages hash equal, which is what send/receive pairing needs. */
const GEN_CALL = Buffer.from("$gen_call", "latin1");
const SENT = Buffer.from("$sent", "latin1");
const SEND_KIND: readonly number[] = [KIND_CODES.send];
const SAME_KINDS: readonly number[] = [KIND_CODES.call, KIND_CODES.return, KIND_CODES.state];

export function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}

/** An errno as a short phrase for a one-line message. */
export function ioProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    case "ENOTDIR":
      return "a folder in the path is not a folder";
    case "EIO":
      return "input/output error while reading";
    default:
      return `cannot read (${code ?? (e instanceof Error ? e.message : String(e))})`;
  }
}

function hex(n: number | undefined): string {
  return n === undefined ? "end of file" : n.toString(16).toUpperCase().padStart(2, "0");
}

/** A copy of `buf[start, end)`, for terms that outlive the chunk buffer (`Buffer#slice` would be a view). */
function copyOf(buf: Buffer, start: number, end: number): Uint8Array {
  return Uint8Array.prototype.slice.call(buf, start, end);
}

/**
 * Each clause's line and parameter names from a module-table entry (`clause_params`: per clause, a
 * list of atoms, `nil` where the pattern binds no simple name). A list that does not line up with the
 * clauses is ignored (names unknown) rather than trusted.
 */
function clauseInfo(lines: number[], params: Term | undefined, arity: number): FunctionClause[] {
  const names = Array.isArray(params) && params.length === lines.length ? params : undefined;
  return lines.map((line, i) => {
    const p = names?.[i];
    const list = Array.isArray(p) && p.length === arity ? p : undefined;
    return {
      line,
      params: Array.from({ length: arity }, (_, k) => {
        const a = list?.[k];
        return a instanceof Atom && a.name !== "nil" ? a.name : null;
      }),
    };
  });
}

/** `[{line, module, function, arity}]`; anything else in the list is ignored. */
function tailCalls(list: Term | undefined): FunctionInfo["tailCalls"] {
  const out: FunctionInfo["tailCalls"] = [];
  for (const t of Array.isArray(list) ? list : []) {
    if (!(t instanceof Tuple) || t.elements.length !== 4) continue;
    const [line, m, f, a] = t.elements;
    if (typeof line === "number" && m instanceof Atom && f instanceof Atom && typeof a === "number")
      out.push({ line, callee: { module: m.name, fun: f.name, arity: a } });
  }
  return out;
}

/** The module frame's struct layout (`%{struct: fields, inspect: :all | :custom | {:derived, fields}}`). */
export function structLayout(extra: Term | undefined): { struct?: StructLayout } {
  if (!(extra instanceof ErlMap)) return {};
  const get = (k: string) => extra.entries.find(([key]) => key === Atom.of(k))?.[1];
  const names = (t: Term | undefined) =>
    Array.isArray(t) ? t.filter((x): x is Atom => x instanceof Atom).map((x) => x.name) : undefined;
  const fields = names(get("struct"));
  const how = get("inspect");
  if (!fields) return {};
  let inspect: StructLayout["inspect"] = "custom";
  if (how === Atom.of("all")) inspect = "all";
  else if (how instanceof Tuple && how.elements[0] === Atom.of("derived"))
    inspect = names(how.elements[1]) ?? "custom";
  return { struct: { fields, inspect } };
}
