// The `elixirscope` command on the ticket trace: each subcommand's output, --json, the JSON Lines
// round trip (ETF → JSONL → ETF gives equal terms), and exit code 2 with one line for bad input.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/cli/main";
import { Replay } from "../../src/core/replay";
import { termEquals } from "../../src/core/terms/equal";
import { atom, pid, tuple } from "../../src/core/terms/build";
import { TraceBuilder } from "../../src/core/writer";
import { NODE, tempTrace, ticketTrace, ticketTracePath } from "../helpers/fixtures";

async function run(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await main(args, (s) => lines.push(s));
  return { code, out: lines.join("\n") };
}

function runProcess(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", join(__dirname, "../../src/cli/entry.ts"), ...args],
    { encoding: "utf8" },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("elixirscope CLI", () => {
  const trace = ticketTracePath();

  it("info summarises the recording", async () => {
    const { code, out } = await run(["info", trace]);
    assert.equal(code, 0);
    assert.match(out, /node demo@host, 21 events/);
    assert.match(
      out,
      /21 events over .*: 5 call, 4 return, 1 exception, 4 send, 2 receive, 1 spawn, 1 exit, 2 state, 1 register/,
    );
    assert.match(out, /3 processes, 1 crashed \(#PID<0\.102\.0> Demo\.Payment\.charge\/1\)/);
    const json = JSON.parse((await run(["info", trace, "--json", "--stats"])).out);
    assert.equal(json.events, 21);
    assert.equal(json.kinds.call, 5);
    assert.ok(Array.isArray(json.stats.queries));
  });

  it("info names the first 10 crashed processes and counts the rest; --json lists them all", async () => {
    const b = new TraceBuilder({ node: NODE });
    const parent = pid(NODE, 50, 0);
    for (let i = 0; i < 14; i++) {
      const worker = pid(NODE, 200 + i, 0);
      b.spawn(parent, worker, ["Elixir.Demo.Worker", "run", [i]]);
      // One in three ends normally: only the others are listed.
      b.exit(worker, i % 3 === 2 ? atom("normal") : tuple(atom("badarith"), []));
    }
    const trace = tempTrace(b.toBuffer());
    const json = JSON.parse((await run(["info", trace, "--json"])).out) as { crashed: string[] };
    assert.equal(json.crashed.length, 10);
    const few = await run(["info", trace]);
    assert.match(few.out, /^15 processes, 10 crashed \(#PID<0\.200\.0>[^\n]*#PID<0\.213\.0>[^,\n]*\)$/m);

    for (let i = 14; i < 30; i++) {
      const worker = pid(NODE, 200 + i, 0);
      b.spawn(parent, worker, ["Elixir.Demo.Worker", "run", [i]]);
      b.exit(worker, i % 3 === 2 ? atom("normal") : tuple(atom("badarith"), []));
    }
    const many = tempTrace(b.toBuffer());
    const all = (JSON.parse((await run(["info", many, "--json"])).out) as { crashed: string[] }).crashed;
    assert.equal(all.length, 20);
    const line = (await run(["info", many])).out.split("\n").find((l) => l.includes("crashed"))!;
    assert.equal(
      line,
      `31 processes, 20 crashed (${all.slice(0, 10).join(", ")}, … and 10 more (--json lists them all))`,
    );
  });

  it("events lists, filters and explains", async () => {
    const { out } = await run(["events", trace, "--fun", "TicketOffice.reserve/2"]);
    const lines = out.split("\n");
    assert.equal(lines.length, 2);
    assert.match(
      lines[0],
      /^\s+3\s+\+4\.0µs\s+#PID<0\.100\.0>\s+call\s+Demo\.TicketOffice\.reserve\(1, "ann"\)$/,
    );
    assert.match(lines[1], /return\s+Demo\.TicketOffice\.reserve\/2 → :ok$/);
    const json = JSON.parse(
      (await run(["events", trace, "--pid", "TicketOffice", "--kind", "send,receive", "--json"])).out,
    );
    assert.deepEqual(
      json.map((e: { seq: number }) => e.seq),
      [5, 11],
    );
    assert.match(
      (await run(["events", trace, "--pid", "<0.102.0>", "--explain"])).out,
      /^index: process, 3 candidates/,
    );
  });

  it("state shows the history with what changed", async () => {
    const { out } = await run(["state", trace, "TicketOffice"]);
    assert.match(out, /state history of #PID<0\.101\.0> Demo\.TicketOffice: 2 changes/);
    assert.match(out, /init\/1\s+%\{n: 0, seats: %\{1 => :free\}\}/);
    assert.match(out, /handle_call\/3\s+\.n 1, \.seats\[1\] "ann"/);
    const at = await run(["state", trace, "TicketOffice", "--at", "9"]);
    assert.match(at.out, /at seq 9 \(state set at seq 1 by init\/1\)/);
  });

  it("flow pairs messages, stack shows frames", async () => {
    assert.match(
      (await run(["flow", trace, "<0.100.0>"])).out,
      /3 messages from #PID<0\.100\.0>[\s\S]*1\.0µs[\s\S]*unknown process[\s\S]*dead process/,
    );
    const stack = (await run(["stack", trace, "--seq", "7"])).out;
    assert.match(
      stack,
      /Demo\.TicketOffice\.do_reserve\/2\s+\/app\/lib\/ticket_office\.ex:50\n\s+Demo\.TicketOffice\.handle_call\/3\s+\/app\/lib\/ticket_office\.ex:30/,
    );
  });

  it("export to JSON Lines and import back gives equal terms", async () => {
    const jsonl = tempTrace(new Uint8Array(0), "t.jsonl");
    assert.equal((await run(["export", trace, "--format", "jsonl", "-o", jsonl])).code, 0);
    const lines = readFileSync(jsonl, "utf8").trim().split("\n");
    assert.equal(lines.length, 1 + 3 + 21 + 1);
    assert.deepEqual(Object.keys(JSON.parse(lines[0])), ["header"]);
    const back = jsonl.replace(/\.jsonl$/, ".back.estrace");
    const imp = await run(["import", jsonl, "-o", back]);
    assert.match(imp.out, /wrote .*: 26 frames/);
    const a = await Replay.open(trace);
    const b = await Replay.open(back);
    try {
      assert.equal(b.eventCount, a.eventCount);
      for (let i = 0; i < a.eventCount; i++)
        assert.ok(termEquals(a.event(i).raw, b.event(i).raw), `event ${i}`);
      assert.deepEqual(b.modules(), a.modules());
      assert.ok(termEquals(a.files[0].header, b.files[0].header));
    } finally {
      a.close();
      b.close();
    }
  });

  it("bad input exits 2 with a one-line error", () => {
    const cases: Array<[string[], RegExp]> = [
      [["info", "/nope/missing.estrace"], /^elixirscope: \/nope\/missing\.estrace: no such file\n$/],
      [["info", tempTrace(Buffer.from("plain text"))], /not an ElixirScope trace/],
      [["events", trace, "--kind", "nope"], /^elixirscope: bad filter: unknown event kind "nope"/],
      [["state", trace, "<0.999.0>"], /^elixirscope: unknown pid <0\.999\.0>/],
      [
        ["events", trace, "--bogus"],
        /^elixirscope: events: unknown option --bogus \(events takes --json, --desc, .*\)\n$/,
      ],
      [["frobnicate", trace], /^elixirscope: unknown command "frobnicate"/],
      [["stack", trace, "--seq", "999"], /no event with seq 999/],
    ];
    for (const [args, re] of cases) {
      const r = runProcess(args);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
  });

  it("reports damaged frames as warnings and goes on", async () => {
    const { builder, offsets } = ticketTrace();
    const bytes = Buffer.from(builder.toBuffer());
    bytes[offsets[3] + 6] = 0xff;
    const r = runProcess(["info", tempTrace(bytes)]);
    assert.equal(r.status, 0);
    assert.match(r.stderr, /^warning: .*:frame 7 \(byte offset \d+\): frame term is not a tuple/);
    assert.match(r.stdout, /20 events/);
  });
});
