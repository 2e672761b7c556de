// The index file's sections are checked page by page (4 KiB), so that a look-up can read and check
// just the pages it touches instead of a whole column: `pageSum` is the per-page checksum, `PagedFile`
// reads a section whole, or a range of it, or one value through a small page cache.

import { readSync } from "node:fs";

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
  let i = from;
  for (; i + 1 < to; i += 2) {
    a = Math.imul(a ^ w[i], 0xcc9e2d51);
    a = (a << 15) | (a >>> 17);
    b = Math.imul(b ^ w[i + 1], 0x1b873593);
    b = (b << 13) | (b >>> 19);
  }
  if (i < to) {
    a = Math.imul(a ^ w[i], 0xcc9e2d51);
    a = (a << 15) | (a >>> 17);
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
  const padded = paddedLength(bytes.length);
  let words: Int32Array;
  if (bytes.byteOffset % 4 === 0 && padded === bytes.length)
    words = new Int32Array(bytes.buffer, bytes.byteOffset, padded / 4);
  else {
    // Bytes past the end may be spare capacity, not the zeros the file holds: sum a padded copy.
    const copy = new Uint8Array(padded);
    copy.set(bytes);
    words = new Int32Array(copy.buffer);
  }
  const out = new Uint32Array(pageCount(bytes.length));
  for (let p = 0; p < out.length; p++)
    out[p] = pageSum(words, p * PAGE_WORDS, Math.min(words.length, (p + 1) * PAGE_WORDS));
  return out;
}

/** Checks every page of `words` (pages `first`… of section `s`) against the section's page sums. */
function checkPages(s: PagedSection, words: Int32Array, first: number, sums: Uint32Array): void {
  for (let p = 0; p * PAGE_WORDS < words.length; p++) {
    const w0 = p * PAGE_WORDS;
    if (pageSum(words, w0, Math.min(words.length, w0 + PAGE_WORDS)) !== sums[first + p])
      throw new DamagedPageError(`section ${s.name} is damaged (checksum mismatch)`);
  }
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

const CACHED_PAGES = 1024;

/** Reads checked bytes of sections from an open index file. */
export class PagedFile {
  /** Single pages read for one-value look-ups, most recently used last (4 MiB at most). */
  private readonly cache = new Map<string, DataView>();

  /** Each section's page sums, read (and checked) with its first page. */
  private readonly sums = new Map<string, Uint32Array>();

  constructor(
    private readonly fd: number,
    /** Where the table of page sums starts in the file. */
    private readonly sumsAt: number,
  ) {}

  private sumsOf(s: PagedSection): Uint32Array {
    let sums = this.sums.get(s.name);
    if (!sums) {
      sums = new Uint32Array(pageCount(s.bytes));
      readInto(this.fd, new Uint8Array(sums.buffer), this.sumsAt + s.page * 4);
      if (pageSum(new Int32Array(sums.buffer), 0, sums.length) !== s.sums)
        throw new DamagedPageError(`the page sums of section ${s.name} are damaged (checksum mismatch)`);
      this.sums.set(s.name, sums);
    }
    return sums;
  }

  /**
   * Bytes [from, to) of a section, read with the whole pages around them (each checked), into a fresh
   * word-aligned buffer; the result starts at `from`'s offset in its first page (`start`).
   */
  range(s: PagedSection, from: number, to: number): { buf: ArrayBuffer; start: number } {
    const p0 = Math.floor(from / PAGE);
    const p1 = Math.min(pageCount(s.bytes), Math.ceil(to / PAGE));
    const end = Math.min(paddedLength(s.bytes), p1 * PAGE);
    // Whole 8-byte units, so that a Float64Array view of the first page is possible.
    const buf = new ArrayBuffer((end - p0 * PAGE + 7) & ~7);
    const bytes = new Uint8Array(buf, 0, end - p0 * PAGE);
    readInto(this.fd, bytes, s.offset + p0 * PAGE);
    checkPages(s, new Int32Array(buf, 0, bytes.length / 4), p0, this.sumsOf(s));
    return { buf, start: from - p0 * PAGE };
  }

  /** The page holding byte `at` of a section, checked, from the cache when it was read before. */
  page(s: PagedSection, at: number): { view: DataView; start: number } {
    const p = Math.floor(at / PAGE);
    const key = `${s.name}:${p}`;
    let view = this.cache.get(key);
    if (view) {
      this.cache.delete(key);
    } else {
      view = new DataView(this.range(s, p * PAGE, Math.min(s.bytes, (p + 1) * PAGE)).buf);
      if (this.cache.size >= CACHED_PAGES) this.cache.delete(this.cache.keys().next().value as string);
    }
    this.cache.set(key, view);
    return { view, start: p * PAGE };
  }

  /** Drops the cached pages of a section (once it is read whole they are not needed). */
  forget(name: string): void {
    for (const k of this.cache.keys()) if (k.startsWith(`${name}:`)) this.cache.delete(k);
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
