// Checks shared by the tests of trace format 2's references (a receive naming its send, a large term
// naming its earlier copy): a trace written with references must export and reopen from its index
// exactly as the same recording written whole.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXPORT_TUNING, exportJsonl } from "../../src/cli/commands/export";
import { Replay } from "../../src/core/replay";

/** `bytes` written as `name` in a fresh temporary folder. */
export function writeTrace(bytes: Buffer, name: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "elixirscope-twins-")), name);
  writeFileSync(path, bytes);
  return path;
}

/** The JSON Lines export of `path` but its header line (which says the file's own version). */
export async function exportedLines(path: string, parallelFrom: number): Promise<string[]> {
  const r = await Replay.open(path, { index: false });
  const out = `${path}.${parallelFrom}.jsonl`;
  const p = { positional: [path], flags: new Set<string>(), values: new Map([["o", [out]]]) };
  try {
    // Workers alone: each chunk with a reference is given back to this thread.
    await exportJsonl(r, p, () => undefined, { ...EXPORT_TUNING, workers: 2, alsoHere: false, parallelFrom });
  } finally {
    r.close();
  }
  return readFileSync(out, "utf8").trimEnd().split("\n").slice(1);
}

/** Opens `path` twice, building its index then reusing it, and asserts the same `answers` from both. */
export async function assertSameFromIndex(path: string, answers: (r: Replay) => string): Promise<void> {
  const built = await Replay.open(path);
  await built.indexSaved();
  const want = answers(built);
  built.close();
  const reused = await Replay.open(path);
  try {
    assert.equal(reused.indexStatus.state, "reused");
    assert.equal(answers(reused), want);
  } finally {
    reused.close();
  }
}
