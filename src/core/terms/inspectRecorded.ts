// What the recorder wrote in its footer about how structs print (recorder 0.1.0+): the layouts of the
// struct modules it did not record (`structs`) and, for structs whose `Inspect` is their own, the text
// Elixir gave each value (`inspected`). `Replay.termStyle()` hands both to `inspect`.

import { structLayout } from "../reader/readTrace";
import { encodeTerm } from "./encode";
import type { StructLayout } from "./inspect";
import { Atom, ErlMap, type Term, Tuple, Bin } from "./term";

const STRUCTS = Atom.of("structs");
const INSPECTED = Atom.of("inspected");
const STRUCT_KEY = Atom.of("__struct__");

export class RecordedStructs {
  private readonly layouts = new Map<string, StructLayout>();
  /** By struct module, then by the value's ETF bytes (as latin1): the text `inspect/1` gave it. */
  private readonly texts = new Map<string, Map<string, string>>();

  constructor(footers: Array<Term | undefined>) {
    for (const f of footers) {
      if (!(f instanceof ErlMap)) continue;
      const structs = f.get(STRUCTS, (a, b) => a === b);
      if (Array.isArray(structs))
        for (const e of structs) {
          if (!(e instanceof Tuple) || e.elements.length !== 2 || !(e.elements[0] instanceof Atom)) continue;
          const { struct } = structLayout(e.elements[1]);
          if (struct) this.layouts.set(e.elements[0].name, struct);
        }
      const inspected = f.get(INSPECTED, (a, b) => a === b);
      if (Array.isArray(inspected))
        for (const e of inspected) {
          if (!(e instanceof Tuple) || e.elements.length !== 2) continue;
          const [value, text] = e.elements;
          const mod = value instanceof ErlMap ? value.get(STRUCT_KEY, (a, b) => a === b) : undefined;
          if (!(mod instanceof Atom) || !(text instanceof Bin)) continue;
          let byValue = this.texts.get(mod.name);
          if (!byValue) this.texts.set(mod.name, (byValue = new Map()));
          byValue.set(key(value), new TextDecoder().decode(text.bytes));
        }
    }
  }

  /** The layout of a struct module the recording did not trace. */
  layout(module: string): StructLayout | undefined {
    return this.layouts.get(module);
  }

  /** The text Elixir printed for this struct value, when its `Inspect` is its own. */
  text(struct: ErlMap, module: string): string | undefined {
    const byValue = this.texts.get(module);
    if (!byValue) return undefined;
    try {
      return byValue.get(key(struct));
    } catch {
      // A value the encoder refuses (nothing a trace decodes to should be): no text, the raw form shows.
      return undefined;
    }
  }
}

function key(t: Term): string {
  return Buffer.from(encodeTerm(t)).toString("latin1");
}
