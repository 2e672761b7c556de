// The Cinema Demo recording the suites replay, opened a second time with the core API, and the demo's
// sources: every moment, count and line a suite expects is derived from these, never pinned, so the
// suites hold for any faithful recording of the demo (a re-recording changes every seq and count).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Replay, valueAt } from "../../src/core";
import { Atom, ErlMap, Tuple, type Term } from "../../src/core/terms";
import { inspect } from "../../src/core/terms/inspect";

export const DEMO_TRACE = "traces/double_booking.estrace";

export interface Demo {
  replay: Replay;
  /** The ticket office's process id (the GenServer the demo's bug lives in). */
  office: number;
  /** Event indices of the office's state changes made by handle_call/3, in order. */
  officeStates: number[];
  /** The recorded seq of an event index. */
  seq(index: number): number;
  /** The office's state in force at an event index. */
  stateAt(index: number): Term;
  /** The recorded path of ticket_office.ex (the key of per-line queries). */
  recordedOffice: string;
}

export async function openDemo(workspaceDir: string): Promise<Demo> {
  const replay = await Replay.open(join(workspaceDir, DEMO_TRACE));
  const office = replay.findProcess("CinemaDemo.TicketOffice").id;
  const officeStates = replay
    .stateHistory(office)
    .filter((c) => c.callback === "handle_call/3")
    .map((c) => c.index);
  assert.ok(officeStates.length >= 6, `the office's handle_call state changes: ${officeStates.length}`);
  const recordedOffice = replay.sourceFiles().find((f) => f.endsWith("cinema_demo/ticket_office.ex"));
  assert.ok(recordedOffice, "the recording has events in ticket_office.ex");
  return {
    replay,
    office,
    officeStates,
    seq: (i) => replay.event(i).seq,
    stateAt: (i) => {
      const s = replay.getStateAt(office, { index: i });
      assert.ok(s, `the office has a state at index ${i}`);
      return s.state;
    },
    recordedOffice,
  };
}

/** A field of a map term with atom keys (`state.sold`). */
export function field(term: Term | undefined, name: string): Term | undefined {
  return valueAt(term, [Atom.of(name)]);
}

/** The seats held at that state, as the Variables view shows them: `1 => {:held, "early-1"`. */
export function heldSeats(state: Term): string[] {
  const seats = field(state, "seats");
  assert.ok(seats instanceof ErlMap, "state.seats is a map");
  return seats.entries.flatMap(([seat, v]) =>
    v instanceof Tuple && v.elements[0] === Atom.of("held")
      ? [`${inspect(seat)} => {:held, ${inspect(v.elements[1])}`]
      : [],
  );
}

/** 1-based numbers of the lines of a source file that match `pattern`, read from the file itself. */
export function sourceLines(file: string, pattern: RegExp): number[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .flatMap((text, i) => (pattern.test(text) ? [i + 1] : []));
}

/** The line of `def handle_call({:hold, ...})` in the workspace's ticket_office.ex. */
export function holdLine(officeFile: string): number {
  const [line] = sourceLines(officeFile, /^\s*def handle_call\(\{:hold,/);
  assert.ok(line, "ticket_office.ex has a handle_call({:hold, ...}) clause");
  return line;
}
