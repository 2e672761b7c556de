// The adapter's own reader of DAP frames (`Content-Length: N` + blank line + N bytes of UTF-8 JSON)
// for stdio. A bad frame costs that frame only: it is reported, the reader resynchronises on the next
// `Content-Length:` header, and every later frame is served. The inline session never uses it.

/** The largest body accepted. Larger frames are refused and their bytes skipped, never buffered. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** A header block longer than this is not a header (DAP sends one short line). */
export const MAX_HEADER_BYTES = 1024;
/** How much of the bytes skipped between frames is kept, to name the request they carried. */
const MAX_KEPT_GARBAGE = 64 * 1024;

const MARK = Buffer.from("Content-Length:", "latin1");
const END = Buffer.from("\r\n\r\n", "latin1");
// A header line inside a body means the body ended early: raw CR LF never occurs inside a JSON string
// and a bare word never between JSON values, so this cannot be part of a valid body.
const INNER_HEADER = /^Content-Length:[ \t]{0,8}\d{1,15}\r\n/;
/** Any other header line: a name of token characters (RFC 9110), a colon, printable text. */
const HEADER_LINE = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+:[ -~]*$/;
/** What the end of a body looks like when the next frame's header was cut into it. */
const HEADER_PREFIX_AT_END = /^Content-Length:[ \t]*\d*\r?$/;
/** The window re-scanned for a header that was cut between two chunks (longer than INNER_HEADER). */
const OVERLAP = 64;

/** The request a bad frame carried, when its `seq` and `command` can still be read. */
export interface RecoveredRequest {
  seq: number;
  command: string;
}

export interface BadFrame {
  /** One line: what was wrong, quoting (escaped, cut) what was received. */
  problem: string;
  request?: RecoveredRequest;
}

export interface FrameSink {
  /** A well-formed message: a request (envelope checked) or a response to a reverse request. */
  message(m: Record<string, unknown>): void;
  bad(b: BadFrame): void;
}

const EMPTY = Buffer.alloc(0);
const utf8 = new TextDecoder("utf-8", { fatal: true });

export class FrameReader {
  /** Bytes at a frame boundary not yet consumed (a header in the making, or a header's prefix). */
  private pending: Buffer = EMPTY;
  private body?: { data: Buffer; filled: number };
  private skip?: { remaining: number; declared: number; tail: Buffer };
  private garbage?: { kept: Buffer[]; keptBytes: number; total: number; why?: string };
  /** Set after a reported bad body: the rest of it, up to the next header, is not reported again. */
  private quiet = false;

  constructor(private readonly sink: FrameSink) {}

  push(chunk: Buffer): void {
    let data = chunk;
    while (data.length > 0) {
      if (this.skip) data = this.skipping(data);
      else if (this.body) data = this.filling(data);
      else data = this.heading(data);
    }
    this.flushGarbageIfWhole();
  }

  /** The stream ended: whatever was skipped last is reported. */
  end(): void {
    if (this.pending.length) this.addGarbage(this.pending);
    this.pending = EMPTY;
    this.flushGarbage();
  }

  // ── at a frame boundary ────────────────────────────────────────────────────

  private heading(data: Buffer): Buffer {
    let p = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    this.pending = EMPTY;
    for (;;) {
      const at = p.indexOf(MARK);
      if (at < 0) {
        const keep = markPrefixAtEnd(p);
        this.addGarbage(p.subarray(0, p.length - keep));
        this.pending = Buffer.from(p.subarray(p.length - keep));
        return EMPTY;
      }
      if (at > 0) {
        this.addGarbage(p.subarray(0, at));
        p = p.subarray(at);
      }
      const end = p.indexOf(END);
      if (end < 0 || end > MAX_HEADER_BYTES) {
        if (end < 0 && p.length <= MAX_HEADER_BYTES) {
          this.pending = Buffer.from(p);
          return EMPTY;
        }
        // Not a header after all: step past this mark and look for the next one.
        this.addGarbage(p.subarray(0, 1));
        p = p.subarray(1);
        continue;
      }
      const lines = p.toString("latin1", 0, end).split("\r\n");
      const m = /^Content-Length:[ \t]*(\d{1,15})[ \t]*$/.exec(lines[0]);
      const junk = lines.slice(1).find((l) => !HEADER_LINE.test(l));
      if (!m || junk !== undefined) {
        // Not a header block: only the mark is passed over, since a valid frame may start inside it
        // (a header that lost its blank line runs on into the next frame's header).
        this.addGarbage(p.subarray(0, MARK.length), `bad header ${quote(m ? junk! : lines[0])}`);
        p = p.subarray(MARK.length);
        continue;
      }
      this.flushGarbage();
      this.quiet = false;
      for (const extra of lines.slice(1))
        this.sink.bad({
          problem: `ignored the unknown header ${quote(extra)} (only Content-Length is read)`,
        });
      const declared = Number(m[1]);
      const rest = p.subarray(end + END.length);
      if (declared > MAX_BODY_BYTES) {
        this.sink.bad({
          problem: `a frame of ${declared} bytes is over the limit of ${MAX_BODY_BYTES} bytes (16 MiB): refused`,
        });
        this.skip = { remaining: declared, declared, tail: EMPTY };
      } else if (declared === 0) {
        this.sink.bad({ problem: "a frame with an empty body (Content-Length: 0)" });
        p = rest;
        continue;
      } else this.body = { data: Buffer.allocUnsafe(declared), filled: 0 };
      return rest;
    }
  }

