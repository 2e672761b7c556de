// The language server over the real protocol on stdio (`elixirscope lsp`), on the Cinema Demo's
// sources and its recordings. What the server lists is checked against an oracle computed here by
// scanning the decoded events (Replay.getEvents, pairing calls with returns by process), not through
// the server's own code path.

import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Replay } from "../../src/core/replay";
import { inspect } from "../../src/core/terms/inspect";
import { Atom, Tuple } from "../../src/core/terms/term";
import type { TraceEvent } from "../../src/core/types";
import { CINEMA, LspClient, TRACES } from "./lspClient";

const OFFICE = join(CINEMA, "lib/cinema_demo/ticket_office.ex");
const CUSTOMER = join(CINEMA, "lib/cinema_demo/customer.ex");
const GATEWAY = join(CINEMA, "lib/cinema_demo/payment_gateway.ex");

interface OracleCall {
  call: TraceEvent;
  end?: TraceEvent;
}

/** Every call of `module.fun/arity`, paired with the first return/exception of it in the same process after it. */
function oracleCalls(events: TraceEvent[], module: string, fun: string, arity: number): OracleCall[] {
  const is = (e: TraceEvent): boolean =>
    e.mfa?.module === `Elixir.${module}` && e.mfa.fun === fun && e.mfa.arity === arity;
  const out: OracleCall[] = [];
  events.forEach((e, k) => {
    if (e.kind !== "call" || !is(e)) return;
    const end = events.slice(k + 1).find((x) => x.pid === e.pid && is(x) && x.kind !== "call");
    out.push({ call: e, end });
  });
  return out;
}

