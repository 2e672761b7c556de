// Cross-language: record the Parcel Depot (examples/parcel_depot) with the real recorder during the
// test run and check what the engine shows against what the program really did.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Replay } from "../../src/core/replay";
import { viewStack } from "../../src/core/inspect/frames";
import { ProcessNames } from "../../src/core/inspect/processNames";
import { exceptionInfo } from "../../src/core/inspect/exceptions";
import { main } from "../../src/cli/main";
import { EventScopes } from "../../src/core/inspect/eventScope";
import { evalExpr, parseExpr, truthy } from "../../src/core/inspect/expression";
import { termEquals } from "../../src/core/terms/equal";
import { inspect } from "../../src/core/terms/inspect";
import { Atom, ErlMap, type Term } from "../../src/core/terms/term";
import { mix } from "../helpers/mix";

export const DEPOT = join(__dirname, "../../examples/parcel_depot");
const dir = mkdtempSync(join(tmpdir(), "elixirscope-depot-"));

/** Records a Parcel Depot scenario into a fresh file (`opts` is an Elixir keyword list for the recorder). */
export function recordDepot(name: string, opts = "[]"): string {
  const out = join(dir, `${name}.estrace`);
  mix(DEPOT, ["run", "-e", `ParcelDepot.Scenarios.record(:${name}, ${JSON.stringify(out)}, ${opts})`]);
  return out;
}

/** The 1-based line of the first line of `file` (in the depot's lib/) containing `text`. */
export function lineOf(file: string, text: string): number {
  const lines = readFileSync(join(DEPOT, "lib/parcel_depot", file), "utf8").split("\n");
  const i = lines.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `${text} not in ${file}`);
  return i + 1;
}