  // ── inside a body ──────────────────────────────────────────────────────────

  private filling(data: Buffer): Buffer {
    const b = this.body!;
    const before = b.filled;
    const n = Math.min(data.length, b.data.length - b.filled);
    data.copy(b.data, b.filled, 0, n);
    b.filled += n;
    const inner = innerHeader(b.data.subarray(0, b.filled), Math.max(0, before - OVERLAP));
    if (inner !== undefined) {
      this.body = undefined;
      this.badBody(
        `Content-Length said ${b.data.length} bytes but a new frame starts after ${inner}`,
        b.data.subarray(0, inner),
      );
      return Buffer.concat([b.data.subarray(inner, b.filled), data.subarray(n)]);
    }
    if (b.filled < b.data.length) return EMPTY;
    this.body = undefined;
    const again = this.deliver(b.data);
    return again === undefined ? data.subarray(n) : Buffer.concat([b.data.subarray(again), data.subarray(n)]);
  }

  /** Serves or reports a whole body; returns where to read again when the next header starts in it. */
  private deliver(bytes: Buffer): number | undefined {
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return this.badBody("the body is not valid UTF-8", bytes);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return this.badBody(`the body is not JSON (${(e as Error).message.split("\n", 1)[0]})`, bytes);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      this.sink.bad({ problem: `the body is ${describe(value)}, not a JSON object` });
      this.quiet = true;
      return undefined;
    }
    const m = value as Record<string, unknown>;
    const wrong = envelopeProblem(m);
    if (wrong) this.sink.bad({ problem: wrong, request: recoverRequest(m) });
    else this.sink.message(m);
    return undefined;
  }

  /** Reports a damaged body; when the next frame's header was cut into its end, says where it starts. */
  private badBody(problem: string, bytes: Buffer): number | undefined {
    const at = cutHeaderAt(bytes);
    const text = bytes.toString("utf8", 0, at ?? bytes.length);
    this.sink.bad({ problem: `${problem}: ${quote(text)}`, request: recover(text) });
    this.quiet = true;
    return at;
  }

  // ── skipping a refused body ────────────────────────────────────────────────

  private skipping(data: Buffer): Buffer {
    const s = this.skip!;
    const n = Math.min(s.remaining, data.length);
    // A header cut between the last chunk and this one, then one inside this chunk.
    const head = data.subarray(0, Math.min(n, OVERLAP));
    const joint = Buffer.concat([s.tail, head]);
    const across = innerHeader(joint, 0);
    const inside = across === undefined ? innerHeader(data.subarray(0, n), 0) : undefined;
    if (across !== undefined || inside !== undefined) {
      // The refused frame was shorter than it said: the frame after it is served.
      this.skip = undefined;
      return across !== undefined
        ? Buffer.concat([joint.subarray(across), data.subarray(head.length)])
        : data.subarray(inside);
    }
    s.remaining -= n;
    s.tail = Buffer.from(n >= OVERLAP ? data.subarray(n - OVERLAP, n) : joint.subarray(-OVERLAP));
    if (s.remaining === 0) this.skip = undefined;
    return data.subarray(n);
  }

  // ── bytes between frames ───────────────────────────────────────────────────

  private addGarbage(bytes: Buffer, why?: string): void {
    if (bytes.length === 0) return;
    const g = (this.garbage ??= { kept: [], keptBytes: 0, total: 0 });
    if (why && !g.why) g.why = why;
    g.total += bytes.length;
    const room = MAX_KEPT_GARBAGE - g.keptBytes;
    if (room > 0) {
      const kept = Buffer.from(bytes.subarray(0, room));
      g.kept.push(kept);
      g.keptBytes += kept.length;
    }
  }

  private flushGarbage(): void {
    const g = this.garbage;
    if (!g) return;
    this.garbage = undefined;
    const text = Buffer.concat(g.kept).toString("utf8");
    const request = recover(bodyOf(text));
    if (this.quiet && !g.why && !request) return;
    const what = g.why ?? `skipped ${g.total} bytes that are not a frame`;
    this.sink.bad({ problem: `${what}: ${quote(text)}`, request });
  }

  /** Reports skipped bytes now when they already hold a whole JSON body (no need to wait for more). */
  private flushGarbageIfWhole(): void {
    const g = this.garbage;
    if (!g || g.keptBytes < g.total) return;
    try {
      JSON.parse(bodyOf(Buffer.concat(g.kept).toString("utf8")));
    } catch {
      return;
    }
    this.flushGarbage();
  }
}

