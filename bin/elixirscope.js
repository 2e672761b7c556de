#!/usr/bin/env node
// The `elixirscope` command: runs the bundled CLI (build it first with `npm run build`).
const { existsSync } = require("node:fs");
const { join } = require("node:path");
const cli = join(__dirname, "..", "dist", "cli.js");
if (!existsSync(cli)) {
  process.stderr.write(
    "elixirscope: dist/cli.js is missing; run `npm run build` in the ElixirScope folder first\n",
  );
  process.exit(2);
}
require(cli).runCli(process.argv.slice(2));
