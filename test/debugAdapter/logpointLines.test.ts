// A logpoint's lines from the fast path (a line's calls straight from the index lists, scopes of just
// the names a message reads, one logpoint's hits used in place) against the plain definition: every
// event at the line, kept when it is a call, rendered in the whole scope. Pages and streamed chunks
// put together give every line once, in order.

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "../../bench/gen";
import { EventScopes, SCOPE_NAMES } from "../../src/core/inspect/eventScope";
import { namesOf, parseExpr } from "../../src/core/inspect/expression";
import { compileLogMessage } from "../../src/core/inspect/logMessage";
import { Replay } from "../../src/core/replay";
import { Breakpoints } from "../../src/debugAdapter/breakpoints";
import { TRACES } from "./dapClient";

describe("debug adapter: logpoint lines", function () {
  this.timeout(120_000);
  const replays: Array<[string, Replay]> = [];
  before(async () => {
    const gen = join(mkdtempSync(join(tmpdir(), "elixirscope-loglines-")), "gen.estrace");
    generate({ events: 8000, seed: 11, out: gen, servers: 3, workers: 8 });
    replays.push(["generated", await Replay.open(gen, { index: false })]);
    for (const t of ["double_booking", "payment_crash"])
      replays.push([t, await Replay.open(join(TRACES, `${t}.estrace`), { index: false })]);
  });
  after(() => replays.forEach(([, r]) => r.close()));

  /** Every recorded line of every file, with the file. */
  const allLines = (r: Replay): Array<[string, number]> =>
    [...new Set([...r.modules().map((m) => m.source), ...r.sourceFiles()])]
      .filter((f): f is string => typeof f === "string")
      .flatMap((f) => r.linesWithEvents(f).map((l): [string, number] => [f, l]));

  it("takes a line's calls straight from the index lists, as filtering its events would", () => {
    for (const [name, r] of replays) {
      const lines = allLines(r);
      assert.ok(lines.length > 10, `${name}: lines with events`);
      let calls = 0;
      for (const [file, line] of lines) {
        const expected = r.eventsAt(file, line).filter((i) => r.kindOf(i) === "call");
        assert.deepEqual(r.callsAt(file, line), expected, `${name} ${file}:${line}`);
        calls += expected.length;
      }
      assert.ok(calls > 0, `${name}: some line has calls`);
    }
  });

  it("gives a scope of built-in names the values of the whole scope", () => {
    for (const [name, r] of replays) {
      const scopes = new EventScopes(r);
      const names = SCOPE_NAMES.filter((n) => n !== "state");
      const narrow = scopes.reading(names);
      const step = Math.max(1, Math.floor(r.eventCount / 400));
      for (let i = 0; i < r.eventCount; i += step) {
        const e = r.event(i);
        const whole = scopes.of(e);
        const part = narrow(e);
        assert.deepEqual(Object.keys(part), names, `${name} #${i}`);
        for (const n of names) assert.deepEqual(part[n], whole[n], `${name} #${i} ${n}`);
        // `state` stays lazy and agrees; a name the scope does not have is read from the whole one.
        assert.deepEqual(scopes.reading(["state"])(e).state, whole.state, `${name} #${i} state`);
        assert.deepEqual(Object.keys(scopes.reading(["args", "nope"])(e)), Object.keys(whole));
      }
    }
  });

  it("names what an expression reads", () => {
    const names = (src: string): string[] => [...namesOf(parseExpr(src))].sort();
    assert.deepEqual(names("args[0] == 1 and not (seq > x)"), ["args", "seq", "x"]);
    assert.deepEqual(names("{pid, %{a: name}, [state.items[k]], -n, length(msg)}"), [
      "k",
      "msg",
      "n",
      "name",
      "pid",
      "state",
    ]);
    assert.deepEqual(names(':ok == "text"'), []);
  });

  it("prints the lines the plain definition gives, page after page, each once and in order", () => {
    const messages = ["{args}", "{seq} {name} {pid} {fun} {args[0]}", "{kind}/{module}: {msg} {from} {to}"];
    for (const [name, r] of replays) {
      const scopes = new EventScopes(r);
      let printed = 0;
      for (const [file, line] of allLines(r)) {
        for (const logMessage of messages) {
          const bps = new Breakpoints(r, scopes, undefined, () => undefined);
          const { logs } = bps.setSource(file, [{ line, logMessage }]);
          const render = compileLogMessage(logMessage);
          const expected = r
            .eventsAt(file, line)
            .filter((i) => r.kindOf(i) === "call")
            .map((i) => `${i}:${line}:${render(scopes.of(r.event(i)))}`);
          // As the adapter prints them: a first page, then chunks (odd sizes, to cross every edge).
          const got: string[] = [];
          for (let from = 0, size = 7; from < logs.count; from += size, size = 13)
            got.push(...logs.lines(from, from + size).map((l) => `${l.index}:${l.line}:${l.text}`));
          assert.deepEqual(got, expected, `${name} ${file}:${line} ${logMessage}`);
          printed += got.length;
        }
      }
      assert.ok(printed > 0, `${name}: printed some lines`);
    }
  });
});
