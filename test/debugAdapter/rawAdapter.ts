// A byte-level client of the stdio adapter for the framing and fuzz tests: it writes any bytes at all
// to the adapter's stdin (a real child process), reads the frames it answers with a strict parser of
// its own, validates each against the protocol's schema, and reads the child's peak memory from /proc.

import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { violations } from "./dapSchema";

const ADAPTER = join(__dirname, "../../src/debugAdapter/stdio.ts");

export type Message = DebugProtocol.ProtocolMessage & Record<string, unknown>;

/** One DAP frame, its length counted in UTF-8 bytes as the protocol says. */
export function frame(body: string | Buffer): Buffer {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, "latin1"), bytes]);
}

export class RawAdapter {
  readonly child: ChildProcessWithoutNullStreams;
  readonly messages: Message[] = [];
  /** Schema violations and unparsable output: must stay empty. */
  readonly violations: string[] = [];
  private out = Buffer.alloc(0);
  private seq = 1_000;
  private waiters: Array<() => void> = [];
  stderr = "";
  exit?: { code: number | null; signal: NodeJS.Signals | null };

  constructor(command: string[] = [process.execPath, "--import", "tsx", ADAPTER]) {
    this.child = spawn(command[0], command.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.on("data", (c: Buffer) => this.read(c));
    this.child.stderr.on("data", (c: Buffer) => (this.stderr += c.toString("utf8")));
    this.child.stdin.on("error", () => {}); // a dead adapter shows in `exit`, not as an EPIPE here
    this.child.on("exit", (code, signal) => {
      this.exit = { code, signal };
      this.wake();
    });
  }

  private read(chunk: Buffer): void {
    this.out = Buffer.concat([this.out, chunk]);
    for (;;) {
      const end = this.out.indexOf("\r\n\r\n");
      if (end < 0) return;
      const m = /^Content-Length: (\d+)$/.exec(this.out.toString("latin1", 0, end));
      if (!m) {
        this.violations.push(`bad header from the adapter: ${this.out.toString("latin1", 0, end)}`);
        this.out = this.out.subarray(end + 4);
        continue;
      }
      const n = Number(m[1]);
      if (this.out.length < end + 4 + n) return;
      const body = this.out.toString("utf8", end + 4, end + 4 + n);
      this.out = this.out.subarray(end + 4 + n);
      try {
        const msg = JSON.parse(body) as Message;
        this.violations.push(...violations(msg));
        this.messages.push(msg);
      } catch {
        this.violations.push(`not JSON from the adapter: ${body.slice(0, 200)}`);
      }
      this.wake();
    }
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  /** Resolves with the first message (from index `from` on) that `test` accepts. */
  waitFor(test: (m: Message) => boolean, timeoutMs = 20_000, from = 0): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no such message within ${timeoutMs} ms; stderr: ${this.stderr.slice(-500)}`)),
        timeoutMs,
      );
      const check = (): void => {
        const found = this.messages.slice(from).find(test);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else if (this.exit) {
          clearTimeout(timer);
          reject(new Error(`the adapter exited (${JSON.stringify(this.exit)}); stderr: ${this.stderr}`));
        } else this.waiters.push(check);
      };
      check();
    });
  }

  write(bytes: Buffer | string): void {
    this.child.stdin.write(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes);
  }

  /** Sends a well-formed request and waits for its response. */
  async request(command: string, args?: unknown, timeoutMs?: number): Promise<DebugProtocol.Response> {
    const seq = ++this.seq;
    const from = this.messages.length;
    this.write(frame(JSON.stringify({ seq, type: "request", command, arguments: args })));
    return (await this.waitFor(
      (m) => m.type === "response" && m.request_seq === seq,
      timeoutMs,
      from,
    )) as unknown as DebugProtocol.Response;
  }

  /** The child's peak resident memory so far, in KiB (Linux). */
  peakRssKb(): number {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, "utf8"));
    return m ? Number(m[1]) : NaN;
  }

  /** The child's resident memory now, in KiB (Linux). */
  rssKb(): number {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, "utf8"));
    return m ? Number(m[1]) : NaN;
  }

  /** Closes stdin and waits for the adapter to exit. */
  async close(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.stdin.end();
    const deadline = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    while (!this.exit) await new Promise<void>((r) => this.waiters.push(r));
    clearTimeout(deadline);
    return this.exit;
  }
}
