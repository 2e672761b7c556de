// `elixirscope flow --diagram` and `--svg` on the shipped double-booking recording: the same arrows
// the webview draws (counted against the engine), the race's rows in text, and one-line usage errors.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main";
import { FlowSource } from "../../src/core/flowSource";
import { Replay } from "../../src/core/replay";
import { inspect } from "../../src/core/terms/inspect";

const TRACE = join(__dirname, "../../examples/traces/double_booking.estrace");

async function run(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await main(args, (s) => lines.push(s));
  return { code, out: lines.join("\n") };
}

describe("elixirscope flow --diagram / --svg", () => {
  it("prints the double-booking race as a text sequence diagram", async () => {
    // Where carol's hold of seat 12 and the office's reply are, from the engine (not from the diagram).
    const r = await Replay.open(TRACE);
    const office = r.findProcess("TicketOffice");
    const hold = r
      .getEvents({ kinds: ["send"], limit: 100_000 })
      .find((e) => e.message && inspect(e.message).includes('{:hold, 12, "carol"}'));
    assert.ok(hold);
    const call = r
      .flowPage({ pids: [hold.pid, office.id], limit: 100_000 })
      .entries.find((e) => e.send === hold.index);
    assert.ok(call?.reply?.send !== undefined, "the hold is a call with a reply");
    const holdSeq = hold.seq;
    const replySeq = r.event(call.reply.send).seq;
    r.close();
    const { code, out } = await run([
      "flow",
      TRACE,
      "--diagram",
      "--from-seq",
      String(holdSeq - 1),
      "--to-seq",
      String(replySeq + 8),
    ]);
    assert.equal(code, 0);
    const lines = out.split("\n");
    assert.match(lines[0], /TicketOffice/);
    assert.match(lines[1], new RegExp(office.pid.replace(/[<>.]/g, (c) => `\\${c}`)));
    assert.ok(
      lines.some((l) =>
        new RegExp(`^\\s+${holdSeq}\\s+.*●─+▶.*call \\{:hold, 12, "carol"\\}\\s+[\\d.]+µs$`).test(l),
      ),
      out,
    );
    assert.ok(
      lines.some((l) => new RegExp(`^\\s+${replySeq}\\s+.*◀─+●.*reply :ok`).test(l)),
      out,
    );
  });

  it("writes an SVG with one arrow per message in the rows, from the same layout as the webview", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flow-svg-"));
    const file = join(dir, "flow.svg");
    const { code, out } = await run(["flow", TRACE, "--svg", file, "--limit", "1000"]);
    assert.equal(code, 0);
    const r = await Replay.open(TRACE);
    const s = new FlowSource(r);
    const { items } = s.page(0, s.total);
    r.close();
    assert.match(out, new RegExp(`wrote .*flow\\.svg: ${s.total} rows, ${items.length} arrows`));
    const svg = readFileSync(file, "utf8");
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal(svg.match(/<g class="arrow /g)?.length, items.length);
    const holds = await run(["flow", TRACE, "--svg", file, "--limit", "1000", "--match", "{:hold, 12, _}"]);
    assert.match(holds.out, / 2 arrows/);
  });

  it("rejects bad input with exit code 2", async () => {
    assert.equal((await run(["flow", TRACE, "--diagram", "--limit", "0"])).code, 2);
    assert.equal((await run(["flow", TRACE, "--diagram", "NoSuchProcess"])).code, 2);
  });
});
