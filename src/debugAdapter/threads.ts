// Processes as DAP threads: which ones exist at a moment (spawned, not yet exited, and debugged), the
// stable thread id of each (process id + 1), and the name each shows (the core's process names).

import type { DebugProtocol } from "@vscode/debugprotocol";
import { ProcessNames } from "../core/inspect/processNames";
import type { Replay } from "../core/replay";
import { AdapterError } from "./errors";

export class ThreadDirectory extends ProcessNames {
  constructor(
    replay: Replay,
    /** Only these process ids are debugged (all when undefined). */
    readonly allowed?: ReadonlySet<number>,
  ) {
    super(replay);
  }

  static threadId(pid: number): number {
    return pid + 1;
  }

  /** The process id of a thread id a client sent; an AdapterError when there is no such process. */
  pidOfThread(threadId: unknown): number {
    const pid = typeof threadId === "number" && Number.isInteger(threadId) ? threadId - 1 : -1;
    if (pid < 0 || pid >= this.replay.processes().length)
      throw new AdapterError(`threadId ${JSON.stringify(threadId)}: no such thread in this recording`);
    return pid;
  }

  isDebugged(pid: number): boolean {
    return !this.allowed || this.allowed.has(pid);
  }

  /** The threads at a moment: debugged processes alive then, and always the process of that event. */
  threadsAt(at: number): DebugProtocol.Thread[] {
    const current = this.replay.pidOf(at);
    const alive = this.replay.processesAliveAt(at).filter((p) => p.id === current || this.isDebugged(p.id));
    if (!alive.some((p) => p.id === current)) alive.push(this.replay.process(current));
    return alive.map((p) => ({ id: ThreadDirectory.threadId(p.id), name: this.nameAt(p, at) }));
  }
}
