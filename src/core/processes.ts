// The process table: every pid the recording saw, with what a person names it by (registered name,
// GenServer module, initial call), when it was spawned and how it ended, and pid look-up from text.

import { escapeControls } from "./escape";
import { ReplayError } from "./errors";
import { infoName } from "./store/infoName";
import type { StoreData } from "./store/store";
import { FLAG_CRASH, KIND_CODES } from "./store/columns";
import { buildCsr, csrList, upperBound, type Csr } from "./store/csr";
import { moduleLabel, mfaLabel } from "./store/eventDecode";
import { Atom, ErlMap, type Term, Tuple } from "./terms/term";
import type { Mfa, ProcessInfo } from "./types";

export class ProcessTable {
  readonly list: readonly ProcessInfo[];
  private readonly byText = new Map<string, number[]>();
  private readonly byName = new Map<string, number>();

  constructor(private readonly store: StoreData) {
    this.list = Object.freeze((store.processes ?? buildProcessList(store)).map((p) => Object.freeze(p)));
    for (const p of this.list) {
      const ids = this.byText.get(p.pid) ?? [];
      ids.push(p.id);
      this.byText.set(p.pid, ids);
      if (p.name) this.byName.set(p.name, p.id);
    }
  }

  get(id: number): ProcessInfo {
    const p = this.list[id];
    if (!p) throw new ReplayError(`unknown process id ${id} (this trace has ${this.list.length} processes)`);
    return p;
  }

