// `elixirscope import`: JSON Lines back into a trace file; every line is validated where it enters,
// and a bad one stops the import naming its file and line.

import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { jsonToFrame } from "../../core/jsonl";
import { encodeTerm } from "../../core/terms/encode";
import { atom } from "../../core/terms/build";
import { Tuple } from "../../core/terms/term";
import { TraceFileWriter } from "../../core/writer";
import { one, type Parsed, UsageError } from "../args";
import { type Out } from "../options";

export async function importJsonl(p: Parsed, out: Out): Promise<number> {
  const input = p.positional[0];
  const output = one(p, "o") ?? one(p, "out");
  if (!input)
    throw new UsageError(
      "import: which JSON Lines file? (usage: elixirscope import FILE.jsonl -o TRACE.estrace)",
    );
  if (!output) throw new UsageError("import: where to? (-o TRACE.estrace)");
  if (!existsSync(input)) throw new UsageError(`import: ${input}: no such file`);
  const lines = createInterface({ input: createReadStream(input), crlfDelay: Infinity });
  let writer: TraceFileWriter | undefined;
  let n = 0;
  let frames = 0;
  try {
    for await (const line of lines) {
      n++;
      if (line.trim() === "") continue;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch (e) {
        throw new UsageError(`import: ${input}:${n}: not JSON (${(e as Error).message})`);
      }
      let frame;
      try {
        frame = jsonToFrame(obj, `${input}:${n}`);
      } catch (e) {
        throw new UsageError(`import: ${(e as Error).message}`);
      }
      if (!writer) {
        if (!(frame instanceof Tuple) || frame.elements[0] !== atom("estrace"))
          throw new UsageError(`import: ${input}:${n}: the first line must be the header`);
        writer = new TraceFileWriter(output, encodeTerm(frame));
      } else writer.frame(frame);
      frames++;
    }
  } finally {
    writer?.close();
  }
  if (!writer) throw new UsageError(`import: ${input} is empty`);
  out(`wrote ${output}: ${frames} frames`);
  return 0;
}
