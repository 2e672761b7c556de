// The persistent index: a second open reads `<trace>.esindex` instead of parsing the trace, a stale or
// damaged index is reported once and rebuilt, a folder that cannot take it falls back to the cache
// folder, and every answer is the same with the index, without it, and in the worker.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "../../bench/gen";
import { Replay } from "../../src/core/replay";
import { loadCounters } from "../../src/core/store/store";
import { fingerprints, indexLocations, IndexWriter, readIndex } from "../../src/core/store/indexCache";
import { LazyTermTable } from "../../src/core/store/termTable";
import { encodeTerm } from "../../src/core/terms/encode";
import { parseStore } from "../../src/core/store/store";
import { indexMeta } from "../helpers/indexMeta";
import { rareRowsOf } from "../../src/core/store/csr";
import { prefaultSettings } from "../../src/core/store/prefault";
import { atom, bin, pid, tuple } from "../../src/core/terms/build";
import { UNDEFINED } from "../../src/core/terms/term";
import { TraceBuilder } from "../../src/core/writer";
import { canonical } from "../helpers/canonical";
import { NODE, OFFICE, RESERVE, TO, tempTrace, ticketTrace } from "../helpers/fixtures";

async function openSaved(path: string | string[], opts = {}): Promise<Replay> {
  const r = await Replay.open(path, opts);
  await r.indexSaved();
  return r;
}

/** Everything a client can ask of a replay, as plain JSON (terms by their fields). */
function snapshot(r: Replay): string {
  const n = r.eventCount;
  const procs = r.processes();
  const every = Array.from({ length: n }, (_, i) => i);
  const sample = n > 400 ? every.filter((i) => i % Math.floor(n / 300) === 0) : every;
  const out = {
    n,
    files: r.files,
    problems: r.problems,
    timeRange: r.timeRange,
    procs,
    functions: r.functions(),
    modules: r.modules(),
    events: sample.map((i) => r.event(i)),
    positions: sample.map((i) => r.positionOf(i)),
    labels: sample.map((i) => r.timeLabel(i)),
    fields: sample.map((i) => [r.kindOf(i), r.pidOf(i), r.seqOf(i), r.timeOf(i), r.mfaOf(i), r.peerOf(i)]),
    depth: sample.map((i) => r.depthOf(i)),
    stacks: sample.map((i) => r.stackAt(i)),
    locations: sample.map((i) => r.locationOf(i)),
    steps: sample.map((i) => [r.step(i, "over", "forward"), r.step(i, "out", "backward")]),
    messages: sample.map((i) => r.messageAt(i)),
    alive: sample.slice(0, 20).map((i) => r.processesAliveAt(i).map((p) => p.id)),
    byPid: procs.map((p) => r.getEventIndices({ pids: [p.id] })),
    byFun: r.functions().map((f) => r.getEventIndices({ functions: [`${f.module}.${f.fun}/${f.arity}`] })),
    byKind: (["call", "send", "state", "exit"] as const).map((k) =>
      r.getEventIndices({ kinds: [k], limit: 500 }),
    ),
    states: procs.map((p) => r.stateHistory(p.id)),
    stateAt: procs.flatMap((p) => sample.slice(0, 50).map((i) => r.getStateAt(p.id, i))),
    flow: r.getMessageFlow(),
    // Folds a call's reply into it by the reply tags (stored sparse in the index).
    flowPage: r.flowPage({ limit: 200 }),
    sources: r.sourceFiles().map((f) => [f, r.linesWithEvents(f)]),
  };
  return canonical(out);
}

/** The byte length of a binary term. */
function inspectLength(t: unknown): number {
  return (t as { bytes: Uint8Array }).bytes.length;
}

/**
 * Saves `path`'s index and checks that it stores columns `names` as `wide`, that the reused index
 * gives the answers `want`, and that a small trace (the ticket office) keeps them `narrow`.
 */
