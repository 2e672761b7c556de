// Interning tables filled while a trace loads: each distinct pid, function and call site gets a dense
// id the columns refer to. Lookups go by the term's raw bytes first (no decoding on the hot path) and
// fall back to the decoded identity, so the same pid written two ways still gets one id.

import type { Term } from "../terms/term";
import { Atom, Pid, Tuple } from "../terms/term";
import type { CallSite, LoadProblem, Mfa, ModuleInfo } from "../types";
import { escapeControls } from "../escape";
import { ByteInterner } from "./byteInterner";
import { decodeTerm } from "../terms/decode";
import { TermArray } from "../store/termTable";

export interface PidRecord {
  term: Pid;
  node: string;
  /** `<0.123.0>` */
  text: string;
}

export class LoadTables {
  readonly pids: PidRecord[] = [];
  readonly mfas: Mfa[] = [];
  readonly sites: CallSite[] = [];
  /** Small terms decoded at load (exit reasons, registered names, info maps); `aux` column indexes them. */
  readonly aux = new TermArray();
  readonly modules = new Map<string, ModuleInfo>();

  private readonly pidBytes = new ByteInterner();
  private readonly pidCanon = new Map<string, number>();
  private readonly mfaBytes = new ByteInterner();
  private readonly mfaCanon = new Map<string, number>();
  private readonly siteBytes = new ByteInterner();
  private readonly siteCanon = new Map<string, number>();
  /**
   * Sites written without their file (`{cm, cf, ca, line}`, docs/trace-format.md "Call sites"), each
   * with where it was first seen: `resolveSiteFiles` gives them `cm`'s module-table source once the
   * whole file is read (the module frame may come after the call).
   */
  private readonly siteFileless: Array<{
    id: number;
    path: string;
    frame: number;
    offset: number;
    seq: number;
  }> = [];

  /** Id of the pid encoded at `buf[start, end)` (decoded only the first time). */
  pidId(buf: Uint8Array, start: number, end: number): number {
    const known = this.pidBytes.find(buf, start, end);
    if (known >= 0) return known;
    const term = decodeTerm(buf, start, end).term;
    if (!(term instanceof Pid)) throw new Error("expected a pid");
    return this.pidBytes.add(buf, start, end, this.internPid(term));
  }

  internPid(term: Pid): number {
    const canon = `${term.node.name}|${term.id}|${term.serial}|${term.creation}`;
    let id = this.pidCanon.get(canon);
    if (id === undefined) {
      id = this.pids.length;
      this.pids.push({ term, node: term.node.name, text: `<0.${term.id}.${term.serial}>` });
      this.pidCanon.set(canon, id);
    }
    return id;
  }

  /** Id of an `{m, f, a}` tuple given by its bytes (decoded only the first time). */
  mfaId(buf: Uint8Array, start: number, end: number): number {
    const known = this.mfaBytes.find(buf, start, end);
    if (known >= 0) return known;
    const t = decodeTerm(buf, start, end).term;
    if (!(t instanceof Tuple) || t.elements.length !== 3)
      throw new Error("expected an {module, function, arity} tuple");
    const [m, f, a] = t.elements;
    if (!(m instanceof Atom) || !(f instanceof Atom) || typeof a !== "number")
      throw new Error("expected an {module, function, arity} tuple of two atoms and an integer");
    return this.mfaBytes.add(buf, start, end, this.internMfa(m.name, f.name, a));
  }

  internMfa(module: string, fun: string, arity: number): number {
    const canon = `${module}\u0000${fun}\u0000${arity}`;
    let id = this.mfaCanon.get(canon);
    if (id === undefined) {
      id = this.mfas.length;
      this.mfas.push({ module, fun, arity });
      this.mfaCanon.set(canon, id);
    }
    return id;
  }

