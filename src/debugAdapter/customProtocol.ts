// The adapter's own requests and events, typed: what each takes and answers. The VS Code extension
// and any other client import this module (types and name constants only, nothing at runtime from the
// DAP libraries), so that a change here is a compile error on both sides. Modelled on
// vscode-js-debug's dapCustom.ts: one entry per request in `CustomRequests`, one per event in
// `CustomEvents`.

import type { FoundEvent } from "../core/inspect/eventSearch";

/** The custom request names. */
export const CustomRequest = {
  goto: "elixirscope/goto",
  position: "elixirscope/position",
  lastChange: "elixirscope/lastChange",
  reverseStepIn: "elixirscope/reverseStepIn",
  reverseStepOut: "elixirscope/reverseStepOut",
  stateChange: "elixirscope/stateChange",
  searchEvents: "elixirscope/searchEvents",
} as const;
export type CustomRequestName = (typeof CustomRequest)[keyof typeof CustomRequest];

/** The custom event names. */
export const CustomEvent = {
  moment: "elixirscope/moment",
} as const;
export type CustomEventName = (typeof CustomEvent)[keyof typeof CustomEvent];

/**
 * Where to go. A bare `seq` is a recorded seq in the first trace file unless `file` names another
 * (several-node recordings); `index` is the event's place in the merged recording; `position` is the
 * shareable text `1a2b3c4d@120`; `moment` is any moment text (`"first crash"`, `"time:1.5ms"`, ...).
 */
export type GotoArguments =
  { seq: number; file?: number } | { index: number } | { position: string } | { moment: string | number };

/** Where the replay stands. */
export interface PositionBody {
  /** Shareable: `elixirscope/goto {position}` comes back here in any session on the same recording. */
  position: string;
  seq: number;
  /** The event's index in the merged recording (what the core's moment and cursor use). */
  index: number;
  /** The thread (process id + 1) of the event. */
  threadId: number;
  /** Nanoseconds on the recording's clock. */
  time: number;
}

/**
 * Which state value: a variable in the Variables view under Process state (`variablesReference` of
 * its container and its `name`, as VS Code sends them for "Break on Value Change"), a `state...`
 * expression at the current moment, or a process and a path.
 */
export type LastChangeArguments =
  | { variablesReference: number; name: string }
  | { expression: string }
  | {
      /** A pid text (`<0.187.0>`), a registered name, or a process id. */
      pid: string | number;
      /** `state.seats[12]`, or keys as tagged JSON terms. */
      path: string | unknown[];
    };

/** Steps of one thread (the stopped one when absent). */
export interface ThreadArguments {
  threadId?: number;
}

/** To the previous or next change of the GenServer state of the thread's process. */
export interface StateChangeArguments extends ThreadArguments {
  direction: "forward" | "backward";
}

export interface SearchEventsArguments {
  /**
   * A seq (`120`), a moment (`first crash`), a function pattern (`TicketOffice.hold/*`), console
   * filters (`pid=TicketOffice kind=call`), or words that the event's description contains.
   */
  query: string;
  /** At most this many (default 50, at most 500). */
  limit?: number;
}

/** One hit of `elixirscope/searchEvents`: the engine's own search result type. */
export type { FoundEvent };

export interface SearchEventsBody {
  events: FoundEvent[];
  /** True when more events matched than were returned. */
  more: boolean;
}

/** Sent after every move: the stop's moment, for views that follow the replay. */
export interface MomentEventBody extends PositionBody {
  /** The stop reason of the move (`step`, `breakpoint`, `goto`, ...). */
  reason: string;
}

/** Each custom request: its arguments and its response body (undefined: none). */
export interface CustomRequests {
  "elixirscope/goto": { args: GotoArguments; body: undefined };
  "elixirscope/position": { args: undefined; body: PositionBody };
  "elixirscope/lastChange": { args: LastChangeArguments; body: undefined };
  "elixirscope/reverseStepIn": { args: ThreadArguments | undefined; body: undefined };
  "elixirscope/reverseStepOut": { args: ThreadArguments | undefined; body: undefined };
  "elixirscope/stateChange": { args: StateChangeArguments; body: undefined };
  "elixirscope/searchEvents": { args: SearchEventsArguments; body: SearchEventsBody };
}

/** Each custom event: its body. */
export interface CustomEvents {
  "elixirscope/moment": MomentEventBody;
}

export type CustomRequestArguments<C extends CustomRequestName> = CustomRequests[C]["args"];
export type CustomResponseBody<C extends CustomRequestName> = CustomRequests[C]["body"];
