// The user's state inside a behaviour's wrapper. A behaviour built on gen_server (GenStage and
// the like) keeps the callback module's state in a struct of its own, `%Wrapper{module: UserMod,
// state: user_state, ...}`: the user's state is what a person reads first, the wrapper on demand.

import { Atom, ErlMap, type Term } from "./terms/term";

export interface WrappedState {
  /** The user's state (the wrapper's `state` field). */
  user: Term;
  /** The wrapper struct's module, e.g. `Elixir.ParcelDepot.Stage`. */
  wrapper: string;
  /** The callback module the wrapper runs (its `module` field). */
  module: string;
}

/**
 * The user's state when `state` is a wrapper: a struct with a `state` field and a `module` field
 * that names a module of the recording (`known`), other than the struct's own. Otherwise undefined.
 */
export function unwrapState(
  state: Term | undefined,
  known: (module: string) => boolean,
): WrappedState | undefined {
  if (!(state instanceof ErlMap)) return undefined;
  const get = (k: string) => state.entries.find(([key]) => key === Atom.of(k))?.[1];
  const struct = get("__struct__");
  const mod = get("module");
  const user = get("state");
  if (!(struct instanceof Atom) || !(mod instanceof Atom) || user === undefined) return undefined;
  if (mod === struct || !known(mod.name)) return undefined;
  return { user, wrapper: struct.name, module: mod.name };
}
