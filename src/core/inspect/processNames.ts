// What a process is called at a moment: the name registered then, else its server module or initial
// call, else the first function it ran; and which processes a `processes` filter (pids, names, `*`
// patterns) selects. Registrations are indexed once so that naming thousands of processes is a scan
// of the process table, not of their events.

import { globMatch, MAX_PATTERN_LENGTH } from "../functionPattern";
import type { Replay } from "../replay";
import { mfaLabel, moduleLabel } from "../store/eventDecode";
import { nameText } from "../names";
import type { ProcessInfo } from "../types";
import { InspectError } from "./errors";

export class ProcessNames {
  /**
   * Per process with (un)registrations: the event indices, ascending, and the name each set
   * (undefined: unregistered). Indexed when a name is first asked for: a debug launch makes this
   * directory before its first stop, which names no process.
   */
  private registered?: Map<number, { at: number[]; name: Array<string | undefined> }>;
  private nodeCount?: number;
  /** Labels of processes known by nothing but their pid, completed with the first function they ran. */
  private readonly bare = new Map<number, string>();

  constructor(protected readonly replay: Replay) {}

  private get registrations(): Map<number, { at: number[]; name: Array<string | undefined> }> {
    if (this.registered) return this.registered;
    const registrations = new Map<number, { at: number[]; name: Array<string | undefined> }>();
    const replay = this.replay;
    // From the columns and the names kept at load, not by decoding each event.
    for (const i of replay.getEventIndices({ kinds: ["register", "unregister"] })) {
      const pid = replay.pidOf(i);
      const list = registrations.get(pid) ?? { at: [], name: [] };
      list.at.push(i);
      list.name.push(nameText(replay.registeredNameOf(i)));
      registrations.set(pid, list);
    }
    // Joining a `:pg` group is not a name the process is known by when it has one of its own.
    for (const [pid, list] of registrations) {
      if (!list.name.some((n) => n !== undefined && !n.startsWith("pg "))) continue;
      const keep = list.name.map((n) => n === undefined || !n.startsWith("pg "));
      registrations.set(pid, {
        at: list.at.filter((_, i) => keep[i]),
        name: list.name.filter((_, i) => keep[i]),
      });
    }
    return (this.registered = registrations);
  }

  private get nodes(): number {
    return (this.nodeCount ??= new Set(this.replay.processes().map((p) => p.node)).size);
  }

  /** `#PID<0.187.0> CinemaDemo.TicketOffice`: the name registered at that moment, else the usual label. */
  nameAt(p: ProcessInfo, at: number): string {
    const regs = this.registrations.get(p.id);
    if (!regs) return this.label(p);
    let lo = 0;
    let hi = regs.at.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (regs.at[mid] <= at) lo = mid + 1;
      else hi = mid;
    }
    // Before its first registration a process is known by the name it will take.
    const name = lo === 0 ? regs.name[0] : regs.name[lo - 1];
    if (name === undefined)
      return p.label.replace(/ .*$/, "") + (p.module ? ` ${moduleLabel(p.module)}` : "");
    const node = this.nodes > 1 ? `@${p.node}` : "";
    return `#PID${p.pid}${node} ${moduleLabel(name).replace(/^:/, "")}`;
  }

  /** The engine's label; for a process with no name, module or initial call, its first traced function. */
  private label(p: ProcessInfo): string {
    if (p.name || p.module || p.initialCall) return p.label;
    let label = this.bare.get(p.id);
    if (label === undefined) {
      const first = this.replay.getEventIndices({ pids: [p.id], kinds: ["call"], limit: 1 })[0];
      const mfa = first === undefined ? undefined : this.replay.mfaOf(first);
      label = mfa ? `${p.label} ${mfaLabel(mfa)}` : p.label;
      this.bare.set(p.id, label);
    }
    return label;
  }
}

/** The processes a `processes` launch filter names: pids, names, server modules, or `*` patterns on labels. */
export function selectProcesses(r: Replay, specs: string[]): Set<number> {
  const out = new Set<number>();
  for (const spec of specs) {
    if (!spec.includes("*")) {
      out.add(r.findProcess(spec).id);
      continue;
    }
    // A glob walk, not a RegExp built from the client's text: `********q` made one backtrack for minutes.
    if (spec.length > MAX_PATTERN_LENGTH)
      throw new InspectError(
        `"processes": a pattern of ${spec.length} characters (at most ${MAX_PATTERN_LENGTH})`,
      );
    const glob = `*${spec.toLowerCase()}*`;
    const matches = (text: string): boolean => globMatch(glob, text.toLowerCase(), 0);
    const hits = r.processes().filter((p) => matches(p.label) || (p.name !== undefined && matches(p.name)));
    if (hits.length === 0) throw new InspectError(`"processes": no process matches "${spec}"`);
    for (const p of hits) out.add(p.id);
  }
  return out;
}
