// Seeded synthetic trace generator for the benchmarks: `node --import tsx bench/gen.ts --events 1000000
// --seed 1 [--format 3] [--out FILE]`. Realistic shapes: a supervisor spawning hundreds of workers,
// GenServers whose state maps grow, nested calls with call sites, request/reply message pairs, and
// crashes; in trace format 1 (every term whole) or 3 (as today's recorder writes).

import { TraceFileWriter } from "../src/core/writer";
import { atom, bin, map, pid, tuple } from "../src/core/terms/build";
import type { Pid, Term } from "../src/core/terms/term";
import { UNDEFINED } from "../src/core/terms/term";
import { rng } from "./rng";

export interface GenOptions {
  events: number;
  seed: number;
  out: string;
  servers?: number;
  workers?: number;
  /**
   * 3: as today's recorder writes (docs/trace-format.md): an event's own pid as a number, its
   * function as a position in the header's `functions`, a call site as `{function, line}`. The same
   * recording otherwise (the same answers from either). Default 1: every term whole.
   */
  format?: 1 | 3;
}

const NODE = "bench@localhost";
const UTIL = "Elixir.Bench.Util";
const WORKER = "Elixir.Bench.Worker";
const HELPERS = ["parse", "validate", "transform", "score", "lookup", "format", "merge", "split"];

