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
require(cli)
  .main(process.argv.slice(2))
  .then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`elixirscope: internal error: ${e && e.stack ? e.stack : e}\n`);
      process.exitCode = 1;
    },
  );
