// The replay's current moment as the language server follows it: the engine's shared ReplayCursor
// (the debugger moves it; over stdio, `elixirscope/setMoment` and the goto command do), seen through
// the three things the server needs of it.

import type { Disposable } from "vscode-languageserver";
import type { ReplayCursor } from "../core/cursor";

export interface MomentCursor {
  /** The current event index, or undefined before any moment is chosen. */
  readonly index: number | undefined;
  set(index: number): void;
  onDidChange(listener: (index: number | undefined) => void): Disposable;
}

/** The engine's cursor as the server's; the server's own moves are marked as coming from the hovers. */
export function followCursor(cursor: ReplayCursor): MomentCursor {
  return {
    get index() {
      return cursor.index;
    },
    set: (index) => cursor.moveTo(index, "goto", "hovers"),
    onDidChange: (listener) => cursor.onDidChange((e) => listener(e.index)),
  };
}
