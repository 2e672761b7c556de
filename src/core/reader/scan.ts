// A cursor over one ETF frame for the load-time fast path: it reads the few small fields the indexes
// need (kind atom, seq, time, pid, MFA) straight from the bytes and skips payload terms without
// decoding them, so that loading costs about a microsecond per event.

import { EtfError } from "../terms/errors";
import { atomEnd, identifierEnd, skipTerm } from "../terms/skip";
import * as T from "../terms/tags";

export class Scan {
  pos = 0;
  buf: Buffer = Buffer.alloc(0);
  end = 0;

  /** Points the cursor at `buf[pos, end)`; one Scan serves every frame of a file. */
  reset(buf: Buffer, pos: number, end: number): void {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  peekTag(): number {
    if (this.pos >= this.end) throw new EtfError("term runs past the end of the frame", this.pos);
    return this.buf[this.pos];
  }

  tupleArity(): number {
    const tag = this.peekTag();
    if (tag === T.SMALL_TUPLE_EXT) {
      this.need(2);
      const n = this.buf[this.pos + 1];
      this.pos += 2;
      return n;
    }
    if (tag === T.LARGE_TUPLE_EXT) {
      this.need(5);
      const n = this.buf.readUInt32BE(this.pos + 1);
      this.pos += 5;
      return n;
    }
    return -1;
  }

  /** Start of the last atom's name bytes read by `atom()` / `atomSpan()`. */
  nameStart = 0;

  /** Moves past an atom and leaves its name in `buf[nameStart, pos)`; false (cursor unmoved) if not an atom. */
  atomSpan(): boolean {
    const tag = this.peekTag();
    let head: number;
    let len: number;
    if (tag === T.SMALL_ATOM_UTF8_EXT || tag === T.SMALL_ATOM_EXT) {
      this.need(2);
      len = this.buf[this.pos + 1];
      head = 2;
    } else if (tag === T.ATOM_UTF8_EXT || tag === T.ATOM_EXT) {
      this.need(3);
      len = this.buf.readUInt16BE(this.pos + 1);
      head = 3;
    } else return false;
    const start = this.pos + head;
    if (start + len > this.end) throw new EtfError("atom runs past the end of the frame", this.pos);
    this.nameStart = start;
    this.pos = start + len;
    return true;
  }

  /** Reads an atom's name, or returns undefined (cursor unmoved) when the next term is not an atom. */
  atom(): string | undefined {
    const tag = this.peekTag();
    if (!this.atomSpan()) return undefined;
    const enc = tag === T.ATOM_UTF8_EXT || tag === T.SMALL_ATOM_UTF8_EXT ? "utf8" : "latin1";
    return this.buf.toString(enc, this.nameStart, this.pos);
  }

  /** Reads an integer (as a number; big integers beyond 2^53 lose precision), or undefined if not one. */
  integer(): number | undefined {
    const tag = this.peekTag();
    const b = this.buf;
    const p = this.pos;
    switch (tag) {
      case T.SMALL_INTEGER_EXT:
        this.need(2);
        this.pos = p + 2;
        return b[p + 1];
      case T.INTEGER_EXT:
        this.need(5);
        this.pos = p + 5;
        return b.readInt32BE(p + 1);
      case T.SMALL_BIG_EXT:
      case T.LARGE_BIG_EXT: {
        const small = tag === T.SMALL_BIG_EXT;
        this.need(small ? 3 : 6);
        const n = small ? b[p + 1] : b.readUInt32BE(p + 1);
        const signAt = p + (small ? 2 : 5);
        const digits = signAt + 1;
        if (digits + n > this.end) throw new EtfError("big integer runs past the end of the frame", p);
        let v = 0;
        for (let i = n - 1; i >= 0; i--) v = v * 256 + b[digits + i];
        this.pos = digits + n;
        return b[signAt] === 0 ? v : -v;
      }
      default:
        return undefined;
    }
  }

  /** Skips one term, validating its structure, and returns its start. */
  skip(): number {
    const start = this.pos;
    this.pos = skipTerm(this.buf, start, this.end);
    if (this.pos > this.end) throw new EtfError("term runs past the end of the frame", start);
    return start;
  }

  /**
   * Skips a pid (the cursor must be at one: see `isPid`) and returns its start. Pids come three or
   * four to an event, so they bypass the general skipper; the checks are the same (`identifierEnd`).
   */
  skipPid(): number {
    const start = this.pos;
    this.pos = identifierEnd(this.buf, start, this.end);
    return start;
  }

  /**
   * Skips one term and returns its start, with a short path for the `{module, fun, arity}` tuple every
   * call, return and state event carries: two atoms and a small integer, checked as the skipper would.
   */
  skipMfa(): number {
    const b = this.buf;
    const start = this.pos;
    const end = this.end;
    if (start + 2 <= end && b[start] === T.SMALL_TUPLE_EXT && b[start + 1] === 3 && isAtomTag(b[start + 2])) {
      const q = atomEnd(b, start + 2, end, "function module");
      const r = q < end && isAtomTag(b[q]) ? atomEnd(b, q, end, "function name") : -1;
      if (r >= 0 && r + 2 <= end && b[r] === T.SMALL_INTEGER_EXT) {
        this.pos = r + 2;
        return start;
      }
    }
    return this.skip();
  }

  isPid(): boolean {
    const t = this.peekTag();
    return t === T.NEW_PID_EXT || t === T.PID_EXT;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new EtfError("term runs past the end of the frame", this.pos);
  }
}

function isAtomTag(tag: number): boolean {
  return (
    tag === T.SMALL_ATOM_UTF8_EXT || tag === T.SMALL_ATOM_EXT || tag === T.ATOM_UTF8_EXT || tag === T.ATOM_EXT
  );
}
