// Hand-built traces with known answers, written with the same TraceBuilder that `elixirscope import`
// uses. `ticketTrace` is a tiny cinema: a customer reserves a seat from a TicketOffice GenServer, a
// payment process crashes, and two messages go astray. Tests check exact results against it.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { atom, bin, map, pid, tuple } from "../../src/core/terms/build";
import type { Term } from "../../src/core/terms/term";
import { TraceBuilder, type MfaTuple } from "../../src/core/writer";

export const NODE = "demo@host";
export const CUSTOMER = pid(NODE, 100, 0);
export const OFFICE = pid(NODE, 101, 0);
export const PAYMENT = pid(NODE, 102, 0);

export const TO = "Elixir.Demo.TicketOffice";
export const CU = "Elixir.Demo.Customer";
export const PAY = "Elixir.Demo.Payment";

export const RESERVE: MfaTuple = [TO, "reserve", 2];
export const HANDLE_CALL: MfaTuple = [TO, "handle_call", 3];
export const DO_RESERVE: MfaTuple = [TO, "do_reserve", 2];
export const INIT: MfaTuple = [TO, "init", 1];
export const RUN: MfaTuple = [CU, "run", 1];
export const CHARGE: MfaTuple = [PAY, "charge", 1];

// Keys in the BEAM's order for small maps (term order), as the decoder gives them back.
export const STATE0 = map([
  [atom("n"), 0],
  [atom("seats"), map([[1, atom("free")]])],
]);
export const STATE1 = map([
  [atom("n"), 1],
  [atom("seats"), map([[1, bin("ann")]])],
]);

/** The events, one per seq, with the frame offsets the builder gave them. */
export function ticketTrace(): { builder: TraceBuilder; offsets: number[] } {
  const b = new TraceBuilder({ node: NODE });
  const offsets: number[] = [];
  b.module(TO, "/app/lib/ticket_office.ex", [
    ["init", 1, 5],
    ["reserve", 2, 10],
    ["handle_call", 3, 25, [25, 40]],
    ["do_reserve", 2, 50],
  ]);
  b.module(CU, "/app/lib/customer.ex", [["run", 1, 8]]);
  b.module(PAY, "/app/lib/payment.ex", [["charge", 1, 3]]);
  const ref = tuple(atom("ref"), 1);
  const gen = tuple(atom("$gen_call"), tuple(CUSTOMER, ref), tuple(atom("reserve"), 1, bin("ann")));
  const reply = tuple(ref, atom("ok"));
  const events: Array<() => unknown> = [
    () => b.register(OFFICE, TO), // 0
    () => b.state(OFFICE, INIT, STATE0), // 1
    () => b.call(CUSTOMER, RUN, [1]), // 2
    () => b.call(CUSTOMER, RESERVE, [1, bin("ann")], { mfa: RUN, file: "/app/lib/customer.ex", line: 12 }), // 3
    () => b.send(CUSTOMER, OFFICE, gen), // 4
    () => b.receive(OFFICE, gen), // 5
    () => b.call(OFFICE, HANDLE_CALL, [tuple(atom("reserve"), 1, bin("ann")), tuple(CUSTOMER, ref), STATE0]), // 6
    () =>
      b.call(OFFICE, DO_RESERVE, [1, STATE0], {
        mfa: HANDLE_CALL,
        file: "/app/lib/ticket_office.ex",
        line: 30,
      }), // 7
    () => b.ret(OFFICE, DO_RESERVE, tuple(atom("ok"), STATE1)), // 8
    () => b.ret(OFFICE, HANDLE_CALL, tuple(atom("reply"), atom("ok"), STATE1)), // 9
    () => b.state(OFFICE, HANDLE_CALL, STATE1), // 10
    () => b.send(OFFICE, CUSTOMER, reply), // 11
    () => b.receive(CUSTOMER, reply), // 12
    () => b.ret(CUSTOMER, RESERVE, atom("ok")), // 13
    () => b.ret(CUSTOMER, RUN, atom("ok")), // 14
    () => b.send(CUSTOMER, atom("nobody"), atom("hello")), // 15
    () => b.spawn(CUSTOMER, PAYMENT, [PAY, "charge", [10]]), // 16
    () => b.call(PAYMENT, CHARGE, [10]), // 17
    () => b.exception(PAYMENT, CHARGE, "error", atom("badarith")), // 18
    () => b.exit(PAYMENT, tuple(atom("badarith"), [])), // 19
    () => b.send(CUSTOMER, PAYMENT, atom("late")), // 20
  ];
  for (const e of events) {
    offsets.push(b.byteLength);
    e();
  }
  b.footer([["events", 21]]);
  return { builder: b, offsets };
}

const dirs: string[] = [];
/** Writes bytes to a fresh temporary .estrace file and returns its path. */
export function tempTrace(bytes: Uint8Array, name = "t.estrace"): string {
  const dir = mkdtempSync(join(tmpdir(), "elixirscope-test-"));
  dirs.push(dir);
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

export function ticketTracePath(): string {
  return tempTrace(ticketTrace().builder.toBuffer());
}

export type { Term };
