// The replay's current moment as the language server follows it. In VS Code the host passes the
// debugger's shared cursor; over stdio the server keeps its own, moved by `elixirscope/setMoment`
// and the goto command.

import type { Disposable } from "vscode-languageserver";

export interface MomentCursor {
  /** The current event index, or undefined before any moment is chosen. */
  readonly index: number | undefined;
  set(index: number | undefined): void;
  onDidChange(listener: (index: number | undefined) => void): Disposable;
}

export class LocalCursor implements MomentCursor {
  private current: number | undefined;
  private readonly listeners = new Set<(index: number | undefined) => void>();

  get index(): number | undefined {
    return this.current;
  }

  set(index: number | undefined): void {
    if (index === this.current) return;
    this.current = index;
    for (const l of [...this.listeners]) l(index);
  }

  onDidChange(listener: (index: number | undefined) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
}