  /**
   * Id of a `caller_line` term `{m, f, a, {file, line}}` or `{m, f, a, line}` (file from the module
   * table, see `resolveSiteFiles`); -1 for `:undefined` or an unusable shape. `path`, `frame`,
   * `offset` and `seq` say where the call is, for the warning about a site whose file stays unknown.
   */
  siteId(buf: Uint8Array, start: number, end: number, path = "", frame = 0, offset = 0, seq = 0): number {
    const known = this.siteBytes.find(buf, start, end);
    if (known !== -1) return known;
    const t = decodeTerm(buf, start, end).term;
    const site = toCallSite(t);
    const fileless = site?.mfa !== undefined && site.file === undefined && isFileless(t);
    // -2: remembered as "not a usable call site"
    const id = site === undefined ? -2 : this.internSite(site, fileless, path, frame, offset, seq);
    return this.siteBytes.add(buf, start, end, id);
  }

  /**
   * Id of a site written `{i, line}` (format 3): the header's function `i`, `mfa`, at `line` of its
   * module's table source (given by `resolveSiteFiles`); the same id as `{cm, cf, ca, line}`.
   */
  tableSiteId(mfa: Mfa, line: number, path: string, frame: number, offset: number, seq: number): number {
    return this.internSite({ mfa: { ...mfa }, line }, true, path, frame, offset, seq);
  }

  private internSite(
    site: CallSite,
    fileless: boolean,
    path: string,
    frame: number,
    offset: number,
    seq: number,
  ): number {
    // A fileless site is its own entry until resolved: its file is not known yet.
    const file = fileless ? "\u0000table" : (site.file ?? "");
    const canon = `${site.mfa ? `${site.mfa.module}.${site.mfa.fun}/${site.mfa.arity}` : ""}@${file}:${site.line ?? ""}`;
    let id = this.siteCanon.get(canon);
    if (id === undefined) {
      id = this.sites.length;
      this.sites.push(site);
      this.siteCanon.set(canon, id);
      if (fileless) this.siteFileless.push({ id, path, frame, offset, seq });
    }
    return id;
  }

  /**
   * Gives each site written without its file the source of its module's table entry (from any file
   * read so far); a module with none leaves the file unknown (the call shows at its function) and
   * is reported once per site, naming where it was first seen.
   */
  resolveSiteFiles(problems: LoadProblem[]): void {
    for (const u of this.siteFileless) {
      const site = this.sites[u.id];
      const mod = site.mfa!.module;
      const source = this.modules.get(mod)?.source;
      if (source) {
        site.file = source;
        continue;
      }
      const message = escapeControls(
        `call (seq ${u.seq}) names its call site by line only in ${mod}, which has no module-table frame with a source in this file; the site's file is unknown`,
      );
      problems.push({
        file: u.path,
        frame: u.frame,
        offset: u.offset,
        message,
        text: `${escapeControls(u.path)}:frame ${u.frame} (byte offset ${u.offset}): ${message}`,
      });
    }
    this.siteFileless.length = 0;
  }

  addAux(term: Term): number {
    return this.aux.terms.push(term) - 1;
  }
}

/** Reads a charlist or a binary as text. */
export function termText(t: Term): string | undefined {
  if (Array.isArray(t) && t.every((c) => typeof c === "number"))
    return String.fromCodePoint(...(t as number[]));
  if (t instanceof Object && "bytes" in t && t.bytes instanceof Uint8Array)
    return Buffer.from(t.bytes).toString("utf8");
  return undefined;
}

function toCallSite(t: Term): CallSite | undefined {
  if (!(t instanceof Tuple)) return undefined;
  const el = t.elements;
  const site: CallSite = {};
  if (el.length >= 3 && el[0] instanceof Atom && el[1] instanceof Atom && typeof el[2] === "number")
    site.mfa = { module: el[0].name, fun: el[1].name, arity: el[2] };
  const loc = el[el.length - 1];
  if (loc instanceof Tuple && loc.elements.length === 2) {
    const file = termText(loc.elements[0]);
    const line = loc.elements[1];
    if (file !== undefined) site.file = file;
    if (typeof line === "number") site.line = line;
  } else if (site.mfa && isFileless(t)) site.line = loc as number;
  return site.mfa || site.file ? site : undefined;
}

/** `{m, f, a, line}`: a call site whose file is its module's table source. */
function isFileless(t: Term): boolean {
  return t instanceof Tuple && t.elements.length === 4 && typeof t.elements[3] === "number";
}
