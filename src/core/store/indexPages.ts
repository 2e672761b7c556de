// The index file's sections are checked page by page (4 KiB), so that a look-up can read and check
// just the pages it touches instead of a whole column: `pageSum` is the per-page checksum, `PagedFile`
// reads pages of a section, each once, into a buffer of the section's size.

import { read as fsRead, readSync } from "node:fs";

export const PAGE = 4096;
const PAGE_WORDS = PAGE / 4;

/**
 * A 32-bit checksum of 32-bit words: two interleaved multiply-rotate lanes, then a final mix. Each
 * step is a bijection of its lane, so any one changed word always changes the sum. ~10× faster than
 * zlib's CRC-32 here, which was a third of the CPU of a debug launch on a big recording.
 */
export function pageSum(w: Int32Array, from: number, to: number): number {
  let a = 0x9e3779b9 ^ (to - from);
  let b = 0x85ebca6b | 0;
  // An odd last word feeds lane a alone, inside the loop: as a tail after it, its read was a site
  // optimised code had never run, and each call deoptimised there (40 times in a 1M first open).
  for (let i = from; i < to; i += 2) {
    a = Math.imul(a ^ w[i], 0xcc9e2d51);
    a = (a << 15) | (a >>> 17);
    if (i + 1 === to) break;
    b = Math.imul(b ^ w[i + 1], 0x1b873593);
    b = (b << 13) | (b >>> 19);
  }
  let h = a ^ Math.imul(b, 0x85ebca6b);
  h ^= h >>> 16;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 13;
  return h >>> 0;
}

/** Bytes rounded up to whole words: a section's last page is summed with its zero padding. */
export function paddedLength(bytes: number): number {
  return (bytes + 3) & ~3;
}

export function pageCount(bytes: number): number {
  return Math.ceil(paddedLength(bytes) / PAGE);
}

/** The page sums of `bytes`, as the file holds them: zero-padded to whole words. */
export function pageSums(bytes: Uint8Array): Uint32Array {
  const out = new Uint32Array(pageCount(bytes.length));
  if (bytes.byteOffset % 4 !== 0) {
    // Not word-aligned (a small buffer, such as the terms'): summed from a padded copy.
    const copy = new Uint8Array(paddedLength(bytes.length));
    copy.set(bytes);
    return pageSums(copy);
  }
  // Every page but the last in place; the last from a padded copy when the bytes end inside a word,
  // since bytes past the end may be spare capacity, not the zeros the file holds. (Copying a whole
  // 1 MB byte column for that was 256 fresh pages to fault in, per column.)
  const whole = Math.floor(bytes.length / 4);
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, whole);
  const last = out.length - 1;
  for (let p = 0; p < last; p++) out[p] = pageSum(words, p * PAGE_WORDS, (p + 1) * PAGE_WORDS);
  if (last >= 0) {
    const from = last * PAGE;
    const tail = new Uint8Array(paddedLength(bytes.length) - from);
    tail.set(bytes.subarray(from));
    out[last] = pageSum(new Int32Array(tail.buffer), 0, tail.length / 4);
  }
  return out;
}

/** Where a section lies in the file and where its page sums are in the table of sums. */
export interface PagedSection {
  name: string;
  offset: number;
  /** Bytes of data (without padding). */
  bytes: number;
  /** Index of its first page's sum. */
  page: number;
  /** The checksum of its page sums. */
  sums: number;
}

export class DamagedPageError extends Error {}

/** Runs of pages up to this size are read through a scratch buffer (see `PagedFile.read`). */
const SCRATCH = 64 * 1024;

/** Reads `b.length` bytes of a file at `at` (injectable, so that tests can count the reads). */
export type ReadAt = (fd: number, b: Uint8Array, at: number) => void;

/** One section's bytes as far as read: a buffer of its whole (padded) size and which pages it holds. */
interface Pages {
  buf: ArrayBuffer;
  have: Uint8Array;
  missing: number;
  /** The first page `readAhead` has not asked the thread pool for yet. */
  ahead: number;
}

/**
 * Reads checked pages of sections from an open index file, each page at most once: a section's pages
 * land in one buffer of the section's size (its untouched parts cost no memory until written), so a
 * look-up's pages, a binary search's ~20 probes and a later whole read all share it, and a whole read
 * reads only the pages still missing.
 */
export class PagedFile {
  private readonly pages = new Map<string, Pages>();
  private readonly scratch = new Uint8Array(SCRATCH);

  /** Each section's page sums, read (and checked) with its first page. */
  private readonly sums = new Map<string, Uint32Array>();

  constructor(
    private readonly fd: number,
    /** Where the table of page sums starts in the file. */
    private readonly sumsAt: number,
    private readonly readAt: ReadAt = readInto,
  ) {}

  private sumsOf(s: PagedSection): Uint32Array {
    let sums = this.sums.get(s.name);
    if (!sums) {
      sums = new Uint32Array(pageCount(s.bytes));
      this.readAt(this.fd, new Uint8Array(sums.buffer), this.sumsAt + s.page * 4);
      if (pageSum(new Int32Array(sums.buffer), 0, sums.length) !== s.sums)
        throw new DamagedPageError(`the page sums of section ${s.name} are damaged (checksum mismatch)`);
      this.sums.set(s.name, sums);
    }
    return sums;
  }

