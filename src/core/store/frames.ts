// The cold tier: event payloads stay in the trace files and are read back by byte range on demand,
// through file descriptors kept open for the life of the replay.

import { closeSync, openSync, readSync } from "node:fs";

export class FrameSource {
  private readonly fds: number[];
  constructor(readonly paths: string[]) {
    this.fds = paths.map((p) => openSync(p, "r"));
  }

  read(file: number, offset: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    this.readInto(file, buf, 0, offset, length);
    return buf;
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
  }
}
