// The registered name inside a `process` event's info map, kept apart from the store so that the
// process table can use it without importing the store (which builds the process table).

import { Atom, ErlMap, type Term } from "../terms/term";

export function infoName(info: Term | undefined): Term | undefined {
  if (!(info instanceof ErlMap)) return undefined;
  return info.entries.find(([k]) => k === Atom.of("registered_name"))?.[1];
}
