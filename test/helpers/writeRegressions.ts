// Writes the regression fixtures in test/fixtures/regressions/ from regressionFiles.ts:
// `node --import tsx test/helpers/writeRegressions.ts`. A test checks that they stay what this writes.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { regressionFiles } from "./regressionFiles";

const dir = join(__dirname, "..", "fixtures", "regressions");
mkdirSync(dir, { recursive: true });
for (const [name, bytes] of Object.entries(regressionFiles())) {
  writeFileSync(join(dir, name), bytes);
  process.stdout.write(`wrote test/fixtures/regressions/${name} (${bytes.length} bytes)\n`);
}
