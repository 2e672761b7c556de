// Property test of the load's index build: on random event columns, the lists built in two sweeps and
// the call nesting replayed through `link` equal what a plain per-index, per-process-stack build gives.

import assert from "node:assert/strict";
import fc from "fast-check";
import { createColumns, ensureCapacity, KIND_CODES } from "../../src/core/store/columns";
import { pidRowIndex } from "../../src/core/store/cells";
import { csrList, derivedCsr } from "../../src/core/store/csr";
import { buildIndexes, isStateCallback, type StoreData, type StoreTables } from "../../src/core/store/store";
import { Atom, Pid } from "../../src/core/terms/term";
import { TermArray } from "../../src/core/store/termTable";

const PIDS = 4;
const MFAS = [
  { module: "Elixir.S", fun: "handle_call", arity: 3 },
  { module: "Elixir.S", fun: "init", arity: 1 },
  { module: "Elixir.A", fun: "f", arity: 1 },
  { module: "Elixir.A", fun: "g", arity: 2 },
];
const KINDS = [
  KIND_CODES.call,
  KIND_CODES.call,
  KIND_CODES.return,
  KIND_CODES.exception,
  KIND_CODES.state,
  KIND_CODES.exit,
  KIND_CODES.link,
  KIND_CODES.spawn,
];

const event = fc.record({
  pid: fc.nat(PIDS - 1),
  kind: fc.constantFrom(...KINDS),
  mfa: fc.nat(MFAS.length - 1),
});

/** The straightforward build: one list per key by filtering, one array stack per process. */
function reference(rows: Array<{ pid: number; kind: number; mfa: number }>) {
  const list = (keyOf: (i: number) => number, key: number) =>
    rows.map((_, i) => i).filter((i) => keyOf(i) === key);
  const hasState = (p: number) => rows.some((r) => r.pid === p && r.kind === KIND_CODES.state);
  const owner = (i: number) => {
    const r = rows[i];
    const cb = r.mfa >= 0 && isStateCallback(MFAS[r.mfa].fun, MFAS[r.mfa].arity);
    return r.kind === KIND_CODES.state || (r.kind === KIND_CODES.return && !hasState(r.pid) && cb)
      ? r.pid
      : -1;
  };
  const link: number[] = [];
  const match: number[] = rows.map(() => -1);
  const depth: number[] = [];
  const stacks: number[][] = Array.from({ length: PIDS }, () => []);
  rows.forEach((r, i) => {
    const st = stacks[r.pid];
    const top = st.length ? st[st.length - 1] : -1;
    if (r.kind === KIND_CODES.call) {
      link.push(top);
      st.push(i);
      depth.push(st.length);
    } else if (r.kind === KIND_CODES.return || r.kind === KIND_CODES.exception) {
      let k = st.length - 1;
      while (k >= 0 && rows[st[k]].mfa !== r.mfa) k--;
      link.push(k >= 0 ? st[k] : -1);
      depth.push(k >= 0 ? k + 1 : st.length + 1);
      if (k >= 0) {
        match[st[k]] = i;
        st.length = k;
      }
    } else {
      link.push(top);
      depth.push(st.length);
      if (r.kind === KIND_CODES.exit) st.length = 0;
    }
  });
  return {
    byPid: Array.from({ length: PIDS }, (_, p) => list((i) => rows[i].pid, p)),
    byMfa: MFAS.map((_, m) => list((i) => rows[i].mfa, m)),
    byKind: Array.from({ length: KIND_CODES.unknown + 1 }, (_, k) => list((i) => rows[i].kind, k)),
    byStateOwner: Array.from({ length: PIDS }, (_, p) => list(owner, p)),
    link,
    match,
    depth,
  };
}

