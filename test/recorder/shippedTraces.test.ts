// The example recordings shipped in examples/traces are current: made by today's recorder from today's
// demo sources (the header's digest of both), machine-independent (no absolute path of the machine
// that recorded them; sources relative to the project, found from the trace's own place), and a fresh
// recording of a scenario has the same functions, lines and processes as the shipped one.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { PathMapper, projectRoots } from "../../src/core/inspect/paths";
import { termText } from "../../src/core/reader/tables";
import { Replay } from "../../src/core/replay";
import { Atom, ErlMap, type Term } from "../../src/core/terms";
import { mix } from "../helpers/mix";

const repo = resolve(__dirname, "../..");
const traces = join(repo, "examples/traces");
const demo = join(repo, "examples/cinema_demo");
const shipped = readdirSync(traces).filter((f) => f.endsWith(".estrace"));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ex") ? [p] : [];
  });
}

/** What CinemaDemo.Scenarios.sources_digest/0 computes: MD5 over each source's path and bytes. */
function sourcesDigest(): string {
  const rels = [...files(join(repo, "recorder/lib")), ...files(join(demo, "lib"))].map((p) => relative(repo, p));
  const h = createHash("md5");
  for (const rel of rels.sort()) {
    h.update(rel);
    h.update(Buffer.from([0]));
    h.update(readFileSync(join(repo, rel)));
    h.update(Buffer.from([0]));
  }
  return h.digest("hex");
}

function headerText(header: Term, key: string): string | undefined {
  if (!(header instanceof ErlMap)) return undefined;
  const v = header.entries.find(([k]) => k instanceof Atom && k.name === key)?.[1];
  return v === undefined ? undefined : termText(v);
}

/** What a recording is made of, independent of timing: functions called, their lines, processes. */
function shape(r: Replay): { calls: string[]; modules: string[]; processes: string[] } {
  const calls = new Set<string>();
  for (const e of r.getEvents({ kinds: ["call"] }))
    calls.add(`${e.mfa!.module}.${e.mfa!.fun}/${e.mfa!.arity} from line ${e.caller?.line ?? "?"}`);
  const modules = r
    .modules()
    .map((m) => `${m.module} ${m.source} ${m.functions.map((f) => `${f.name}/${f.arity}@${f.clauseLines.join(",")}`).join(" ")}`);
  const processes = new Set(r.processes().map((p) => `${p.name ?? p.module ?? "-"} crashed=${p.crashed}`));
  return { calls: [...calls].sort(), modules: modules.sort(), processes: [...processes].sort() };
}

describe("shipped example traces", function () {
  this.timeout(240_000);

  it("were recorded from today's recorder and demo sources (else run examples/record-all.sh)", async () => {
    assert.equal(shipped.length, 5);
    const digest = sourcesDigest();
    for (const f of shipped) {
      const r = await Replay.open(join(traces, f));
      try {
        assert.equal(
          headerText(r.files[0].header, "sources_digest"),
          digest,
          `${f} is stale: the recorder or the demo changed since it was recorded; run examples/record-all.sh`,
        );
      } finally {
        r.close();
      }
    }
  });

  it("carry no path of the machine that recorded them, and open elsewhere with no path mapping", async () => {
    for (const f of shipped) {
      const bytes = readFileSync(join(traces, f));
      assert.equal(bytes.indexOf(repo), -1, `${f} holds ${repo}`);
    }
    // Another machine: the trace and the demo's sources side by side somewhere else.
    const elsewhere = mkdtempSync(join(tmpdir(), "elixirscope-elsewhere-"));
    mkdirSync(join(elsewhere, "traces"));
    cpSync(join(traces, "happy_path.estrace"), join(elsewhere, "traces/happy_path.estrace"));
    cpSync(join(demo, "lib"), join(elsewhere, "cinema_demo/lib"), { recursive: true });
    const r = await Replay.open(join(elsewhere, "traces/happy_path.estrace"));
    try {
      const sources = r.modules().map((m) => m.source);
      assert.ok(sources.includes("lib/cinema_demo/ticket_office.ex"), sources.join(", "));
      const paths = new PathMapper([], undefined, sources, undefined, projectRoots(r.files));
      for (const s of sources)
        assert.equal(paths.toLocal(s), join(elsewhere, "cinema_demo", s), `${s} is found beside the trace`);
    } finally {
      r.close();
    }
  });

  it("a fresh recording of happy_path has the shipped one's functions, lines and processes", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "elixirscope-rerecord-")), "happy_path.estrace");
    mix(demo, ["run", "-e", `CinemaDemo.Scenarios.record(:happy_path, ${JSON.stringify(out)})`]);
    const fresh = await Replay.open(out);
    const old = await Replay.open(join(traces, "happy_path.estrace"));
    try {
      assert.deepEqual(shape(fresh), shape(old), "re-run examples/record-all.sh");
    } finally {
      fresh.close();
      old.close();
    }
  });
});
