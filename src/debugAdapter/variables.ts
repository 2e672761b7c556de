// Terms as DAP variable trees read as Elixir: each value printed the way `inspect/1` prints it,
// children made only when expanded (map entries, struct fields, keyword and list items, tuple
// elements), big collections paged through `indexedVariables`, every child given an `evaluateName`
// such as `state.seats[12]`, and, inside a process state, what the last callback changed marked `*`.

import type { DebugProtocol } from "@vscode/debugprotocol";
import { termEquals } from "../core/terms/equal";
import { inspect } from "../core/terms/inspect";
import {
  Atom,
  Bin,
  ErlFloat,
  ErlMap,
  ImproperList,
  NIL,
  Pid,
  type Term,
  TRUNCATED,
  Tuple,
} from "../core/terms/term";

/** Maps with more entries than this are paged like lists (clients page indexed children only). */
const PAGED_MAP = 100;
/** The mark appended to the name of a value the last state change touched. */
export const CHANGED_MARK = " *";

/** Where a term sits inside a process's GenServer state (for data breakpoints and change marks). */
export interface StatePlace {
  pid: number;
  /** Keys / positions from the state's root. */
  path: Term[];
  /** Paths (relative to this term) the last state change touched. */
  changed: Term[][];
}

/** What a variables reference stands for: a term to expand, or a fixed list of variables. */
export type Container =
  | { kind: "term"; term: Term; evaluateName?: string; state?: StatePlace }
  | { kind: "list"; variables: DebugProtocol.Variable[] };
export type TermContainer = Extract<Container, { kind: "term" }>;

export interface Child {
  label: string;
  /** The key or position inside the parent, as a state path segment. */
  key: Term[];
  value: Term;
  evaluateName?: string;
}

/** Handles for one stop: references are valid until the replay moves. */
export class VariableStore {
  private containers: Container[] = [];

  reset(): void {
    this.containers = [];
  }

  add(c: Container): number {
    this.containers.push(c);
    return this.containers.length;
  }

  get(ref: number): Container | undefined {
    return Number.isInteger(ref) ? this.containers[ref - 1] : undefined;
  }

  /** A variable for `term`, with a reference to its children when it has any. */
  variable(name: string, term: Term, evaluateName?: string, state?: StatePlace): DebugProtocol.Variable {
    const v: DebugProtocol.Variable = {
      name: state && state.changed.length > 0 ? `${name}${CHANGED_MARK}` : name,
      value: valueText(term),
      type: typeName(term),
      variablesReference: 0,
      presentationHint: { attributes: ["readOnly"] },
    };
    if (evaluateName) v.evaluateName = evaluateName;
    const shape = shapeOf(term);
    if (shape.count > 0) {
      v.variablesReference = this.add({ kind: "term", term, evaluateName, state });
      if (shape.indexed) v.indexedVariables = shape.count;
      else v.namedVariables = shape.count;
    }
    return v;
  }

  /** The children of a term; `filter`, `start` and `count` as in the `variables` request. */
  children(
    c: TermContainer,
    filter?: "indexed" | "named",
    start = 0,
    count?: number,
  ): DebugProtocol.Variable[] {
    const shape = shapeOf(c.term);
    if ((filter === "indexed" && !shape.indexed) || (filter === "named" && shape.indexed)) return [];
    return childrenOf(c.term, c.evaluateName, start, count ? start + count : Infinity).map((ch) =>
      this.variable(ch.label, ch.value, ch.evaluateName, c.state && below(c.state, ch.key)),
    );
  }

  /** The child shown under `name` (with or without its change mark). */
  child(c: TermContainer, name: string): Child | undefined {
    const label = name.endsWith(CHANGED_MARK) ? name.slice(0, -CHANGED_MARK.length) : name;
    return childrenOf(c.term, c.evaluateName).find((ch) => ch.label === label);
  }
}

function below(place: StatePlace, key: Term[]): StatePlace {
  const changed: Term[][] = [];
  for (const p of place.changed)
    if (p.length >= key.length && key.every((k, i) => termEquals(k, p[i]))) changed.push(p.slice(key.length));
  return { pid: place.pid, path: [...place.path, ...key], changed };
}

/** One line of an Elixir value for the Variables view (long values cut, full text via the clipboard). */
export function valueText(t: Term): string {
  const s = inspect(t, { limit: 12, printableLimit: 160 });
  return s.length > 400 ? `${s.slice(0, 399)}…` : s;
}

