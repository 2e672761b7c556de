// zlib's CRC-32 (the same values as `node:zlib`'s crc32) without loading `node:zlib`: that module
// loads ~20 of Node's stream modules with it, ~6 ms (CPU ~9 ms) of every command that opens an index
// or a code cache, for one native function of a few microseconds.

/** A CRC-32 of `data` (a string is taken as UTF-8), continuing from `value`; unsigned. */
type Crc32 = (data: string | Uint8Array, value?: number) => number;

let impl: Crc32 | undefined;

export function crc32(data: string | Uint8Array, value = 0): number {
  // The native function aborts the process on other argument types: checked here, once for all.
  if (typeof data !== "string" && !(data instanceof Uint8Array))
    throw new TypeError("crc32: data must be a string or bytes");
  return (impl ??= load())(data, value >>> 0) >>> 0;
}

/**
 * Node's zlib binding holds the native function `node:zlib` wraps (Node ≥ 20.15). `process.binding`
 * is deprecated only in the documentation (DEP0111): it warns under `--pending-deprecation`, so then,
 * or when the binding lacks it, `node:zlib` itself is loaded.
 */
function load(): Crc32 {
  const pending =
    process.execArgv.includes("--pending-deprecation") ||
    /--pending-deprecation/.test(process.env.NODE_OPTIONS ?? "") ||
    process.env.NODE_PENDING_DEPRECATION === "1";
  if (!pending) {
    try {
      const binding = (process as unknown as { binding(name: string): { crc32?: unknown } }).binding("zlib");
      const native = binding.crc32;
      if (typeof native === "function")
        return (data, value) => (native as (d: string | Uint8Array, v: number) => number)(data, value!);
    } catch {
      // no such binding in this runtime: Node's module below
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("node:zlib") as typeof import("node:zlib")).crc32;
}
