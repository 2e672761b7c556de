#!/usr/bin/env node
// Checks what a packaged .vsix holds: what runs (the bundles, the demo recordings, the recorder's
// sources) and nothing else (no sources, tests, maps or node_modules). Reads the zip's central
// directory itself, so it needs no unzip tool.
// Usage: node scripts/e2e/check-vsix.mjs [FILE.vsix]   (default: NAME-VERSION.vsix of package.json)
import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { URL } from "node:url";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
const file = process.argv[2] ?? `${pkg.name}-${pkg.version}.vsix`;
const buf = readFileSync(file);
const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
if (eocd < 0) {
  console.error(`${file}: not a zip file (no end of central directory)`);
  process.exit(2);
}
const count = buf.readUInt16LE(eocd + 10);
let at = buf.readUInt32LE(eocd + 16);
const names = [];
for (let i = 0; i < count; i++) {
  if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${i}`);
  const n = buf.readUInt16LE(at + 28);
  names.push(buf.toString("utf8", at + 46, at + 46 + n));
  at += 46 + n + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
}

const must = [
  "extension/package.json",
  "extension/dist/extension.js",
  "extension/dist/loadWorker.js",
  "extension/dist/cli.js",
  // The CLI's commands, each in a file of its own that dist/cli.js requires when it runs.
  "extension/dist/cli-replay.js",
  "extension/dist/cli-dap.js",
  "extension/dist/cli-lsp.js",
  "extension/dist/cli-demo.js",
  "extension/dist/cli-import.js",
  // The export's worker threads (dist/cli-replay.js starts them on large traces).
  "extension/dist/exportWorker.js",
  "extension/dist/webview.js",
  "extension/examples/traces/double_booking.estrace",
  "extension/examples/cinema_demo/mix.exs",
  "extension/recorder/mix.exs",
  "extension/readme.md",
];
const never = [
  [/^extension\/src\//, "sources"],
  [/^extension\/(test|bench|scripts|webview-ui|out|test-artifacts)\//, "tests, benchmarks or build scripts"],
  [/node_modules\//, "node_modules (everything is bundled into dist/)"],
  [/\.(ts|map)$/, "TypeScript or source maps"],
  [/\.v8cache$/, "V8 code caches (each install builds its own)"],
  [/\.vsix$/, "another package"],
  [/\/(_build|deps)\//, "Elixir build output"],
];
const problems = [];
for (const m of must) if (!names.includes(m)) problems.push(`missing ${m}`);
for (const n of names)
  for (const [re, what] of never) if (re.test(n)) problems.push(`${n}: ${what} must not ship`);
if (!names.some((n) => /^extension\/recorder\/lib\/.*\.ex$/.test(n)))
  problems.push("missing the recorder's lib/*.ex");
const size = (buf.length / 1024).toFixed(0);
if (problems.length) {
  console.error(`${file} (${names.length} files, ${size} KiB):\n  ${problems.slice(0, 30).join("\n  ")}`);
  process.exit(1);
}
console.log(`${file}: ${names.length} files, ${size} KiB, contents as expected`);
