// The store's table of small terms (exit reasons, registered names, process info maps, spawn targets:
// what the aux column indexes). A parse has them all decoded; an index decodes each when first read,
// since an open reads few or none (decoding all 340 of the 1M trace cold took ~20 ms).

import type { Term } from "../terms/term";

export interface TermTable {
  readonly length: number;
  /** The term `id`; undefined for -1 (no term) or any id out of range. */
  term(id: number): Term | undefined;
}

/** Terms at hand, in an array (a parse appends to `terms`). */
export class TermArray implements TermTable {
  constructor(readonly terms: Term[] = []) {}

  get length(): number {
    return this.terms.length;
  }

  term(id: number): Term | undefined {
    return this.terms[id];
  }
}

/**
 * Terms decoded on first read, kept after. One array of what was decoded, not a getter and a closure
 * per term (~0.4 KB of young memory each, ~0.15 MB at every open of the 1M trace).
 */
export class LazyTermTable implements TermTable {
  private readonly made: Array<Term | undefined>;

  constructor(
    readonly length: number,
    private readonly decode: (id: number) => Term,
  ) {
    this.made = new Array<Term | undefined>(length);
  }

  term(id: number): Term | undefined {
    if (!(id >= 0 && id < this.length)) return undefined;
    return (this.made[id] ??= this.decode(id));
  }
}
