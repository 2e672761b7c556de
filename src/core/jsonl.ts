// The JSON Lines form of a trace, for people and other tools: one frame per line, each event's fields
// named by its kind, terms in the tagged JSON encoding that keeps their exact type. `toJsonLines`
// and `fromJsonLines` are inverse: ETF → JSONL → ETF gives back equal terms.

import { atom, tuple } from "./terms/build";
import { jsonToTerm, termToJson } from "./terms/json";
import { Atom, type Term, Tuple } from "./terms/term";

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
    return tuple(atom("estrace"), term(h?.version, "header.version"), term(h?.info, "header.info"));
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
  if (typeof o.kind !== "string") throw new Error(`${where}: an event line needs a "kind" string`);
  const names = [...HEAD, ...fieldsOf(o.kind)];
  const elements: Term[] = [atom(o.kind)];
  for (const n of names) {
    if (!(n in o)) {
      if (n === "status" || n === "caller" || n === "stacktrace") continue; // optional trailing fields
      throw new Error(`${where}: ${o.kind} event lacks its "${n}" field`);
    }
    elements.push(term(o[n], n));
  }
  if (Array.isArray(o.extra)) for (const x of o.extra) elements.push(term(x, "extra"));
  return new Tuple(elements);
}

export function frameToJsonLine(frame: Term): string {
  return JSON.stringify(frameToJson(frame));
}
