// Hit counts of breakpoints as VS Code writes them: which of a breakpoint's hits, in recording order,
// count. A recording knows every hit at once, so the condition filters the whole list.

import { ExprError } from "./expression";

/** `5` or `== 5` (the 5th hit only), `>= 5`, `> 5`, `< 5`, `<= 5`, `% 3` (every 3rd). */
export function applyHitCondition<T extends readonly number[] | Int32Array>(
  hits: T,
  cond: string | undefined,
): T | number[] | Int32Array {
  if (!cond || !cond.trim()) return hits;
  const m = /^\s*(==|>=|<=|>|<|%)?\s*(\d+)\s*$/.exec(cond);
  if (!m) throw new ExprError(`bad hit count "${cond}": use 5, == 5, >= 5, > 5, < 5, <= 5 or % 3`);
  const n = Number(m[2]);
  switch (m[1]) {
    case ">=":
      return hits.slice(Math.max(0, n - 1));
    case ">":
      return hits.slice(n);
    case "<":
      return hits.slice(0, Math.max(0, n - 1));
    case "<=":
      return hits.slice(0, n);
    case "%":
      return n > 0 ? hits.filter((_, k) => (k + 1) % n === 0) : [];
    default:
      return hits[n - 1] !== undefined ? [hits[n - 1]] : [];
  }
}