  /** `<0.123.0>`, `#PID<0.123.0>`, `0.123.0`, `<0.123.0>@node`, a registered name (`TicketOffice`, `:ticket_office`), or an id. */
  find(spec: number | string): ProcessInfo {
    if (typeof spec === "number") return this.get(spec);
    if (typeof spec !== "string")
      throw new ReplayError(`bad pid ${JSON.stringify(spec)}: expected a pid like <0.123.0> or a name`);
    const s = spec.trim();
    const m = /^(?:#PID)?<?(\d+)\.(\d+)\.(\d+)>?(?:@(.+))?$/.exec(s);
    if (m) {
      const ids = this.byText.get(`<0.${m[2]}.${m[3]}>`) ?? [];
      const hits = m[4] ? ids.filter((id) => this.list[id].node === m[4]) : ids;
      if (hits.length === 1) return this.list[hits[0]];
      if (hits.length > 1)
        throw new ReplayError(
          `pid ${s} is ambiguous: it exists on ${hits.map((id) => this.list[id].node).join(", ")}; add @node`,
        );
      throw new ReplayError(`unknown pid ${s}: no event of this trace belongs to it`);
    }
    const name = s.replace(/^:/, "");
    const byName = this.byName.get(name) ?? this.byName.get(`Elixir.${name}`);
    if (byName !== undefined) return this.list[byName];
    // A module-named process may be given by its last segments: `TicketOffice` for `Elixir.Cinema.TicketOffice`.
    const bySuffix = [...this.byName.entries()].filter(([n]) => n.endsWith(`.${name}`));
    if (bySuffix.length === 1) return this.list[bySuffix[0][1]];
    if (bySuffix.length > 1)
      throw new ReplayError(`"${s}" is ambiguous: ${bySuffix.map(([n]) => moduleLabel(n)).join(", ")}`);
    const byModule = this.list.filter(
      (p) =>
        p.module && (moduleLabel(p.module) === name || p.module === name || p.module.endsWith(`.${name}`)),
    );
    if (byModule.length === 1) return byModule[0];
    throw new ReplayError(
      `unknown pid "${s}": not a pid (<0.123.0>) nor a registered name or server module of this trace`,
    );
  }

  /** Processes that exist at event `row`: spawned (or first seen) at or before it and not yet exited. */
  aliveAt(row: number): ProcessInfo[] {
    return this.list.filter(
      (p) => (p.spawnedAt ?? p.firstEvent) <= row && (p.exitedAt === undefined || p.exitedAt >= row),
    );
  }

  /** The registered name of a process at event `row` (names come and go). */
  nameAt(id: number, row: number): string | undefined {
    // Only (un)registrations matter: index them once per process rather than walking its events.
    this.registrations ??= buildCsr(this.store.cols.pid, this.store.cols.length, this.list.length, (r) => {
      const k = this.store.cols.kind[r];
      return k === KIND_CODES.register || k === KIND_CODES.unregister;
    });
    const regs = csrList(this.registrations, id);
    const i = upperBound(regs, row) - 1;
    if (i < 0) return this.list[id]?.name;
    const r = regs[i];
    return this.store.cols.kind[r] === KIND_CODES.register
      ? atomName(this.store.tables.aux[this.store.cols.aux[r]])
      : undefined;
  }

  private registrations?: Csr;
}

/** Every process of a store with its names, lineage and lifetime (kept in the persistent index). */
export function buildProcessList(store: StoreData): ProcessInfo[] {
  const { cols: c, tables: t, ix } = store;
  const out: ProcessInfo[] = t.pids.map((p, id) => {
    const rows = csrList(ix.byPid, id);
    return {
      id,
      pid: p.text,
      node: p.node,
      label: "",
      crashed: false,
      firstEvent: rows.length ? rows[0] : -1,
      lastEvent: rows.length ? rows[rows.length - 1] : -1,
      eventCount: rows.length,
    };
  });
  for (const r of csrList(ix.byKind, KIND_CODES.spawn)) {
    const child = c.peer[r];
    if (child < 0) continue;
    out[child].parent = c.pid[r];
    out[child].spawnedAt = r;
    if (c.mfa[r] >= 0) out[child].initialCall = t.mfas[c.mfa[r]];
  }
  for (const r of csrList(ix.byKind, KIND_CODES.exit)) {
    const p = out[c.pid[r]];
    p.exitedAt = r;
    p.exitReason = t.aux[c.aux[r]];
    p.crashed = (c.flags[r] & FLAG_CRASH) !== 0;
  }
  for (const r of csrList(ix.byKind, KIND_CODES.register)) out[c.pid[r]].name ??= atomName(t.aux[c.aux[r]]);
  for (const r of csrList(ix.byKind, KIND_CODES.process)) {
    const p = out[c.pid[r]];
    const info = t.aux[c.aux[r]];
    p.name ??= atomName(infoName(info));
    const init = mapGet(info, "initial_call");
    if (init instanceof Tuple && init.elements.length === 3) p.initialCall ??= tupleMfa(init);
    const mod = mapGet(info, "module");
    if (mod instanceof Atom) p.module ??= mod.name;
    const parent = mapGet(info, "parent");
    if (parent !== undefined && typeof parent === "object" && "serial" in parent) {
      const id = t.pids.findIndex(
        (x) => x.term.id === parent.id && x.term.serial === parent.serial && x.term.node === parent.node,
      );
      if (id >= 0) p.parent ??= id;
    }
  }
  for (const r of csrList(ix.byKind, KIND_CODES.state)) {
    const p = out[c.pid[r]];
    if (c.mfa[r] >= 0) p.module ??= t.mfas[c.mfa[r]].module;
  }
  const nodes = new Set(out.map((p) => p.node));
  for (const p of out) {
    const who = p.name
      ? moduleLabel(p.name).replace(/^:/, "")
      : p.module
        ? moduleLabel(p.module)
        : p.initialCall
          ? mfaLabel(p.initialCall)
          : "";
    p.label = `#PID${p.pid}${nodes.size > 1 ? `@${escapeControls(p.node)}` : ""}${who ? ` ${who}` : ""}`;
  }
  return out;
}

function atomName(t: Term | undefined): string | undefined {
  return t instanceof Atom ? t.name : undefined;
}

function mapGet(m: Term | undefined, key: string): Term | undefined {
  return m instanceof ErlMap ? m.entries.find(([k]) => k === Atom.of(key))?.[1] : undefined;
}

function tupleMfa(t: Tuple): Mfa | undefined {
  const [m, f, a] = t.elements;
  if (m instanceof Atom && f instanceof Atom && typeof a === "number")
    return { module: m.name, fun: f.name, arity: a };
  return undefined;
}
