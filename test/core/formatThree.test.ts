// Trace format 3: an event's own pid written as a number (`<0.I.S>` as I + 32768 S, of the header's
// node and creation `pid_creation`) and its function as its position in the header's `functions` read, show and
// export exactly as the same recording written whole; an older recording (the real recorder's, written
// back whole as format 2) reads as before.

import assert from "node:assert/strict";
import { resolve } from "node:path";
import { importJsonlFile } from "../../src/cli/jsonlImport";
import { Replay } from "../../src/core/replay";
import { atom, pid, tuple } from "../../src/core/terms/build";
import { termText } from "../../src/core/reader/tables";
import { inspect } from "../../src/core/terms/inspect";
import { Atom, ErlMap, Pid, type Term, Tuple } from "../../src/core/terms/term";
import { TraceBuilder } from "../../src/core/writer";
import { readFileSync } from "node:fs";
import { ticketTrace } from "../helpers/fixtures";
import {
  assertSameFromIndex,
  engineViews,
  exportedLines,
  frameTerms,
  mapFrames,
  writeTrace,
} from "../helpers/formatTwins";

const PID_CREATION = Atom.of("pid_creation");
const FUNCTIONS = Atom.of("functions");
const INDEXED = [Atom.of("call"), Atom.of("return"), Atom.of("exception"), Atom.of("state")];

function headerOf(bytes: Buffer): { node: Atom; creation: number | undefined; functions: Term[] } {
  const info = (frameTerms(bytes)[0] as Tuple).elements[2] as ErlMap;
  const get = (k: string) => info.entries.find(([key]) => key === Atom.of(k))?.[1];
  const c = get("pid_creation");
  const fns = get("functions");
  return {
    node: get("node") as Atom,
    creation: typeof c === "number" ? c : undefined,
    functions: Array.isArray(fns) ? fns : [],
  };
}

/**
 * `bytes` as format 3 writes them: the header says `pid_creation` and lists the module-table frames'
 * functions (`functions`); each event's local pid is its number, each listed function its position.
 */
function withNumbers(bytes: Buffer, creation = 0): Buffer {
  const { node } = headerOf(bytes);
  const functions: Term[] = [];
  const position = new Map<string, number>();
  const sources = new Map<Term, string>();
  for (const t of frameTerms(bytes))
    if (t instanceof Tuple && t.elements[0] === Atom.of("module")) {
      sources.set(t.elements[1], termText(t.elements[2]) ?? "");
      for (const f of t.elements[3] as Tuple[]) {
        const mfa = tuple(t.elements[1], f.elements[0], f.elements[1]);
        position.set(inspect(mfa), functions.length);
        functions.push(mfa);
      }
    }
  return mapFrames(bytes, (t) => {
    if (!(t instanceof Tuple)) return undefined;
    const el = [...t.elements];
    if (el[0] === Atom.of("estrace")) {
      const info = el[2] as ErlMap;
      return tuple(el[0], 3, new ErlMap([...info.entries, [PID_CREATION, creation], [FUNCTIONS, functions]]));
    }
    if (typeof el[1] !== "number") return undefined;
    const p = el[3];
    if (p instanceof Pid && p.node === node && p.creation === creation) el[3] = p.id + 32768 * p.serial;
    const at = INDEXED.includes(el[0] as Atom) ? position.get(inspect(el[4])) : undefined;
    if (at !== undefined) el[4] = at;
    // A call site in a listed function, in its module's table file: `{i, line}`.
    const site = el[0] === Atom.of("call") ? el[6] : undefined;
    if (site instanceof Tuple && site.elements.length === 4 && site.elements[3] instanceof Tuple) {
      const [cm, cf, ca, loc] = site.elements;
      const i = position.get(inspect(tuple(cm, cf, ca)));
      const [file, line] = (loc as Tuple).elements;
      if (i !== undefined && termText(file) === sources.get(cm)) el[6] = tuple(i, line);
    }
    return new Tuple(el);
  });
}

/** `bytes` (format 3) as format 2 wrote them: whole pids and functions, no `pid_creation` nor `functions`. */
function withPids(bytes: Buffer): { bytes: Buffer; changed: number } {
  const { node, creation, functions } = headerOf(bytes);
  const sources = new Map<Term, string>();
  for (const t of frameTerms(bytes))
    if (t instanceof Tuple && t.elements[0] === Atom.of("module"))
      sources.set(t.elements[1], termText(t.elements[2]) ?? "");
  let changed = 0;
  const out = mapFrames(bytes, (t) => {
    if (!(t instanceof Tuple)) return undefined;
    const el = [...t.elements];
    if (el[0] === Atom.of("estrace")) {
      const info = el[2] as ErlMap;
      return tuple(el[0], 2, new ErlMap(info.entries.filter(([k]) => k !== PID_CREATION && k !== FUNCTIONS)));
    }
    if (typeof el[1] !== "number") return undefined;
    if (typeof el[3] === "number") {
      el[3] = new Pid(node, el[3] % 32768, Math.floor(el[3] / 32768), creation!);
      changed++;
    }
    if (INDEXED.includes(el[0] as Atom) && typeof el[4] === "number") {
      el[4] = functions[el[4]];
      changed++;
    }
    const site = el[0] === Atom.of("call") ? el[6] : undefined;
    if (site instanceof Tuple && site.elements.length === 2 && typeof site.elements[0] === "number") {
      const [cm, cf, ca] = (functions[site.elements[0]] as Tuple).elements;
      const file = Array.from(sources.get(cm)!, (c) => c.codePointAt(0)!);
      el[6] = tuple(cm, cf, ca, tuple(file, site.elements[1]));
      changed++;
    }
    return new Tuple(el);
  });
  return { bytes: out, changed };
}

