// `elixirscope export`: one trace file as JSON Lines (header, module table, events, footer), the form
// `import` reads back.

import { eventBytesToJsonLine, frameToJsonLine, jsonLinesOut } from "../../core/jsonl";
import { Replay } from "../../core/replay";
import { atom, bin, tuple } from "../../core/terms/build";
import { one, type Parsed, UsageError } from "../args";
import { OutputFile } from "../io";
import { type Out } from "../options";

export function exportJsonl(r: Replay, p: Parsed, out: Out): number {
  const format = one(p, "format") ?? "jsonl";
  if (format !== "jsonl") throw new UsageError(`export: unknown format "${format}" (supported: jsonl)`);
  if (r.files.length !== 1) throw new UsageError("export: give one trace file at a time");
  const path = one(p, "o") ?? one(p, "out");
  // Written synchronously in batches, so the file is complete when the command returns.
  const file = path ? new OutputFile(path, "export") : undefined;
  // Lines gathered as bytes, ~1 MiB per write call: a write per line would cost more than the line.
  jsonLinesOut.clear();
  const flush = (): void => {
    if (file !== undefined && jsonLinesOut.size) file.write(jsonLinesOut.take());
    jsonLinesOut.clear();
  };
  const write = (s: string): void => {
    if (file === undefined) out(s);
    else jsonLinesOut.line(s);
  };
  write(frameToJsonLine(tuple(atom("estrace"), 1, r.files[0].header)));
  for (const m of r.modules())
    write(
      frameToJsonLine(
        tuple(
          atom("module"),
          atom(m.module),
          bin(m.source),
          m.functions.map((f) =>
            tuple(
              atom(f.name),
              f.arity,
              f.line,
              f.clauseLines,
              (f.clauses ?? []).map((c) => c.params.map((n) => atom(n ?? "nil"))),
            ),
          ),
        ),
      ),
    );
  // In file order by large reads, each frame transcoded from its bytes (no terms built, no cache).
  r.scanFrames((buf, start, end) => {
    if (file === undefined) out(eventBytesToJsonLine(buf, start, end));
    else {
      jsonLinesOut.event(buf, start, end);
      if (jsonLinesOut.size >= 1 << 20) flush();
    }
  });
  if (r.files[0].footer !== undefined) write(frameToJsonLine(tuple(atom("footer"), r.files[0].footer)));
  flush();
  file?.close();
  return 0;
}
