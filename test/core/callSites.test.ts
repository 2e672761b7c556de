// Trace format 2: a call site written by line only (`{cm, cf, ca, line}`, its file the module table's
// source for `cm`) reads, shows, steps and exports exactly as the same site written with its file;
// a site naming a module with no table entry is reported with its file, frame and offset, not a crash.

import assert from "node:assert/strict";
import { importJsonlFile } from "../../src/cli/jsonlImport";
import { viewStack } from "../../src/core/inspect/frames";
import { termText } from "../../src/core/reader/tables";
import { Replay } from "../../src/core/replay";
import { atom, pid, tuple } from "../../src/core/terms/build";
import { Atom, type Term, Tuple } from "../../src/core/terms/term";
import { TraceBuilder } from "../../src/core/writer";
import { withDap } from "../debugAdapter/dapClient";
import { ticketTrace } from "../helpers/fixtures";
import {
  assertSameFromIndex,
  engineViews,
  exportedLines,
  frameTerms,
  mapFrames,
  writeTrace,
} from "../helpers/formatTwins";

/**
 * `bytes` with every call site rewritten: "line" writes `{cm, cf, ca, {file, line}}` as `{cm, cf, ca,
 * line}` where `file` is `cm`'s module-table source (what the recorder does), "file" the reverse (a
 * trace as recorders before it wrote). Returns the bytes and how many sites changed.
 */
function rewriteSites(bytes: Buffer, to: "line" | "file"): { bytes: Buffer; changed: number } {
  const sources = new Map<string, string>();
  for (const t of frameTerms(bytes))
    if (t instanceof Tuple && t.elements[0] === Atom.of("module"))
      sources.set((t.elements[1] as Atom).name, termText(t.elements[2]) ?? "");
  let changed = 0;
  const out = mapFrames(bytes, (t) => {
    const site = t instanceof Tuple && t.elements[0] === Atom.of("call") ? t.elements[6] : undefined;
    if (!(site instanceof Tuple && site.elements.length === 4 && site.elements[0] instanceof Atom))
      return undefined;
    const [cm, cf, ca, loc] = site.elements;
    const source = sources.get((cm as Atom).name);
    let now: Term | undefined;
    if (to === "line" && loc instanceof Tuple && source && termText(loc.elements[0]) === source)
      now = tuple(cm, cf, ca, loc.elements[1]);
    if (to === "file" && typeof loc === "number" && source)
      now = tuple(
        cm,
        cf,
        ca,
        tuple(
          Array.from(source, (c) => c.codePointAt(0)!),
          loc,
        ),
      );
    if (!now) return undefined;
    changed++;
    const el = [...(t as Tuple).elements];
    el[6] = now;
    return new Tuple(el);
  });
  return { bytes: out, changed };
}

const A = pid("nonode@nohost", 80, 0);
const depot = (f: string, n: number): [string, string, number] => ["Elixir.Depot", f, n];

/** A recording whose module-table frame comes after the calls that name it (the reader resolves after the parse). */
function tableLast(): Buffer {
  const b = new TraceBuilder({ version: 2 });
  b.call(A, depot("run", 0), [], { mfa: ["Elixir.Bench", "go", 0], file: "bench.exs", line: 4 });
  b.call(A, depot("step", 1), [1], { mfa: depot("run", 0), file: "lib/depot.ex", line: 3 });
  b.call(A, depot("leaf", 1), [1], { mfa: depot("step", 1), file: "lib/depot.ex", line: 7 });
  b.ret(A, depot("leaf", 1), atom("ok"));
  b.ret(A, depot("step", 1), atom("ok"));
  b.call(A, depot("step", 1), [2], { mfa: depot("run", 0), file: "lib/depot.ex", line: 3 });
  b.ret(A, depot("step", 1), atom("ok"));
  b.ret(A, depot("run", 0), atom("ok"));
  b.module("Elixir.Depot", "lib/depot.ex", [
    ["run", 0, 2],
    ["step", 1, 6],
    ["leaf", 1, 10],
  ]);
  return b.toBuffer();
}

async function twins(name: string, withFile: Buffer): Promise<[Replay, Replay, number]> {
  const { bytes, changed } = rewriteSites(withFile, "line");
  const a = await Replay.open(writeTrace(withFile, `${name}-file.estrace`), { index: false });
  const b = await Replay.open(writeTrace(bytes, `${name}-line.estrace`), { index: false });
  return [a, b, changed];
}

