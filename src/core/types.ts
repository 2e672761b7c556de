// The engine's public types: what a trace holds (events, processes, modules) and what the Replay
// API answers (queries, states, message flows, stacks, source locations). The CLI, the debug adapter,
// the hovers and the webview host all speak these types.

import type { StructLayout } from "./terms/inspect";
import type { Term } from "./terms/term";

export const EVENT_KINDS = [
  "call",
  "return",
  "exception",
  "send",
  "receive",
  "spawn",
  "exit",
  "link",
  "unlink",
  "state",
  "register",
  "unregister",
  "process",
  "overload",
  "unknown",
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** A function: module as its atom name (`Elixir.CinemaDemo.TicketOffice`, `lists`), function, arity. */
export interface Mfa {
  module: string;
  fun: string;
  arity: number;
}

/** A source position. `file` is the path recorded in the trace (before any path mapping). */
export interface SourceLocation {
  file: string;
  line: number;
}

/** Where a call was made from (the `caller_line` match-spec action). */
export interface CallSite {
  mfa?: Mfa;
  file?: string;
  line?: number;
}

/**
 * One event, decoded. `index` is its place in the replay's global order (0-based, across all loaded
 * files); `seq` the sequence number its recorder wrote (unique within `file`).
 */
export interface TraceEvent {
  index: number;
  seq: number;
  /** Index into `Replay.files`. */
  file: number;
  /** Nanoseconds since the earliest recording start of the loaded files. */
  time: number;
  kind: EventKind;
  /** Process id (index into `Replay.processes()`). */
  pid: number;
  /** call/return/exception: the function; state: the callback that produced the state. */
  mfa?: Mfa;
  args?: Term[];
  caller?: CallSite;
  /** return: the returned value. */
  value?: Term;
  /** exception: class (`error`/`throw`/`exit`), reason and stacktrace. */
  exception?: { class: string; reason: Term; stacktrace: Term };
  /** send/receive: the other process, when known (a process id); link/unlink/spawn: the other process. */
  peer?: number;
  /** send: the destination as written (a pid, a registered name, `{name, node}`). */
  to?: Term;
  /** send: `no_process` when the destination did not exist. */
  sendStatus?: "ok" | "no_process";
  message?: Term;
  /** state: the GenServer state after the callback. */
  state?: Term;
  /** exit: the exit reason; spawn: the initial call `{m, f, args}`; register: the name; process/overload: the info map. */
  detail?: Term;
  /** The whole event tuple, for unknown kinds and for export. */
  raw: Term;
}

/** A process seen in the recording. */
export interface ProcessInfo {
  /**
   * The process id: a dense number, and the one way the API names a process (`TraceEvent.pid`,
   * `peer`, message-flow ends, `CallRecord.pid`, flow-page `pids`). Methods that look a process up
   * also read the text forms (`findProcess`), but every answer gives this id.
   */
  id: number;
  /** The pid as text, for display and look-up only: `<0.123.0>`. */
  pid: string;
  node: string;
  /** The registered name (last one registered), if any, as the atom's name. */
  name?: string;
  initialCall?: Mfa;
  /** GenServer (behaviour) module when known (from `state` events or `process` info). */
  module?: string;
  /** Human label: `#PID<0.123.0> TicketOffice` (name, else module, else initial call). */
  label: string;
  parent?: number;
  spawnedAt?: number;
  exitedAt?: number;
  exitReason?: Term;
  /** True when the exit reason is not normal/shutdown. */
  crashed: boolean;
  firstEvent: number;
  lastEvent: number;
  eventCount: number;
}

export interface FunctionInfo {
  name: string;
  arity: number;
  line: number;
  clauseLines: number[];
  /** Per clause, in source order: its line and its parameters' names (null: the pattern binds no simple name). */
  clauses?: FunctionClause[];
  /** The calls it makes in tail position (from debug info), to put tail-called frames at their real line. */
  tailCalls?: Array<{ line: number; callee: Mfa }>;
}

export interface FunctionClause {
  line: number;
  params: Array<string | null>;
}

/**
 * Which clause a call ran: `known` with its 1-based index and line; otherwise `candidates` lists the
 * lines it may have been (every clause when the recorder did not tag the call).
 */
export type ClauseRan =
  | { known: true; index: number; line: number; params: Array<string | null> }
  | { known: false; candidates: number[] };

export interface ModuleInfo {
  module: string;
  source: string;
  functions: FunctionInfo[];
  /** A struct module: its fields in definition order and how its `Inspect` prints it. */
  struct?: StructLayout;
}

/** Header of one loaded trace file. */
export interface TraceFileInfo {
  path: string;
  formatVersion: number;
  node: string;
  recorderVersion: string;
  otpRelease: string;
  elixirVersion: string;
  timeUnit: string;
  /** Wall-clock start, nanoseconds since the Unix epoch. */
  startSystemTimeNs: number;
  /** All header fields, decoded. */
  header: Term;
  events: number;
  bytes: number;
  footer?: Term;
}

/** A frame the reader could not use; everything around it was kept. */
export interface LoadProblem {
  file: string;
  frame: number;
  offset: number;
  message: string;
  /** `file:frame N (byte offset B): problem` */
  text: string;
}

/**
 * A moment in the recording, for programmatic callers: an event index; a recorded sequence number in
 * the file given by index or node (either may be omitted when only one loaded file has that seq); or a
 * time in nanoseconds, the first event at or after it, `tie` picking among events at exactly that time.
 */
export type Moment =
  number | { index: number } | { seq: number; file?: number; node?: string } | { time: number; tie?: number };

/**
 * A query. Every field narrows; omitted fields do not filter.
 * `functions` patterns: `Mod.fun/arity`, `Mod.fun`, `Mod.*`, `Mod.fun/*`, `*.handle_call/3`,
 * Erlang modules as `:lists.map/2`; module names may omit `Elixir.`.
 */
export interface EventFilter {
  pids?: Array<number | string>;
  kinds?: EventKind[];
  functions?: string[];
  timeRange?: { from?: number; to?: number };
  /** Event index range, inclusive. */
  indexRange?: { from?: number; to?: number };
  /** A test on the decoded event; applied last (it forces decoding of the candidates). */
  predicate?: (event: TraceEvent) => boolean;
  limit?: number;
  offset?: number;
  order?: "asc" | "desc";
}

export interface QueryPlan {
  /** `temporal`, `process`, `function`, `kind`, `message-pair`, `state-owner` or `full-scan`. */
  index: string;
  /** How many events the chosen index yields before post-filtering. */
  candidates: number;
  /** Why this index: the candidate counts of the ones considered. */
  considered: Array<{ index: string; candidates: number }>;
}

export interface QueryStatsEntry {
  index: string;
  queries: number;
  candidatesScanned: number;
  results: number;
  totalMs: number;
  maxMs: number;
}

export interface ReplayStats {
  events: number;
  processes: number;
  functions: number;
  decodedCacheSize: number;
  decodedCacheHits: number;
  decodedCacheMisses: number;
  /** Per-line call lists built and kept (only a page deep into a line's calls builds one). */
  lineCallListsKept: number;
  queries: QueryStatsEntry[];
  /** The most recent queries, newest last (bounded). */
  recent: Array<{ index: string; candidates: number; results: number; ms: number }>;
}

export interface StateAt {
  /** The `state` event that set this state (the latest at or before the moment). */
  index: number;
  /** Callback that produced it, e.g. `handle_call/3`. */
  callback?: string;
  state: Term;
}

export interface StateChange {
  index: number;
  time: number;
  callback?: string;
}

/** One difference between two terms, at a path of keys/positions from the root. */
export interface TermDiff {
  /** Path segments: map keys (as terms), list/tuple positions (numbers). */
  path: Array<Term>;
  /** Elixir-like path text: `.seats[12].status`, `[0]`, `["key"]`. */
  pathText: string;
  change: "added" | "removed" | "changed";
  before?: Term;
  after?: Term;
}

/**
 * What became of a message: `delivered`; `queued_at_end`, still in the receiver's mailbox when the
 * recording stopped (it was alive and its receives were recorded, none took it); `never_received`,
 * its receiver ended without taking it; `dead_process`, sent to a process already gone;
 * `unknown_process`, to no process of the recording; `in_flight`, the receiver's receives were not
 * recorded and nothing after the send says more.
 */
export type MessageStatus =
  "delivered" | "in_flight" | "queued_at_end" | "never_received" | "dead_process" | "unknown_process";

export interface MessageFlowEntry {
  send?: number;
  receive?: number;
  from?: number;
  to?: number;
  /** When the destination was a name: the name as written. */
  toName?: string;
  status: MessageStatus;
  sentAt?: number;
  receivedAt?: number;
  /** receivedAt - sentAt in nanoseconds. */
  latencyNs?: number;
}

export interface MessageFlowOptions {
  timeRange?: { from?: number; to?: number };
  limit?: number;
}

export interface StackFrame {
  /** The call event that opened this frame, or -1 for the process's entry point when no call is recorded. */
  callIndex: number;
  mfa?: Mfa;
  /** Where this frame is at the moment: the top frame at the event, callers at the line of their call. */
  location?: SourceLocation;
  depth: number;
}

export type Direction = "forward" | "backward";

/** Breakpoint-like targets the timeline can search for, forward or backward. */
export type TimelineTarget =
  | { kind: "function"; pattern: string; condition?: (e: TraceEvent) => boolean }
  | { kind: "line"; file: string; line: number; condition?: (e: TraceEvent) => boolean }
  | { kind: "exception"; filters: ExceptionFilter[]; condition?: (e: TraceEvent) => boolean }
  | { kind: "stateChange"; pid: number; path: Array<Term> }
  | { kind: "filter"; filter: EventFilter };

export type ExceptionFilter = "raise" | "throw" | "exit" | "crash" | "linked_exit";

export interface LoadProgress {
  file: string;
  bytesRead: number;
  bytesTotal: number;
  events: number;
}

export interface OpenOptions {
  onProgress?: (p: LoadProgress) => void;
  /** Load and index in a worker thread so the caller's event loop stays free (default false). */
  worker?: boolean;
  /** Decoded events kept in the LRU cache (default 4096). */
  cacheSize?: number;
  /** Reuse and save the persistent index `<trace>.esindex` (default true). */
  index?: boolean;
  /** Stops the load (the worker is terminated): `open` rejects with a `LoadCancelledError`. */
  signal?: AbortSignal;
}
