// The entry of dist/cli.js: runs the CLI when the bundle is the process's main script. Kept apart from
// main.ts because a bundle that imports `main` (the fuzz driver) is itself a main script: the check
// there would run the CLI with the driver's arguments and take fds 1 and 2 from its captures.

import { runCli } from "./main";

export { main, runCli } from "./main";

if (require.main === module) runCli(process.argv.slice(2));
