// The process table: every pid the recording saw, with what a person names it by (registered name,
// GenServer module, initial call), when it was spawned and how it ended, and pid look-up from text.

import { escapeControls } from "./escape";
import { ReplayError } from "./errors";
import { infoName } from "./store/infoName";
import type { StoreData } from "./store/store";
import { FLAG_CRASH, KIND_CODES } from "./store/columns";
import { csrList, upperBound } from "./store/csr";
import { moduleLabel, mfaLabel } from "./store/eventDecode";
import { nameText } from "./names";
import { Atom, ErlMap, type Term, Tuple } from "./terms/term";
import type { Mfa, ProcessInfo } from "./types";

export class ProcessTable {
  readonly list: readonly ProcessInfo[];
  private readonly byText = new Map<string, number[]>();
  /**
   * Every name a process had, by its text (a via key also unquoted: `ann` for `"ann"`). Built on the
   * first look-up by name: it reads the pid and aux columns, which an open must not pay for.
   */
  private names?: Map<string, number[]>;

  constructor(private readonly store: StoreData) {
    this.list = Object.freeze((store.processes ?? buildProcessList(store)).map((p) => Object.freeze(p)));
    for (const p of this.list) {
      const ids = this.byText.get(p.pid) ?? [];
      ids.push(p.id);
      this.byText.set(p.pid, ids);
    }
  }

  private get byName(): Map<string, number[]> {
    if (this.names) return this.names;
    const byName = new Map<string, number[]>();
    for (const [id, names] of allNames(this.store, this.list))
      for (const name of names) {
        const keys = [name];
        const m = /^"(.*)"$/.exec(name);
        if (m) keys.push(m[1]);
        for (const k of keys) {
          const ids = byName.get(k) ?? [];
          if (!ids.includes(id)) ids.push(id);
          byName.set(k, ids);
        }
      }
    return (this.names = byName);
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
    const byName = this.byName.get(s) ?? this.byName.get(name) ?? this.byName.get(`Elixir.${name}`);
    if (byName?.length === 1) return this.list[byName[0]];
    if (byName && byName.length > 1) throw this.ambiguous(s, byName);
    // A module-named process may be given by its last segments: `TicketOffice` for `Elixir.Cinema.TicketOffice`.
    const bySuffix = [
      ...new Set(
        [...this.byName.entries()].filter(([n]) => n.endsWith(`.${name}`)).flatMap(([, ids]) => ids),
      ),
    ];
    if (bySuffix.length === 1) return this.list[bySuffix[0]];
    if (bySuffix.length > 1) throw this.ambiguous(s, bySuffix);
    const byModule = this.list.filter(
      (p) =>
        p.module && (moduleLabel(p.module) === name || p.module === name || p.module.endsWith(`.${name}`)),
    );
    if (byModule.length === 1) return byModule[0];
    if (byModule.length > 1)
      throw this.ambiguous(
        s,
        byModule.map((p) => p.id),
      );
    throw new ReplayError(
      `unknown pid "${s}": not a pid (<0.123.0>) nor a registered name or server module of this trace`,
    );
  }

