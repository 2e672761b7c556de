// The tagged JSON form of terms (`elixirscope export/import --format jsonl`, the CLI's `--json`),
// specified by the table in docs/trace-format.md: change both together.
//
// It keeps every type apart (1 vs 1.0, "ok" vs :ok, tuple vs list), so that
// jsonToTerm(termToJson(t)) encodes to the same ETF bytes as t.

import {
  Atom,
  Bin,
  ErlFloat,
  ErlMap,
  ExportFun,
  Fun,
  ImproperList,
  Pid,
  Port,
  Ref,
  type Term,
  Tuple,
} from "./term";
import { MAX_DEPTH } from "./tags";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** Deeper terms are refused with a clear error: JSON.parse/stringify overflow the stack near 2000. */
export const JSON_MAX_DEPTH = MAX_DEPTH;

export function termToJson(t: Term): unknown {
  return toJson(t, 0);
}

function toJson(t: Term, depth: number): unknown {
  if (depth > JSON_MAX_DEPTH)
    throw new RangeError(`termToJson: term nests deeper than ${JSON_MAX_DEPTH} levels`);
  const sub = (x: Term): unknown => toJson(x, depth + 1);
  if (typeof t === "number") return Number.isSafeInteger(t) ? t : { $int: BigInt(t).toString() };
  if (typeof t === "bigint")
    return t >= -Number.MAX_SAFE_INTEGER && t <= Number.MAX_SAFE_INTEGER ? Number(t) : { $int: t.toString() };
  if (t instanceof Atom) return { $atom: t.name };
  if (t instanceof Bin) {
    if (t.bits !== 8 && t.bytes.length > 0) return { $bits: base64(t.bytes), bits: t.bits };
    const s = utf8Text(t.bytes);
    return s !== undefined ? s : { $bin: base64(t.bytes) };
  }
  if (Array.isArray(t)) return t.map(sub);
  if (t instanceof Tuple) return { $tuple: t.elements.map(sub) };
  if (t instanceof ErlMap) return { $map: t.entries.map(([k, v]) => [sub(k), sub(v)]) };
  if (t instanceof ErlFloat) return { $float: Object.is(t.value, -0) ? "-0.0" : t.value };
  if (t instanceof ImproperList) return { $improper: t.elements.map(sub), tail: sub(t.tail) };
  if (t instanceof Pid) return withNode({ $pid: `<0.${t.id}.${t.serial}>` }, t.node, t.creation);
  if (t instanceof Ref) return withNode({ $ref: t.ids.slice() }, t.node, t.creation);
  if (t instanceof Port)
    return withNode(
      { $port: Number.isSafeInteger(Number(t.id)) ? Number(t.id) : t.id.toString() },
      t.node,
      t.creation,
    );
  if (t instanceof ExportFun) return { $export: [t.module.name, t.fun.name, t.arity] };
  if (t instanceof Fun)
    return {
      $fun: Array.from(t.uniq, (b) => b.toString(16).padStart(2, "0")).join(""),
      module: t.module.name,
      arity: t.arity,
      index: t.index,
      old_index: t.oldIndex,
      old_uniq: t.oldUniq,
      pid: sub(t.pid),
      free: t.freeVars.map(sub),
    };
  throw new TypeError(`termToJson: not a term: ${String(t)}`);
}

function withNode(o: Record<string, unknown>, node: Atom, creation: number): Record<string, unknown> {
  o.node = node.name;
  if (creation !== 0) o.creation = creation;
  return o;
}

function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** An error in JSON input, naming where it is (`args[2].$map[0][1]`). */
class JsonTermError extends Error {
  constructor(path: string, problem: string) {
    super(`at ${path === "" ? "the top level" : path}: ${problem}`);
    this.name = "JsonTermError";
  }
}

/**
 * The inverse of `termToJson`. `path` names the value in error messages (e.g. `args`); a bad value
 * throws an Error saying what is wrong and where.
 */
export function jsonToTerm(json: unknown, path = ""): Term {
  return fromJson(json, path, 0);
}

