// `elixirscope import`: JSON Lines to an .estrace file. Every line is checked where it enters (JSON
// with exact big integers, frame shape, field types, atom sizes), and the written file is read back
// by the real reader, so a bad line is refused with its line number instead of making a trace that
// does not load. On any failure the partial output is removed.

import { createReadStream, rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { jsonToFrame, parseJsonExact } from "../core/jsonl";
import { Replay } from "../core/replay";
import { FRAME_MARK, MAGIC } from "../core/reader/readTrace";
import { atom } from "../core/terms/build";
import { encodeTerm } from "../core/terms/encode";
import { Tuple } from "../core/terms/term";
import { UsageError } from "./args";
import { OutputFile, requireInputFile } from "./io";

/** Longest JSON Lines line accepted (characters): a frame is at most what the reader takes. */
export const MAX_JSONL_LINE = 256 << 20;

export async function importJsonlFile(input: string, output: string): Promise<number> {
  requireInputFile(input, "import");
  const file = new OutputFile(output, "import");
  let ok = false;
  try {
    const frames = await writeFrames(input, file);
    file.close();
    await verify(input, output, frames.lines, frames.offsets);
    ok = true;
    return frames.lines.length;
  } finally {
    if (!ok) {
      try {
        file.close();
      } catch {
        // already failing: the first error is the one to report
      }
      rmSync(output, { force: true });
    }
  }
}

async function writeFrames(input: string, file: OutputFile): Promise<{ lines: number[]; offsets: number[] }> {
  const stream = createReadStream(input, { encoding: "utf8" });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const lineOf: number[] = [];
  const offsets: number[] = [];
  let offset = MAGIC.length;
  let n = 0;
  const where = (): string => `import: ${input}:${n}`;
  try {
    for await (const line of lines) {
      n++;
      if (line.length > MAX_JSONL_LINE)
        throw new UsageError(
          `${where()}: line of ${line.length} characters is over the ${MAX_JSONL_LINE} limit`,
        );
      if (line.trim() === "") continue;
      let obj: unknown;
      try {
        obj = parseJsonExact(line);
      } catch (e) {
        throw new UsageError(`${where()}: not JSON (${(e as Error).message})`);
      }
      let frame;
      try {
        frame = jsonToFrame(obj, `${input}:${n}`);
      } catch (e) {
        throw new UsageError(`import: ${(e as Error).message}`);
      }
      const header = frame instanceof Tuple && frame.elements[0] === atom("estrace");
      if (offsets.length === 0 && !header)
        throw new UsageError(`${where()}: the first line must be the header`);
      if (offsets.length > 0 && header) throw new UsageError(`${where()}: a second header line`);
      let etf: Uint8Array;
      try {
        etf = encodeTerm(frame);
      } catch (e) {
        throw new UsageError(`${where()}: ${(e as Error).message}`);
      }
      if (offsets.length === 0) file.write(MAGIC);
      const head = Buffer.alloc(5);
      head[0] = FRAME_MARK;
      head.writeUInt32BE(etf.length, 1);
      file.write(head);
      file.write(etf);
      offsets.push(offset);
      lineOf.push(n);
      offset += 5 + etf.length;
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`import: cannot read ${input}: ${code ?? (e as Error).message}`);
  } finally {
    lines.close();
    stream.destroy();
  }
  if (offsets.length === 0) throw new UsageError(`import: ${input} is empty`);
  return { lines: lineOf, offsets };
}

/** Reads the new file back: a frame the reader would skip is refused, naming its line. */
async function verify(input: string, output: string, lines: number[], offsets: number[]): Promise<void> {
  const r = await Replay.open(output).catch((e: Error) => {
    throw new UsageError(`import: ${input}: the result does not load (${e.message})`);
  });
  try {
    const p = r.problems[0];
    if (!p) return;
    let i = offsets.length - 1;
    while (i > 0 && offsets[i] > p.offset) i--;
    const problem = p.message.replace(/; \d+ bytes (skipped|dropped) .*$/, "");
    throw new UsageError(`import: ${input}:${lines[i]}: ${problem}`);
  } finally {
    r.close();
  }
}
