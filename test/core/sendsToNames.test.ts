// A send addressed to a registered name pairs with the process that held the name at that moment:
// names move on re-registration, go with `unregister` and with their holder's exit, and a process
// holding several names loses all of them (and only them) when it exits.

import assert from "node:assert/strict";
import { Replay } from "../../src/core/replay";
import { atom, pid } from "../../src/core/terms/build";
import { TraceBuilder } from "../../src/core/writer";
import { tempTrace } from "../helpers/fixtures";

const N = "n@h";
const SENDER = pid(N, 70, 0);
const FIRST = pid(N, 71, 0);
const SECOND = pid(N, 72, 0);
const THIRD = pid(N, 73, 0);
const OFFICE = atom("office");
const DESK = atom("desk");

/** Each send carries the name of the process expected to hold its destination then ("nobody": none). */
function trace(): string {
  const b = new TraceBuilder({ node: N });
  const send = (to: typeof OFFICE, expected: string): void => void b.send(SENDER, to, atom(expected));
  b.event("register", FIRST, [OFFICE]);
  send(OFFICE, "first");
  b.exit(FIRST, atom("normal"));
  send(OFFICE, "nobody");
  b.event("register", SECOND, [OFFICE]);
  b.event("register", SECOND, [DESK]);
  send(OFFICE, "second");
  b.event("unregister", SECOND, [OFFICE]);
  send(OFFICE, "nobody");
  send(DESK, "second");
  b.event("register", THIRD, [OFFICE]);
  b.exit(SECOND, atom("normal"));
  send(DESK, "nobody");
  send(OFFICE, "third");
  // Taken over while its holder lives: the old holder's exit must not take the name with it.
  b.event("register", SECOND, [DESK]);
  b.event("register", THIRD, [DESK]);
  b.exit(SECOND, atom("normal"));
  send(DESK, "third");
  return tempTrace(b.toBuffer());
}

describe("sends to registered names", () => {
  for (const index of [false, true])
    it(`go to the name's holder at that moment${index ? " (from the index)" : ""}`, async () => {
      const path = trace();
      if (index) await (await Replay.open(path)).close();
      const r = await Replay.open(path, { index });
      try {
        const who = new Map<number, string>();
        for (const p of r.processes()) who.set(p.id, p.pid);
        const sends = r.getEvents({ kinds: ["send"] });
        assert.equal(sends.length, 8);
        const expected = sends.map((e) => String((e.message as { name: string }).name));
        const got = sends.map((e) => (e.peer === undefined ? "nobody" : who.get(e.peer)));
        const pidOf: Record<string, string> = {
          first: "<0.71.0>",
          second: "<0.72.0>",
          third: "<0.73.0>",
          nobody: "nobody",
        };
        assert.deepEqual(
          got,
          expected.map((x) => pidOf[x]),
        );
      } finally {
        await r.close();
      }
    });
});
