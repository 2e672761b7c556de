#!/usr/bin/env -S NODE_EXTRA_CA_CERTS= node
// The `elixirscope` command: runs the bundled CLI (build it first with `npm run build`).
// The shebang empties NODE_EXTRA_CA_CERTS because Node 20 parses that CA bundle (and its own root
// certificates) at start-up, before any script runs: 50-90 ms of every command in environments that set it,
// for TLS this offline tool never does.
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
