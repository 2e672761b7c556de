// Source paths between the recording and the workspace. A recorded path is mapped by `pathMappings`
// (longest prefix first), else re-rooted under `sourceRoot` by its longest suffix that exists there,
// else kept when it exists on this machine. Call sites are often recorded relative to the project
// (`lib/cinema_demo/customer.ex`): those are first completed from the recorded module table's absolute
// paths. A workspace path goes back to the recorded file it stands for, so breakpoints find their events.
// Recorders that write module sources relative to the project record its root in the header, and where
// the project is seen from the trace file (`root_from_trace`): a relative path is looked up there, so a
// trace kept beside its project opens on any machine with no mapping.

import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, resolve, sep } from "node:path";
import { sameFile } from "../correlator";
import { Atom, ErlMap } from "../terms";
import { termText } from "../reader/tables";
import type { TraceFileInfo } from "../types";

export interface PathMapping {
  /** A prefix of the paths recorded in the trace (where the program was compiled). */
  from: string;
  /** What replaces it in this workspace. */
  to: string;
}

export class PathMapper {
  private readonly mappings: PathMapping[];
  private readonly toLocalCache = new Map<string, string | undefined>();
  private known?: { all: readonly string[]; absolute: string[] };

  /**
   * `recordedFiles`: the source paths the recording knows (its module table), or what lists them when
   * first needed (a debug launch makes its mapper before its first stop, which maps no path);
   * `projectRoots`: where relative ones may live on this machine (`projectRoots()` of the loaded files).
   */
  constructor(
    mappings: PathMapping[],
    private readonly sourceRoot: string | undefined,
    private readonly recorded: readonly string[] | (() => readonly string[]) = [],
    private readonly exists: (path: string) => boolean = existsSync,
    private readonly projectRoots: readonly string[] = [],
  ) {
    this.mappings = [...mappings].sort((a, b) => b.from.length - a.from.length);
  }

  private get recordedFiles(): readonly string[] {
    return this.files.all;
  }

  private get absolute(): string[] {
    return this.files.absolute;
  }

  private get files(): { all: readonly string[]; absolute: string[] } {
    if (this.known) return this.known;
    const all = typeof this.recorded === "function" ? this.recorded() : this.recorded;
    return (this.known = { all, absolute: all.filter((f) => isAbsolute(f)) });
  }

  /** The workspace path of a recorded source path, or undefined when there is none on this machine. */
  toLocal(recorded: string): string | undefined {
    if (this.toLocalCache.has(recorded)) return this.toLocalCache.get(recorded);
    const found = this.find(recorded) ?? this.find(this.complete(recorded));
    this.toLocalCache.set(recorded, found);
    return found;
  }

  /** Whether the recording knows this source path (its module table or a call site). */
  isRecorded(recorded: string): boolean {
    return this.recordedFiles.includes(recorded);
  }

  /** The recorded form of a workspace path (for breakpoints): the recorded file that maps to it, if any. */
  toRecorded(local: string): string {
    const want = normalize(local);
    for (const f of this.recordedFiles) if (this.toLocal(f) === want) return f;
    for (const m of this.mappings)
      if (want.startsWith(normalize(m.to))) return join(m.from, want.slice(normalize(m.to).length));
    // The engine also matches files by their common path suffix.
    return local;
  }

  private find(recorded: string | undefined): string | undefined {
    if (!recorded) return undefined;
    // A recorded path that climbs (`../../etc/passwd`) is never re-rooted: it could leave any root.
    const climbs = recorded.split(/[\\/]/).includes("..");
    for (const m of this.mappings)
      if (recorded.startsWith(m.from)) {
        const p = normalize(join(m.to, recorded.slice(m.from.length)));
        if (within(p, m.to) && this.exists(p)) return p;
      }
    if (climbs) return undefined;
    if (!isAbsolute(recorded))
      for (const root of this.projectRoots) {
        // With a source root, only the recorded projects inside it.
        if (this.sourceRoot && !within(root, this.sourceRoot)) continue;
        const candidate = normalize(join(root, recorded));
        if (within(candidate, root) && this.exists(candidate)) return candidate;
      }
    if (this.sourceRoot) {
      const parts = recorded.split(/[\\/]/).filter((p) => p !== "" && p !== ".");
      for (let i = 0; i < parts.length; i++) {
        const candidate = normalize(join(this.sourceRoot, ...parts.slice(i)));
        if (within(candidate, this.sourceRoot) && this.exists(candidate)) return candidate;
      }
      // With a source root, files outside it are shown only when a mapping says where they are.
      return undefined;
    }
    if (isAbsolute(recorded) && this.exists(recorded)) return normalize(recorded);
    return undefined;
  }

  /** A relative recorded path completed to the one absolute module source it is the tail of. */
  private complete(recorded: string): string | undefined {
    if (isAbsolute(recorded)) return undefined;
    const hits = this.absolute.filter(
      (f) => sameFile(f, recorded) && f.endsWith(recorded.replace(/\\/g, "/")),
    );
    return hits.length === 1 ? hits[0] : undefined;
  }
}

/** Whether `path` is `root` or inside it (both normalised). */
function within(path: string, root: string): boolean {
  const r = normalize(root).replace(/[\\/]+$/, "");
  const p = normalize(path);
  return p === r || p.startsWith(`${r}${sep}`);
}

/** A launch path made absolute against `cwd` (the launch's `cwd`, else the adapter's). */
export function absolutePath(p: string, cwd: string | undefined): string {
  return isAbsolute(p) ? normalize(p) : resolve(cwd ?? process.cwd(), p);
}

/**
 * Where the recorded projects may be on this machine, from each trace's header: the project seen from
 * the trace file (`root_from_trace`), then the root where it was recorded (`root`).
 */
export function projectRoots(files: readonly Pick<TraceFileInfo, "path" | "header">[]): string[] {
  const roots: string[] = [];
  for (const f of files) {
    if (!(f.header instanceof ErlMap)) continue;
    const entries = f.header.entries;
    const text = (k: string): string | undefined => {
      const v = entries.find(([key]) => key instanceof Atom && key.name === k)?.[1];
      const t = v === undefined ? undefined : termText(v);
      return t === "" ? undefined : t;
    };
    const fromTrace = text("root_from_trace");
    if (fromTrace !== undefined) roots.push(resolve(dirname(f.path), fromTrace));
    const root = text("root");
    if (root !== undefined && isAbsolute(root)) roots.push(normalize(root));
  }
  return [...new Set(roots)];
}