function fromJson(json: unknown, path: string, depth: number): Term {
  if (depth > JSON_MAX_DEPTH) throw new JsonTermError(path, `nests deeper than ${JSON_MAX_DEPTH} levels`);
  const sub = (x: unknown, p: string): Term => fromJson(x, p, depth + 1);
  if (typeof json === "number") {
    if (!Number.isInteger(json))
      throw new JsonTermError(path, `${json} is not an integer; write a float as {"$float": ${json}}`);
    return json;
  }
  if (typeof json === "string") return new Bin(encoder.encode(wellFormed(json, path)));
  if (Array.isArray(json)) return json.map((x, i) => sub(x, `${path}[${i}]`));
  if (json === null || typeof json !== "object") {
    const hint =
      typeof json === "boolean" || json === null
        ? `; write the atom as {"$atom": "${json === null ? "nil" : json}"}`
        : "";
    throw new JsonTermError(path, `JSON ${json === null ? "null" : typeof json} is not a term${hint}`);
  }
  const o = json as Record<string, unknown>;
  const tags = Object.keys(o).filter((k) => k.startsWith("$"));
  if (tags.length !== 1)
    throw new JsonTermError(
      path,
      tags.length === 0
        ? `an object must have one "$" tag ($atom, $tuple, $map, ...), found keys ${JSON.stringify(Object.keys(o))}`
        : `an object must have one "$" tag, found ${tags.join(", ")}`,
    );
  const tag = tags[0];
  const at = (sub: string): string => (path === "" ? sub : `${path}.${sub}`);
  const v = o[tag];
  const allow = (...keys: string[]): void => {
    for (const k of Object.keys(o))
      if (k !== tag && !keys.includes(k))
        throw new JsonTermError(path, `unexpected key "${k}" next to "${tag}"`);
  };
  switch (tag) {
    case "$atom":
      allow();
      return atomOf(str(v, at(tag)), at(tag));
    case "$int": {
      allow();
      const s = str(v, at(tag));
      if (!/^-?\d+$/.test(s))
        throw new JsonTermError(at(tag), `${JSON.stringify(s)} is not a decimal integer`);
      const n = BigInt(s);
      return n >= -BigInt(Number.MAX_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    case "$float": {
      allow();
      const x = typeof v === "string" && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v) ? Number(v) : v;
      if (typeof x !== "number" || !Number.isFinite(x))
        throw new JsonTermError(at(tag), `expected a finite number, found ${JSON.stringify(v)}`);
      return new ErlFloat(x);
    }
    case "$bin":
      allow();
      return new Bin(bytes64(v, at(tag)));
    case "$bits": {
      allow("bits");
      const b = bytes64(v, at(tag));
      const bits = o.bits;
      if (!(typeof bits === "number" && Number.isInteger(bits) && bits >= 1 && bits <= 8))
        throw new JsonTermError(
          at("bits"),
          `expected the bits used in the last byte (1..8), found ${JSON.stringify(bits)}`,
        );
      if (b.length === 0 && bits !== 8)
        throw new JsonTermError(at(tag), "an empty bitstring has no last byte");
      return new Bin(b, bits);
    }
    case "$tuple":
      allow();
      return new Tuple(arr(v, at(tag)).map((x, i) => sub(x, `${at(tag)}[${i}]`)));
    case "$map":
      allow();
      return new ErlMap(
        arr(v, at(tag)).map((e, i): [Term, Term] => {
          const p = `${at(tag)}[${i}]`;
          if (!Array.isArray(e) || e.length !== 2)
            throw new JsonTermError(p, `expected a [key, value] pair, found ${short(e)}`);
          return [sub(e[0], `${p}[0]`), sub(e[1], `${p}[1]`)];
        }),
      );
    case "$improper": {
      allow("tail");
      const elements = arr(v, at(tag)).map((x, i) => sub(x, `${at(tag)}[${i}]`));
      if (!("tail" in o)) throw new JsonTermError(path, `"$improper" needs a "tail"`);
      const tail = sub(o.tail, at("tail"));
      if (elements.length === 0)
        throw new JsonTermError(at(tag), "an improper list needs at least one element");
      if (Array.isArray(tail) || tail instanceof ImproperList)
        throw new JsonTermError(
          at("tail"),
          "the tail of an improper list cannot be a list (append the elements instead)",
        );
      return new ImproperList(elements, tail);
    }
    case "$pid": {
      allow("node", "creation");
      const s = str(v, at(tag));
      const m = /^<(\d+)\.(\d+)\.(\d+)>$/.exec(s);
      if (m === null)
        throw new JsonTermError(at(tag), `expected "<0.ID.SERIAL>", found ${JSON.stringify(s)}`);
      return new Pid(
        node(o, path),
        u32(Number(m[2]), at(tag)),
        u32(Number(m[3]), at(tag)),
        creation(o, path),
      );
    }
    case "$ref": {
      allow("node", "creation");
      const ids = arr(v, at(tag)).map((x, i) => u32(x, `${at(tag)}[${i}]`));
      if (ids.length < 1 || ids.length > 5)
        throw new JsonTermError(at(tag), `a reference has 1 to 5 ids, found ${ids.length}`);
      return new Ref(node(o, path), ids, creation(o, path));
    }
    case "$port": {
      allow("node", "creation");
      let id: number | bigint;
      if (typeof v === "string" && /^\d+$/.test(v)) id = BigInt(v);
      else if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) id = v;
      else throw new JsonTermError(at(tag), `expected a port number, found ${short(v)}`);
      if (typeof id === "bigint" && id > 0xffffffffffffffffn)
        throw new JsonTermError(at(tag), "port number exceeds 64 bits");
      if (typeof id === "bigint" && id <= BigInt(Number.MAX_SAFE_INTEGER)) id = Number(id);
      return new Port(node(o, path), id, creation(o, path));
    }
    case "$export": {
      allow();
      const parts = arr(v, at(tag));
      const [m, f, a] = parts;
      if (parts.length !== 3 || typeof m !== "string" || typeof f !== "string" || !isByte(a))
        throw new JsonTermError(at(tag), `expected ["Module", "fun", arity], found ${short(v)}`);
      return new ExportFun(atomOf(m, at(tag)), atomOf(f, at(tag)), a);
    }
    case "$fun": {
      allow("module", "arity", "index", "old_index", "old_uniq", "pid", "free");
      const uniq = str(v, at(tag));
      if (!/^[0-9a-fA-F]{32}$/.test(uniq))
        throw new JsonTermError(at(tag), "expected the 16-byte uniq as 32 hex digits");
      const module = str(o.module, at("module"));
      if (!isByte(o.arity))
        throw new JsonTermError(at("arity"), `expected an arity 0..255, found ${short(o.arity)}`);
      const index = u32(o.index, at("index"));
      const oldIndex = i32(o.old_index, at("old_index"));
      const oldUniq = i32(o.old_uniq, at("old_uniq"));
      const pid = sub(o.pid, at("pid"));
      if (!(pid instanceof Pid)) throw new JsonTermError(at("pid"), 'a fun\'s pid must be a {"$pid": ...}');
      const free = arr(o.free ?? [], at("free")).map((x, i) => sub(x, `${at("free")}[${i}]`));
      const bytes = Uint8Array.from(uniq.match(/../g)!, (h) => parseInt(h, 16));
      return new Fun(atomOf(module, at("module")), o.arity, index, bytes, oldIndex, oldUniq, pid, free);
    }
    default:
      throw new JsonTermError(path, `unknown tag "${tag}"`);
  }
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? s.slice(0, 57) + "..." : s;
}

