// The CLI as people use it in a shell, on a real recording (the Cinema Demo's payment crash): each
// command refuses the options of the others, a listing cut by --limit says how many more there are,
// --fun takes every function name that `events` prints, a stack prints its paths one way, and a
// callback that left the state alone is not counted as a change.

import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../src/cli/main";
import { Replay } from "../../src/core/replay";
import { mfaLabel } from "../../src/core/store/eventDecode";

const TRACE = join(__dirname, "../../examples/traces/payment_crash.estrace");

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const lines: string[] = [];
  const errs: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => (errs.push(String(s)), true)) as typeof process.stderr.write;
  try {
    const code = await main(args, (s) => lines.push(s));
    return { code, out: lines.join("\n"), err: errs.join("") };
  } finally {
    process.stderr.write = write;
  }
}

describe("elixirscope in a shell", () => {
  let r: Replay;
  before(async () => {
    r = await Replay.open(TRACE);
  });
  after(() => r.close());

  it("each command refuses the options of the other commands, naming what it takes", async () => {
    for (const [args, own] of [
      [["info", TRACE, "--limit", "3"], /info: unknown option --limit \(info takes --json, --stats\)/],
      [["state", TRACE, "TicketOffice", "--kind", "call"], /state: unknown option --kind \(state takes/],
      [["stack", TRACE, "--seq", "5", "--desc"], /stack: unknown option --desc/],
      [["flow", TRACE, "--fun", "x"], /flow: unknown option --fun/],
      [["export", TRACE, "--at", "3"], /export: unknown option --at/],
    ] as const) {
      const res = await run([...args]);
      assert.equal(res.code, 2, args.join(" "));
      assert.match(res.err, own);
      assert.equal(res.err.trim().split("\n").length, 1, res.err);
    }
    // Their own options still work.
    assert.equal((await run(["events", TRACE, "--limit", "1", "--desc"])).code, 0);
    assert.equal((await run(["info", TRACE, "--stats"])).code, 0);
  });

  it("a listing cut by --limit says how many more there are", async () => {
    const total = r.eventCount;
    const { out } = await run(["events", TRACE, "--limit", "7", "--offset", "3"]);
    const lines = out.split("\n");
    assert.equal(lines.length, 8);
    assert.equal(lines[7], `… ${total - 10} more (--offset 10 for the next ones, or a larger --limit)`);
    // Nothing is said when nothing was cut.
    const all = await run(["events", TRACE, "--limit", String(total)]);
    assert.equal(all.out.split("\n").length, total);
    assert.doesNotMatch(all.out, /more \(/);
    const flows = r.getMessageFlow().length;
    const flow = (await run(["flow", TRACE, "--limit", "4"])).out.split("\n");
    assert.equal(flow.length, 1 + 4 + 1);
    assert.equal(flow[5], `… ${flows - 4} more (a larger --limit shows them)`);
  });

  it("--fun accepts every function name that events prints, anonymous functions included", async () => {
    const names = new Set(r.getEvents({ kinds: ["call"] }).map((e) => mfaLabel(e.mfa!)));
    assert.ok(
      [...names].some((n) => n.includes("-fun-")),
      "the recording has anonymous functions",
    );
    for (const name of names) {
      const want = r.getEvents({ kinds: ["call"] }).filter((e) => mfaLabel(e.mfa!) === name).length;
      const { code, out } = await run([
        "events",
        TRACE,
        "--fun",
        name,
        "--kind",
        "call",
        "--json",
        "--limit",
        "100000",
      ]);
      assert.equal(code, 0, name);
      const got = JSON.parse(out) as Array<{ function: string }>;
      assert.equal(got.length, want, name);
      assert.ok(
        got.every((g) => g.function === name),
        name,
      );
    }
  });

  it("a stack prints every frame's path the same way", async () => {
    // Every moment inside a call at least two deep: frames mix module sources and call sites.
    let checked = 0;
    for (const e of r.getEvents({ kinds: ["send", "call"] })) {
      const frames = r.stackAt(e.index).filter((f) => f.location);
      if (frames.length < 2) continue;
      const { out } = await run(["stack", TRACE, "--seq", String(e.seq)]);
      const paths = out
        .split("\n")
        .slice(1)
        .map((l) => / {2}(\S+):\d+$/.exec(l)?.[1])
        .filter((p): p is string => p !== undefined);
      assert.ok(paths.length >= 2, out);
      // A call site in a file outside the recorded modules (a macro's, in Elixir's own source) stays
      // as recorded; every other path is the module's source, as the top frame prints it.
      const sources = r.modules().map((m) => m.source);
      for (const p of paths)
        if (!p.startsWith("/"))
          assert.ok(!sources.some((s) => s.endsWith(`/${p}`)), `${p} not completed:\n${out}`);
      if (++checked === 5) break;
    }
    assert.ok(checked > 0, "the recording has nested calls");
  });

  it("state history counts only the callbacks that changed the state", async () => {
    const proc = r.findProcess("TicketOffice");
    const history = r.stateHistory(proc.id);
    let changed = 1;
    for (let i = 1; i < history.length; i++)
      if (
        r.diffStates(
          r.getStateAt(proc.id, history[i - 1].index)!.state,
          r.getStateAt(proc.id, history[i].index)!.state,
        ).length > 0
      )
        changed++;
    const unchanged = history.length - changed;
    assert.ok(unchanged > 0, "the recording has callbacks that left the state alone");
    const { out } = await run(["state", TRACE, "TicketOffice"]);
    const lines = out.split("\n");
    assert.match(
      lines[0],
      new RegExp(`: ${changed} changes \\(and ${unchanged} callbacks? that left it unchanged\\)$`),
    );
    assert.equal(lines.filter((l) => l.endsWith("(unchanged)")).length, unchanged);
  });

  it("--print-limit sets how much of each term is shown, infinity for all of it", async () => {
    const proc = r.findProcess("TicketOffice");
    const last = r.stateHistory(proc.id).at(-1)!;
    const seq = String(r.event(last.index).seq);
    const full = (await run(["state", TRACE, "TicketOffice", "--at", seq, "--print-limit", "infinity"])).out;
    const cut = (await run(["state", TRACE, "TicketOffice", "--at", seq, "--print-limit", "2"])).out;
    assert.doesNotMatch(full.split("\n")[1], /\.\.\./);
    assert.match(cut.split("\n")[1], /\.\.\./);
    assert.ok(cut.length < full.length);
    const bad = await run(["events", TRACE, "--print-limit", "0"]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--print-limit must be a positive integer or infinity, not "0"/);
  });
});
