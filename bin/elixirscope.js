#!/usr/bin/env -S NODE_EXTRA_CA_CERTS= GLIBC_TUNABLES=glibc.malloc.hugetlb=1:${GLIBC_TUNABLES} node
// The `elixirscope` command: runs the bundled CLI (build it first with `npm run build`).
// The shebang empties NODE_EXTRA_CA_CERTS because Node 20 parses that CA bundle (and its own root
// certificates) at start-up, before any script runs: 50-90 ms of every command in environments that set it,
// for TLS this offline tool never does.
// It also asks glibc (2.35+; others ignore it) to back large allocations with transparent huge pages
// where the kernel leaves that to the process (THP "madvise"): a trace's first open fills ~80 MB of
// fresh arrays per million events, a page fault per 4 KiB page otherwise (on a VM, 20-25 µs each:
// ~0.5 s of CPU at 1M events), one per 2 MiB with them. The user's own GLIBC_TUNABLES come after, so
// theirs win (`glibc.malloc.hugetlb=0` turns it off).
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