const lineOf = (path: string, needle: string): number => {
  const i = readFileSync(path, "utf8")
    .split("\n")
    .findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not in ${path}`);
  return i;
};
const charOf = (path: string, line: number, needle: string): number =>
  readFileSync(path, "utf8").split("\n")[line].indexOf(needle);

async function started(trace: string, opts: unknown = {}): Promise<LspClient> {
  const c = new LspClient(["--trace", join(TRACES, trace), "--source-root", CINEMA]);
  await c.initialize(opts);
  await c.waitFor("window/logMessage", (p) => /loaded/.test((p as { message: string }).message));
  return c;
}

async function hover(
  c: LspClient,
  uri: string,
  line: number,
  character: number,
): Promise<string | undefined> {
  const h = (await c.conn.sendRequest("textDocument/hover", {
    textDocument: { uri },
    position: { line, character },
  })) as { contents: { value: string } } | null;
  return h?.contents.value;
}

describe("language server over stdio (double booking)", function () {
  let c: LspClient;
  let r: Replay;
  let events: TraceEvent[];
  before(async () => {
    r = await Replay.open(join(TRACES, "double_booking.estrace"));
    events = r.getEvents({ kinds: ["call", "return", "exception"] });
    c = await started("double_booking.estrace");
  });
  after(async () => {
    await c?.close();
    r?.close();
  });

  it("hover over a def shows its count, processes and most recent calls with results and moments", async () => {
    const uri = await c.open(OFFICE);
    const line = lineOf(OFFICE, "def hold(seat, customer)");
    const md = await hover(c, uri, line, charOf(OFFICE, line, "hold"));
    assert.ok(md, "a hover");
    const calls = oracleCalls(events, "CinemaDemo.TicketOffice", "hold", 2);
    assert.ok(calls.length > 2);
    assert.match(md, new RegExp(`CinemaDemo\\.TicketOffice\\.hold/2\\*\\* — ${calls.length} calls`));
    const pids = new Set(calls.map((x) => x.call.pid));
    assert.match(md, new RegExp(`by ${pids.size} process`));
    // The five most recent, newest first, each with its arguments, result and moment.
    const rows = md.split("\n").filter((l) => l.startsWith("| +"));
    assert.equal(rows.length, 5);
    calls
      .slice(-5)
      .reverse()
      .forEach((x, k) => {
        assert.ok(rows[k].includes(r.positionOf(x.call.index)), rows[k]);
        assert.ok(rows[k].includes(`hold(${x.call.args!.map((a) => inspect(a)).join(", ")})`), rows[k]);
        assert.ok(rows[k].includes(`\`${inspect(x.end!.value!)}\``), rows[k]);
      });
  });

  it("hover over one clause head counts that clause's calls (by the head's patterns)", async () => {
    const uri = await c.open(OFFICE);
    const line = lineOf(OFFICE, "def handle_call({:hold, seat, customer}");
    const md = await hover(c, uri, line, charOf(OFFICE, line, "handle_call") + 2);
    assert.ok(md);
    const all = oracleCalls(events, "CinemaDemo.TicketOffice", "handle_call", 3);
    const holds = all.filter((x) => {
      const req = x.call.args![0];
      return req instanceof Tuple && req.elements[0] === Atom.of("hold");
    });
    assert.match(md, new RegExp(`handle_call/3\\*\\* — ${all.length} calls`));
    assert.match(md, new RegExp(`\\*\\*This clause\\*\\* \\(line ${line + 1}\\): ${holds.length} calls`));
    const rows = md.split("\n").filter((l) => l.startsWith("| +"));
    assert.ok(rows[0].includes(r.positionOf(holds[holds.length - 1].call.index)));
    for (const row of rows) assert.ok(row.includes("handle_call({:hold,"), row);
  });

  it("hover over a call in another module shows the callee's history; other words show nothing", async () => {
    const uri = await c.open(CUSTOMER);
    const line = lineOf(CUSTOMER, ":ok = TicketOffice.hold(seat, name)");
    const md = await hover(c, uri, line, charOf(CUSTOMER, line, "hold("));
    const calls = oracleCalls(events, "CinemaDemo.TicketOffice", "hold", 2);
    assert.match(md ?? "", new RegExp(`hold/2\\*\\* — ${calls.length} calls`));
    const fromHere = calls.filter(
      (x) => x.call.caller?.line === line + 1 && x.call.caller.file?.endsWith("cinema_demo/customer.ex"),
    );
    assert.ok(fromHere.length > 0 && fromHere.length < calls.length);
    assert.ok(md!.includes(`${fromHere.length} calls made from this line.`), md);
    // `send` is not traced: no event maps, so no hover.
    const sendLine = lineOf(CUSTOMER, "send(step, {what, name, self()})");
    assert.equal(await hover(c, uri, sendLine, charOf(CUSTOMER, sendLine, "send") + 1), undefined);
    // A comment line of a recorded file.
    assert.equal(await hover(c, uri, 2, 10), undefined);
  });

  it("CodeLens above each recorded function counts its calls", async () => {
    const uri = await c.open(OFFICE);
    const lenses = (await c.conn.sendRequest("textDocument/codeLens", { textDocument: { uri } })) as Array<{
      range: { start: { line: number } };
      command: { title: string; command: string; arguments: unknown[] };
    }>;
    const text = readFileSync(OFFICE, "utf8").split("\n");
    assert.ok(lenses.length >= 5);
    for (const l of lenses) {
      const m = /def[p]? ([a-z_?!]+)/.exec(text[l.range.start.line]);
      assert.ok(m, `lens on a def line: ${text[l.range.start.line]}`);
      const arity = (l.command.arguments[0] as { arity: number }).arity;
      const calls = oracleCalls(events, "CinemaDemo.TicketOffice", m[1], arity);
      const raised = calls.filter((x) => x.end?.kind === "exception").length;
      assert.match(
        l.command.title,
        new RegExp(`^${calls.length} calls?${raised ? ` · ${raised} raised` : ""} · last `),
      );
      assert.equal(l.command.command, "elixirscope.lsp.showCalls");
    }
    const hold = lenses.find((l) => l.range.start.line === lineOf(OFFICE, "def hold("));
    assert.ok(hold, "hold/2 has a lens");
  });

  it("follows the moment: goto moves it, refreshes lenses and hints, parameters show their values", async () => {
    const uri = await c.open(OFFICE);
    const holds = oracleCalls(events, "CinemaDemo.TicketOffice", "handle_call", 3).filter((x) => {
      const req = x.call.args![0];
      return req instanceof Tuple && req.elements[0] === Atom.of("hold");
    });
    const target = holds[holds.length - 1];
    const pos = r.positionOf(target.call.index);
    const before = c.refreshes.length;
    const res = (await c.conn.sendRequest("workspace/executeCommand", {
      command: "elixirscope.lsp.goto",
      arguments: [pos],
    })) as { index: number; position: string };
    assert.equal(res.index, target.call.index);
    assert.equal(res.position, pos);
    await c.waitFor(
      "elixirscope/momentChanged",
      (p) => (p as { index?: number }).index === target.call.index,
    );
    const moment = (await c.conn.sendRequest("elixirscope/moment")) as { index: number };
    assert.equal(moment.index, target.call.index);
    // Both kinds of refresh were asked for.
    const t0 = Date.now();
    while (c.refreshes.length < before + 2 && Date.now() - t0 < 5000)
      await new Promise((x) => setTimeout(x, 20));
    assert.deepEqual(c.refreshes.slice(before).sort(), ["codeLens", "inlayHint"]);

    const [, seat, customer] = (target.call.args![0] as Tuple).elements;
    const line = lineOf(OFFICE, "def handle_call({:hold, seat, customer}");
    const hints = (await c.conn.sendRequest("textDocument/inlayHint", {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 200, character: 0 } },
    })) as Array<{ position: { line: number; character: number }; label: string }>;
    const onHead = hints.filter((h) => h.position.line === line);
    const seatCol = charOf(OFFICE, line, "seat") + "seat".length;
    assert.ok(
      onHead.some((h) => h.position.character === seatCol && h.label === ` = ${inspect(seat)}`),
      JSON.stringify(hints),
    );
    assert.ok(onHead.some((h) => h.label === ` = ${inspect(customer)}`));

    // Parameter hover in the body: the value now, and across the clause's calls.
    const bodyLine = lineOf(OFFICE, "seats = Map.put(state.seats, seat, {:held, customer, ref})");
    const md = await hover(c, uri, bodyLine, charOf(OFFICE, bodyLine, "seat, {:held") + 1);
    assert.ok(md);
    assert.ok(md.includes(`now (${pos}): \`${inspect(seat)}\``), md);
    assert.match(md, new RegExp(`across ${holds.length} recorded calls`));

    // A bad moment is an error for the command, and the server carries on.
    await assert.rejects(
      c.conn.sendRequest("workspace/executeCommand", {
        command: "elixirscope.lsp.goto",
        arguments: ["zz@1"],
      }),
      /bad position "zz@1"/,
    );
    c.conn.sendNotification("elixirscope/setMoment", { index: 0 });
    await c.waitFor("elixirscope/momentChanged", (p) => (p as { index?: number }).index === 0);
  });

  it("showCalls lists the calls and picking one moves the replay there", async () => {
    const uri = await c.open(OFFICE);
    const line = lineOf(OFFICE, "def hold(seat, customer)");
    const calls = oracleCalls(events, "CinemaDemo.TicketOffice", "hold", 2);
    const chosen = calls[calls.length - 2];
    c.pick = (p) => p.actions!.find((a) => a.title.startsWith(`${r.positionOf(chosen.call.index)} `)) ?? null;
    const res = (await c.conn.sendRequest("workspace/executeCommand", {
      command: "elixirscope.lsp.showCalls",
      arguments: [{ uri, line }],
    })) as { total: number; calls: Array<{ index: number; label: string; location?: { uri: string } }> };
    assert.equal(res.total, calls.length);
    assert.deepEqual(
      res.calls.map((x) => x.index),
      calls.map((x) => x.call.index).reverse(),
    );
    assert.ok(
      res.calls[0].label.startsWith(
        `hold(${calls[calls.length - 1].call.args!.map((a) => inspect(a)).join(", ")}) → :ok`,
      ),
    );
    await c.waitFor(
      "elixirscope/momentChanged",
      (p) => (p as { index?: number }).index === chosen.call.index,
    );
  });

  it("an unknown document gets nothing; an edited one is told it changed since the recording", async () => {
    const other = await c.open(join(CINEMA, "mix.exs"));
    assert.equal(await hover(c, other, 0, 3), undefined);
    const stranger = await c.open(
      "/tmp/elsewhere/not_recorded.ex",
      "defmodule X do\n  def hold(a), do: a\nend\n",
    );
    assert.equal(await hover(c, stranger, 1, 7), undefined);
    // Same file name as a recorded one, elsewhere: the path mapping does not lead there, so nothing.
    const lookalike = await c.open(
      "/tmp/elsewhere/lib/cinema_demo/ticket_office.ex",
      readFileSync(OFFICE, "utf8"),
    );
    const holdLine = lineOf(OFFICE, "def hold(seat, customer)");
    assert.equal(await hover(c, lookalike, holdLine, 7), undefined);

    const edited = `# a new first line\n${readFileSync(OFFICE, "utf8")}`;
    const uri = await c.open(OFFICE.replace("ticket_office.ex", "ticket_office.ex"), edited);
    const line = lineOf(OFFICE, "def hold(seat, customer)") + 1;
    const md = await hover(c, uri, line, 8);
    assert.match(md ?? "", /the file changed since the recording/);
    const lenses = (await c.conn.sendRequest("textDocument/codeLens", {
      textDocument: { uri },
    })) as unknown[];
    assert.equal(lenses.length, 0);
  });
});

