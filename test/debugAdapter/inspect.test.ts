// What the views show, over the real protocol: threads named as people know the processes, stack
// frames at their source lines in the workspace (through pathMappings and sourceRoot), scopes with
// terms read as Elixir, big maps and lists paged, evaluate names that evaluate back to their values,
// and what the last state change touched marked.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { atom, bin, keyword, map, pid, tuple } from "../../src/core/terms/build";
import type { Term } from "../../src/core/terms/term";
import { TraceBuilder } from "../../src/core/writer";
import { tempTrace, ticketTracePath } from "../helpers/fixtures";
import { CINEMA_SOURCES, TRACES, withDap } from "./dapClient";

const NODE = "big@host";
const SERVER = pid(NODE, 50, 0);
const CLIENT = pid(NODE, 51, 0);
const MOD = "Elixir.Big.Server";

function state(changed: boolean): Term {
  const seats = map(
    Array.from({ length: 250 }, (_, i): [Term, Term] => [
      i,
      changed && i === 7 ? tuple(atom("sold"), bin("ann")) : atom("free"),
    ]),
  );
  return map([
    [atom("log"), Array.from({ length: 1000 }, (_, i) => i)],
    [
      atom("opts"),
      keyword([
        ["timeout", 5000],
        ["mode", atom("fast")],
      ]),
    ],
    [atom("seats"), seats],
    [atom("tag"), tuple(atom("ok"), bin("x"))],
    [
      atom("user"),
      map([
        [atom("__struct__"), atom("Elixir.Big.User")],
        [atom("name"), bin(changed ? "bob" : "ann")],
      ]),
    ],
    [bin("string key"), 1],
  ]);
}

/** A GenServer whose state holds a 250-entry map, a 1000-element list, a keyword list, a struct and a tuple. */
function bigTrace(): string {
  const b = new TraceBuilder({ node: NODE });
  b.module(MOD, "/build/app/lib/big/server.ex", [
    ["init", 1, 5],
    ["handle_call", 3, 12],
  ]);
  const call = tuple(atom("sell"), 7);
  b.register(SERVER, MOD);
  b.state(SERVER, [MOD, "init", 1], state(false));
  b.send(CLIENT, SERVER, call);
  b.receive(SERVER, call);
  b.call(SERVER, [MOD, "handle_call", 3], [call, tuple(CLIENT, atom("tag")), state(false)]);
  b.ret(SERVER, [MOD, "handle_call", 3], tuple(atom("reply"), atom("ok"), state(true)));
  b.state(SERVER, [MOD, "handle_call", 3], state(true));
  b.send(SERVER, CLIENT, tuple(atom("tag"), atom("ok")));
  return tempTrace(b.toBuffer(), "big.estrace");
}

function byName(vars: DebugProtocol.Variable[], name: string): DebugProtocol.Variable {
  const v = vars.find((x) => x.name === name);
  assert.ok(v, `${name} among ${vars.map((x) => x.name).join(", ")}`);
  return v;
}

