// The CLI's file and terminal I/O: every failure (missing folder, a directory or device given as a
// file, a full disk, a closed pipe) becomes one line and exit 2, and `| head` ends quietly.

import { closeSync, openSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { UsageError } from "./args";
import { registeredWork } from "./finishBeforeExit";

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

function phrase(e: unknown): string {
  switch (code(e)) {
    case "ENOENT":
      return "no such file or folder";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    case "ENOSPC":
      return "no space left on the device";
    case "EDQUOT":
      return "disk quota exceeded";
    case "EROFS":
      return "read-only file system";
    case "EIO":
      return "input/output error";
    case "EPIPE":
      return "the reader closed the pipe";
    default:
      return code(e) ?? (e instanceof Error ? e.message : String(e));
  }
}

/** An input file that must be a regular file; refused before it is opened (a FIFO would block). */
export function requireInputFile(path: string, what: string): void {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new UsageError(`${what}: ${path}: ${phrase(e)}`);
  }
  if (st.isDirectory()) throw new UsageError(`${what}: ${path}: is a directory, not a file`);
  if (!st.isFile())
    throw new UsageError(`${what}: ${path}: is not a regular file (a FIFO, device or socket)`);
}

/** A file written synchronously: errors are one-line UsageErrors naming the file. */
export class OutputFile {
  private fd: number | undefined;

  constructor(
    readonly path: string,
    private readonly what: string,
  ) {
    let st;
    try {
      st = statSync(path);
    } catch (e) {
      if (code(e) !== "ENOENT") throw new UsageError(`${what}: ${path}: ${phrase(e)}`);
      try {
        if (!statSync(dirname(path)).isDirectory())
          throw new UsageError(`${what}: ${path}: ${dirname(path)} is not a folder`);
      } catch (e2) {
        if (e2 instanceof UsageError) throw e2;
        throw new UsageError(`${what}: ${path}: the folder ${dirname(path)} does not exist`);
      }
    }
    if (st?.isDirectory()) throw new UsageError(`${what}: ${path}: is a directory, not a file`);
    // A FIFO or socket would block the open; a character device (/dev/null, /dev/full) is written to.
    if (st && !st.isFile() && !st.isCharacterDevice())
      throw new UsageError(`${what}: ${path}: is not a regular file (a FIFO or socket)`);
    try {
      this.fd = openSync(path, "w");
    } catch (e) {
      throw new UsageError(`${what}: cannot write ${path}: ${phrase(e)}`);
    }
  }

  write(s: string | Uint8Array): void {
    if (this.fd === undefined) return;
    try {
      const buf = typeof s === "string" ? Buffer.from(s) : s;
      for (let off = 0; off < buf.length;) off += writeSync(this.fd, buf, off);
    } catch (e) {
      this.close();
      throw new UsageError(`${this.what}: cannot write ${this.path}: ${phrase(e)}`);
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch (e) {
      throw new UsageError(`${this.what}: cannot write ${this.path}: ${phrase(e)}`);
    }
  }
}

let guarded = false;
let closing = false;
/**
 * A closed stdout (`elixirscope events … | head`) ends the command quietly with exit 0, once the
 * index a first open is saving is written (see finishBeforeExit.ts: else every such run would parse
 * the trace again); any other stdout/stderr failure (a full disk) is one line and exit 2.
 */
export function guardStdio(): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on("error", (e) => {
    if (code(e) === "EPIPE") {
      // Later writes fail the same way while the save finishes: one exit.
      if (!closing) void registeredWork().then(() => process.exit(0));
      closing = true;
      return;
    }
    try {
      process.stderr.write(`elixirscope: cannot write the output: ${phrase(e)}\n`);
    } finally {
      process.exit(2);
    }
  });
  process.stderr.on("error", () => process.exit(2));
}