describe("language server over stdio (payment crash, dimming)", function () {
  let c: LspClient;
  let r: Replay;
  before(async () => {
    r = await Replay.open(join(TRACES, "payment_crash.estrace"));
    c = await started("payment_crash.estrace", { dimUnexecuted: true });
  });
  after(async () => {
    await c?.close();
    r?.close();
  });

  it("lenses count raised calls, and functions that never ran are sent to be dimmed", async () => {
    const events = r.getEvents({ kinds: ["call", "return", "exception"] });
    const uri = await c.open(GATEWAY);
    const lenses = (await c.conn.sendRequest("textDocument/codeLens", { textDocument: { uri } })) as Array<{
      range: { start: { line: number } };
      command: { title: string };
    }>;
    const line = lineOf(GATEWAY, "def charge(");
    const charge = oracleCalls(events, "CinemaDemo.PaymentGateway", "charge", 2);
    const raised = charge.filter((x) => x.end?.kind === "exception").length;
    assert.ok(raised > 0);
    const lens = lenses.find((l) => l.range.start.line === line);
    assert.ok(lens, JSON.stringify(lenses));
    assert.match(lens.command.title, new RegExp(`^${charge.length} calls? · ${raised} raised`));

    const dimmed = (await c.waitFor("elixirscope/dimmed", (p) => (p as { uri: string }).uri === uri)) as {
      ranges: Array<{ start: number; end: number }>;
    };
    const lensLines = new Set(lenses.map((l) => l.range.start.line));
    for (const d of dimmed.ranges)
      assert.ok(!lensLines.has(d.start), `dimmed a function that ran: ${d.start}`);
    // Every function without calls in the recording is dimmed, every clause of one that ran is not.
    const text = readFileSync(GATEWAY, "utf8").split("\n");
    const nameAt = (l: number): string | undefined => /^\s*defp? ([a-z_?!]+)/.exec(text[l])?.[1];
    const ran = new Set([...lensLines].map(nameAt));
    text.forEach((_, l) => {
      const name = nameAt(l);
      if (name === undefined) return;
      const isDimmed = dimmed.ranges.some((x) => x.start === l);
      assert.equal(isDimmed, !ran.has(name), `line ${l + 1} (${name})`);
    });
    // Turning the setting off clears the dimming.
    await c.conn.sendNotification("workspace/didChangeConfiguration", {
      settings: { elixirscope: { hovers: { dimUnexecuted: false } } },
    });
    await c.waitFor(
      "elixirscope/dimmed",
      (p) =>
        (p as { uri: string; ranges: unknown[] }).uri === uri &&
        (p as { ranges: unknown[] }).ranges.length === 0,
    );
  });
});
