// Tests entry for the extension host: the runner (scripts/e2e/run-extension-tests.mjs) makes VS Code
// require() this bundle and await run(), as @vscode/test-electron does; resolve = passed.
import * as fs from "node:fs";
import * as path from "node:path";
import Mocha from "mocha";

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: "bdd", color: false, timeout: 180_000, reporter: "spec" });
  const only = process.env.ELIXIRSCOPE_E2E_GREP;
  if (only) mocha.grep(new RegExp(only));
  for (const f of fs.readdirSync(__dirname).sort())
    if (f.endsWith(".test.js")) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      // One line the scripts read, whatever the reporter printed; skipped tests are not counted as run.
      const ran = mocha.suite.total() - (runner.stats?.pending ?? 0);
      console.log(`elixirscope-e2e: ${ran} tests, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} tests failed`));
      else resolve();
    });
  });
}
