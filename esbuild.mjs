// Bundles the extension, the standalone debug adapter, the CLI, the load worker and the webview
// script into dist/. `vscode` is provided by the host; everything else is bundled.
import * as esbuild from "esbuild";
import { existsSync } from "node:fs";

const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");

const node = [
  ["src/extension/extension.ts", "dist/extension.js"],
  ["src/debugAdapter/stdio.ts", "dist/debugAdapter.js"],
  ["src/cli/main.ts", "dist/cli.js"],
  ["src/core/loadWorker.ts", "dist/loadWorker.js"],
].filter(([entry]) => existsSync(entry));

const builds = node.map(([entry, outfile]) => ({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: !production,
  minify: production,
  external: ["vscode"],
  logLevel: "warning",
}));

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
}