async function widenedInIndex(
  path: string,
  answers: (r: Replay) => string,
  want: string,
  names: string[],
  wide: string,
  narrow: string,
): Promise<void> {
  (await openSaved(path)).close();
  const typeOf = (meta: ReturnType<typeof indexMeta>, name: string): string | undefined =>
    meta.sections.find((x) => x.name === `cols.${name}`)?.type;
  const meta = indexMeta(readFileSync(`${path}.esindex`));
  for (const name of names) assert.equal(typeOf(meta, name), wide, name);
  const reused = await Replay.open(path);
  assert.equal(reused.indexStatus.state, "reused");
  assert.equal(answers(reused), want);
  reused.close();
  const small = ticketPath();
  (await openSaved(small)).close();
  const narrowMeta = indexMeta(readFileSync(`${small}.esindex`));
  for (const name of names) assert.equal(typeOf(narrowMeta, name), narrow, name);
}

function ticketPath(): string {
  return tempTrace(ticketTrace().builder.toBuffer());
}

/** Each test of the suite gets its own empty cache folder (XDG_CACHE_HOME), restored after. */
function tempCacheHome(): void {
  const cacheBefore = process.env.XDG_CACHE_HOME;
  beforeEach(() => {
    process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), "elixirscope-cache-"));
  });
  after(() => {
    if (cacheBefore === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = cacheBefore;
  });
}

