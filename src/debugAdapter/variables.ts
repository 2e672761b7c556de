// Terms as DAP variable trees read as Elixir: each value printed the way `inspect/1` prints it,
// children created lazily when expanded (map entries, struct fields, list items, tuple elements),
// big collections paged, and every child given an `evaluateName` such as `state.seats[12]`.

import type { DebugProtocol } from "@vscode/debugprotocol";
import { inspect } from "../core/terms/inspect";
import { Atom, Bin, ErlMap, ImproperList, type Term, Tuple, TRUNCATED } from "../core/terms/term";

/** What a variables reference stands for: a term to expand, or a fixed list of variables. */
export type Container =
  | { kind: "term"; term: Term; evaluateName?: string; path?: Term[]; pid?: number }
  | { kind: "list"; variables: DebugProtocol.Variable[] };

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
    return this.containers[ref - 1];
  }

  /** A variable for `term`, with a reference to its children when it has any. */
  variable(
    name: string,
    term: Term,
    evaluateName?: string,
    path?: Term[],
    pid?: number,
  ): DebugProtocol.Variable {
    const v: DebugProtocol.Variable = {
      name,
      value: valueText(term),
      type: typeName(term),
      variablesReference: 0,
    };
    if (evaluateName) v.evaluateName = evaluateName;
    const n = childCount(term);
    if (n > 0) {
      v.variablesReference = this.add({ kind: "term", term, evaluateName, path, pid });
      if (Array.isArray(term) && !isKeyword(term)) v.indexedVariables = n;
      else v.namedVariables = n;
    }
    return v;
  }

  /** The key (map key or position) of the child shown under `label`. */
  keyOf(c: Extract<Container, { kind: "term" }>, label: string): Term | undefined {
    return childEntries(c.term).find(([l]) => l === label)?.[1];
  }

  /** The children of a term, `start`/`count` paging over them. */
  children(c: Extract<Container, { kind: "term" }>, start = 0, count?: number): DebugProtocol.Variable[] {
    const out: DebugProtocol.Variable[] = [];
    const items = childEntries(c.term);
    const end = count ? Math.min(items.length, start + count) : items.length;
    for (let i = start; i < end; i++) {
      const [label, key, value] = items[i];
      const en = c.evaluateName !== undefined ? childEvaluateName(c.evaluateName, key, c.term) : undefined;
      out.push(this.variable(label, value, en, c.path ? [...c.path, key] : undefined, c.pid));
    }
    return out;
  }
}

export function valueText(t: Term): string {
  const s = inspect(t, { limit: 12, printableLimit: 160 });
  return s.length > 400 ? `${s.slice(0, 399)}…` : s;
}

function typeName(t: Term): string {
  if (typeof t === "number" || typeof t === "bigint") return "integer";
  if (t instanceof Atom) return "atom";
  if (t instanceof Bin) return "binary";
  if (t instanceof Tuple) return isTruncated(t) ? "truncated" : "tuple";
  if (Array.isArray(t)) return isKeyword(t) ? "keyword" : "list";
  if (t instanceof ErlMap) {
    const s = structName(t);
    return s ? `%${s.replace(/^Elixir\./, "")}{}` : "map";
  }
  return t?.constructor?.name?.toLowerCase() ?? "term";
}

function childCount(t: Term): number {
  return childEntries(t).length;
}

/** `[label, key, value]` per child: map keys and struct fields, list and tuple positions. */
function childEntries(t: Term): Array<[string, Term, Term]> {
  if (t instanceof Tuple) {
    if (isTruncated(t)) return childEntries(t.elements[3]);
    return t.elements.map((v, i) => [String(i), i, v]);
  }
  if (Array.isArray(t)) {
    if (isKeyword(t))
      return t.map((kv, i) => [
        (kv as Tuple).elements[0] instanceof Atom ? ((kv as Tuple).elements[0] as Atom).name : String(i),
        i,
        (kv as Tuple).elements[1],
      ]);
    return t.map((v, i) => [String(i), i, v]);
  }
  if (t instanceof ImproperList)
    return [
      ...t.elements.map((v, i): [string, Term, Term] => [String(i), i, v]),
      ["tail", t.elements.length, t.tail],
    ];
  if (t instanceof ErlMap) {
    return t.entries
      .filter(([k]) => !(k instanceof Atom && k.name === "__struct__"))
      .map(([k, v]) => [k instanceof Atom && structName(t) ? k.name : inspect(k, { limit: 5 }), k, v]);
  }
  return [];
}

function childEvaluateName(parent: string, key: Term, container: Term): string {
  if (container instanceof Tuple) return `elem(${parent}, ${key as number})`;
  if (key instanceof Atom && /^[a-z_][A-Za-z0-9_?!]*$/.test(key.name) && container instanceof ErlMap)
    return `${parent}.${key.name}`;
  return `${parent}[${inspect(key, { limit: 5 })}]`;
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
