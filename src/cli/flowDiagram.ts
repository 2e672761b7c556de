// `elixirscope flow TRACE --diagram` / `--svg out.svg`: the message-flow diagram in a terminal or as
// an SVG file, drawn by the same layout code as the VS Code webview from the same paged rows.

import { writeFileSync } from "node:fs";
import { diagramSvg, diagramText, messageMatcher, type DiagramInput } from "../core/flowLayout";
import { FlowSource } from "../core/flowSource";
import type { Replay } from "../core/replay";
import { duration, int, one, type Parsed, UsageError } from "./args";

export function flowDiagram(r: Replay, p: Parsed, args: string[], out: (s: string) => void): number {
  const solo = args.filter((a) => a !== "*" && a !== "_").map((a) => r.findProcess(a).id);
  const at = (seq: number | undefined, time: number | undefined): number | undefined =>
    seq !== undefined ? r.resolveMoment({ seq }) : time !== undefined ? r.resolveMoment({ time }) : undefined;
  const fromIndex = at(int(p, "from-seq"), duration(p, "from-time"));
  const toIndex = at(int(p, "to-seq"), duration(p, "to-time"));
  const limit = int(p, "limit") ?? 200;
  if (limit <= 0) throw new UsageError(`--limit must be at least 1 row, not ${limit}`);
  const source = new FlowSource(r, { solo, fromIndex, toIndex });
  const page = source.page(0, limit);
  const matches = messageMatcher(one(p, "match") ?? "");
  const input: DiagramInput = {
    lanes: source.lanes.filter((l) => l.firstRank < page.to),
    items: page.items.filter((it) => matches(it.label)),
    markers: page.markers,
    from: 0,
    to: page.to,
    seqOf: (rank) => source.seqAt(rank),
    collapseIdle: true,
  };
  const more = source.total > page.to ? ` (of ${source.total}; --limit N for more)` : "";
  const svgPath = one(p, "svg");
  if (svgPath !== undefined) {
    writeFileSync(svgPath, diagramSvg(input));
    out(
      `wrote ${svgPath}: ${page.to} rows${more}, ${input.items.length} arrows, ${input.lanes.length} lanes`,
    );
    return 0;
  }
  out(diagramText({ ...input, collapseIdle: false }));
  if (more) out(`… ${page.to} rows shown${more}`);
  return 0;
}