describe("persistent index", () => {
  tempCacheHome();

  it("is written beside the trace on the first open and reused on the second, without parsing", async () => {
    const path = ticketPath();
    const a = await openSaved(path);
    assert.equal(a.indexStatus.state, "built");
    assert.equal(a.indexStatus.file, `${path}.esindex`);
    assert.ok(existsSync(`${path}.esindex`));
    a.close();
    const parses = loadCounters.parses;
    const b = await Replay.open(path);
    assert.equal(loadCounters.parses, parses, "the second open parsed the trace");
    assert.deepEqual(b.indexStatus, { state: "reused", file: `${path}.esindex` });
    b.close();
  });

  it("gives the same answers with the index, without it and in the worker", async () => {
    const dir = mkdtempSync(join(tmpdir(), "elixirscope-index-"));
    const path = join(dir, "gen.estrace");
    generate({ events: 4000, seed: 7, out: path, servers: 4, workers: 12 });
    const plain = await Replay.open(path, { index: false });
    const want = snapshot(plain);
    plain.close();
    assert.ok(!existsSync(`${path}.esindex`), "index: false wrote an index");
    const built = await openSaved(path);
    assert.equal(built.indexStatus.state, "built");
    assert.equal(snapshot(built), want);
    built.close();
    const reused = await Replay.open(path);
    assert.equal(reused.indexStatus.state, "reused");
    assert.equal(snapshot(reused), want);
    reused.close();
    const worker = await Replay.open(path, { worker: true });
    assert.equal(worker.indexStatus.state, "reused");
    assert.equal(snapshot(worker), want);
    worker.close();
  });

  it("decodes each detail term of a reused index when first read, as the parse decoded it", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "elixirscope-index-")), "gen.estrace");
    generate({ events: 4000, seed: 11, out: path, servers: 3, workers: 10 });
    const parsed = (await parseStore([path])).tables.aux;
    (await openSaved(path)).close();
    const found = readIndex([path]);
    assert.ok(found.store, "the index was reused");
    const aux = found.store.tables.aux;
    assert.ok(aux instanceof LazyTermTable);
    assert.ok(parsed.length > 5, `only ${parsed.length} detail terms`);
    assert.equal(aux.length, parsed.length);
    const bytes = (t: ReturnType<typeof aux.term>): Uint8Array | undefined =>
      t === undefined ? undefined : encodeTerm(t);
    // Backwards, so that each is decoded alone; -1 (no term) and ids past the end are none.
    for (let id = aux.length; id >= -1; id--)
      assert.deepEqual(bytes(aux.term(id)), bytes(parsed.term(id)), `term ${id}`);
    assert.equal(aux.term(3), aux.term(3), "decoded once, then kept");
    found.store.close?.();
  });

  it("keeps seqs beyond 32 bits and frames of 64 KiB or more, widening their columns, with and without the index", async () => {
    const { builder } = ticketTrace();
    // The narrow columns (seq in 32 bits, frame length in 16) take the first events; these do not fit.
    builder.seq = 2 ** 40 + 3;
    builder.send(pid("demo@host", 100, 0), pid("demo@host", 101, 0), bin("x".repeat(70_000)));
    builder.seq = -5;
    builder.send(pid("demo@host", 100, 0), pid("demo@host", 101, 0), tuple(atom("tiny"), 1));
    const path = tempTrace(builder.toBuffer());
    const plain = await Replay.open(path, { index: false });
    const n = plain.eventCount;
    assert.deepEqual(
      [plain.seqOf(n - 2), plain.seqOf(n - 1), plain.seqOf(0)],
      [2 ** 40 + 3, -5, 0],
      "a seq that does not fit 32 bits is kept whole",
    );
    const big = plain.event(n - 2);
    assert.equal(big.kind, "send");
    assert.equal(inspectLength(big.message), 70_000);
    const want = snapshot(plain);
    plain.close();
    (await openSaved(path)).close();
    const meta = indexMeta(readFileSync(`${path}.esindex`));
    assert.equal(meta.sections.find((x) => x.name === "cols.seq")?.type, "Float64Array");
    assert.equal(meta.sections.find((x) => x.name === "cols.frameLen")?.type, "Uint32Array");
    assert.equal(meta.sections.find((x) => x.name === "cols.frameOff")?.type, "Uint32Array");
    const reused = await Replay.open(path);
    assert.equal(reused.indexStatus.state, "reused");
    assert.equal(snapshot(reused), want);
    reused.close();
  });

  it("keeps process, function, call-site and detail ids beyond 16 bits, widening their columns, with and without the index", async () => {
    const { builder } = ticketTrace();
    // The id columns start in 16 bits; past 32767 processes, functions, call sites and details (an
    // exit's reason is one) they widen.
    const many = 33_000;
    for (let k = 0; k < many; k++) {
      builder.call(pid(NODE, 1000 + k, 0), [TO, `f${k}`, 1], [k], {
        mfa: RESERVE,
        file: "/app/lib/ticket_office.ex",
        line: k + 1,
      });
      builder.exit(pid(NODE, 1000 + k, 0), tuple(atom("shutdown"), k));
    }
    // A message from the last process to the first: its receive's peer is a wide pid.
    builder.send(pid(NODE, 1000 + many - 1, 0), OFFICE, atom("late"));
    builder.receive(OFFICE, atom("late"));
    const path = tempTrace(builder.toBuffer());
    const plain = await Replay.open(path, { index: false });
    const n = plain.eventCount;
    const rows = [
      0,
      5,
      n - 3,
      n - 2,
      n - 1,
      ...Array.from({ length: 40 }, (_, i) => Math.floor((i * n) / 40)),
    ];
    const answers = (r: Replay): string =>
      canonical({
        fields: rows.map((i) => [r.pidOf(i), r.mfaOf(i), r.peerOf(i), r.event(i), r.locationOf(i)]),
        last: r.getEventIndices({ pids: [r.pidOf(n - 3)] }),
        fn: r.getEventIndices({ functions: [`Demo.TicketOffice.f${many - 1}/1`] }),
        message: r.messageAt(n - 1),
        exits: r.processes().slice(-3),
      });
    const want = answers(plain);
    assert.equal(plain.peerOf(n - 1), plain.pidOf(n - 2), "the receive is paired with the wide pid's send");
    plain.close();
    await widenedInIndex(
      path,
      answers,
      want,
      ["pid", "peer", "mfa", "site", "aux"],
      "Int32Array",
      "Int16Array",
    );
  });

  it("keeps clause tags beyond 8 bits, widening their column, with and without the index", async () => {
    const { builder } = ticketTrace();
    const lines = Array.from({ length: 300 }, (_, k) => 100 + k);
    builder.module("Elixir.Demo.Big", "/app/lib/big.ex", [["f", 1, 100, lines]]);
    const who = pid(NODE, 900, 0);
    // {call, seq, time, pid, mfa, args, site, clause tag}: certain 200, uncertain from 150, certain 3.
    for (const tag of [200, -150, 3]) {
      builder.event("call", who, [tuple(atom("Elixir.Demo.Big"), atom("f"), 1), [tag], UNDEFINED, tag]);
      builder.ret(who, ["Elixir.Demo.Big", "f", 1], atom("ok"));
    }
    const path = tempTrace(builder.toBuffer());
    const plain = await Replay.open(path, { index: false });
    const n = plain.eventCount;
    const rows = [n - 6, n - 4, n - 2];
    const answers = (r: Replay): string => canonical(rows.map((i) => [r.clauseOf(i), r.stackAt(i)]));
    const want = answers(plain);
    assert.deepEqual(
      rows.map((i) => plain.clauseOf(i)).map((c) => (c?.known ? [c.index, c.line] : c?.candidates.length)),
      [[200, 299], 151, [3, 102]],
    );
    plain.close();
    await widenedInIndex(path, answers, want, ["clause"], "Int16Array", "Int8Array");
  });

  it("gives the same answers when another thread faults the columns' pages in during the parse", async () => {
    const dir = mkdtempSync(join(tmpdir(), "elixirscope-index-"));
    const path = join(dir, "gen.estrace");
    // Over one 1 MiB read chunk: the columns are sized for the whole file after the first.
    generate({ events: 12_000, seed: 5, out: path, servers: 3, workers: 8 });
    const saved = { ...prefaultSettings };
    // Whatever the machine's load: the path is what is tested.
    prefaultSettings.maxLoad = Infinity;
    try {
      prefaultSettings.minRows = Infinity;
      const plain = await Replay.open(path, { index: false });
      const want = snapshot(plain);
      plain.close();
      prefaultSettings.minRows = 1000;
      const started = prefaultSettings.started;
      const touched = await Replay.open(path, { index: false });
      assert.equal(prefaultSettings.started, started + 1, "no thread faulted the pages in");
      assert.equal(snapshot(touched), want);
      touched.close();
      // Built (and its index written) in the load worker, then read back from the index.
      const worker = await Replay.open(path, { worker: true });
      await worker.indexSaved();
      assert.equal(snapshot(worker), want);
      worker.close();
      const reused = await Replay.open(path);
      assert.equal(reused.indexStatus.state, "reused");
      assert.equal(snapshot(reused), want);
      reused.close();
    } finally {
      Object.assign(prefaultSettings, saved, { started: prefaultSettings.started });
    }
  });

  it("answers the same for several files merged by time, damaged frames included", async () => {
    const { builder } = ticketTrace();
    const bytes = builder.toBuffer();
    const a = tempTrace(bytes.subarray(0, bytes.length - 3), "a.estrace");
    const other = new TraceBuilder({ node: "b@host", startSystemTime: 5n });
    other.send(pid("b@host", 7, 0), pid("demo@host", 100, 0), tuple(atom("hi"), bin("x")));
    const b = tempTrace(other.toBuffer(), "b.estrace");
    const plain = await Replay.open([a, b], { index: false });
    const want = snapshot(plain);
    assert.equal(plain.problems.length, 1);
    plain.close();
    (await openSaved([a, b])).close();
    // Two files: the file column is stored (not all zeros).
    const meta = indexMeta(readFileSync(indexLocations([a, b])[0]));
    assert.equal(meta.sections.find((x) => x.name === "cols.file")?.type, "Uint8Array");
    const again = await Replay.open([a, b]);
    assert.equal(again.indexStatus.state, "reused");
    assert.equal(again.indexStatus.file, indexLocations([a, b])[0]);
    assert.equal(snapshot(again), want);
    again.close();
  });

  it("is rebuilt, once, when the trace changes", async () => {
    const path = ticketPath();
    (await openSaved(path)).close();
    // Same size, new content and time: what a re-recording under the same name looks like.
    const changed = ticketTrace().builder;
    changed.send(pid("demo@host", 100, 0), atom("x"), atom("y"));
    writeFileSync(path, changed.toBuffer());
    const later = new Date(statSync(path).mtimeMs + 5000);
    utimesSync(path, later, later);
    const r = await openSaved(path);
    assert.equal(r.indexStatus.state, "rebuilt");
    assert.match(
      r.indexStatus.note ?? "",
      /not used: stale: the trace changed since the index was built; rebuilt/,
    );
    assert.equal(r.eventCount, 22);
    r.close();
    const again = await Replay.open(path);
    assert.deepEqual(again.indexStatus, { state: "reused", file: `${path}.esindex` });
    assert.equal(again.eventCount, 22);
    again.close();
  });

  it("is rebuilt when the index file is damaged or truncated, and never used as it is", async () => {
    const path = ticketPath();
    (await openSaved(path)).close();
    const good = readFileSync(`${path}.esindex`);
    const damages: Array<[string, Buffer, RegExp]> = [
      ["truncated", good.subarray(0, good.length - 100), /truncated/],
      ["flipped metadata", flip(good, indexMeta(good).at + 10), /metadata checksum mismatch/],
      ["not an index", Buffer.from("hello"), /not an ElixirScope index file/],
    ];
    for (const [what, bytes, why] of damages) {
      writeFileSync(`${path}.esindex`, bytes);
      const r = await openSaved(path);
      assert.equal(r.indexStatus.state, "rebuilt", what);
      assert.match(r.indexStatus.note ?? "", why, what);
      assert.equal(r.eventCount, 21);
      r.close();
      assert.equal((await Replay.open(path)).indexStatus.state, "reused", what);
    }
  });

  it("reports a damaged column when it is first read, naming the index file", async () => {
    const path = ticketPath();
    (await openSaved(path)).close();
    const good = readFileSync(`${path}.esindex`);
    // The send/receive pairs are read only when a message question is asked: damage one entry.
    const meta = indexMeta(good);
    const pair = meta.sections.find((x) => x.name === "ix.partner")!;
    writeFileSync(`${path}.esindex`, flip(good, pair.offset + 1));
    const r = await Replay.open(path);
    assert.equal(r.indexStatus.state, "reused");
    assert.throws(() => r.getMessageFlow(), /esindex: section .* is damaged \(checksum mismatch\)/);
    r.close();
    // The section's page sums, read with it, are checked too.
    writeFileSync(`${path}.esindex`, flip(good, meta.sums.offset + pair.page * 4));
    const s = await Replay.open(path);
    assert.equal(s.indexStatus.state, "reused");
    assert.throws(
      () => s.getMessageFlow(),
      /esindex: the page sums of section ix\.partner are damaged \(checksum mismatch\)/,
    );
    s.close();
  });

  it("reads one event's fields with their pages alone, each page checked", async () => {
    const dir = mkdtempSync(join(tmpdir(), "elixirscope-index-"));
    const path = join(dir, "gen.estrace");
    generate({ events: 4000, seed: 3, out: path, servers: 2, workers: 6 });
    const plain = await Replay.open(path, { index: false });
    const want = [0, 3999].map((i) => canonical([plain.event(i), plain.stackAt(i), plain.positionOf(i)]));
    plain.close();
    (await openSaved(path)).close();
    const good = readFileSync(`${path}.esindex`);
    const meta = indexMeta(good);
    // Damage the frame offset of the last event (the column's last 4 KiB page): the first event's
    // fields and stack are still answered, so the column was not read whole for them.
    const off = meta.sections.find((x) => x.name === "cols.frameOff")!;
    assert.equal(off.type, "Uint32Array");
    writeFileSync(`${path}.esindex`, flip(good, off.offset + 3999 * 4 + 2));
    const r = await Replay.open(path);
    assert.equal(r.indexStatus.state, "reused");
    assert.equal(canonical([r.event(0), r.stackAt(0), r.positionOf(0)]), want[0]);
    assert.throws(() => r.event(3999), /esindex: section cols\.frameOff is damaged \(checksum mismatch\)/);
    r.close();
    writeFileSync(`${path}.esindex`, good);
    const again = await Replay.open(path);
    assert.equal(canonical([again.event(3999), again.stackAt(3999), again.positionOf(3999)]), want[1]);
    again.close();
  });

  it("falls back to the cache folder when the trace's folder cannot take it", async () => {
    const path = ticketPath();
    // A directory where the index file would go makes the rename beside the trace fail.
    mkdirSync(`${path}.esindex`);
    mkdirSync(join(`${path}.esindex`, "x"));
    const r = await openSaved(path);
    const cached = indexLocations([path])[1];
    assert.ok(cached.startsWith(process.env.XDG_CACHE_HOME!));
    assert.equal(r.indexStatus.state, "rebuilt");
    assert.equal(r.indexStatus.file, cached);
    r.close();
    const again = await Replay.open(path);
    assert.deepEqual(again.indexStatus, { state: "reused", file: cached });
    again.close();
  });
});

