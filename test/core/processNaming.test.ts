// What the process table calls a process and which exits it counts as crashes, on a hand-built
// trace with known answers: via, :global and :pg names (shown, found, ambiguous), the initial call
// behind `proc_lib`/`gen` starts, and a tool's process that exits abnormally is not the user's crash.

import assert from "node:assert/strict";
import { ProcessNames } from "../../src/core/inspect/processNames";
import { Replay } from "../../src/core/replay";
import { atom, bin, pid, tuple } from "../../src/core/terms/build";
import { TraceBuilder } from "../../src/core/writer";
import { tempTrace } from "../helpers/fixtures";

const N = "n@h";
const ROOT = pid(N, 90, 0);
const ANN = pid(N, 91, 0);
const ANN2 = pid(N, 92, 0);
const SUP = pid(N, 93, 0);
const TOOL = pid(N, 94, 0);
const WORKER = pid(N, 95, 0);
const LEDGER = pid(N, 96, 0);
const C = "Elixir.App.Courier";

function trace(): string {
  const b = new TraceBuilder({ node: N });
  b.module(C, "/app/lib/courier.ex", [
    ["init", 1, 5],
    ["work", 1, 9],
  ]);
  const via = (key: string) =>
    tuple(atom("via"), atom("Elixir.Registry"), tuple(atom("Elixir.App.Reg"), bin(key)));
  // gen_server started by proc_lib: the spawn says proc_lib.init_p/5, the process runs App.Courier.
  const genStart = (child: ReturnType<typeof pid>) =>
    b.spawn(ROOT, child, [
      "proc_lib",
      "init_p",
      [
        ROOT,
        [],
        atom("gen"),
        atom("init_it"),
        [atom("gen_server"), ROOT, ROOT, via("ann"), atom(C), bin("ann"), []],
      ],
    ]);
  genStart(ANN);
  b.event("register", ANN, [via("ann")]);
  b.event("register", ANN, [tuple(atom("pg"), atom("on_duty"))]);
  b.call(ANN, [C, "work", 1], [1]);
  b.exit(ANN, atom("normal"));
  genStart(ANN2);
  b.event("register", ANN2, [via("ann")]);
  b.event("register", ANN2, [tuple(atom("pg"), atom("on_duty"))]);
  // A supervisor: gen.init_it with `supervisor` and {name, SupMod, args}.
  b.spawn(ROOT, SUP, [
    "proc_lib",
    "init_p",
    [
      ROOT,
      [],
      atom("gen"),
      atom("init_it"),
      [
        atom("supervisor"),
        ROOT,
        ROOT,
        atom("supervisor"),
        tuple(atom("self"), atom("Elixir.App.Sup"), []),
        [],
      ],
    ],
  ]);
  b.spawn(ROOT, LEDGER, [
    "proc_lib",
    "init_p",
    [
      ROOT,
      [],
      atom("gen"),
      atom("init_it"),
      [atom("gen_server"), ROOT, ROOT, atom("Elixir.App.Ledger"), [], []],
    ],
  ]);
  b.event("register", LEDGER, [tuple(atom("global"), atom("Elixir.App.Ledger"))]);
  // A tool's process (the compiler evaluating a script) that dies abnormally: not the user's crash.
  b.spawn(ROOT, TOOL, ["elixir_compiler", "eval", [1]]);
  b.exit(TOOL, tuple(atom("badarg"), []));
  // A generic worker that ran the user's code and crashed: the user's.
  b.spawn(ROOT, WORKER, ["Elixir.Task.Supervised", "reply", [1, 2]]);
  b.call(WORKER, [C, "work", 1], [2]);
  b.exit(WORKER, tuple(atom("badarith"), []));
  b.footer([]);
  return tempTrace(b.toBuffer());
}

describe("process names and crashes", () => {
  let r: Replay;
  before(async () => {
    r = await Replay.open(trace());
  });
  after(() => r.close());
  const label = (p: ReturnType<typeof pid>) => r.findProcess(`<0.${p.id}.0>`).label;

  it("a Registry via-name, a :global name and the module a gen start runs label the process", () => {
    assert.equal(label(ANN), '#PID<0.91.0> "ann"');
    assert.equal(label(LEDGER), "#PID<0.96.0> App.Ledger");
    assert.equal(label(SUP), "#PID<0.93.0> App.Sup");
    assert.deepEqual(r.findProcess("<0.91.0>").initialCall, { module: C, fun: "init", arity: 1 });
    // The generic worker is told by the user's function it ran.
    assert.equal(label(WORKER), "#PID<0.95.0> App.Courier.work/1");
    assert.equal(r.findProcess("Ledger").id, r.findProcess("<0.96.0>").id);
  });

  it("names at a moment are indexed on the first question, not when the directory is made", () => {
    let reads = 0;
    const counted = new Proxy(r, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver) as unknown;
        if (typeof v !== "function") return v;
        return (...args: unknown[]) => {
          reads++;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const names = new ProcessNames(counted);
    assert.equal(reads, 0, "a debug launch makes it before its first stop, which names no process");
    const ledger = r.findProcess("<0.96.0>");
    assert.equal(names.nameAt(ledger, ledger.lastEvent), "#PID<0.96.0> App.Ledger");
    assert.ok(reads > 0);
  });

  it("a register event's name is read from what the load kept, the same term its decoding gives", () => {
    let registers = 0;
    for (let i = 0; i < r.eventCount; i++) {
      const e = r.event(i);
      if (e.kind === "register") registers++;
      assert.deepEqual(r.registeredNameOf(i), e.kind === "register" ? e.detail : undefined, `event ${i}`);
    }
    assert.equal(registers, 5);
  });

  it("a name two processes had lists both instead of saying unknown", () => {
    assert.throws(
      () => r.findProcess("ann"),
      /"ann" is ambiguous: 2 processes match \(#PID<0\.91\.0> "ann", #PID<0\.92\.0> "ann"\); give a pid/,
    );
    assert.throws(() => r.findProcess('"ann"'), /ambiguous: 2 processes/);
    assert.throws(() => r.findProcess("pg :on_duty"), /ambiguous: 2 processes/);
    assert.throws(() => r.findProcess("nobody"), /unknown pid "nobody"/);
  });

  it("only the user's processes' abnormal exits are crashes", () => {
    assert.deepEqual(
      r
        .processes()
        .filter((p) => p.crashed)
        .map((p) => p.pid),
      ["<0.95.0>"],
    );
    assert.ok(r.findProcess("<0.94.0>").exitReason !== undefined);
  });
});
