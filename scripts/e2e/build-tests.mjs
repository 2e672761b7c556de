// Bundles the extension's integration suites (test/extension/*.ts) for the extension host into
// out/test/extension/: one CommonJS file per suite plus index.js, whose run() mocha calls; `vscode`
// comes from the host and mocha from node_modules.
import * as esbuild from "esbuild";
import { readdirSync, rmSync } from "node:fs";

const dir = "test/extension";
const outdir = "out/test/extension";
rmSync(outdir, { recursive: true, force: true });
const entryPoints = readdirSync(dir)
  .filter((f) => f === "index.ts" || f.endsWith(".test.ts"))
  .map((f) => `${dir}/${f}`);
await esbuild.build({
  entryPoints,
  outdir,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: "inline",
  external: ["vscode", "mocha"],
  logLevel: "warning",
});