describe("call sites written by line only (trace format 2)", () => {
  for (const [name, make] of [
    ["the ticket fixture (module frames first)", () => ticketTrace().builder.toBuffer()],
    ["a recording whose module frame comes last", tableLast],
  ] as const)
    it(`read and show as the same sites written with their file: ${name}`, async () => {
      const [withFile, byLine, changed] = await twins(name.length.toString(), make());
      try {
        assert.ok(changed >= 2, `${changed} sites rewritten`);
        assert.deepEqual(byLine.problems, []);
        assert.equal(engineViews(byLine), engineViews(withFile));
        // Not vacuous: the views do hold sites with files and lines.
        const sites = Array.from({ length: byLine.eventCount }, (_, i) => byLine.event(i).caller).filter(
          (s) => s?.file !== undefined && s.line !== undefined,
        );
        assert.equal(sites.length, changed + (name.includes("last") ? 1 : 0));
      } finally {
        withFile.close();
        byLine.close();
      }
    });

  it("reopen from their index, and export and import back to the same sites", async () => {
    const { bytes } = rewriteSites(tableLast(), "line");
    const path = writeTrace(bytes, "line.estrace");
    await assertSameFromIndex(path, engineViews);
    // The JSON Lines carry the site as written (`{"$tuple": [m, f, a, line]}`) beside the module line
    // that gives its file: imported back, the trace shows the same sites.
    const lines = await exportedLines(path, Infinity);
    assert.ok(
      lines.some((l) => l.includes('"caller":{"$tuple":[{"$atom":"Elixir.Depot"},{"$atom":"run"},0,3]}')),
    );
    assert.deepEqual(await exportedLines(path, 1), lines);
    const jsonl = `${path}.Infinity.jsonl`; // the export's file, header line included
    await importJsonlFile(jsonl, `${jsonl}.estrace`);
    const back = await Replay.open(`${jsonl}.estrace`, { index: false });
    const direct = await Replay.open(path, { index: false });
    try {
      assert.equal(engineViews(back), engineViews(direct));
    } finally {
      back.close();
      direct.close();
    }
  });

  it("step over the real protocol with the same stacks and lines", async () => {
    const { bytes } = rewriteSites(ticketTrace().builder.toBuffer(), "line");
    const walk = (trace: string) =>
      withDap(async (d) => {
        await d.launch({ trace, startAt: "start" });
        const seen = [await d.where()];
        for (let i = 1; i < 21; i++) {
          await d.stepIn("instruction");
          seen.push(await d.where());
        }
        return seen;
      });
    const byLine = await walk(writeTrace(bytes, "dap-line.estrace"));
    const withFile = await walk(writeTrace(ticketTrace().builder.toBuffer(), "dap-file.estrace"));
    assert.deepEqual(byLine, withFile);
    assert.deepEqual(byLine[7].frames, [
      "Demo.TicketOffice.do_reserve/2 (/app/lib/ticket_office.ex:50, not in this workspace):0",
      "Demo.TicketOffice.handle_call/3 (/app/lib/ticket_office.ex:30, not in this workspace):0",
    ]);
  }).timeout(120_000);

  it("a site naming a module with no table entry is reported with its place; the call keeps its line", async () => {
    const b = new TraceBuilder({ version: 2 });
    b.call(A, depot("run", 0), []);
    const at = b.byteLength;
    b.call(A, depot("step", 1), [1], { mfa: ["Elixir.Gone", "go", 1], line: 9 });
    b.ret(A, depot("step", 1), atom("ok"));
    b.call(A, depot("step", 1), [2], { mfa: ["Elixir.Gone", "go", 1], line: 9 });
    const path = writeTrace(b.toBuffer(), "gone.estrace");
    const r = await Replay.open(path, { index: false });
    try {
      // Once per site (the second call names the same one), at the first call that named it.
      assert.deepEqual(
        r.problems.map((p) => p.text),
        [
          `${path}:frame 2 (byte offset ${at}): call (seq 1) names its call site by line only in Elixir.Gone, which has no module-table frame with a source in this file; the site's file is unknown`,
        ],
      );
      assert.deepEqual(r.event(1).caller, { mfa: { module: "Elixir.Gone", fun: "go", arity: 1 }, line: 9 });
      assert.deepEqual(r.event(3).caller, r.event(1).caller);
      // As any site without a file: no location rather than a wrong one.
      assert.deepEqual(
        viewStack(r, 1, "(outside)").map((f) => [f.name, f.location]),
        [
          ["Depot.step/1", undefined],
          ["Depot.run/0", undefined],
        ],
      );
    } finally {
      r.close();
    }
  });
});
