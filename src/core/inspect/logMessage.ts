// Logpoint messages: text with `{expr}` holes evaluated at each hit, compiled once so that a bad
// expression is refused when the logpoint is set, not at every event it prints.

import type { Term } from "../terms/term";
import { type Expr, evalExpr, ExprError, namesOf, parseExpr } from "./expression";
import { valueText } from "./termView";

/** A compiled message: renders it in a scope; `names` are the names its expressions read. */
export interface LogMessage {
  (scope: Record<string, Term | undefined>): string;
  readonly names: ReadonlySet<string>;
}

/** `reserve {args[0]} for {args[1]}`: each `{expr}` is evaluated at the event; `{{`/`}}` are braces. */
export function compileLogMessage(message: string): LogMessage {
  const parts: Array<string | Expr> = [];
  let text = "";
  for (let i = 0; i < message.length; i++) {
    const c = message[i];
    if ((c === "{" || c === "}") && message[i + 1] === c) {
      text += c;
      i++;
    } else if (c === "{") {
      // Find the matching brace: expressions may hold tuples and maps.
      let depth = 1;
      let j = i + 1;
      for (; j < message.length && depth > 0; j++) {
        if (message[j] === "{") depth++;
        else if (message[j] === "}") depth--;
        else if (message[j] === '"')
          while (++j < message.length && message[j] !== '"') if (message[j] === "\\") j++;
      }
      if (depth > 0)
        throw new ExprError(
          `logpoint message: "{" at column ${i + 1} is never closed (write {{ for a brace)`,
        );
      if (text) parts.push(text);
      text = "";
      const src = message.slice(i + 1, j - 1);
      try {
        parts.push(parseExpr(src));
      } catch (e) {
        throw new ExprError(`logpoint message {${src}}: ${(e as Error).message}`);
      }
      i = j - 1;
    } else text += c;
  }
  if (text) parts.push(text);
  const names = new Set<string>();
  for (const p of parts) if (typeof p !== "string") namesOf(p, names);
  const render = (scope: Record<string, Term | undefined>): string => {
    let out = "";
    for (const p of parts) {
      if (typeof p === "string") out += p;
      else
        try {
          out += valueText(evalExpr(p, scope));
        } catch (err) {
          out += `<${(err as Error).message}>`;
        }
    }
    return out;
  };
  return Object.assign(render, { names });
}
