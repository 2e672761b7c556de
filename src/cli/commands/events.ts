// `elixirscope events`: the events a filter selects (pids, kinds, functions, seq and time ranges),
// or with `--explain` the index plan the engine would use.

import { Replay } from "../../core/replay";
import { type EventFilter, type EventKind } from "../../core/types";
import { duration, int, many, type Parsed, printLimit } from "../args";
import { type Out } from "../options";
import { eventLine, eventJson } from "../eventText";

export function filterOf(r: Replay, p: Parsed): EventFilter {
  const f: EventFilter = { limit: int(p, "limit") ?? 50 };
  const pids = many(p, "pid");
  if (pids.length) f.pids = pids;
  const kinds = many(p, "kind");
  if (kinds.length) f.kinds = kinds as EventKind[];
  const funs = p.values.get("fun");
  if (funs?.length) f.functions = funs;
  const fromSeq = int(p, "from-seq");
  const toSeq = int(p, "to-seq");
  if (fromSeq !== undefined || toSeq !== undefined)
    f.indexRange = {
      from: fromSeq === undefined ? undefined : r.resolveMoment({ seq: fromSeq }),
      to: toSeq === undefined ? undefined : r.resolveMoment({ seq: toSeq }),
    };
  const from = duration(p, "from-time");
  const to = duration(p, "to-time");
  if (from !== undefined || to !== undefined) f.timeRange = { from, to };
  const offset = int(p, "offset");
  if (offset !== undefined) f.offset = offset;
  if (p.flags.has("desc")) f.order = "desc";
  return f;
}

export function events(r: Replay, p: Parsed, json: boolean, out: Out): number {
  const f = filterOf(r, p);
  if (p.flags.has("explain")) {
    const plan = r.explain(f);
    out(
      json
        ? JSON.stringify(plan)
        : `index: ${plan.index}, ${plan.candidates} candidates (considered: ${plan.considered.map((c) => `${c.index} ${c.candidates}`).join(", ")})`,
    );
    return 0;
  }
  const evs = r.getEvents(f);
  // Counting what the limit cut lists no rows (and a predicate-free filter decodes none).
  const more =
    f.limit !== undefined && evs.length === f.limit ? r.countEvents(f) - (f.offset ?? 0) - evs.length : 0;
  if (json)
    out(
      JSON.stringify(
        evs.map((e) => eventJson(r, e)),
        null,
        2,
      ),
    );
  else {
    const limit = printLimit(p);
    for (const e of evs) out(eventLine(r, e, limit));
    if (more > 0)
      out(`… ${more} more (--offset ${(f.offset ?? 0) + evs.length} for the next ones, or a larger --limit)`);
  }
  return 0;
}