  /** A name several processes had: the matches, so that the user can pick one by pid. */
  private ambiguous(spec: string, ids: number[]): ReplayError {
    const shown = ids.slice(0, 10).map((id) => this.list[id].label);
    const more = ids.length > 10 ? `, and ${ids.length - 10} more` : "";
    return new ReplayError(
      `"${spec}" is ambiguous: ${ids.length} processes match (${shown.join(", ")}${more}); give a pid`,
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
    const regs = this.registrationsOf(id);
    const i = upperBound(regs, row) - 1;
    if (i < 0) return this.list[id]?.name;
    const r = regs[i];
    if (this.store.cols.kind[r] !== KIND_CODES.register) return undefined;
    const name = nameText(this.store.tables.aux[this.store.cols.aux[r]]);
    // A `:pg` group joined is no better a name than the process's own.
    return name?.startsWith("pg ") && this.list[id]?.name ? this.list[id].name : name;
  }

  /**
   * A process's (un)registrations, ascending. Indexed once per session from the kind index's few
   * register and unregister rows, rather than by walking every event's pid and kind.
   */
  private registrationsOf(id: number): readonly number[] {
    if (!this.registrations) {
      const byKind = this.store.ix.byKind;
      const rows = Int32Array.from([
        ...csrList(byKind, KIND_CODES.register),
        ...csrList(byKind, KIND_CODES.unregister),
      ]).sort();
      const pid = this.store.cols.pid;
      this.registrations = new Map();
      for (const r of rows) {
        const list = this.registrations.get(pid[r]);
        if (list) list.push(r);
        else this.registrations.set(pid[r], [r]);
      }
    }
    return this.registrations.get(id) ?? [];
  }

  private registrations?: Map<number, number[]>;
}

/**
 * A process without a module yet takes the one of its first state's callback. A loop over every state
 * row on its own, not inside `buildProcessList`: V8 runs a one-pass loop unoptimised until it has
 * compiled the function around it (80 ms for that one), and indexed, since an unoptimised `for…of`
 * makes an iterator result per row (the 1M trace's states: 3.6 MB of young garbage).
 */
function stateModules(states: Int32Array, c: StoreData["cols"], mfas: Mfa[], out: ProcessInfo[]): void {
  for (let j = 0; j < states.length; j++) {
    const r = states[j];
    const p = out[c.pid[r]];
    if (p.module === undefined && c.mfa[r] >= 0) p.module = mfas[c.mfa[r]].module;
  }
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
    // What it runs, as proc_lib would put it in `$initial_call` (see names.ts).
    const runs = c.aux[r] >= 0 ? t.aux[c.aux[r]] : undefined;
    if (runs instanceof Tuple) out[child].initialCall = tupleMfa(runs) ?? out[child].initialCall;
  }
  for (const r of csrList(ix.byKind, KIND_CODES.exit)) {
    const p = out[c.pid[r]];
    p.exitedAt = r;
    p.exitReason = t.aux[c.aux[r]];
    p.crashed = (c.flags[r] & FLAG_CRASH) !== 0;
  }
  for (const r of csrList(ix.byKind, KIND_CODES.register)) out[c.pid[r]].name ??= nameText(t.aux[c.aux[r]]);
  for (const r of csrList(ix.byKind, KIND_CODES.process)) {
    const p = out[c.pid[r]];
    const info = t.aux[c.aux[r]];
    p.name ??= nameText(infoName(info));
    const init = mapGet(info, "initial_call");
    if (init instanceof Tuple && init.elements.length === 3) {
      // `$initial_call` (what it runs) is worth more than the spawn's `proc_lib.init_p/5`.
      const mfa = tupleMfa(init);
      if (mfa && (!p.initialCall || p.initialCall.module === "proc_lib")) p.initialCall = mfa;
    }
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
  stateModules(csrList(ix.byKind, KIND_CODES.state), c, t.mfas, out);
  // A crash is the user's when the process ran the user's code: a tool's process (the compiler
  // evaluating a script) that exits abnormally is not listed as crashed. Only on evidence: a
  // process whose code is unknown (no module table, no initial call) keeps its crash.
  const own = (m: string | undefined): boolean => m !== undefined && t.modules.has(m);
  for (const p of out) {
    if (!p.crashed || own(p.module) || own(p.initialCall?.module)) continue;
    if (t.modules.size === 0 || (p.module === undefined && p.initialCall === undefined)) continue;
    p.crashed = csrList(ix.byPid, p.id).some(
      (r) => c.kind[r] === KIND_CODES.call && c.mfa[r] >= 0 && own(t.mfas[c.mfa[r]].module),
    );
  }
  const nodes = new Set(out.map((p) => p.node));
  for (const p of out) {
    // A worker started generically (a Task, `spawn(fn)` in a library) is told by the first of the
    // user's functions it ran: `Task.Supervised.reply/2` says nothing.
    const generic = !p.name && !p.module && p.initialCall !== undefined && !own(p.initialCall.module);
    const first = generic ? firstOwnCall(store, p.id, own) : undefined;
    const who = p.name
      ? moduleLabel(p.name).replace(/^:/, "")
      : p.module
        ? moduleLabel(p.module)
        : first
          ? mfaLabel(first)
          : p.initialCall
            ? runsLabel(p.initialCall)
            : "";
    p.label = `#PID${p.pid}${nodes.size > 1 ? `@${escapeControls(p.node)}` : ""}${who ? ` ${who}` : ""}`;
  }
  return out;
}

/** An unnamed process by what it runs: a server's module, `fn in Mod`, else the function. */
export function runsLabel(m: Mfa): string {
  if (m.fun === "init" && m.arity === 1) return moduleLabel(m.module);
  if (m.fun === "fn") return `fn in ${moduleLabel(m.module)}`;
  return mfaLabel(m);
}

function firstOwnCall(store: StoreData, id: number, own: (m: string) => boolean): Mfa | undefined {
  const { cols: c, tables: t, ix } = store;
  for (const r of csrList(ix.byPid, id))
    if (c.kind[r] === KIND_CODES.call && c.mfa[r] >= 0 && own(t.mfas[c.mfa[r]].module))
      return t.mfas[c.mfa[r]];
  return undefined;
}

/** Every name each process had over the recording (registrations and start-of-recording snapshots). */
function allNames(store: StoreData, list: readonly ProcessInfo[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const add = (id: number, n: string | undefined) => {
    if (n === undefined) return;
    const l = out.get(id) ?? [];
    if (!l.includes(n)) l.push(n);
    out.set(id, l);
  };
  for (const p of list) add(p.id, p.name);
  const { cols: c, tables: t, ix } = store;
  for (const r of csrList(ix.byKind, KIND_CODES.register)) add(c.pid[r], nameText(t.aux[c.aux[r]]));
  return out;
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