/** Why a parsed message cannot be served; undefined when it can. */
function envelopeProblem(m: Record<string, unknown>): string | undefined {
  if (m.type === "response") return undefined;
  if (m.type !== "request")
    return `a message of type ${describe(m.type)}: the adapter takes only requests (type "request")`;
  if (!Number.isSafeInteger(m.seq)) return `the request's "seq" must be an integer, not ${describe(m.seq)}`;
  if (typeof m.command !== "string" || m.command === "")
    return `the request's "command" must be a non-empty string, not ${describe(m.command)}`;
  return undefined;
}

function recoverRequest(m: Record<string, unknown>): RecoveredRequest | undefined {
  return Number.isSafeInteger(m.seq) && typeof m.command === "string" && m.command !== ""
    ? { seq: m.seq as number, command: m.command }
    : undefined;
}

/** The `seq` and `command` of a damaged body, read as JSON when it is, else by their spelling. */
function recover(text: string): RecoveredRequest | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === "object" && !Array.isArray(v)) return recoverRequest(v as Record<string, unknown>);
  } catch {
    // damaged: read the two fields by their spelling below
  }
  const seq = /"seq"\s*:\s*(\d{1,15})\b/.exec(text);
  const command = /"command"\s*:\s*"([A-Za-z0-9_/.-]{1,100})"/.exec(text);
  return seq && command ? { seq: Number(seq[1]), command: command[1] } : undefined;
}

/** The part of skipped text after its last header block, if it has one (a frame with a bad header). */
function bodyOf(text: string): string {
  const i = text.lastIndexOf("\r\n\r\n");
  return (i < 0 ? text : text.slice(i + 4)).trim();
}

/** The offset of the first complete header line at or after `from`, if any. */
function innerHeader(buf: Buffer, from: number): number | undefined {
  for (let at = buf.indexOf(MARK, from); at >= 0; at = buf.indexOf(MARK, at + 1)) {
    if (INNER_HEADER.test(buf.toString("latin1", at, at + OVERLAP))) return at;
  }
  return undefined;
}

/** Where a header begins that runs to the end of a damaged body (cut off by a too-short length). */
function cutHeaderAt(body: Buffer): number | undefined {
  const tail = body.lastIndexOf(MARK);
  if (tail > 0 && HEADER_PREFIX_AT_END.test(body.toString("latin1", tail))) return tail;
  const k = markPrefixAtEnd(body);
  return k > 0 && k < body.length ? body.length - k : undefined;
}

/** How many bytes at the end of `buf` could be the start of a header mark. */
function markPrefixAtEnd(buf: Buffer): number {
  for (let k = Math.min(MARK.length - 1, buf.length); k > 0; k--)
    if (buf.subarray(buf.length - k).equals(MARK.subarray(0, k))) return k;
  return 0;
}

/** Received text as one safe line: escaped (no control characters) and cut. */
function quote(text: string): string {
  const cut = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(cut);
}

function describe(v: unknown): string {
  if (v === undefined) return "missing";
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
