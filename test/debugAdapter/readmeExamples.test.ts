// The README's adapter examples run as written on the shipped traces: every Debug Console line of the
// marked block answers (and every `events` query finds something), and every `startAt` example
// resolves to an event.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { evaluate } from "../../src/core/inspect/console";
import { EventScopes } from "../../src/core/inspect/eventScope";
import { parseMoment, resolveMoment } from "../../src/core/moment";
import { Replay } from "../../src/core/replay";
import { TRACES } from "./dapClient";

/** The lines of the fenced block after `<!-- examples: KIND TRACE -->`, with the trace's name. */
function examples(kind: string): { trace: string; lines: string[] } {
  const readme = readFileSync(join(__dirname, "../../README.md"), "utf8");
  const m = new RegExp(`<!-- examples: ${kind} (\\S+) -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(readme);
  assert.ok(m, `README has a ${kind} examples block`);
  return { trace: m[1], lines: m[2].split("\n").filter((l) => l.trim() !== "") };
}

describe("README examples of the debug adapter", function () {
  this.timeout(60_000);

  it("every Debug Console example answers on its trace", async () => {
    const { trace, lines } = examples("console");
    assert.ok(lines.length >= 5);
    const r = await Replay.open(join(TRACES, `${trace}.estrace`));
    try {
      const scopes = new EventScopes(r);
      const at = r.eventCount - 1;
      for (const line of lines) {
        const a = evaluate({ replay: r, scopes, at, scope: scopes.of(r.event(at)) }, line);
        const text = "text" in a ? a.text : "(a term)";
        assert.ok(!/^no events$|^no messages$|has no recorded state/.test(text), `${line}: ${text}`);
      }
    } finally {
      r.close();
    }
  });

  it("every startAt example resolves on its trace", async () => {
    const { trace, lines } = examples("startAt");
    const r = await Replay.open(join(TRACES, `${trace}.estrace`));
    try {
      for (const line of lines) {
        const spec = /^\d+$/.test(line) ? Number(line) : line;
        const i = resolveMoment(r, parseMoment(spec, "startAt"));
        assert.ok(i >= 0 && i < r.eventCount, line);
      }
    } finally {
      r.close();
    }
  });
});
