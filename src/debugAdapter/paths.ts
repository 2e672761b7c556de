// Source paths between the recording and the workspace: a recorded absolute path is mapped by
// `pathMappings` (longest prefix first), else re-rooted under `sourceRoot` by its longest suffix that
// exists there; a workspace path goes back the same way for breakpoints.

import { existsSync } from "node:fs";
import { isAbsolute, join, normalize } from "node:path";
import type { PathMapping } from "./launchArgs";

export class PathMapper {
  private readonly cache = new Map<string, string | undefined>();
  constructor(
    private readonly mappings: PathMapping[],
    private readonly sourceRoot?: string,
  ) {
    this.mappings = [...mappings].sort((a, b) => b.from.length - a.from.length);
  }

  /** The workspace path of a recorded source path, or undefined when there is none on this machine. */
  toLocal(recorded: string): string | undefined {
    if (this.cache.has(recorded)) return this.cache.get(recorded);
    let found: string | undefined;
    for (const m of this.mappings)
      if (recorded.startsWith(m.from)) {
        found = normalize(join(m.to, recorded.slice(m.from.length)));
        break;
      }
    if (!found && this.sourceRoot) {
      const parts = recorded.split(/[\\/]/);
      for (let i = 0; i < parts.length && !found; i++) {
        const candidate = join(this.sourceRoot, ...parts.slice(i));
        if (existsSync(candidate)) found = candidate;
      }
    }
    if (!found && isAbsolute(recorded) && existsSync(recorded)) found = recorded;
    this.cache.set(recorded, found);
    return found;
  }

  /** The recorded form of a workspace path (the engine also matches by path suffix). */
  toRecorded(local: string): string {
    for (const m of this.mappings)
      if (local.startsWith(m.to)) return normalize(join(m.from, local.slice(m.to.length)));
    return local;
  }
}
