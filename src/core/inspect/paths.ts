// Source paths between the recording and the workspace. A recorded path is mapped by `pathMappings`
// (longest prefix first), else re-rooted under `sourceRoot` by its longest suffix that exists there,
// else kept when it exists on this machine. Call sites are often recorded relative to the project
// (`lib/cinema_demo/customer.ex`): those are first completed from the recorded module table's absolute
// paths. A workspace path goes back to the recorded file it stands for, so breakpoints find their events.

import { existsSync } from "node:fs";
import { isAbsolute, join, normalize, resolve, sep } from "node:path";
import { sameFile } from "../correlator";

export interface PathMapping {
  /** A prefix of the paths recorded in the trace (where the program was compiled). */
  from: string;
  /** What replaces it in this workspace. */
  to: string;
}

export class PathMapper {
  private readonly mappings: PathMapping[];
  private readonly toLocalCache = new Map<string, string | undefined>();
  private readonly absolute: string[];

  /** `recordedFiles`: the absolute source paths the recording knows (its module table). */
  constructor(
    mappings: PathMapping[],
    private readonly sourceRoot: string | undefined,
    private readonly recordedFiles: string[] = [],
    private readonly exists: (path: string) => boolean = existsSync,
  ) {
    this.mappings = [...mappings].sort((a, b) => b.from.length - a.from.length);
    this.absolute = recordedFiles.filter((f) => isAbsolute(f));
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
