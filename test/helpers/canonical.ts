// A canonical text of any answer, to compare answers from two replays of one recording exactly.

/** JSON with sorted keys, bigints as text and binaries (Buffer or Uint8Array) as byte lists. */
export function canonical(v: unknown): string {
  if (typeof v === "bigint") return `"${v}n"`;
  if (v instanceof Uint8Array) return JSON.stringify(Array.from(v));
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v) ?? "null";
}
