// The cold tier: event payloads stay in the trace files and are read back by byte range on demand,
// through file descriptors kept open for the life of the replay. Single frames are served from a
// few recently read 64 KiB blocks: stepping and condition checks read neighbouring frames, and a
// read call costs far more than copying a frame out of a block. A read far from the previous one reads
// its frame alone (a random look-up would pay for 64 KiB it never uses).

import { closeSync, fstatSync, openSync, readSync } from "node:fs";

const BLOCK = 64 * 1024;
const BLOCKS = 32;
/** The scan window: one read call per MiB is near the page cache's copy speed (64 KiB calls are 2-3× slower). */
const WINDOW = 1 << 20;

export class FrameSource {
  private readonly fds: number[];
  /** Recently read blocks by `file:blockNo`, least recently used first. */
  private readonly blocks = new Map<string, Buffer>();
  private readonly sizes: number[] = [];
  /** The scan window (`view`): which file and byte range it holds. */
  private window?: Buffer;
  private winFile = -1;
  private winStart = 0;
  private winEnd = 0;
  /** Which block the last single-frame read fell in. */
  private lastFile = -1;
  private lastBlock = -1;
  constructor(readonly paths: string[]) {
    this.fds = paths.map((p) => openSync(p, "r"));
  }

  /** A frame's bytes, in a buffer of its own (decoded terms keep views of it, never of a block). */
  read(file: number, offset: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    const no = Math.floor(offset / BLOCK);
    if (Math.floor((offset + length - 1) / BLOCK) !== no) {
      this.readInto(file, buf, 0, offset, length);
      return buf;
    }
    const key = `${file}:${no}`;
    let block = this.blocks.get(key);
    const near = file === this.lastFile && Math.abs(no - this.lastBlock) <= 1;
    this.lastFile = file;
    this.lastBlock = no;
    if (block) this.blocks.delete(key);
    else if (!near) {
      // A read far from the last one (a look-up at a random moment): its frame alone. A 64 KiB block
      // costs ~10× a frame's read, and is only worth it once reads come near each other (stepping).
      this.readInto(file, buf, 0, offset, length);
      return buf;
    } else {
      const start = no * BLOCK;
      this.sizes[file] ??= fstatSync(this.fds[file]).size;
      block = Buffer.allocUnsafe(Math.min(BLOCK, this.sizes[file] - start));
      this.readInto(file, block, 0, start, block.length);
      if (this.blocks.size >= BLOCKS) this.blocks.delete(this.blocks.keys().next().value as string);
    }
    this.blocks.set(key, block);
    if (offset + length > no * BLOCK + block.length) {
      // The file grew since its size was taken: read the frame itself.
      this.readInto(file, buf, 0, offset, length);
      return buf;
    }
    block.copy(buf, 0, offset - no * BLOCK, offset - no * BLOCK + length);
    return buf;
  }

  /**
   * A frame's bytes as a view of a reused window, valid only until the next call: for scans that test
   * many frames and keep none (condition pre-filters). The window is read ahead in the direction the
   * scan goes, so a walk forward or backward over a file costs one read call per MiB.
   */
  view(file: number, offset: number, length: number): Buffer {
    if (length > WINDOW) return this.read(file, offset, length);
    const at = this.windowAt(file, offset, length);
    return this.window!.subarray(at, at + length);
  }

  /** As `view`, without a view object: the frame is `buf[start, end)`, valid until the next call. */
  range(
    file: number,
    offset: number,
    length: number,
    out: { buf: Buffer; start: number; end: number },
  ): void {
    if (length > WINDOW) {
      out.buf = this.read(file, offset, length);
      out.start = 0;
    } else {
      out.start = this.windowAt(file, offset, length);
      out.buf = this.window!;
    }
    out.end = out.start + length;
  }

  /** Where a frame starts in the scan window, reading the window first when it is not there. */
  private windowAt(file: number, offset: number, length: number): number {
    if (file === this.winFile && offset >= this.winStart && offset + length <= this.winEnd)
      return offset - this.winStart;
    this.window ??= Buffer.allocUnsafeSlow(WINDOW);
    this.sizes[file] ??= fstatSync(this.fds[file]).size;
    const size = this.sizes[file];
    // Before the current window: the scan goes backward, so end the new window at this frame.
    const backward = file === this.winFile && offset < this.winStart;
    let start = backward ? Math.max(0, offset + length - WINDOW) : offset;
    const end = Math.min(Math.max(size, offset + length), start + WINDOW);
    if (end - start < length) start = offset;
    this.readInto(file, this.window, 0, start, end - start);
    this.winFile = file;
    this.winStart = start;
    this.winEnd = end;
    return offset - start;
  }

  /** Reads `length` bytes at `offset` of a file into `buf` at `at`. */
  readInto(file: number, buf: Buffer, at: number, offset: number, length: number): void {
    let got = 0;
    while (got < length) {
      const n = readSync(this.fds[file], buf, at + got, length - got, offset + got);
      if (n <= 0)
        throw new Error(
          `${this.paths[file]}: the file changed while open (short read at byte ${offset + got})`,
        );
      got += n;
    }
  }

  close(): void {
    for (const fd of this.fds.splice(0)) closeSync(fd);
    this.blocks.clear();
    this.window = undefined;
    this.winFile = -1;
  }
}
