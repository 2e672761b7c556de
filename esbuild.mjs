// Bundles the extension, the standalone debug adapter, the CLI, the load and export workers and the webview
// script into dist/. `vscode` is provided by the host; everything else is bundled.
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");

const node = [
  ["src/extension/extension.ts", "dist/extension.js"],
  ["src/cli/entry.ts", "dist/cli.js"],
  ["src/core/loadWorker.ts", "dist/loadWorker.js"],
  ["src/core/exportWorker.ts", "dist/exportWorker.js"],
].filter(([entry]) => existsSync(entry));

// The CLI's commands, each bundled on its own and required by dist/cli.js only when it runs: a
// process pays for compiling the code of its command alone (`info` ~0.4 MB, not the language
// server's and the adapter's ~1 MB).
const cliParts = {
  "./withReplay": ["src/cli/withReplay.ts", "cli-replay.js"],
  "./lsp": ["src/cli/lsp.ts", "cli-lsp.js"],
  "./commands/dap": ["src/cli/commands/dap.ts", "cli-dap.js"],
  "./commands/demo": ["src/cli/commands/demo.ts", "cli-demo.js"],
  "./commands/import": ["src/cli/commands/import.ts", "cli-import.js"],
};
// Main requires a part through src/cli/codeCache.ts, which keeps V8's compiled code of the part beside
// it (dist/cli-*.js.v8cache): a process then neither parses nor compiles the part again. A part is
// written already wrapped in CommonJS's module function (codeCache.ts PART_HEAD), so that it is
// compiled as read, then an id of its contents (filled in by `finishParts`), which the loader matches
// its cache with instead of checksumming the source; it is loaded through that loader only.
const PART_HEAD = "(function (exports, require, module, __filename, __dirname) { // elixirscope part";
const NO_ID = "0".repeat(16);
const cliMain = resolve("src/cli/main.ts");
const splitCli = {
  name: "split-cli",
  setup(build) {
    build.onResolve({ filter: /^\.\/(withReplay|lsp|commands\/(dap|demo|import))$/ }, (args) =>
      resolve(args.importer) === cliMain
        ? { path: cliParts[args.path][1], namespace: "cli-part" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "cli-part" }, (args) => ({
      contents: `const { requireCached } = require("./codeCache");
module.exports = requireCached(require("node:path").join(__dirname, ${JSON.stringify(args.path)}));`,
      resolveDir: resolve("src/cli"),
      loader: "js",
    }));
  },
};
for (const [entry, file] of Object.values(cliParts))
  if (existsSync(entry)) node.push([entry, `dist/${file}`]);

// The standalone adapter is the CLI's `dap` part (dist/cli-dap.js: the code of
// src/debugAdapter/stdio.ts) loaded through the code cache, not a second 0.5 MB bundle to compile.
const adapterEntry = {
  stdin: {
    contents: `require("./codeCache").requireCached(require("node:path").join(__dirname, "cli-dap.js")).runDap();`,
    resolveDir: resolve("src/cli"),
    sourcefile: "debugAdapter.js",
    loader: "js",
  },
  outfile: "dist/debugAdapter.js",
};

// What every Node bundle shares.
const forNode = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: !production,
  minify: production,
  logLevel: "warning",
};

const partFiles = new Set(Object.values(cliParts).map(([, file]) => `dist/${file}`));
const builds = node.map(([entry, outfile]) => ({
  ...forNode,
  entryPoints: [entry],
  outfile,
  external: ["vscode"],
  // The CLI's lazy `import()`s of its parts become plain `require`s of the files beside it.
  ...(entry === "src/cli/entry.ts" ? { plugins: [splitCli], supported: { "dynamic-import": false } } : {}),
  // A part without its indentation and line breaks (names kept: stack traces still name functions;
  // dist/*.map maps positions back): its source is read, copied into a string and checked at every
  // start, and 0.45 MB became 0.32 MB (fewer fresh pages, ~70 at 1M events, each 20-70 µs here).
  ...(partFiles.has(outfile)
    ? { banner: { js: `${PART_HEAD} ${NO_ID}` }, footer: { js: "})" }, minifyWhitespace: true }
    : {}),
}));

if (existsSync("src/debugAdapter/stdio.ts")) builds.push({ ...forNode, ...adapterEntry });

if (existsSync("webview-ui/main.ts"))
  builds.push({
    entryPoints: ["webview-ui/main.ts"],
    outfile: "dist/webview.js",
    bundle: true,
    platform: "browser",
    target: "es2022",
    format: "iife",
    sourcemap: !production,
    minify: production,
    logLevel: "warning",
  });

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  finishParts();
}
writeScopeStop();

// The CLI's parts are decoded as one-byte strings when they are ASCII (src/cli/codeCache.ts). esbuild
// escapes other characters in strings, regexes and names but copies comments as written: a `→` in a
// comment made the whole 0.4 MB part a two-byte string. Escaped the same way here (a `\uXXXX` means
// the same character anywhere else too). Then the part's id replaces the zeros of its first line
// (same length: the source map still fits).
function finishParts() {
  for (const out of partFiles) {
    if (!existsSync(out)) continue;
    // eslint-disable-next-line no-control-regex
    const other = /[^\x00-\x7f]/g;
    const text = readFileSync(out, "utf8").replace(
      other,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
    const head = `${PART_HEAD} ${NO_ID}`;
    if (!text.startsWith(head)) throw new Error(`${out}: the part does not start with its head`);
    const id = createHash("sha256").update(text).digest("hex").slice(0, NO_ID.length);
    writeFileSync(out, `${PART_HEAD} ${id}${text.slice(head.length)}`);
  }
}

// Node looks up the nearest package.json of every CommonJS file it loads for its module type: for
// dist/cli.js that was the root one (21 KB parsed, ~0.1 MB of young memory and ~1.5 ms of each
// command's start). One in dist/ ends the look-up there (bin/ has its own for bin/elixirscope.js).
function writeScopeStop() {
  const file = "dist/package.json";
  const text = `${JSON.stringify({ description: "dist/ holds CommonJS bundles (see esbuild.mjs)", type: "commonjs" }, null, 2)}\n`;
  if (!existsSync(file) || readFileSync(file, "utf8") !== text) writeFileSync(file, text);
}