export function typeName(t: Term): string {
  if (typeof t === "number" || typeof t === "bigint") return "integer";
  if (t instanceof ErlFloat) return "float";
  if (t instanceof Atom) return t.name === "true" || t.name === "false" ? "boolean" : "atom";
  if (t instanceof Bin) return t.bits !== 8 ? "bitstring" : "binary";
  if (t instanceof Tuple) return isTruncated(t) ? `truncated ${inspect(t.elements[1])}` : "tuple";
  if (Array.isArray(t)) return isKeyword(t) ? "keyword" : "list";
  if (t instanceof ImproperList) return "improper list";
  if (t instanceof ErlMap) {
    const s = structName(t);
    return s ? `%${s.replace(/^Elixir\./, "")}{}` : "map";
  }
  if (t instanceof Pid) return "pid";
  return t.constructor.name.replace(/^Erl/, "").toLowerCase();
}

function shapeOf(t: Term): { count: number; indexed: boolean } {
  if (t instanceof Tuple) {
    if (isTruncated(t)) return { count: childList(t).length, indexed: false };
    return { count: t.elements.length, indexed: true };
  }
  if (Array.isArray(t)) return { count: t.length, indexed: !isKeyword(t) };
  if (t instanceof ImproperList) return { count: t.elements.length + 1, indexed: false };
  if (t instanceof ErlMap) {
    const n = t.entries.length - (structName(t) ? 1 : 0);
    return { count: n, indexed: n > PAGED_MAP };
  }
  return { count: 0, indexed: false };
}

/** Label, path segments, value and evaluate name of the children in [start, end): map keys, struct fields, positions. */
export function childrenOf(t: Term, parent?: string, start = 0, end = Infinity): Child[] {
  const list = childList(t, parent);
  const out: Child[] = [];
  for (let i = Math.max(0, start); i < Math.min(list.length, end); i++) out.push(list.at(i));
  return out;
}

/** The children of a term made one at a time, so that a page of a huge map costs the page only. */
function childList(t: Term, parent?: string): { length: number; at(i: number): Child } {
  const en = (suffix: string): string | undefined => (parent === undefined ? undefined : parent + suffix);
  if (t instanceof Tuple) {
    if (isTruncated(t)) {
      const [, type, size, preview] = t.elements;
      const kept = childList(preview, parent);
      const note: Child = {
        label: "…",
        key: [],
        value: Atom.of(
          `truncated by the recorder: ${inspect(size)} ${inspect(type).replace(/^:/, "")} in all`,
        ),
      };
      return { length: kept.length + 1, at: (i) => (i < kept.length ? kept.at(i) : note) };
    }
    return {
      length: t.elements.length,
      at: (i) => ({
        label: String(i),
        key: [i],
        value: t.elements[i],
        evaluateName: parent === undefined ? undefined : `elem(${parent}, ${i})`,
      }),
    };
  }
  if (Array.isArray(t)) {
    if (isKeyword(t))
      return {
        length: t.length,
        at: (i) => {
          const [k, v] = (t[i] as Tuple).elements;
          return { label: (k as Atom).name, key: [i, 1], value: v, evaluateName: en(`[${inspect(k)}]`) };
        },
      };
    return {
      length: t.length,
      at: (i) => ({ label: String(i), key: [i], value: t[i], evaluateName: en(`[${i}]`) }),
    };
  }
  if (t instanceof ImproperList)
    return {
      length: t.elements.length + 1,
      at: (i) =>
        i < t.elements.length
          ? { label: String(i), key: [i], value: t.elements[i], evaluateName: en(`[${i}]`) }
          : { label: "tail", key: [], value: t.tail },
    };
  if (t instanceof ErlMap) {
    const entries =
      structName(t) === undefined
        ? t.entries
        : t.entries.filter(([k]) => !(k instanceof Atom && k.name === "__struct__"));
    return {
      length: entries.length,
      at: (i) => {
        const [k, v] = entries[i];
        const dot = k instanceof Atom && /^[a-z_][A-Za-z0-9_]*[?!]?$/.test(k.name);
        return {
          label: dot ? (k as Atom).name : inspect(k, { limit: 5, printableLimit: 60 }),
          key: [k],
          value: v,
          evaluateName: en(dot ? `.${(k as Atom).name}` : `[${inspect(k, { limit: 1000 })}]`),
        };
      },
    };
  }
  return { length: 0, at: () => ({ label: "", key: [], value: NIL }) };
}

export function isKeyword(t: Term[]): boolean {
  return (
    t.length > 0 &&
    t.every((x) => x instanceof Tuple && x.elements.length === 2 && x.elements[0] instanceof Atom)
  );
}

function isTruncated(t: Tuple): boolean {
  return t.elements.length === 4 && t.elements[0] === TRUNCATED;
}

function structName(m: ErlMap): string | undefined {
  const s = m.entries.find(([k]) => k instanceof Atom && k.name === "__struct__")?.[1];
  return s instanceof Atom ? s.name : undefined;
}
