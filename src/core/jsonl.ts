// The JSON Lines form of a trace, for people and other tools: one frame per line, each event's fields
// named by its kind, terms in the tagged JSON encoding that keeps their exact type. `toJsonLines`
// and `fromJsonLines` are inverse: ETF → JSONL → ETF gives back equal terms.

import { atom, tuple } from "./terms/build";
import { decodeEtf } from "./terms/decode";
import {
  appendByte,
  appendEventJson,
  appendEventLines,
  appendText,
  eventFrameToJsonLine,
  pendingOutput,
  resetOutput,
} from "./terms/etfJson";
import { jsonToTerm, termToJson } from "./terms/json";
import { FORMAT_VERSIONS, versionList } from "./reader/formatVersions";
import { Atom, ErlMap, Pid, type Term, Tuple } from "./terms/term";
import { wholeEvent, wholeFormsOn } from "./wholeForms";

/** Field names after `kind, seq, time, pid`, per event kind (docs/trace-format.md). */
export const EVENT_FIELDS: Record<string, string[]> = {
  call: ["mfa", "args", "caller"],
  return: ["mfa", "value"],
  exception: ["mfa", "error", "stacktrace"],
  send: ["to", "msg", "status"],
  receive: ["from", "msg"],
  spawn: ["child", "init"],
  exit: ["reason"],
  link: ["other"],
  unlink: ["other"],
  state: ["callback", "state"],
  register: ["name"],
  unregister: ["name"],
  process: ["info"],
  overload: ["info"],
};

const HEAD = ["seq", "time", "pid"];

/** The field names of an event kind; own properties only, so `constructor` is an unknown kind. */
function fieldsOf(kind: string): string[] {
  return Object.hasOwn(EVENT_FIELDS, kind) ? EVENT_FIELDS[kind] : [];
}

/** One frame term (header, module, footer or event tuple) as one JSON object. */
export function frameToJson(frame: Term): Record<string, unknown> {
  if (!(frame instanceof Tuple) || !(frame.elements[0] instanceof Atom)) return { frame: termToJson(frame) };
  const [tag, ...rest] = frame.elements;
  const kind = (tag as Atom).name;
  if (kind === "estrace") return { header: { version: termToJson(rest[0]), info: termToJson(rest[1]) } };
  if (kind === "module")
    return { module: termToJson(rest[0]), source: termToJson(rest[1]), functions: termToJson(rest[2]) };
  if (kind === "footer") return { footer: termToJson(rest[0]) };
  const names = [...HEAD, ...fieldsOf(kind)];
  const out: Record<string, unknown> = { kind };
  rest.forEach((t, i) => {
    if (i < names.length) out[names[i]] = termToJson(t);
    else ((out.extra ??= []) as unknown[]).push(termToJson(t));
  });
  return out;
}

/** The inverse of `frameToJson`. `where` names the line for error messages. */
export function jsonToFrame(obj: unknown, where: string): Term {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj))
    throw new Error(`${where}: expected a JSON object`);
  const o = obj as Record<string, unknown>;
  const term = (v: unknown, field: string): Term => {
    try {
      return jsonToTerm(v);
    } catch (e) {
      throw new Error(`${where}: field "${field}": ${(e as Error).message}`);
    }
  };
  if ("header" in o) {
    const h = o.header as Record<string, unknown>;
    if (h === null || typeof h !== "object" || Array.isArray(h))
      throw new Error(`${where}: "header" must be an object {"version": 1, "info": {"$map": ...}}`);
    const version = term(h.version, "header.version");
    if (typeof version !== "number" || !FORMAT_VERSIONS.includes(version))
      throw new Error(
        `${where}: header version ${short(h.version)} is not supported (this ElixirScope writes versions ${versionList()})`,
      );
    const info = term(h.info, "header.info");
    if (!(info instanceof ErlMap)) throw new Error(`${where}: "header.info" must be a map ({"$map": [...]})`);
    return tuple(atom("estrace"), version, info);
  }
  if ("module" in o)
    return tuple(
      atom("module"),
      term(o.module, "module"),
      term(o.source, "source"),
      term(o.functions, "functions"),
    );
  if ("footer" in o) return tuple(atom("footer"), term(o.footer, "footer"));
  if ("frame" in o) return term(o.frame, "frame");
  if (typeof o.kind !== "string" || o.kind === "")
    throw new Error(`${where}: an event line needs a "kind" string`);
  const kind = term({ $atom: o.kind }, "kind");
  const names = [...HEAD, ...fieldsOf(o.kind)];
  const elements: Term[] = [kind];
  for (const n of names) {
    if (!Object.hasOwn(o, n)) {
      if (n === "status" || n === "caller" || n === "stacktrace") continue; // optional trailing fields
      throw new Error(`${where}: ${o.kind} event lacks its "${n}" field`);
    }
    const t = term(o[n], n);
    // The fields every reader indexes: refused here rather than written into an unreadable frame.
    if ((n === "seq" || n === "time") && typeof t !== "number" && typeof t !== "bigint")
      throw new Error(`${where}: field "${n}" must be an integer, found ${short(o[n])}`);
    // Format 3: an event's own pid may be a number (`<0.I.S>` as I + 32768 S, of the header's node).
    if (n === "pid" && !(t instanceof Pid) && !(typeof t === "number" && Number.isSafeInteger(t) && t >= 0))
      throw new Error(
        `${where}: field "pid" must be a pid ({"$pid": "<0.1.0>", "node": ...}) or a process number, found ${short(o[n])}`,
      );
    elements.push(t);
  }
  if (Array.isArray(o.extra)) for (const x of o.extra) elements.push(term(x, "extra"));
  return new Tuple(elements);
}

