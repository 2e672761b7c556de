// Writes .estrace files from TypeScript: used by `elixirscope import` (JSON Lines → ETF), by the test
// fixtures and by the benchmark's synthetic trace generator. It writes exactly what the Elixir
// recorder writes (docs/trace-format.md), so the reader cannot tell them apart.

import { closeSync, openSync, writeSync } from "node:fs";
import { FRAME_MARK, MAGIC } from "./reader/readTrace";
import { atom, bin, map, tuple } from "./terms/build";
import { EtfWriter, encodeTerm } from "./terms/encode";
import { type Pid, type Term, UNDEFINED } from "./terms/term";

export interface HeaderFields {
  node?: string;
  recorderVersion?: string;
  otpRelease?: string;
  elixirVersion?: string;
  timeUnit?: "second" | "millisecond" | "microsecond" | "nanosecond" | "native";
  startSystemTime?: number | bigint;
  startMonotonic?: number;
  /** The trace format version (1 unless given). */
  version?: number;
  extra?: Array<[string, Term]>;
}

export type MfaTuple = [module: string, fun: string, arity: number];

/** Builds trace frames in memory (or streams them to a file with `TraceFileWriter`). */
export class TraceBuilder {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  seq = 0;
  time = 0;
  /** Time added before each event that does not give its own. */
  tick = 1000;

  constructor(header: HeaderFields = {}) {
    this.raw(MAGIC);
    this.frame(headerTerm(header));
  }

  /** Appends one frame holding `term`. */
  frame(term: Term): this {
    this.frameBytes(encodeTerm(term));
    return this;
  }

  frameBytes(etf: Uint8Array): this {
    const head = Buffer.alloc(5);
    head[0] = FRAME_MARK;
    head.writeUInt32BE(etf.length, 1);
    this.raw(head);
    this.raw(etf);
    return this;
  }

  /** Appends raw bytes (tests use it to write damaged frames). */
  raw(bytes: Uint8Array): this {
    this.chunks.push(bytes);
    this.size += bytes.length;
    return this;
  }

  /** Appends an event `{kind, seq, time, pid, ...fields}` with the next seq and time. */
  event(kind: string, pid: Pid, fields: Term[], at?: number): this {
    this.time = at ?? this.time + this.tick;
    return this.frame(tuple(atom(kind), this.seq++, this.time, pid, ...fields));
  }

  /** A caller without `file` is written `{cm, cf, ca, line}`: its file is `cm`'s module-table source. */
  call(pid: Pid, mfa: MfaTuple, args: Term[], caller?: { mfa: MfaTuple; file?: string; line: number }): this {
    const site = caller
      ? tuple(
          atom(caller.mfa[0]),
          atom(caller.mfa[1]),
          caller.mfa[2],
          caller.file === undefined ? caller.line : tuple(charlistOf(caller.file), caller.line),
        )
      : UNDEFINED;
    return this.event("call", pid, [mfaTerm(mfa), args, site]);
  }

  ret(pid: Pid, mfa: MfaTuple, value: Term): this {
    return this.event("return", pid, [mfaTerm(mfa), value]);
  }

  exception(
    pid: Pid,
    mfa: MfaTuple,
    cls: "error" | "throw" | "exit",
    reason: Term,
    stacktrace: Term = [],
  ): this {
    return this.event("exception", pid, [mfaTerm(mfa), tuple(atom(cls), reason), stacktrace]);
  }

  send(pid: Pid, to: Term, msg: Term, status?: "ok" | "no_process"): this {
    return this.event("send", pid, status ? [to, msg, atom(status)] : [to, msg]);
  }

  receive(pid: Pid, msg: Term, from: Term = UNDEFINED): this {
    return this.event("receive", pid, [from, msg]);
  }

  /** A format-2 receive that names the send `sendSeq` instead of carrying its message. */
  receiveSent(pid: Pid, sendSeq: number, from: Term = UNDEFINED): this {
    return this.event("receive", pid, [from, atom("$sent"), sendSeq]);
  }

  spawn(pid: Pid, child: Pid, mfa: [string, string, Term[]]): this {
    return this.event("spawn", pid, [child, tuple(atom(mfa[0]), atom(mfa[1]), mfa[2])]);
  }

  exit(pid: Pid, reason: Term): this {
    return this.event("exit", pid, [reason]);
  }

  link(pid: Pid, other: Pid): this {
    return this.event("link", pid, [other]);
  }

  state(pid: Pid, callback: MfaTuple, state: Term): this {
    return this.event("state", pid, [mfaTerm(callback), state]);
  }

  register(pid: Pid, name: string): this {
    return this.event("register", pid, [atom(name)]);
  }

  process(pid: Pid, info: Array<[string, Term]>): this {
    return this.event("process", pid, [map(info.map(([k, v]) => [atom(k), v]))]);
  }

  module(
    module: string,
    source: string,
    functions: Array<[name: string, arity: number, line: number, clauses?: number[]]>,
  ): this {
    return this.frame(
      tuple(
        atom("module"),
        atom(module),
        bin(source),
        functions.map(([n, a, l, c]) => tuple(atom(n), a, l, c ?? [l])),
      ),
    );
  }

  footer(info: Array<[string, Term]> = []): this {
    return this.frame(tuple(atom("footer"), map(info.map(([k, v]) => [atom(k), v]))));
  }

  get byteLength(): number {
    return this.size;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

/** Streams frames to a file as they are made, for traces too big to hold in memory. */
export class TraceFileWriter {
  private readonly fd: number;
  private readonly enc = new EtfWriter(1 << 22);

  /** `header` is the header's fields, or a whole header term already encoded as ETF. */
  constructor(
    readonly path: string,
    header: HeaderFields | Uint8Array = {},
  ) {
    this.fd = openSync(path, "w");
    writeSync(this.fd, MAGIC);
    if (header instanceof Uint8Array) this.frameBytes(header);
    else this.frame(headerTerm(header));
  }

  frame(term: Term): void {
    this.enc.frame(term);
    if (this.enc.length >= 1 << 22) this.flush();
  }

  /** Appends a frame around an already encoded ETF blob. */
  frameBytes(etf: Uint8Array): void {
    this.flush();
    const head = Buffer.alloc(5);
    head[0] = FRAME_MARK;
    head.writeUInt32BE(etf.length, 1);
    writeSync(this.fd, head);
    writeSync(this.fd, etf);
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.enc.length) writeSync(this.fd, this.enc.view());
    this.enc.reset();
  }
}

export function headerTerm(h: HeaderFields): Term {
  const entries: Array<[Term, Term]> = [
    [atom("recorder_version"), bin(h.recorderVersion ?? "0.1.0")],
    [atom("node"), atom(h.node ?? "nonode@nohost")],
    [atom("otp_release"), bin(h.otpRelease ?? "25")],
    [atom("elixir_version"), bin(h.elixirVersion ?? "1.14.0")],
    [atom("time_unit"), atom(h.timeUnit ?? "nanosecond")],
    [atom("start_system_time"), h.startSystemTime ?? 1764000000000000000n],
    [atom("start_monotonic"), h.startMonotonic ?? 0],
  ];
  for (const [k, v] of h.extra ?? []) entries.push([atom(k), v]);
  return tuple(atom("estrace"), h.version ?? 1, map(entries));
}

export function mfaTerm([m, f, a]: MfaTuple): Term {
  return tuple(atom(m), atom(f), a);
}

function charlistOf(s: string): Term {
  return Array.from(s, (c) => c.codePointAt(0)!);
}
