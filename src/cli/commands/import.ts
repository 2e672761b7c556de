// `elixirscope import`: JSON Lines back into a trace file; every line is validated where it enters,
// and a bad one stops the import naming its file and line.

import { one, type Parsed, UsageError } from "../args";
import { importJsonlFile } from "../jsonlImport";
import { type Out } from "../options";

/** Main runs this part's command through this part's copy of the error classes (failure.ts). */
export { reporting } from "../failure";

export async function importJsonl(p: Parsed, out: Out): Promise<number> {
  const input = p.positional[0];
  const output = one(p, "o") ?? one(p, "out");
  if (!input)
    throw new UsageError(
      "import: which JSON Lines file? (usage: elixirscope import FILE.jsonl -o TRACE.estrace)",
    );
  if (!output) throw new UsageError("import: where to? (-o TRACE.estrace)");
  const frames = await importJsonlFile(input, output);
  out(`wrote ${output}: ${frames} frames`);
  return 0;
}