describe("debug adapter: threads, frames, scopes and variables", function () {
  this.timeout(180_000);

  it("names threads by registered name or first function and keeps their ids stable", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath(), startAt: "seq:5" });
      const at5 = (await d.dc.threadsRequest()).body.threads;
      assert.deepEqual(
        at5.map((t) => `${t.id} ${t.name}`),
        ["1 #PID<0.101.0> Demo.TicketOffice", "2 #PID<0.100.0> Demo.Customer.run/1"],
      );
      await d.custom("elixirscope/goto", { seq: 17 });
      const at17 = (await d.dc.threadsRequest()).body.threads;
      assert.deepEqual(
        at17.map((t) => `${t.id} ${t.name}`),
        [
          "1 #PID<0.101.0> Demo.TicketOffice",
          "2 #PID<0.100.0> Demo.Customer.run/1",
          "3 #PID<0.102.0> Demo.Payment.charge/1",
        ],
      );
      assert.equal(d.thread, 3, "the stopped thread is the process of the current event");
      await d.custom("elixirscope/goto", { seq: 20 });
      assert.equal((await d.dc.threadsRequest()).body.threads.length, 2, "the payment process has exited");
    }));

  it("shows frames at their workspace lines through pathMappings, and says when a frame has no source", () =>
    withDap(async (d) => {
      const root = mkdtempSync(join(tmpdir(), "elixirscope-ws-"));
      mkdirSync(join(root, "lib"));
      writeFileSync(join(root, "lib/ticket_office.ex"), "# the workspace copy\n");
      await d.launch({
        trace: ticketTracePath(),
        startAt: "seq:8",
        pathMappings: [{ from: "/app", to: root }],
      });
      const frames = await d.frames();
      assert.deepEqual(
        frames.map((f) => [f.name, f.source?.path, f.line, f.presentationHint]),
        [
          ["Demo.TicketOffice.do_reserve/2", join(root, "lib/ticket_office.ex"), 50, undefined],
          ["Demo.TicketOffice.handle_call/3", join(root, "lib/ticket_office.ex"), 30, undefined],
        ],
      );
      await d.custom("elixirscope/goto", { seq: 3 });
      const customer = await d.frames();
      assert.deepEqual(
        customer.map((f) => [f.name, f.source?.path, f.line, f.presentationHint]),
        [
          ["Demo.TicketOffice.reserve/2", join(root, "lib/ticket_office.ex"), 10, undefined],
          ["Demo.Customer.run/1 (/app/lib/customer.ex:12, not in this workspace)", undefined, 0, "subtle"],
        ],
      );
      const sources = ((await d.dc.send("loadedSources", {})) as DebugProtocol.LoadedSourcesResponse).body
        .sources;
      // Sources not on this machine are references the client can ask about (and hear why not).
      assert.deepEqual(sources.map((s) => `${s.name} ${s.path ?? `ref ${s.sourceReference}`}`).sort(), [
        "Demo.Customer ref 1",
        "Demo.Payment ref 2",
        `Demo.TicketOffice ${join(root, "lib/ticket_office.ex")}`,
      ]);
      await assert.rejects(
        d.dc.send("source", { sourceReference: 1 }),
        /\/app\/lib\/customer\.ex is not available: the recording holds no copy of its source/,
      );
    }));

  it("shows Cinema Demo frames in the demo's sources, with untraced callers between and below them", () =>
    withDap(async (d) => {
      await d.launch({ trace: join(TRACES, "double_booking.estrace"), sourceRoot: CINEMA_SOURCES });
      // TicketOffice.init/1 builds its seats with Enum.map and an anonymous fn: the fn's first call.
      const found = (await d.evaluate("events kind=call fun=TicketOffice.* limit=100")).result
        .split("\n")
        .find((l) => /TicketOffice\.-init\/1-fun-\d+-\(/.test(l));
      assert.ok(found, "the recording has a call of an anonymous fn in init/1");
      await d.custom("elixirscope/goto", { seq: Number(/^\[seq (\d+)\]/.exec(found)![1]) });
      const frames = await d.frames();
      const office = join(CINEMA_SOURCES, "lib/cinema_demo/ticket_office.ex");
      assert.deepEqual(
        frames.map((f) => [f.name.replace(/ \(.*$/, ""), f.source?.path ?? null, f.presentationHint ?? null]),
        [
          ["anonymous fn/1 in CinemaDemo.TicketOffice.init/1", office, "subtle"],
          ["anonymous fn/3 in Enum.map/2", null, "subtle"],
          ["CinemaDemo.TicketOffice.init/1", office, "subtle"],
          [":gen_server.init_it/2", null, "subtle"],
        ],
      );
      assert.match(frames[0].name, /\(line unknown: showing the function's definition\)$/);
      assert.match(frames[1].name, /\(not traced\) \(lib\/enum\.ex:\d+, not in this workspace\)$/);
      assert.match(frames[2].name, /line unknown: showing the function's definition/);
      // A frame with a recorded call site in the demo shows that line.
      await d.custom("elixirscope/goto", { moment: "first call PaymentGateway.parse_card/2" });
      const pay = await d.frames();
      assert.equal(pay[1].name, "CinemaDemo.PaymentGateway.handle_call/3");
      assert.equal(pay[1].source?.path, join(CINEMA_SOURCES, "lib/cinema_demo/payment_gateway.ex"));
      assert.equal(pay[1].presentationHint, undefined, "at its recorded call site, not approximate");
      assert.ok(pay[1].line > 0);
    }));

  it("reads terms as Elixir, pages big maps and lists, marks what changed, and evaluates names back", () =>
    withDap(async (d) => {
      await d.launch({ trace: bigTrace(), startAt: "seq:6" });
      const scope = await d.scope("Process state");
      assert.equal(byName(scope, "changed").value, "state.seats[7] changed, state.user.name changed");
      const st = byName(scope, "state");
      assert.deepEqual(st.presentationHint?.attributes, ["readOnly", "changed"]);
      assert.equal(st.namedVariables, 6);
      const fields = await d.children(st);
      assert.deepEqual(
        fields.map((f) => [
          f.name,
          f.type,
          f.evaluateName,
          f.indexedVariables ?? null,
          f.namedVariables ?? null,
        ]),
        [
          ["log", "list", "state.log", 1000, null],
          ["opts", "keyword", "state.opts", null, 2],
          ["seats", "map", "state.seats", 250, null],
          ["tag", "tuple", "state.tag", 2, null],
          ["user", "%Big.User{}", "state.user", null, 1],
          ['"string key"', "integer", 'state["string key"]', null, null],
        ],
      );
      assert.match(byName(fields, "log").value, /^\[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, \.\.\.\]$/);
      const seats = byName(fields, "seats");
      const page = await d.children(seats, { filter: "indexed", start: 5, count: 4 });
      assert.deepEqual(
        page.map((v) => `${v.name}=${v.value}`),
        ["5=:free", "6=:free", '7={:sold, "ann"}  (was :free)', "8=:free"],
      );
      assert.deepEqual(
        page.map((v) => v.presentationHint?.attributes?.includes("changed") ?? false),
        [false, false, true, false],
        "the changed seat is marked by its hint, not its name",
      );
      assert.deepEqual(await d.children(seats, { filter: "named" }), [], "a paged map has no named children");
      const log = byName(fields, "log");
      const tail = await d.children(log, { filter: "indexed", start: 990, count: 100 });
      assert.deepEqual(
        tail.map((v) => v.name),
        ["990", "991", "992", "993", "994", "995", "996", "997", "998", "999"],
      );
      const opts = await d.children(byName(fields, "opts"));
      assert.deepEqual(
        opts.map((v) => `${v.name}=${v.value} ${v.evaluateName}`),
        ["timeout=5000 state.opts[:timeout]", "mode=:fast state.opts[:mode]"],
      );
      const tag = await d.children(byName(fields, "tag"));
      assert.deepEqual(
        tag.map((v) => v.evaluateName),
        ["elem(state.tag, 0)", "elem(state.tag, 1)"],
      );
      const user = await d.children(byName(fields, "user"));
      assert.deepEqual(
        user.map((v) => `${v.name}=${v.value.replace(/ {2}\(was .*\)$/, "")}`),
        ['name="bob"'],
      );
      // Every evaluate name evaluates back to the value shown.
      for (const v of [...fields, ...page, ...opts, ...tag, ...user, ...tail.slice(0, 2)]) {
        const back = await d.evaluate(v.evaluateName!, "watch");
        assert.equal(back.result, v.value.replace(/ {2}\((was .*|new)\)$/, ""), v.evaluateName);
      }
      // The clipboard gets the whole value, not the view's shortened one.
      const full = await d.evaluate("state.log", "clipboard");
      assert.equal(full.result, `[${Array.from({ length: 1000 }, (_, i) => i).join(", ")}]`);
      const listed = await d.evaluate("state.log", "repl");
      assert.equal(listed.indexedVariables, 1000);
    }));

  it("shows arguments, the return value, the message with its peer, and the event", () =>
    withDap(async (d) => {
      await d.launch({ trace: bigTrace(), startAt: "seq:5" });
      let vars = await d.vars();
      assert.equal(vars["Arguments/args[0]"], "{:sell, 7}");
      assert.match(vars["Return value/value"], /^\{:reply, :ok, %\{:log => \[0, 1, 2,/);
      assert.equal(vars["Event/kind"], "return");
      assert.equal(vars["Event/process"], "#PID<0.50.0> Big.Server");
      await d.custom("elixirscope/goto", { seq: 3 });
      vars = await d.vars();
      assert.equal(vars["Message/msg"], "{:sell, 7}");
      assert.equal(vars["Message/from"], "#PID<0.51.0>");
      assert.match(vars["Message/status"], /^delivered after /);
      assert.equal(vars["Message/sent at"], "seq 2");
      await d.custom("elixirscope/goto", { seq: 7 });
      vars = await d.vars();
      assert.equal(vars["Message/to"], "#PID<0.51.0>");
      assert.equal(vars["Message/status"], "in flight", "the recording ends before it arrives");
      const scopes = (await d.dc.scopesRequest({ frameId: (await d.frames())[0].id })).body.scopes;
      assert.deepEqual(
        scopes.map((s) => s.name),
        ["Process state", "Message", "Event"],
      );
    }));

  it("shows a caller's own arguments in its frame, and the Debug Console evaluates in the selected frame", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath(), startAt: "seq:7" });
      const [top, caller] = await d.frames();
      assert.equal((await d.vars(top.id))["Arguments/args[0]"], "1");
      assert.equal((await d.vars(caller.id))["Arguments/args[0]"], '{:reserve, 1, "ann"}');
      assert.equal((await d.evaluate("args[0]", "repl", caller.id)).result, '{:reserve, 1, "ann"}');
      assert.equal((await d.evaluate("args[0]", "repl", top.id)).result, "1");
    }));

  it("replays a recording of two nodes as one, threads named with their node", () =>
    withDap(async (d) => {
      const fixtures = join(__dirname, "../fixtures");
      await d.launch({
        trace: [join(fixtures, "node-a.estrace"), join(fixtures, "node-b.estrace")],
        startAt: "seq:0@b@h",
      });
      const threads = (await d.dc.threadsRequest()).body.threads.map((t) => t.name).sort();
      assert.deepEqual(threads, ["#PID<0.5.0>@a@h", "#PID<0.5.0>@b@h"]);
      const vars = await d.vars();
      assert.equal(vars["Event/node"], "b@h");
      assert.equal(vars["Event/kind"], "receive");
      assert.equal(vars["Message/from"], "#PID<0.5.0>@a@h");
    }));
});
