// The JSON Lines export of a format-3 trace writes an event's numbered fields whole: its own pid
// (`I + 32768 S` of the header's node), its function (a position in the header's `functions`) and a call
// site given by line only (`{i, line}`, `{cm, cf, ca, line}`), so that a person or a tool reading the
// lines sees `<0.96.0>` and `CinemaDemo.start/1`, as before format 3, not positions in the header.
// Set once per export (`setWholeForms`), on each thread that writes lines; off, events are unchanged.

import { PID_ID_SPAN } from "./reader/formatVersions";
import { termEquals } from "./terms/equal";
import { termToJson, jsonToTerm } from "./terms/json";
import { Atom, ErlMap, Pid, type Term, Tuple } from "./terms/term";

/** What the expansion needs, as plain data (it crosses to the export's worker threads). */
export interface WholeFormsSpec {
  /** The trace header's info map, as `termToJson` writes it. */
  header: unknown;
  /** Each recorded module's source, as its module-table frame names it. */
  sources: Array<[module: string, source: string]>;
}

/** The spec of a replay of one format-3 trace; undefined otherwise (nothing numbered to expand). */
export function wholeFormsSpec(r: {
  files: ReadonlyArray<{ formatVersion: number; header: Term }>;
  modules(): ReadonlyArray<{ module: string; source: string }>;
}): WholeFormsSpec | undefined {
  if (r.files.length !== 1 || r.files[0].formatVersion < 3) return undefined;
  return { header: termToJson(r.files[0].header), sources: r.modules().map((m) => [m.module, m.source]) };
}

/** Event kinds whose fifth element is their function. */
const WITH_FUNCTION = new Set(["call", "return", "exception", "state"]);

class WholeForms {
  private readonly node: Atom | undefined;
  private readonly creation: number | undefined;
  private readonly functions: Tuple[] = [];
  /** Each module's source as a charlist, the form the BEAM gives a call site's file in. */
  private readonly sources: Map<string, number[]>;
  private readonly pids = new Map<number, Pid>();

  constructor(spec: WholeFormsSpec) {
    const header = jsonToTerm(spec.header);
    const get = (key: string): Term | undefined =>
      header instanceof ErlMap ? header.get(Atom.of(key), termEquals) : undefined;
    const node = get("node");
    const creation = get("pid_creation");
    const functions = get("functions");
    if (node instanceof Atom && typeof creation === "number") {
      this.node = node;
      this.creation = creation;
    }
    if (Array.isArray(functions))
      for (const f of functions) if (f instanceof Tuple && f.elements.length === 3) this.functions.push(f);
    this.sources = new Map(spec.sources.map(([m, src]) => [m, Array.from(src, (c) => c.codePointAt(0)!)]));
  }

  pid(n: number): Term {
    if (this.node === undefined || !Number.isSafeInteger(n) || n < 0) return n;
    let p = this.pids.get(n);
    if (!p) {
      p = new Pid(this.node, n % PID_ID_SPAN, Math.floor(n / PID_ID_SPAN), this.creation!);
      this.pids.set(n, p);
    }
    return p;
  }

  fn(i: number): Term {
    return this.functions[i] ?? i;
  }

  /** `{cm, cf, ca, {file, line}}` (the file a charlist, as the BEAM gives it) for a site by line only. */
  site(t: Tuple): Term {
    const el = t.elements;
    let mfa: readonly Term[] | undefined;
    let line: Term;
    if (el.length === 2 && typeof el[0] === "number") {
      mfa = this.functions[el[0]]?.elements;
      line = el[1];
    } else if (el.length === 4 && el[0] instanceof Atom && typeof el[3] === "number") {
      mfa = el.slice(0, 3);
      line = el[3];
    } else return t;
    const module = mfa?.[0];
    const file = module instanceof Atom ? this.sources.get(module.name) : undefined;
    if (!mfa || file === undefined || typeof line !== "number") return t;
    return new Tuple([...mfa, new Tuple([file, line])]);
  }
}

let forms: WholeForms | undefined;
let formsSpec: WholeFormsSpec | undefined;

/** Turns the expansion on for this thread's export (a spec) or off (undefined). */
export function setWholeForms(spec: WholeFormsSpec | undefined): void {
  formsSpec = spec;
  forms = spec ? new WholeForms(spec) : undefined;
}

/** The spec this thread's export expands with, for its worker threads to use the same. */
export function wholeFormsInUse(): WholeFormsSpec | undefined {
  return formsSpec;
}

/** Whether events are expanded: the byte transcoder, which writes them as they are, is then passed by. */
export function wholeFormsOn(): boolean {
  return forms !== undefined;
}

/** `frame` (an event tuple) with its numbered pid, function and call site written whole. */
export function wholeEvent(frame: Term): Term {
  if (!forms || !(frame instanceof Tuple) || frame.elements.length < 4) return frame;
  const el = frame.elements;
  const kind = el[0];
  if (!(kind instanceof Atom)) return frame;
  let out: Term[] | undefined;
  const set = (i: number, v: Term): void => {
    if (v !== el[i]) (out ??= el.slice())[i] = v;
  };
  if (typeof el[3] === "number") set(3, forms.pid(el[3]));
  if (WITH_FUNCTION.has(kind.name) && typeof el[4] === "number") set(4, forms.fn(el[4]));
  if (kind.name === "call" && el[6] instanceof Tuple) set(6, forms.site(el[6]));
  return out ? new Tuple(out) : frame;
}