/** Longest atom name ETF can hold (ATOM_UTF8_EXT has a 16-bit length). */
export const MAX_ATOM_BYTES = 0xffff;

// With the u flag a surrogate pair is one code point, so this matches only lone surrogates.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** JSON text may hold `"\uD800"`, which no UTF-8 can encode: refused rather than replaced by U+FFFD. */
function wellFormed(s: string, path: string): string {
  const m = LONE_SURROGATE.exec(s);
  if (m)
    throw new JsonTermError(
      path,
      `lone surrogate \\u${m[0].charCodeAt(0).toString(16).toUpperCase()} at character ${m.index}: not valid Unicode`,
    );
  return s;
}

function atomOf(name: string, path: string): Atom {
  wellFormed(name, path);
  const bytes = encoder.encode(name).length;
  if (bytes > MAX_ATOM_BYTES)
    throw new JsonTermError(path, `atom name of ${bytes} bytes is longer than ${MAX_ATOM_BYTES}`);
  return Atom.of(name);
}

function str(v: unknown, path: string): string {
  if (typeof v !== "string") throw new JsonTermError(path, `expected a string, found ${short(v)}`);
  return v;
}

function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new JsonTermError(path, `expected an array, found ${short(v)}`);
  return v;
}

function isByte(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 255;
}

function u32(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffffffff)
    throw new JsonTermError(path, `expected an integer 0..4294967295, found ${short(v)}`);
  return v;
}

function i32(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff)
    throw new JsonTermError(path, `expected a 32-bit integer, found ${short(v)}`);
  return v;
}

function node(o: Record<string, unknown>, path: string): Atom {
  const where = path === "" ? "node" : `${path}.node`;
  return atomOf(str(o.node, where), where);
}

function creation(o: Record<string, unknown>, path: string): number {
  return o.creation === undefined ? 0 : u32(o.creation, path === "" ? "creation" : `${path}.creation`);
}

function bytes64(v: unknown, path: string): Uint8Array {
  const s = str(v, path);
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s))
    throw new JsonTermError(path, "expected base64 data");
  return new Uint8Array(Buffer.from(s, "base64"));
}
