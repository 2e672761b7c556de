// Writes the shipped fixture traces in test/fixtures/ from the TypeScript trace writer:
// `node --import tsx test/helpers/writeFixtures.ts`. A test checks that they stay what this writes.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixtureFiles } from "./fixtureFiles";

for (const [name, bytes] of Object.entries(fixtureFiles())) {
  writeFileSync(join(__dirname, "..", "fixtures", name), bytes);
  process.stdout.write(`wrote test/fixtures/${name} (${bytes.length} bytes)\n`);
}
