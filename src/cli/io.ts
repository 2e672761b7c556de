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
  private regular = false;
  /** Bytes `write` has written: where the next one goes. */
  position = 0;

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
    this.regular = !st || st.isFile();
  }

  write(s: string | Uint8Array): void {
    if (this.fd === undefined) return;
    try {
      const buf = typeof s === "string" ? Buffer.from(s) : s;
      for (let off = 0; off < buf.length;) off += writeSync(this.fd, buf, off);
      this.position += buf.length;
    } catch (e) {
      this.close();
      throw this.failure(e);
    }
  }

  /**
   * The descriptor, for writes at given offsets (by other threads too), when the file is a regular
   * one (a device such as /dev/null is written in order through `write`).
   */
  positioned(): number | undefined {
    return this.regular ? this.fd : undefined;
  }

  /** Writes bytes at an offset (a regular file: see `positioned`). */
  writeAt(buf: Uint8Array, at: number): void {
    if (this.fd === undefined) return;
    try {
      for (let off = 0; off < buf.length;) off += writeSync(this.fd, buf, off, buf.length - off, at + off);
    } catch (e) {
      this.close();
      throw this.failure(e);
    }
  }

  /** A failed write (here or by a worker thread writing through `positioned`) as the error to throw. */
  failure(e: unknown): UsageError {
    return new UsageError(`${this.what}: cannot write ${this.path}: ${phrase(e)}`);
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

/**
 * What stdout and stderr are written through, shared by the CLI's bundles (main and its parts each
 * hold a copy of this module): a process-wide registry, so that once one copy fell back to a stream
 * every copy writes through it, in order.
 */
interface Stdio {
  /** Set once a write found a non-blocking fd (EAGAIN): from then on that fd's stream is used. */
  streams: { 1?: NodeJS.WriteStream; 2?: NodeJS.WriteStream };
  /** stdout's reader went away: later writes are dropped while the command ends. */
  closing: boolean;
  /** The CLI runs as its own process (not embedded in a test or a tool): fds 1 and 2 are its own. */
  direct: boolean;
}
const KEY = Symbol.for("elixirscope.cli.stdio");
function stdio(): Stdio {
  const g = globalThis as { [KEY]?: Stdio };
  return (g[KEY] ??= { streams: {}, closing: false, direct: false });
}

/**
 * A closed stdout (`elixirscope events … | head`) ends the command quietly with exit 0, once the
 * index a first open is saving is written (see finishBeforeExit.ts: else every such run would parse
 * the trace again); any other stdout/stderr failure (a full disk) is one line and exit 2.
 */
function failed(fd: 1 | 2, e: unknown): void {
  const st = stdio();
  if (fd === 1 && code(e) === "EPIPE") {
    // Later writes fail the same way while the save finishes: one exit.
    if (!st.closing) void registeredWork().then(() => process.exit(0));
    st.closing = true;
    return;
  }
  if (fd === 2) process.exit(2);
  try {
    writeStderr(`elixirscope: cannot write the output: ${phrase(e)}\n`);
  } finally {
    process.exit(2);
  }
}

/** Node's stream for fd 1 or 2, with the errors handled as `failed` says. */
function streamOf(fd: 1 | 2): NodeJS.WriteStream {
  const st = stdio();
  let s = st.streams[fd];
  if (!s) {
    s = fd === 1 ? process.stdout : process.stderr;
    s.on("error", (e) => failed(fd, e));
    st.streams[fd] = s;
  }
  return s;
}

/**
 * Writes to fd 1 or 2 with `writeSync`, as Node's stream does for files, TTYs and pipes on Linux,
 * without creating `process.stdout`/`stderr`: that loads Node's stream modules (and `net` for a
 * pipe): ~20 internal modules to compile. A non-blocking fd (EAGAIN) is handed to the stream,
 * which waits for it.
 */
function writeFd(fd: 1 | 2, text: string): void {
  const st = stdio();
  if (fd === 1 && st.closing) return;
  // Embedded, the host may have redirected process.stdout/stderr (tests capture them so).
  const stream = st.direct ? st.streams[fd] : streamOf(fd);
  if (stream) {
    stream.write(text);
    return;
  }
  const buf = Buffer.from(text, "utf8");
  let off = 0;
  try {
    while (off < buf.length) off += writeSync(fd, buf, off);
  } catch (e) {
    if (code(e) === "EAGAIN") streamOf(fd).write(buf.subarray(off));
    else failed(fd, e);
  }
}

/**
 * Ends the process with `code` once a command is done and the work it registered (finishBeforeExit)
 * is: at once, rather than when the event loop runs dry. That loop turn ran the scavenge V8 had
 * scheduled meanwhile (new space 80 % full): 6-12 ms of every `info` on the 1M trace, spent after its
 * output. Output handed to a stream (a non-blocking fd) is still being written: then the loop ends it.
 */
export async function exitWhenDone(code: number): Promise<void> {
  process.exitCode = code;
  await registeredWork();
  const st = stdio();
  if (st.streams[1] || st.streams[2]) return;
  process.exit(code);
}

/** Called by the CLI's entry when it is the process's main module: it then writes fds 1 and 2 itself. */
export function ownStdio(): void {
  stdio().direct = true;
}

export function writeStdout(text: string): void {
  writeFd(1, text);
}

export function writeStderr(text: string): void {
  writeFd(2, text);
}