describe("Parcel Depot recorded by the real recorder", function () {
  this.timeout(240_000);
  let r: Replay;
  before(async () => {
    r = await Replay.open(recordDepot("day"));
  });
  after(() => r?.close());

  it("loads with no problems and records what the day did", () => {
    assert.deepEqual(r.problems, []);
    const prices = r.getEvents({ functions: ["ParcelDepot.Pricing.price/1"], kinds: ["return"] });
    // Five parcels priced directly, by total/1 and by quote_all/1's tasks.
    assert.equal(prices.length, 15);
    const direct = prices.slice(0, 5).map((e) => inspect(e.value!));
    assert.deepEqual(direct, ["{:error, :no_weight}", "{:ok, 90}", "{:ok, 28}", "{:ok, 32}", "{:ok, 12}"]);
    const total = r.getEvents({ functions: ["ParcelDepot.Pricing.total/1"], kinds: ["return"] });
    assert.deepEqual(
      total.map((e) => inspect(e.value!)),
      ["162"],
    );
  });

  it("each call to a function of several clauses is shown at the clause that ran", () => {
    const src = "pricing.ex";
    const clauseLines = [
      "def price(%{weight: weight}) when weight <= 0",
      "def price(%{weight: weight, express: true}) when weight > 20",
      "def price(%{weight: weight, express: true}), do",
      "def price(%{weight: weight}) when is_integer(weight)",
      "def price(%{weight: weight}), do",
    ].map((t) => lineOf(src, t));
    const calls = r.getEvents({ functions: ["ParcelDepot.Pricing.price/1"], kinds: ["call"] });
    // Each call ran the clause its parcel's guards pick, and the five parcels ran clauses 1..5 the
    // same number of times. Not checked in call order: a concurrent quote (Task.async_stream) prices
    // parcels in parallel, so calls of different parcels interleave.
    const ran = calls.map((e) => r.clauseOf(e.index));
    for (const [i, c] of ran.entries()) {
      assert.ok(c?.known, `call ${i}: clause unknown`);
      assert.equal(c.line, clauseLines[priceClause(calls[i].args![0]) - 1], `call ${i}`);
    }
    const perClause = clauseLines.map((line) => ran.filter((c) => c?.known && c.line === line).length);
    assert.deepEqual(perClause, clauseLines.map(() => calls.length / 5), "each parcel priced as often");
    // The return's line, and a breakpoint on clause 4's line hits only the calls that ran it.
    const ret = r.getEvents({ functions: ["ParcelDepot.Pricing.price/1"], kinds: ["return"] })[3];
    assert.equal(r.locationOf(ret.index)?.line, clauseLines[3]);
    const hits = r.eventsAt(`lib/parcel_depot/${src}`, clauseLines[3]).filter((i) => r.kindOf(i) === "call");
    assert.deepEqual(
      hits.map((i) => inspect(r.event(i).args![0])),
      ["%{weight: 22}", "%{weight: 22}", "%{weight: 22}"],
    );
    // A clause the recorder cannot tell apart ("A" <> _ is only "a binary" to a match spec): unknown,
    // with the lines it may have been; names still come from every candidate that agrees.
    const zone = r.getEvents({ functions: ["ParcelDepot.Pricing.zone/1"], kinds: ["call"] })[0];
    const z = r.clauseOf(zone.index);
    assert.ok(z && !z.known);
    assert.deepEqual(z.candidates, [lineOf(src, 'def zone("A" <> _)'), lineOf(src, "def zone(code)"), lineOf(src, "def zone(_code)")]);
  });

  it("parameter names come from the clause heads", () => {
    const total = r.getEvents({ functions: ["ParcelDepot.Pricing.total/2"], kinds: ["call"] })[0];
    assert.deepEqual(r.paramNames(total.index), [null, "acc"]);
    const load = r.getEvents({ functions: ["ParcelDepot.Courier.handle_call/3"], kinds: ["call"] })[0];
    assert.deepEqual(r.paramNames(load.index), [null, null, "state"]);
    const fn = r.moduleInfo("Elixir.ParcelDepot.Pricing")!.functions.find((f) => f.name === "total" && f.arity === 1)!;
    assert.deepEqual(fn.clauses, [{ line: lineOf("pricing.ex", "def total(parcels)"), params: ["parcels"] }]);
  });

  it("expressions and conditions read the arguments by their source names", () => {
    const scopes = new EventScopes(r);
    const calls = r.getEvents({ functions: ["ParcelDepot.Pricing.total/2"], kinds: ["call"] });
    assert.ok(calls.length >= 2);
    for (const c of calls) {
      const scope = scopes.of(c);
      // `acc` is args[1], the running total, at the call and at events inside it.
      assert.ok(termEquals(evalExpr(parseExpr("acc"), scope), c.args![1]));
      assert.equal(truthy(evalExpr(parseExpr("acc == args[1]"), scope)), true);
    }
    // A condition on the name picks the calls whose running total was over 100.
    const over = calls.filter((c) => truthy(evalExpr(parseExpr("acc > 100"), scopes.of(c))));
    assert.deepEqual(
      over.map((c) => c.args![1]),
      calls.map((c) => c.args![1]).filter((a) => (a as number) > 100),
    );
    // Inside the call (its return), the names still stand for the call's arguments.
    const ret = r.getEvents({ functions: ["ParcelDepot.Pricing.total/1"], kinds: ["return"] })[0];
    const parcels = evalExpr(parseExpr("parcels"), scopes.of(ret));
    assert.equal(inspect(parcels), inspect(r.event(r.getEvents({ functions: ["ParcelDepot.Pricing.total/1"], kinds: ["call"] })[0].index).args![0]));
    // A name no clause of the running function binds is unknown, plainly.
    assert.throws(() => evalExpr(parseExpr("seat"), scopes.of(ret)), /unknown name "seat"/);
  });

  it("a frame stands at the clause its call ran", () => {
    const deliver = lineOf("courier.ex", "def handle_call(:deliver");
    const ret = r
      .getEvents({ functions: ["ParcelDepot.Courier.handle_call/3"], kinds: ["return"] })
      .find((e) => /^\{:reply, 2,/.test(inspect(e.value!)))!;
    assert.equal(r.stackAt(ret.index)[0].location?.line, deliver);
  });

  it("tail calls are shown where they were made, with no phantom frames", () => {
    const calls = r.getEvents({ functions: ["ParcelDepot.Pricing.total/2"], kinds: ["call"] });
    // total/1 tail-calls total/2: the BEAM reports total/1's own caller; the engine puts it back.
    assert.equal(calls[0].caller?.mfa?.fun, "total");
    assert.equal(calls[0].caller?.mfa?.arity, 1);
    assert.equal(calls[0].caller?.line, lineOf("pricing.ex", "def total(parcels), do: total(parcels, 0)"));
    // total/2 tail-calls itself from two branches of one clause: which one cannot be told, so no
    // line is claimed — but the caller is total/2 in pricing.ex, never the scenario's line.
    for (const c of calls.slice(1)) {
      assert.equal(c.caller?.mfa?.fun, "total");
      assert.equal(c.caller?.mfa?.arity, 2);
      assert.equal(c.caller?.line, undefined);
    }
    // The producer's loop: one tail call, its line.
    const produce = r.getEvents({ functions: ["ParcelDepot.Pipeline.produce/4"], kinds: ["call"] });
    assert.equal(produce.length, 4);
    const loopLine = lineOf("pipeline.ex", "produce(stage, batches - 1, size, n + size)");
    assert.deepEqual(
      produce.slice(1).map((e) => e.caller?.line),
      [loopLine, loopLine, loopLine],
    );
    // Inside the deepest total/2 the adapter's stack has one frame per real call, and no invented
    // "(not traced)" frame between them.
    const price = r.getEvents({ functions: ["ParcelDepot.Pricing.price/1"], kinds: ["call"] })[9];
    const names = viewStack(r, price.index, "(top)").map((f) => f.name);
    assert.deepEqual(names.slice(0, 7), [
      "ParcelDepot.Pricing.price/1",
      ...Array(5).fill("ParcelDepot.Pricing.total/2"),
      "ParcelDepot.Pricing.total/1",
    ]);
    assert.equal(names.filter((n) => n.endsWith("(not traced)")).length, 1, names.join(" | "));
  });

  it("state comes from the behaviour each process runs: gen_statem, bare gen_server, Agent, stage", () => {
    const states = (label: string): string[] => {
      const p = r.processes().find((x) => x.label.endsWith(` ${label}`));
      assert.ok(p, `no process ${label}`);
      return r.stateHistory(p.id).map((h) => inspect(r.getStateAt(p.id, h.index)!.state));
    };
    // The door: state name and data, the name carried over by keep_state.
    assert.deepEqual(states("ParcelDepot.Door"), [
      '{:closed, %{bad: 0, code: "1234", trucks: 0}}',
      '{:closed, %{bad: 1, code: "1234", trucks: 0}}',
      '{:open, %{bad: 0, code: "1234", trucks: 1}}',
      '{:closed, %{bad: 0, code: "1234", trucks: 1}}',
      '{:closed, %{bad: 0, code: "1234", trucks: 1}}',
    ]);
    // A gen_server with no @behaviour still has its state.
    assert.deepEqual(states("ParcelDepot.Ledger"), ["%{}", '%{"ann" => 8}', '%{"ann" => 8}', '%{"ann" => 8}']);
    // The Agent: Agent.Server's callbacks, in the Agent's own process.
    assert.equal(states("ParcelDepot.Stats").at(-1), "%{delivered: 3}");
    // The stage process runs ParcelDepot.Stage: its state is the wrapper, never the events the
    // user's callbacks return beside their state.
    const stage = states("ParcelDepot.Stage");
    assert.ok(stage.length >= 5);
    for (const st of stage) assert.match(st, /^%ParcelDepot\.Stage\{/);
  });

  it("a wrapping behaviour's process shows the user's state first, the wrapper on demand", async () => {
    const stage = r.processes().find((p) => p.label.endsWith(" ParcelDepot.Stage"))!;
    const last = r.stateHistory(stage.id).at(-1)!;
    const wrapped = r.getStateAt(stage.id, last.index)!.state;
    const w = r.userState(wrapped)!;
    assert.equal(w.wrapper, "Elixir.ParcelDepot.Stage");
    assert.equal(w.module, "Elixir.ParcelDepot.Sorter");
    assert.match(inspect(w.user), /^%\{batches: \d+, limit: .*, weight: \d+\}$/);
    // A plain GenServer's state wraps nothing.
    const ledger = r.findProcess("Ledger");
    assert.equal(r.userState(r.getStateAt(ledger.id, r.stateHistory(ledger.id).at(-1)!.index)!.state), undefined);
    // The CLI: the user's state, and the wrapper with --raw.
    const lines: string[] = [];
    await main(["state", r.files[0].path, stage.pid], (t) => lines.push(t));
    assert.match(lines[0], /ParcelDepot\.Sorter's state inside %ParcelDepot\.Stage\{\}; --raw shows the wrapper/);
    assert.match(lines[1], /init\/1\s+%\{batches: 0/);
    const raw: string[] = [];
    await main(["state", r.files[0].path, stage.pid, "--raw"], (t) => raw.push(t));
    assert.match(raw[1], /init\/1\s+%ParcelDepot\.Stage\{/);
  });

  it("a gen_event manager's state is its handlers' states, by handler", () => {
    const events = r.findProcess("ParcelDepot.Events");
    const states = r.stateHistory(events.id).map((h) => inspect(r.getStateAt(events.id, h.index)!.state));
    assert.deepEqual(states, [
      "%{ParcelDepot.Alarms => %{late: []}}",
      '%{ParcelDepot.Alarms => %{late: ["bob"]}}',
      '%{ParcelDepot.Alarms => %{late: ["bob"]}}',
    ]);
    assert.deepEqual(
      r.stateHistory(events.id).map((h) => h.callback),
      ["init/1", "handle_event/2", "handle_call/2"],
    );
  });

  it("stepping back from the first event after init/1 goes into init's events", () => {
    const bob = r.findProcess("bob");
    const init = r.getEvents({ pids: [bob.id], functions: ["ParcelDepot.Courier.init/1"], kinds: ["return"] })[0];
    const after = r.nextInProcess(init.index, "forward")!;
    assert.equal(r.step(after, "over", "backward"), init.index);
    // And on back through init's own events, not out of the process.
    assert.ok(r.step(init.index, "over", "backward")! < init.index);
  });

  it("the couriers' state follows their loads and deliveries", () => {
    const couriers = r.processes().filter((p) => p.module === "Elixir.ParcelDepot.Courier");
    assert.equal(couriers.length, 2);
    const finals = couriers.map((c) => {
      const h = r.stateHistory(c.id);
      return inspect(r.getStateAt(c.id, h[h.length - 1].index)!.state);
    });
    assert.deepEqual(finals.sort(), [
      '%{delivered: 1, name: "ann", van: []}',
      '%{delivered: 2, name: "bob", van: []}',
    ]);
  });

  it("processes are shown and found by their Registry, :global and :pg names", () => {
    // The couriers: registered only through {:via, Registry, {ParcelDepot.Couriers, name}}.
    const couriers = r.processes().filter((p) => p.module === "Elixir.ParcelDepot.Courier");
    assert.deepEqual(couriers.map((p) => p.label.replace(/^#PID<[\d.]+> /, "")).sort(), ['"ann"', '"bob"']);
    for (const name of ["ann", "bob"]) {
      const p = r.findProcess(name);
      assert.equal(r.findProcess(`"${name}"`).id, p.id);
      assert.equal(p.module, "Elixir.ParcelDepot.Courier");
      // The courier's state says whose van it is: the name belongs to the right process.
      const last = r.stateHistory(p.id).at(-1)!;
      assert.match(inspect(r.getStateAt(p.id, last.index)!.state), new RegExp(`name: "${name}"`));
      // Every view names it so, the debugger's threads too, even after it joined its :pg group.
      const names = new ProcessNames(r);
      assert.equal(names.nameAt(p, p.lastEvent), p.label);
    }
    // The ledger's :global name is its name.
    assert.match(r.findProcess("ParcelDepot.Ledger").label, / ParcelDepot\.Ledger$/);
    assert.equal(r.findProcess("Ledger").id, r.findProcess("ParcelDepot.Ledger").id);
    // A name several processes had lists them instead of saying "unknown".
    assert.throws(
      () => r.findProcess("pg :on_duty"),
      (e: Error) => /is ambiguous: 2 processes match \(#PID<[\d.]+> "(ann|bob)", #PID<[\d.]+> "(ann|bob)"\)/.test(e.message),
    );
    assert.throws(() => r.findProcess("Courier"), /is ambiguous: 2 processes match/);
  });

  it("an unnamed process is labelled by what it runs, never :proc_lib.init_p/5", () => {
    for (const p of r.processes()) assert.doesNotMatch(p.label, /proc_lib|Task\.Supervised\.reply/, p.label);
    // Task.async_stream's five workers each priced a parcel.
    const workers = r.processes().filter((p) => p.label.endsWith(" ParcelDepot.Pricing.price/1"));
    assert.equal(workers.length, 5);
    // The pipeline's processes were spawned with funs of ParcelDepot.Pipeline.
    assert.ok(r.processes().some((p) => p.label.endsWith(" fn in ParcelDepot.Pipeline")));
    // Nothing the day did crashed.
    assert.deepEqual(
      r.processes().filter((p) => p.crashed).map((p) => p.label),
      [],
    );
  });

  it("the pipeline's loader counted every parcel the stage emitted", () => {
    const loaded = r.getEvents({
      kinds: ["send"],
      predicate: (e) => /^\{:loaded, /.test(inspect(e.message!)),
    });
    assert.deepEqual(
      loaded.map((e) => inspect(e.message!)),
      ["{:loaded, 12, 287}"],
    );
  });
});

describe("Parcel Depot's crash: an exception where it happened", function () {
  this.timeout(240_000);
  let r: Replay;
  before(async () => {
    r = await Replay.open(recordDepot("crash"));
  });
  after(() => r?.close());

  it("stops at the line that raised and shows the stacktrace the crash carried", () => {
    const raiseLine = lineOf("labels.ex", "raise(ArgumentError");
    const exc = r.getEvents({ kinds: ["exception"], functions: ["ParcelDepot.Labels.check!/1"] });
    assert.equal(exc.length, 1);
    const at = exc[0].index;
    // Not the `def check!` line: the line of the raise.
    assert.equal(r.locationOf(at)?.line, raiseLine);
    assert.notEqual(raiseLine, lineOf("labels.ex", "def check!"));
    assert.equal(r.stackAt(at)[0].location?.line, raiseLine);
    // The Exception scope's stacktrace, as Elixir prints one.
    const info = exceptionInfo(r, at, (id) => r.process(id).label);
    assert.match(info.details.stackTrace ?? "", new RegExp(`labels\\.ex:${raiseLine}: ParcelDepot\\.Labels\\.check!/1`));
    assert.match(info.details.message, /ArgumentError/);
    // The process it ended is the user's, and crashed.
    assert.deepEqual(
      r.processes().filter((p) => p.crashed).map((p) => p.id),
      [exc[0].pid],
    );
  });
});

describe("Parcel Depot recorded by the mix task, every new process traced", function () {
  this.timeout(240_000);

  it("ports record cleanly: no port traced as a process, its messages received by their owner", async () => {
    const out = join(dir, "task.estrace");
    mix(DEPOT, ["elixir_scope.record", "--out", out, "-e", "ParcelDepot.Scenarios.run(:day)"]);
    const r = await Replay.open(out);
    try {
      assert.deepEqual(r.problems, []);
      // Labels.stamp/1 sent a line to `head -n 1` and got it back, then its exit status.
      const got = r.getEvents({ kinds: ["receive"], predicate: (e) => /\{:data, "STAMP B2\\n"\}/.test(inspect(e.message!)) });
      assert.equal(got.length, 1);
      const status = r.getEvents({ kinds: ["receive"], predicate: (e) => /\{:exit_status, 0\}/.test(inspect(e.message!)) });
      assert.ok(status.length >= 1);
    } finally {
      r.close();
    }
  });
});

/** The clause of `ParcelDepot.Pricing.price/1` (1-based) a parcel runs, by the guards in pricing.ex. */
function priceClause(parcel: Term): number {
  const field = (k: string): Term | undefined =>
    parcel instanceof ErlMap ? parcel.entries.find(([key]) => key === Atom.of(k))?.[1] : undefined;
  const weight = field("weight");
  const express = field("express") === Atom.of("true");
  assert.equal(typeof weight, "number", `a parcel's weight: ${inspect(parcel)}`);
  const w = weight as number;
  if (w <= 0) return 1;
  if (express) return w > 20 ? 2 : 3;
  return w > 20 ? 4 : 5;
}