  private pagesOf(s: PagedSection): Pages {
    let p = this.pages.get(s.name);
    if (!p) {
      const n = pageCount(s.bytes);
      // Whole 8-byte units, so that a Float64Array view of it is possible.
      p = {
        buf: new ArrayBuffer((paddedLength(s.bytes) + 7) & ~7),
        have: new Uint8Array(n),
        missing: n,
        ahead: 0,
      };
      this.pages.set(s.name, p);
    }
    return p;
  }

  /** Whether every page of the section has been read. */
  complete(s: PagedSection): boolean {
    return this.pages.get(s.name)?.missing === 0;
  }

  /**
   * The section's buffer (offset 0, word-aligned) with at least pages [p0, p1) read and checked: each
   * run of missing pages is one read call; pages read before are not read again.
   */
  read(s: PagedSection, p0: number, p1: number): ArrayBuffer {
    const pg = this.pagesOf(s);
    p1 = Math.min(p1, pg.have.length);
    if (pg.missing === 0) return pg.buf;
    const padded = paddedLength(s.bytes);
    for (let p = Math.max(0, p0); p < p1;) {
      if (pg.have[p]) {
        p++;
        continue;
      }
      let q = p + 1;
      while (q < p1 && !pg.have[q]) q++;
      const from = p * PAGE;
      const to = Math.min(padded, q * PAGE);
      if (to - from > SCRATCH) this.readAt(this.fd, new Uint8Array(pg.buf, from, to - from), s.offset + from);
      else {
        // Through a small buffer, then copied: a read call into a view of a big ArrayBuffer costs
        // ~10× one into a small one (0.1–0.3 ms measured here), more than a page's copy.
        const scratch = this.scratch.subarray(0, to - from);
        this.readAt(this.fd, scratch, s.offset + from);
        new Uint8Array(pg.buf, from, to - from).set(scratch);
      }
      const words = new Int32Array(pg.buf, 0, padded / 4);
      const sums = this.sumsOf(s);
      for (let k = p; k < q; k++) {
        const w0 = k * PAGE_WORDS;
        if (pageSum(words, w0, Math.min(words.length, w0 + PAGE_WORDS)) !== sums[k])
          throw new DamagedPageError(`section ${s.name} is damaged (checksum mismatch)`);
        pg.have[k] = 1;
        pg.missing--;
      }
      p = q;
    }
    return pg.buf;
  }

  /** The section's buffer with the pages holding bytes [from, to) read and checked. */
  range(s: PagedSection, from: number, to: number): ArrayBuffer {
    return this.read(s, Math.floor(from / PAGE), Math.ceil(to / PAGE));
  }

  /** The section's buffer with every page read and checked. */
  whole(s: PagedSection): ArrayBuffer {
    return this.read(s, 0, pageCount(s.bytes));
  }

  /** Whether `readAhead` has asked for every page of the section that was missing. */
  aheadDone(s: PagedSection): boolean {
    const pg = this.pagesOf(s);
    while (pg.ahead < pg.have.length && pg.have[pg.ahead]) pg.ahead++;
    return pg.ahead >= pg.have.length;
  }

  /**
   * Reads the next run of at most `max` missing pages of a section not asked for before on libuv's
   * thread pool, then checks them here; `done` is called once they are in (or with the error).
   * Several may be in flight. Pages read meanwhile by `read` hold the same bytes and are not
   * checked twice.
   */
  readAhead(s: PagedSection, max: number, done: (e?: Error) => void): void {
    const pg = this.pagesOf(s);
    if (this.aheadDone(s)) return done();
    const p = pg.ahead;
    let q = p + 1;
    while (q < pg.have.length && q < p + max && !pg.have[q]) q++;
    pg.ahead = q;
    const padded = paddedLength(s.bytes);
    const from = p * PAGE;
    const to = Math.min(padded, q * PAGE);
    let sums: Uint32Array;
    try {
      sums = this.sumsOf(s);
    } catch (e) {
      return done(e as Error);
    }
    // Straight into the section's buffer: the first touch of its fresh pages (a page fault each,
    // 20-70 µs on this VM) then happens on the pool thread, not between this thread's requests, as
    // a read into a buffer of its own and a copy here did (32 faults per run on this thread). Pages
    // `read` fills meanwhile get the same bytes; a page is used only once checked here.
    const words = new Int32Array(pg.buf, 0, padded / 4);
    fsRead(this.fd, new Uint8Array(pg.buf, from, to - from), 0, to - from, s.offset + from, (err, got) => {
      if (err || got !== to - from) return done(err ?? new DamagedPageError("truncated"));
      for (let k = p; k < q; k++) {
        if (pg.have[k]) continue;
        const w0 = k * PAGE_WORDS;
        if (pageSum(words, w0, Math.min(words.length, w0 + PAGE_WORDS)) !== sums[k])
          return done(new DamagedPageError(`section ${s.name} is damaged (checksum mismatch)`));
        pg.have[k] = 1;
        pg.missing--;
      }
      done();
    });
  }
}

export function readInto(fd: number, b: Uint8Array, at: number): void {
  let got = 0;
  while (got < b.length) {
    const k = readSync(fd, b, got, b.length - got, at + got);
    if (k <= 0) throw new DamagedPageError("truncated");
    got += k;
  }
}
