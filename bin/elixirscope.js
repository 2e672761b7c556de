#!/usr/bin/env -S NODE_EXTRA_CA_CERTS= node --min-semi-space-size=4
// The `elixirscope` command: runs the bundled CLI (build it first with `npm run build`).
// The shebang empties NODE_EXTRA_CA_CERTS because Node 20 parses that CA bundle (and its own root
// certificates) at start-up, before any script runs: 50-90 ms of every command in environments that set it,
// for TLS this offline tool never does. It starts V8 with a young generation of 4 MB semi-spaces
// instead of 1: `info` allocates ~3 MB, nearly all of it live until it exits, which 1 MB made V8
// copy twice in two scavenges (~10 ms); src/cli/codeCache.ts COMMAND_FLAGS must list the same flags.
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