export function generate(opts: GenOptions): { events: number; processes: number } {
  const rand = rng(opts.seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const nServers = opts.servers ?? 20;
  const nWorkers = opts.workers ?? 300;
  const serverMod = (i: number): string => `Elixir.Bench.Server${i}`;
  // Format 3's function table: every function an event names, by position.
  const table: Array<[string, string, number]> = [
    ...Array.from({ length: nServers }, (_, i): Array<[string, string, number]> => [
      [serverMod(i), "init", 1],
      [serverMod(i), "handle_call", 3],
      [serverMod(i), "handle_cast", 2],
    ]).flat(),
    ...HELPERS.map((h): [string, string, number] => [UTIL, h, 2]),
    [WORKER, "run", 1],
    [WORKER, "request", 2],
  ];
  const position = new Map(table.map(([m, f, a], i) => [`${m}.${f}/${a}`, i]));
  const f3 = opts.format === 3;
  const w = new TraceFileWriter(opts.out, {
    node: NODE,
    ...(f3 ? { version: 3 } : {}),
    extra: [
      ["generator", bin(`bench/gen.ts seed ${opts.seed}${f3 ? " format 3" : ""}`)],
      ...(f3
        ? ([
            ["pid_creation", 0],
            ["functions", table.map(([m, f, a]) => tuple(atom(m), atom(f), a))],
          ] as Array<[string, Term]>)
        : []),
    ],
  });
  let seq = 0;
  let time = 0;
  const emit = (kind: string, p: Pid, fields: Term[]): void => {
    time += 1 + Math.floor(rand() * 400);
    w.frame(tuple(atom(kind), seq++, time, f3 ? p.id + 32768 * p.serial : p, ...fields));
  };
  const mfa = (m: string, f: string, a: number): Term =>
    f3 ? position.get(`${m}.${f}/${a}`)! : tuple(atom(m), atom(f), a);
  // Format 3 names the caller's file through the module table, as the recorder does.
  const site = (m: string, f: string, a: number, file: string, line: number): Term =>
    f3 ? tuple(position.get(`${m}.${f}/${a}`)!, line) : tuple(atom(m), atom(f), a, tuple(bin(file), line));

  // Module table: every function the generator calls, with lines.
  for (let i = 0; i < nServers; i++)
    w.frame(
      tuple(atom("module"), atom(serverMod(i)), bin(`/bench/lib/server${i}.ex`), [
        tuple(atom("init"), 1, 10, [10]),
        tuple(atom("handle_call"), 3, 20, [20, 30]),
        tuple(atom("handle_cast"), 2, 40, [40]),
      ]),
    );
  w.frame(
    tuple(
      atom("module"),
      atom(UTIL),
      bin("/bench/lib/util.ex"),
      HELPERS.map((h, k) => tuple(atom(h), 2, 10 + k * 10, [10 + k * 10])),
    ),
  );
  w.frame(
    tuple(atom("module"), atom(WORKER), bin("/bench/lib/worker.ex"), [
      tuple(atom("run"), 1, 5, [5]),
      tuple(atom("request"), 2, 20, [20]),
    ]),
  );

  const sup = pid(NODE, 50, 0);
  emit("register", sup, [atom("Elixir.Bench.Supervisor")]);
  const servers: Array<{ pid: Pid; state: Array<[Term, Term]> }> = [];
  for (let i = 0; i < nServers; i++) {
    const sp = pid(NODE, 100 + i, 0);
    emit("spawn", sup, [sp, tuple(atom(serverMod(i)), atom("init"), [[]])]);
    emit("register", sp, [atom(serverMod(i))]);
    const state: Array<[Term, Term]> = [];
    emit("state", sp, [mfa(serverMod(i), "init", 1), map([[atom("items"), map(state)]])]);
    servers.push({ pid: sp, state });
  }
  let nextPid = 1000;
  const workers: Pid[] = [];
  const spawnWorker = (): Pid => {
    const wp = pid(NODE, nextPid++, 0);
    emit("spawn", sup, [wp, tuple(atom(WORKER), atom("run"), [nextPid])]);
    emit("link", sup, [wp]);
    return wp;
  };
  for (let i = 0; i < nWorkers; i++) workers.push(spawnWorker());

  let refN = 0;
  const nested = (wp: Pid, depth: number, from: [string, string, number, string, number]): void => {
    const h = pick(HELPERS);
    const line = 10 + HELPERS.indexOf(h) * 10;
    emit("call", wp, [mfa(UTIL, h, 2), [Math.floor(rand() * 1000), bin("payload")], site(...from)]);
    if (depth > 0 && rand() < 0.6) nested(wp, depth - 1, [UTIL, h, 2, "/bench/lib/util.ex", line + 3]);
    emit("return", wp, [mfa(UTIL, h, 2), tuple(atom("ok"), Math.floor(rand() * 1000))]);
  };

  while (seq < opts.events) {
    const wi = Math.floor(rand() * workers.length);
    const wp = workers[wi];
    const srv = servers[Math.floor(rand() * servers.length)];
    const mod = serverMod(servers.indexOf(srv));
    emit("call", wp, [
      mfa(WORKER, "request", 2),
      [srv.pid, Math.floor(rand() * 100)],
      site(WORKER, "run", 1, "/bench/lib/worker.ex", 8),
    ]);
    nested(wp, Math.floor(rand() * 4), [WORKER, "request", 2, "/bench/lib/worker.ex", 22]);
    const ref = tuple(atom("ref"), refN++);
    const key = Math.floor(rand() * 64);
    const req = tuple(atom("$gen_call"), tuple(wp, ref), tuple(atom("put"), key, Math.floor(rand() * 1e6)));
    emit("send", wp, [srv.pid, req]);
    emit("receive", srv.pid, [UNDEFINED, req]);
    emit("call", srv.pid, [
      mfa(mod, "handle_call", 3),
      [tuple(atom("put"), key, 0), tuple(wp, ref), atom("state")],
      UNDEFINED,
    ]);
    // The state map grows until it holds 64 keys, then keeps changing.
    const at = srv.state.findIndex(([k]) => k === key);
    const value = bin(`v${Math.floor(rand() * 1e6)}`);
    if (at >= 0) srv.state[at] = [key, value];
    else srv.state.push([key, value]);
    const state = map([[atom("items"), map(srv.state.slice())]]);
    emit("return", srv.pid, [mfa(mod, "handle_call", 3), tuple(atom("reply"), atom("ok"), atom("state"))]);
    emit("state", srv.pid, [mfa(mod, "handle_call", 3), state]);
    const reply = tuple(ref, atom("ok"));
    emit("send", srv.pid, [wp, reply]);
    emit("receive", wp, [UNDEFINED, reply]);
    if (rand() < 0.004) {
      // A crash: the worker raises, dies, and the supervisor starts a new one.
      emit("exception", wp, [mfa(WORKER, "request", 2), tuple(atom("error"), atom("badarith")), []]);
      emit("exit", wp, [tuple(atom("badarith"), [])]);
      workers[wi] = spawnWorker();
    } else emit("return", wp, [mfa(WORKER, "request", 2), atom("ok")]);
  }
  w.close();
  return { events: seq, processes: nextPid - 1000 + nServers + 1 };
}

if (process.argv[1]?.endsWith("gen.ts")) {
  const args = process.argv.slice(2);
  const val = (k: string, d: string): string => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
  const events = Number(val("--events", "1000000"));
  const seed = Number(val("--seed", "1"));
  const format = val("--format", "1") === "3" ? 3 : 1;
  const out = val("--out", `bench/synthetic-${events}-${seed}${format === 3 ? "-f3" : ""}.estrace`);
  const t0 = performance.now();
  const r = generate({ events, seed, out, format });
  process.stdout.write(
    `wrote ${out}: ${r.events} events, ${r.processes} processes in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
}
