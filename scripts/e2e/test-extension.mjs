#!/usr/bin/env node
// Runs the extension's integration suites (test/extension/) in a real VS Code extension host:
// installs the tools when missing, builds the extension and the suites, opens a throwaway copy of
// the Cinema Demo with its recordings as the workspace, and runs them with run-extension-tests.mjs.
//   node scripts/e2e/test-extension.mjs [--vsix FILE.vsix | --packaged] [--grep REGEXP] [--verbose]
// --vsix tests the installed package instead of this folder (--packaged: the one `npm run package` made). Screenshots and logs go to
// test-artifacts/e2e[-vsix]/. Exit: the runner's (0 = all passed).
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values: opts } = parseArgs({
  options: {
    vsix: { type: "string" },
    packaged: { type: "boolean", default: false },
    grep: { type: "string" },
    verbose: { type: "boolean", default: false },
    "skip-install": { type: "boolean", default: false },
  },
});
const root = resolve(import.meta.dirname, "../..");
if (opts.packaged) {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  opts.vsix = join(root, `${pkg.name}-${pkg.version}.vsix`);
}
const sh = (cmd, args, extra = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...extra });
  if (r.status !== 0) {
    console.error(`test-extension: ${cmd} ${args.join(" ")} failed (${r.status ?? r.signal})`);
    process.exit(r.status || 2);
  }
};

if (!opts["skip-install"]) sh("bash", ["scripts/e2e/install-tools.sh"]);
if (!opts.vsix) sh(process.execPath, ["esbuild.mjs"]);
sh(process.execPath, ["scripts/e2e/build-tests.mjs"]);

// The workspace: the demo's sources (not its build), its recordings, and a damaged trace.
const tmp = mkdtempSync(join(tmpdir(), "elixirscope-e2e-"));
const ws = join(tmp, "cinema_demo");
const demo = join(root, "examples/cinema_demo");
mkdirSync(ws);
for (const entry of readdirSync(demo))
  if (!["_build", "deps", ".elixir_ls"].includes(entry))
    cpSync(join(demo, entry), join(ws, entry), { recursive: true });
mkdirSync(join(ws, "traces"));
for (const f of readdirSync(join(root, "examples/traces")))
  if (f.endsWith(".estrace")) copyFileSync(join(root, "examples/traces", f), join(ws, "traces", f));
// Not a trace at all (a text file with the extension): the launch must fail with a message.
writeFileSync(join(ws, "broken.estrace"), "this is not an ElixirScope trace\n");
// A real trace's header cut short: only loading it finds the damage.
writeFileSync(
  join(ws, "truncated.estrace"),
  readFileSync(join(root, "examples/traces/happy_path.estrace")).subarray(0, 40),
);

const artifacts = join(root, "test-artifacts", opts.vsix ? "e2e-vsix" : "e2e");
rmSync(artifacts, { recursive: true, force: true });
mkdirSync(artifacts, { recursive: true });
const args = [
  join(root, "scripts/e2e/run-extension-tests.mjs"),
  ...(opts.vsix ? ["--install", resolve(opts.vsix)] : ["--extension", root]),
  "--tests",
  join(root, "out/test/extension/index.js"),
  "--workspace",
  ws,
  "--ui-bridge",
  join(tmp, "ui-bridge"),
  "--env",
  `ELIXIRSCOPE_E2E_ARTIFACTS=${artifacts}`,
  "--logs",
  join(artifacts, "logs"),
  "--timeout",
  "600",
  ...(opts.grep ? ["--env", `ELIXIRSCOPE_E2E_GREP=${opts.grep}`] : []),
  ...(opts.verbose ? ["--verbose"] : []),
];
const r = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
rmSync(tmp, { recursive: true, force: true });
process.exit(r.status ?? 2);