function flip(b: Buffer, at: number): Buffer {
  const c = Buffer.from(b);
  c[at] ^= 0xff;
  return c;
}

describe("index file writes", () => {
  // A failed save falls back to the cache folder: never the user's.
  tempCacheHome();

  it("leave no temporary file when the parse fails after the columns were handed over", async () => {
    const dir = mkdtempSync(join(tmpdir(), "elixirscope-index-"));
    const path = join(dir, "gen.estrace");
    generate({ events: 3000, seed: 5, out: path, servers: 2, workers: 4 });
    const store = await parseStore([path]);
    const writer = new IndexWriter([path], fingerprints([path])!, undefined);
    writer.columns(store.cols);
    writer.indexes({ byPid: store.ix.byPid });
    await writer.abort();
    assert.deepEqual(readdirSync(dir), ["gen.estrace"]);
  });

  it("save and reuse the index of a recording with no events", async () => {
    const path = tempTrace(new TraceBuilder({ node: NODE }).toBuffer());
    const a = await openSaved(path);
    assert.equal(a.eventCount, 0);
    assert.equal(a.indexStatus.state, "built", a.indexStatus.note);
    a.close();
    const b = await Replay.open(path);
    assert.deepEqual(b.indexStatus, { state: "reused", file: `${path}.esindex` });
    assert.equal(b.eventCount, 0);
    b.close();
  });

  it("remove the temporary files that processes no longer running left, not a live one's", async () => {
    const path = ticketPath();
    // A process that has ended: its pid is not running any more.
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid!;
    const stale = `${path}.esindex.${dead}.ab12cd.tmp`;
    const live = `${path}.esindex.${process.ppid}.ef34gh.tmp`;
    writeFileSync(stale, "half an index");
    writeFileSync(live, "being written");
    (await openSaved(path)).close();
    assert.ok(!existsSync(stale), "the dead process's temporary file is left");
    assert.ok(existsSync(live), "a live process's temporary file was removed");
  });

  it("put the parts written while the store is built and the rest at the places the metadata gives", async () => {
    const dir = mkdtempSync(join(tmpdir(), "elixirscope-index-"));
    const path = join(dir, "gen.estrace");
    generate({ events: 3000, seed: 6, out: path, servers: 2, workers: 4 });
    const writer = new IndexWriter([path], fingerprints([path])!, undefined);
    const store = await parseStore([path], {}, writer);
    assert.equal((await writer.finish(store)).state, "built");
    assert.deepEqual(readdirSync(dir).sort(), ["gen.estrace", "gen.estrace.esindex"]);
    const file = readFileSync(`${path}.esindex`);
    const meta = indexMeta(file);
    assert.equal(meta.at + meta.length, file.length, "the metadata ends the file");
    // seq (row + base) and the file (one) are stored by rule, times as ticks, reply tags sparse,
    // message hashes not.
    assert.deepEqual(Object.keys(meta.codings).sort(), ["file", "msgHash", "seq", "tagHash", "time"]);
    for (const s of meta.sections) {
      const [group, name, part] = s.name.split(".");
      if (group === "terms" || s.name === "cols.time" || s.name === "cols.tagHash") continue;
      const owner = (group === "cols" ? store.cols : store.ix) as unknown as Record<string, unknown>;
      const a = (
        s.name === "ix.byKind.rareRows"
          ? rareRowsOf(store.ix.byKind)
          : part
            ? (owner[name] as Record<string, unknown>)[part]
            : owner[name]
      ) as Uint8Array;
      const bytes = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
      assert.ok(bytes.equals(file.subarray(s.offset, s.offset + bytes.length)), s.name);
    }
    // The columns the index build does not change come first, then the indexes in the order they
    // were built: they were written while the rest was built.
    const at = (name: string): number => meta.sections.findIndex((s) => s.name === name);
    const order = [
      ...["cols.seq", "cols.argFp3", "ix.byPid.rows", "ix.byKind.offsets", "ix.link", "ix.depth"],
      ...["cols.site", "ix.bySite.rows", "cols.peer", "ix.partner", "terms.bytes"],
    ];
    for (let i = 1; i < order.length; i++) assert.ok(at(order[i - 1]) < at(order[i]), order[i]);
  });
});
