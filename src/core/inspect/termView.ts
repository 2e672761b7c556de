// Terms as a tree to browse, read as Elixir: the one-line text of a value (as `inspect/1` prints it,
// cut when long), a type name, and the children of a value made one at a time (map entries, struct
// fields, keyword and list items, tuple elements), each with the path segment that leads to it and the
// Elixir expression that reads it (`state.seats[12]`). Any view that shows terms uses these.

import { inspect, type TermStyle } from "../terms/inspect";
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
} from "../terms/term";

/** Maps with more entries than this are paged like lists (clients page indexed children only). */
const PAGED_MAP = 100;

export interface Child {
  label: string;
  /** The key or position inside the parent, as a state path segment. */
  key: Term[];
  value: Term;
  evaluateName?: string;
}

/** One line of an Elixir value for the Variables view (long values cut, full text via the clipboard). */
export function valueText(t: Term, style?: TermStyle): string {
  const s = inspect(t, { limit: 12, printableLimit: 160, ...style });
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

/** How many children a term has, and whether they are positions (paged) or names. */
export function termShape(t: Term): { count: number; indexed: boolean } {
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
  if (t instanceof ImproperList) {
    // Access does not work on improper lists, in Elixir or here: the i-th cell is hd of i tl's.
    const tls = (n: number): string | undefined =>
      parent === undefined ? undefined : "tl(".repeat(n) + parent + ")".repeat(n);
    return {
      length: t.elements.length + 1,
      at: (i) =>
        i < t.elements.length
          ? { label: String(i), key: [i], value: t.elements[i], evaluateName: tls(i) && `hd(${tls(i)})` }
          : { label: "tail", key: [], value: t.tail, evaluateName: tls(t.elements.length) },
    };
  }
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