async function sameViews(a: Buffer, b: Buffer, name: string): Promise<void> {
  const ra = await Replay.open(writeTrace(a, `${name}-a.estrace`), { index: false });
  const rb = await Replay.open(writeTrace(b, `${name}-b.estrace`), { index: false });
  try {
    assert.deepEqual(rb.problems, []);
    assert.ok(rb.eventCount > 0 && rb.processes().length > 0);
    assert.equal(engineViews(rb), engineViews(ra));
  } finally {
    ra.close();
    rb.close();
  }
}

describe("event pids and functions written as numbers (trace format 3)", () => {
  it("read and show as the same recording with whole pids: the ticket fixture", async () => {
    const whole = ticketTrace().builder.toBuffer();
    const numbered = withNumbers(whole);
    const events = frameTerms(numbered).filter(
      (t) => t instanceof Tuple && typeof t.elements[1] === "number",
    );
    const counted = (k: number) => events.filter((t) => typeof (t as Tuple).elements[k] === "number").length;
    assert.deepEqual([counted(3), counted(4)], [21, 12], "pids and functions written as numbers");
    const sites = events.filter(
      (t) =>
        (t as Tuple).elements[6] instanceof Tuple &&
        ((t as Tuple).elements[6] as Tuple).elements.length === 2,
    );
    assert.equal(sites.length, 2, "call sites written as {i, line}");
    assert.ok(numbered.length < whole.length - 21 * 15, `${whole.length} → ${numbered.length} bytes`);
    await sameViews(whole, numbered, "ticket");
    // A creation other than 0 (a distributed node): the numbers stand for pids of that creation.
    const b = new TraceBuilder({ node: "n@h", version: 2 });
    const p = pid("n@h", 300, 2, 7); // a serial: the process table wrapped twice
    b.call(p, ["Elixir.M", "f", 0], []);
    b.send(p, pid("n@h", 301, 0, 7), atom("hi"));
    b.receive(pid("n@h", 301, 0, 7), atom("hi"), p);
    b.ret(p, ["Elixir.M", "f", 0], atom("ok"));
    await sameViews(b.toBuffer(), withNumbers(b.toBuffer(), 7), "creation");
  });

  it("two nodes' files: the same number on each node is two processes, paired with the whole pids", async () => {
    const a = new TraceBuilder({ node: "a@h", startSystemTime: 1_000_000_000n, version: 2 });
    const b = new TraceBuilder({ node: "b@h", startSystemTime: 1_000_000_500n, version: 2 });
    const pa = pid("a@h", 5, 0);
    const pb = pid("b@h", 5, 0);
    a.send(pa, pb, atom("ping"));
    a.receive(pa, atom("pong"));
    b.receive(pb, atom("ping"));
    b.send(pb, pa, atom("pong"));
    const open = (x: Buffer, y: Buffer, name: string) =>
      Replay.open([writeTrace(x, `${name}-a.estrace`), writeTrace(y, `${name}-b.estrace`)], { index: false });
    const whole = await open(a.toBuffer(), b.toBuffer(), "whole");
    const numbered = await open(withNumbers(a.toBuffer()), withNumbers(b.toBuffer()), "numbered");
    try {
      assert.deepEqual(numbered.problems, []);
      assert.equal(numbered.processes().length, 2);
      assert.equal(numbered.getMessageFlow("<0.5.0>@a@h", "<0.5.0>@b@h")[0].status, "delivered");
      assert.equal(engineViews(numbered), engineViews(whole));
    } finally {
      whole.close();
      numbered.close();
    }
  });

  it("the real recorder's trace reads as the same trace written with whole pids (format 2)", async () => {
    const shipped = readFileSync(resolve(__dirname, "../../examples/traces/payment_crash.estrace"));
    assert.notEqual(headerOf(shipped).creation, undefined, "the shipped trace is format 3");
    const { bytes, changed } = withPids(shipped);
    assert.ok(changed > 100, `${changed} pids`);
    await sameViews(bytes, shipped, "shipped");
  });

  it("reopen from their index, export and import back the same", async () => {
    const path = writeTrace(withNumbers(ticketTrace().builder.toBuffer()), "n.estrace");
    await assertSameFromIndex(path, engineViews);
    const lines = await exportedLines(path, Infinity);
    // Written whole, as before format 3: a person or a tool reading the lines sees pids and functions.
    assert.ok(lines.some((l) => l.includes('"pid":{"$pid":"<0.101.0>"')));
    assert.ok(!lines.some((l) => /"(pid|mfa)":\d/.test(l)), "no event pid or function left as a number");
    assert.deepEqual(await exportedLines(path, 1), lines);
    const jsonl = `${path}.Infinity.jsonl`;
    await importJsonlFile(jsonl, `${jsonl}.estrace`);
    await sameViews(readFileSync(path), readFileSync(`${jsonl}.estrace`), "import");
  });

  it("a real recording exports its numbered pids, functions and call sites whole, serially and in parallel", async () => {
    const path = writeTrace(
      readFileSync(resolve(__dirname, "../../examples/traces/payment_crash.estrace")),
      "shipped.estrace",
    );
    const lines = await exportedLines(path, 1);
    assert.deepEqual(await exportedLines(path, Infinity), lines);
    const events = lines.filter((l) => l.startsWith('{"kind"'));
    assert.ok(events.length > 100);
    for (const l of events) {
      assert.doesNotMatch(l, /"(pid|mfa)":\d/, l.slice(0, 200));
      // A call site by line only ({i, line} or {m, f, a, line}) comes out with its file.
      assert.doesNotMatch(l, /"caller":\{"\$tuple":\[(\d+,\d+|[^\]]*,\d+)\]\}/, l.slice(0, 300));
    }
    assert.ok(
      events.some((l) =>
        /"caller":\{"\$tuple":\[\{"\$atom":"Elixir\.CinemaDemo[^"]*"\},\{"\$atom":"[^"]+"\},\d+,\{"\$tuple":\[\[\d/.test(
          l,
        ),
      ),
    );
    const jsonl = `${path}.Infinity.jsonl`;
    await importJsonlFile(jsonl, `${jsonl}.estrace`);
    await sameViews(readFileSync(path), readFileSync(`${jsonl}.estrace`), "shipped import");
  });

  it("a number where the format has none is a damaged frame, reported with its place", async () => {
    const numbered = withNumbers(ticketTrace().builder.toBuffer());
    // Format 2 (no pid_creation) cannot say whose number it is; a negative number is no process.
    const noCreation = mapFrames(numbered, (t) =>
      t instanceof Tuple && t.elements[0] === Atom.of("estrace")
        ? tuple(
            t.elements[0],
            2,
            new ErlMap((t.elements[2] as ErlMap).entries.filter(([k]) => k !== PID_CREATION)),
          )
        : undefined,
    );
    const negative = mapFrames(numbered, (t) =>
      t instanceof Tuple && t.elements[0] === Atom.of("register")
        ? new Tuple([...t.elements.slice(0, 3), -1, ...t.elements.slice(4)])
        : undefined,
    );
    const unlisted = mapFrames(numbered, (t) =>
      t instanceof Tuple && t.elements[0] === Atom.of("state") && t.elements[1] === 10
        ? new Tuple([...t.elements.slice(0, 4), 99, ...t.elements.slice(5)])
        : undefined,
    );
    const badSite = mapFrames(numbered, (t) =>
      t instanceof Tuple && t.elements[0] === Atom.of("call") && t.elements[1] === 7
        ? new Tuple([...t.elements.slice(0, 6), tuple(99, 30), ...t.elements.slice(7)])
        : undefined,
    );
    for (const [name, bytes, problem] of [
      [
        "badSite",
        badSite,
        /:call event: its call site names function 99 at line 30, not one of the header's \d+ functions; \d+ bytes skipped/,
      ],
      ["v2", noCreation, /:register event: the fourth element is not a pid; \d+ bytes skipped/],
      [
        "unlisted",
        unlisted,
        /:state event: function 99 is not one of the header's \d+ functions; \d+ bytes skipped/,
      ],
      [
        "negative",
        negative,
        /:register event: the fourth element is not a pid or a process number; \d+ bytes skipped/,
      ],
    ] as const) {
      const path = writeTrace(bytes, `${name}.estrace`);
      const r = await Replay.open(path, { index: false });
      try {
        assert.ok(r.problems.length >= 1);
        assert.match(r.problems[0].text, new RegExp(`^${escape(path)}:frame \\d+ \\(byte offset \\d+\\): `));
        assert.match(r.problems[0].text, problem);
        if (name !== "v2") assert.equal(r.eventCount, 20);
      } finally {
        r.close();
      }
    }
    // A version-3 header whose pid_creation is not a number is a warning naming the field.
    const bad = mapFrames(numbered, (t) =>
      t instanceof Tuple && t.elements[0] === Atom.of("estrace")
        ? tuple(
            t.elements[0],
            3,
            new ErlMap(
              (t.elements[2] as ErlMap).entries.map(([k, v]): [Term, Term] => [
                k,
                k === PID_CREATION ? atom("x") : v,
              ]),
            ),
          )
        : undefined,
    );
    const r = await Replay.open(writeTrace(bad, "bad.estrace"), { index: false });
    try {
      assert.match(r.problems[0].text, /header pid_creation is not a non-negative integer/);
    } finally {
      r.close();
    }
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
