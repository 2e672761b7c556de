// A document's recorded functions: each module-table function of the file with the def heads (clauses)
// the document has for it and their parsed parameter patterns, so a call's arguments can say which
// clause ran and what each parameter was bound to.

import type { Term } from "../core/terms/term";
import type { FunctionInfo, Mfa } from "../core/types";
import type { RecordedDoc } from "./documents";
import { aritiesOf, type DefHead } from "./elixirSource";
import { irrefutable, matchPattern, parsePattern, type MatchResult, type Pattern } from "./pattern";

export interface DocFunction {
  mfa: Mfa;
  info: FunctionInfo;
  /** The document's clauses of this function, in source order. */
  heads: DefHead[];
  patterns: Pattern[][];
}

const known = new WeakMap<RecordedDoc, DocFunction[]>();

/** Every module-table function of the document that has a def head in it (by name, arity and line). */
export function docFunctions(doc: RecordedDoc): DocFunction[] {
  let out = known.get(doc);
  if (!out) known.set(doc, (out = readFunctions(doc)));
  return out;
}

function readFunctions(doc: RecordedDoc): DocFunction[] {
  const out: DocFunction[] = [];
  for (const mod of doc.modules) {
    const short = mod.module.replace(/^Elixir\./, "");
    const heads = doc.facts.defs.filter(
      (d) => d.module === undefined || d.module === short || doc.modules.length === 1,
    );
    for (const info of mod.functions) {
      const lines = new Set([info.line, ...info.clauseLines]);
      const mine = heads.filter(
        (h) =>
          h.name === info.name && aritiesOf(h).includes(info.arity) && (lines.has(h.line + 1) || doc.changed),
      );
      if (mine.length === 0) continue;
      out.push({
        mfa: { module: mod.module, fun: info.name, arity: info.arity },
        info,
        heads: mine,
        patterns: mine.map((h) => h.params.map((p) => parsePattern(p.text, p.start))),
      });
    }
  }
  return out;
}

export interface ClauseMatch {
  /** Index into `heads`, or undefined when the heads cannot tell (guards, pins, defaults). */
  clause?: number;
  bindings: Map<string, Term>;
}

/** Which clause a call with these arguments ran, and its bindings. */
export function matchClause(fn: DocFunction, args: Term[]): ClauseMatch {
  for (let k = 0; k < fn.heads.length; k++) {
    const pats = fn.patterns[k];
    if (pats.length !== args.length) return { bindings: new Map() };
    const bindings = new Map<string, Term>();
    let res = "yes" as MatchResult;
    for (let j = 0; j < pats.length && res !== "no"; j++) {
      const r = matchPattern(pats[j], args[j], bindings);
      res = r === "no" ? "no" : r === "maybe" || res === "maybe" ? "maybe" : "yes";
    }
    if (res === "no") continue;
    if (res === "yes" && !fn.heads[k].hasGuard) return { clause: k, bindings };
    // A guard or an unreadable pattern: it may or may not have run; later clauses cannot be ruled in.
    return { bindings: fn.heads.length === 1 ? bindings : new Map() };
  }
  return { bindings: new Map() };
}

/** True when every call goes to the first clause whatever its arguments (no decoding needed). */
export function alwaysFirstClause(fn: DocFunction): boolean {
  return fn.heads.length === 1 || (!fn.heads[0].hasGuard && fn.patterns[0].every(irrefutable));
}

/** The recorded function whose body holds `line`: the one owning the last def head at or before it. */
export function enclosing(
  fns: DocFunction[],
  defs: DefHead[],
  line: number,
): { fn: DocFunction; clause: number } | undefined {
  let last: DefHead | undefined;
  for (const d of defs) if (d.line <= line && (!last || d.line > last.line)) last = d;
  if (!last) return undefined;
  // A head with defaults stands for several arities: the full one is where the parameters bind.
  const owners = fns.filter((fn) => fn.heads.includes(last!));
  const fn = owners.find((f) => f.mfa.arity === last!.params.length) ?? owners[0];
  return fn && { fn, clause: fn.heads.indexOf(last) };
}
