// Terms as DAP variable trees read as Elixir: each value printed the way `inspect/1` prints it,
// children made only when expanded (map entries, struct fields, keyword and list items, tuple
// elements), big collections paged through `indexedVariables`, every child given an `evaluateName`
// such as `state.seats[12]`, and, inside a process state, what the last callback changed marked `*`.

import type { DebugProtocol } from "@vscode/debugprotocol";
import { valueAt } from "../core/state";
import { termEquals } from "../core/terms/equal";
import type { TermStyle } from "../core/terms/inspect";
import type { Term } from "../core/terms/term";
import { type Child, childrenOf, termShape, typeName, valueText } from "../core/inspect/termView";

/** Where a term sits inside a process's GenServer state (for data breakpoints and change marks). */
export interface StatePlace {
  pid: number;
  /** Keys / positions from the state's root. */
  path: Term[];
  /** Paths (relative to this term) the last state change touched. */
  changed: Term[][];
  /** What was here before the last state change (undefined: nothing was). */
  before?: Term;
}

/** What a variables reference stands for: a term to expand, or a fixed list of variables. */
export type Container =
  | { kind: "term"; term: Term; evaluateName?: string; state?: StatePlace }
  | { kind: "list"; variables: DebugProtocol.Variable[]; statePid?: number };
export type TermContainer = Extract<Container, { kind: "term" }>;

/** Handles for one stop: references are valid until the replay moves. */
export class VariableStore {
  private containers: Container[] = [];
  /** How the loaded recording's Elixir printed terms (set when a recording is loaded). */
  style?: TermStyle;

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
    // A changed value keeps its name (people type names in watch and evaluate): the hint marks it,
    // and where this very value was replaced its text says what it was.
    const changed = state !== undefined && state.changed.length > 0;
    const replaced = changed && state.changed.some((p) => p.length === 0);
    const was =
      replaced && state.before !== undefined && !termEquals(state.before, term)
        ? `  (was ${valueText(state.before, this.style)})`
        : replaced && state.before === undefined
          ? "  (new)"
          : "";
    const v: DebugProtocol.Variable = {
      name,
      value: valueText(term, this.style) + was,
      type: typeName(term),
      variablesReference: 0,
      presentationHint: { attributes: changed ? ["readOnly", "changed"] : ["readOnly"] },
    };
    if (evaluateName) v.evaluateName = evaluateName;
    const shape = termShape(term);
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
    const shape = termShape(c.term);
    if ((filter === "indexed" && !shape.indexed) || (filter === "named" && shape.indexed)) return [];
    return childrenOf(c.term, c.evaluateName, start, count ? start + count : Infinity).map((ch) =>
      this.variable(ch.label, ch.value, ch.evaluateName, c.state && below(c.state, ch.key)),
    );
  }

  /** The child shown under `name`. */
  child(c: TermContainer, name: string): Child | undefined {
    return childrenOf(c.term, c.evaluateName).find((ch) => ch.label === name);
  }
}

function below(place: StatePlace, key: Term[]): StatePlace {
  const changed: Term[][] = [];
  for (const p of place.changed)
    if (p.length >= key.length && key.every((k, i) => termEquals(k, p[i]))) changed.push(p.slice(key.length));
  return {
    pid: place.pid,
    path: [...place.path, ...key],
    changed,
    before: place.before === undefined ? undefined : valueAt(place.before, key),
  };
}