export function frameToJsonLine(frame: Term): string {
  return JSON.stringify(frameToJson(frame));
}

const NAMES = new Map<string, readonly string[]>();

/** The field names of an event kind's elements after the kind, as `frameToJson` names them. */
function eventNames(kind: string): readonly string[] {
  let n = NAMES.get(kind);
  if (!n) NAMES.set(kind, (n = [...HEAD, ...fieldsOf(kind)]));
  return n;
}

/**
 * `frameToJsonLine(decodeEtf(buf[start, end)))` for an event frame, transcoded from the bytes without
 * building terms where it can (etfJson.ts); the same text either way, the same error for bad bytes.
 */
export function eventBytesToJsonLine(buf: Uint8Array, start: number, end: number): string {
  return eventFrameToJsonLine(buf, start, end, eventNames) ?? frameToJsonLine(decodeEtf(buf, start, end));
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

// Integers JSON.parse would round: the largest exact double integer is 2^53 - 1.
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;

/**
 * `JSON.parse`, except that integer literals beyond 2^53 are kept exact as `{"$int": "digits"}`
 * (the tagged form of a big integer) instead of being rounded to another number.
 */
export function parseJsonExact(text: string): unknown {
  let out = "";
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // Skip the string, escapes included.
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
      continue;
    }
    if (c !== 45 /* - */ && (c < 48 || c > 57)) continue;
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) continue;
    const tok = m[0];
    if (/^-?\d+$/.test(tok) && !Number.isSafeInteger(Number(tok))) {
      out += `${text.slice(last, i)}{"$int":"${tok}"}`;
      last = i + tok.length;
    }
    i += tok.length - 1;
  }
  return JSON.parse(last === 0 ? text : out + text.slice(last));
}

/**
 * JSON Lines of event frames gathered as UTF-8 bytes (the export): each frame's line as
 * `eventBytesToJsonLine` gives it, transcoded into one buffer that `take` hands out to be written.
 */
export const jsonLinesOut = {
  /** Appends an event frame's line and a newline. */
  event(buf: Uint8Array, start: number, end: number): void {
    if (wholeFormsOn() || !appendEventJson(buf, start, end, eventNames))
      appendText(frameToJsonLine(wholeEvent(decodeEtf(buf, start, end))));
    appendByte(0x0a);
  },
  /**
   * Appends the lines of frames `from`.. of a chunk (frame k is `buf[bounds[2k], bounds[2k + 1])`)
   * while the transcoder covers them; returns the first frame left for `event`, or the frame count.
   */
  events(buf: Uint8Array, bounds: Uint32Array, from: number): number {
    // Format 3's numbered fields are written whole (wholeForms.ts): through the decoded terms.
    return wholeFormsOn() ? from : appendEventLines(buf, bounds, from, eventNames);
  },
  /** Appends a line of text and a newline. */
  line(s: string): void {
    appendText(`${s}\n`);
  },
  get size(): number {
    return pendingOutput().length;
  },
  /** The bytes gathered (valid until the next append) — write them, then `clear`. */
  take(): Buffer {
    return pendingOutput();
  },
  clear(): void {
    resetOutput();
  },
};
