// The message pairing's queues of unpaired sends: FIFO per (receiver, hash) through pushes and takes
// from anywhere in a queue, while emptied queues give their slots back and the table grows, checked
// against plain arrays.

import assert from "node:assert/strict";
import fc from "fast-check";
import { SendQueues } from "../../src/core/store/sendQueues";

type Op = { push: true; to: number; key: number } | { push: false; to: number; key: number; at: number };

function contents(q: SendQueues, to: number, key: number): number[] {
  const s = q.find(to, key);
  const out: number[] = [];
  if (s < 0) return out;
  for (let no = q.first(s); no >= 0; no = q.next[no]) out.push(no);
  return out;
}

describe("send queues", () => {
  it("keep each queue's sends in order through pushes, takes and growth, as arrays do", () => {
    const op = fc.oneof(
      fc.record({ push: fc.constant(true as const), to: fc.nat(40), key: fc.nat(6) }),
      fc.record({ push: fc.constant(false as const), to: fc.nat(40), key: fc.nat(6), at: fc.nat(3) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 50, maxLength: 600, size: "max" }), (ops: Op[]) => {
        const sends = ops.filter((o) => o.push).length;
        const q = new SendQueues(sends);
        const model = new Map<string, number[]>();
        let no = 0;
        for (const o of ops) {
          const k = `${o.to}:${o.key}`;
          const list = model.get(k) ?? [];
          if (o.push) {
            q.push(o.to, o.key, no);
            list.push(no++);
            model.set(k, list);
          } else {
            const s = q.find(o.to, o.key);
            assert.equal(s < 0, list.length === 0);
            if (s < 0) continue;
            // Walks to the `at`-th send (or the last), as the pairing walks to the matching one.
            let prev = -1;
            let cur = q.first(s);
            for (let i = 0; i < o.at && q.next[cur] >= 0; i++) [prev, cur] = [cur, q.next[cur]];
            q.remove(s, cur, prev);
            list.splice(list.indexOf(cur), 1);
          }
          for (const [key, want] of model) {
            const [to, hash] = key.split(":").map(Number);
            assert.deepEqual(contents(q, to, hash), want, key);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