describe("index build", () => {
  it("equals the per-index build on random events", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 200 }), (evs) => {
        const rows = evs.map((e) => ({
          ...e,
          mfa:
            e.kind === KIND_CODES.call ||
            e.kind === KIND_CODES.return ||
            e.kind === KIND_CODES.exception ||
            e.kind === KIND_CODES.state
              ? e.mfa
              : -1,
        }));
        const cols = createColumns();
        ensureCapacity(cols, rows.length);
        rows.forEach((r, i) => {
          cols.pid[i] = r.pid;
          cols.kind[i] = r.kind;
          cols.mfa[i] = r.mfa;
          cols.site[i] = -1;
          cols.peer[i] = -1;
          cols.aux[i] = -1;
        });
        cols.length = rows.length;
        const tables: StoreTables = {
          pids: Array.from({ length: PIDS }, (_, p) => {
            const term = new Pid(Atom.of("n@h"), p, 0, 0);
            return { term, node: "n@h", text: `<0.${p}.0>` };
          }),
          mfas: MFAS,
          sites: [],
          aux: new TermArray(),
          modules: new Map(),
        };
        const ix = buildIndexes(cols, tables);
        const want = reference(rows);
        const lists = (csr: { offsets: Int32Array; rows: Int32Array }, keys: number) =>
          Array.from({ length: keys }, (_, k) => [...csr.rows.subarray(csr.offsets[k], csr.offsets[k + 1])]);
        assert.deepEqual(lists(ix.byPid, PIDS), want.byPid);
        assert.deepEqual(lists(ix.byMfa, MFAS.length), want.byMfa);
        assert.deepEqual(lists(ix.byKind, KIND_CODES.unknown + 1), want.byKind);
        assert.deepEqual(lists(ix.byStateOwner, PIDS), want.byStateOwner);
        assert.deepEqual([...ix.link], want.link);
        // Each kind's list alone, as a query asks for it (derived from the kind column).
        const again = buildIndexes(cols, tables);
        want.byKind.forEach((list, k) => assert.deepEqual([...csrList(again.byKind, k)], list));
        // One partner array: a call's return (read as `match`), a send's or receive's pair, else -1.
        rows.forEach((r, i) => {
          if (r.kind === KIND_CODES.call) assert.equal(ix.match[i], want.match[i]);
          else assert.equal(ix.partner[i], -1); // no sends or receives here
        });
        assert.equal(ix.match, ix.partner);
        assert.equal(ix.pair, ix.partner);
        assert.deepEqual([...ix.depth], want.depth);
        const store = { cols, ix } as StoreData;
        for (const list of want.byPid)
          list.forEach((row, j) => {
            const p = rows[row].pid;
            assert.equal(pidRowIndex(store, p, row) - ix.byPid.offsets[p], j);
          });
      }),
      { numRuns: 300 },
    );
  });

  it("widens the depth to 32 bits past 32767 nested calls, and keeps the nesting", () => {
    const deep = 40_000;
    const cols = createColumns();
    ensureCapacity(cols, 2 * deep + 1);
    for (let i = 0; i < 2 * deep; i++) {
      cols.pid[i] = 0;
      cols.kind[i] = i < deep ? KIND_CODES.call : KIND_CODES.return;
      cols.mfa[i] = 2;
      cols.site[i] = -1;
      cols.peer[i] = -1;
      cols.aux[i] = -1;
    }
    cols.length = 2 * deep;
    const tables: StoreTables = {
      pids: [{ term: new Pid(Atom.of("n@h"), 0, 0, 0), node: "n@h", text: "<0.0.0>" }],
      mfas: MFAS,
      sites: [],
      aux: new TermArray(),
      modules: new Map(),
    };
    const ix = buildIndexes(cols, tables);
    assert.ok(ix.depth instanceof Int32Array);
    assert.equal(ix.depth[deep - 1], deep);
    assert.equal(ix.depth[deep], deep);
    assert.equal(ix.depth[2 * deep - 1], 1);
    assert.equal(ix.match[0], 2 * deep - 1);
    assert.equal(ix.match[deep - 1], deep);
  });

  it("finds a derived list's rows in its key column, and says when the column does not hold its counts", () => {
    const keys = Uint8Array.from([2, 0, 2, 1, 2, 2, 0]);
    const bad = (): never => {
      throw new Error("mismatch");
    };
    const csr = derivedCsr(Int32Array.from([0, 2, 3, 7]), () => keys, bad);
    assert.deepEqual([...csrList(csr, 2)], [0, 2, 4, 5]);
    assert.deepEqual([...csrList(csr, 0)], [1, 6]);
    assert.deepEqual([...csr.rows], [1, 6, 3, 0, 2, 4, 5]);
    // A key with no rows is answered without reading the column (not even for the rare key 0).
    const unread = derivedCsr(Int32Array.from([0, 1, 1, 64]), () => assert.fail("the column was read"), bad);
    assert.deepEqual([...csrList(unread, 1)], []);
    // Offsets saying key 0 has one row and key 1 two: the column holds otherwise.
    const wrong = derivedCsr(Int32Array.from([0, 1, 3, 7]), () => keys, bad);
    assert.throws(() => csrList(wrong, 0), /mismatch/);
    assert.throws(
      () =>
        csrList(
          derivedCsr(Int32Array.from([0, 2, 3, 6]), () => keys, bad),
          2,
        ),
      /mismatch/,
    );
  });
});
