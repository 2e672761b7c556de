// The JSON metadata of an index file's bytes, and where it lies: tests damage a file's parts by the
// places its metadata gives (the head says where the metadata is: length at 12, offset at 24).

export interface IndexMeta {
  sections: Array<{ name: string; offset: number; type: string; page: number }>;
  sums: { offset: number };
  /** Columns stored by rule (src/core/store/columnCodec.ts). */
  codings: Record<string, { rule: string; base?: number; unit?: number }>;
}

export function indexMeta(file: Buffer): IndexMeta & { at: number; length: number } {
  const at = file.readDoubleLE(24);
  const length = file.readUInt32LE(12);
  return { ...(JSON.parse(file.toString("utf8", at, at + length)) as IndexMeta), at, length };
}
