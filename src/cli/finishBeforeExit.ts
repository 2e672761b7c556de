// Work a command must not lose when it ends early (its reader closed the pipe): the persistent index
// a first open is saving. Kept in a process-wide registry (Symbol.for) because the CLI's entry and
// its command parts are separate bundles, each with its own copy of every module.

const KEY = Symbol.for("elixirscope.cli.finishBeforeExit");
type Registry = { [KEY]?: Set<Promise<unknown>> };

function pending(): Set<Promise<unknown>> {
  const g = globalThis as Registry;
  return (g[KEY] ??= new Set());
}

/** Lets `work` finish before an early exit; it is forgotten once settled. */
export function finishBeforeExit(work: Promise<unknown>): void {
  const set = pending();
  const settled: Promise<unknown> = work.then(
    () => set.delete(settled),
    () => set.delete(settled),
  );
  set.add(settled);
}

/** Settles when every registered piece of work has (at once when there is none). */
export async function registeredWork(): Promise<void> {
  await Promise.allSettled([...pending()]);
}
