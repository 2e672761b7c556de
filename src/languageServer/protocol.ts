// The ElixirScope extensions to LSP, typed once for the server, the VS Code client and the tests:
// moving the replay's moment, asking where it stands, listing a function's calls, and the lines to
// dim. Plus the settings a client passes (initializationOptions or `elixirscope` configuration).

import { NotificationType, RequestType, RequestType0 } from "vscode-languageserver-protocol";

/** A moment: an event index, or a shared position text (`1a2b3c4d@120`). */
export interface MomentParams {
  index?: number;
  position?: string;
}

export interface MomentInfo {
  index?: number;
  position?: string;
  /** One line: what happens at the moment. */
  description?: string;
}

/** Client → server: the replay's current moment moved (from a client that is not VS Code, or a test). */
export const SetMomentNotification = new NotificationType<MomentParams>("elixirscope/setMoment");
/** Client → server: where the replay stands. */
export const MomentRequest = new RequestType0<MomentInfo, void>("elixirscope/moment");
/** Server → client: the moment moved (after setMoment or the goto command). */
export const MomentChangedNotification = new NotificationType<MomentInfo>("elixirscope/momentChanged");

export interface CallsParams {
  uri: string;
  /** 0-based line of a function head. */
  line: number;
  /** Which function when the head stands for several arities (defaults). */
  arity?: number;
  limit?: number;
}

export interface CallItem {
  index: number;
  position: string;
  /** `hold(3, "alice") → :ok` */
  label: string;
  /** `#PID<0.120.0> · 1.2 ms · 00:00.012` */
  detail: string;
  /** Where the call was made from, when recorded (a workspace uri). */
  location?: { uri: string; line: number };
}

export interface CallsResult {
  function: string;
  total: number;
  calls: CallItem[];
}

/** Client → server: the recorded calls of the function whose head is at `uri:line`, most recent first. */
export const CallsRequest = new RequestType<CallsParams, CallsResult | null, void>("elixirscope/calls");

/** Server → client: ranges of functions that never ran in the recording (when `dimUnexecuted`). */
export interface DimmedParams {
  uri: string;
  ranges: Array<{ start: number; end: number }>;
}
export const DimmedNotification = new NotificationType<DimmedParams>("elixirscope/dimmed");

/** Server commands (workspace/executeCommand), for clients without their own. */
export const COMMANDS = {
  goto: "elixirscope.lsp.goto",
  showCalls: "elixirscope.lsp.showCalls",
} as const;

/** Client-side commands a VS Code client provides (hover links and lenses call these). */
export const CLIENT_COMMANDS = {
  goto: "elixirscope.goto",
  showCalls: "elixirscope.showCalls",
} as const;

export interface Settings {
  /** Elements shown per collection in values (Elixir's `:limit`). */
  printLimit: number;
  /** Most recent calls listed in a hover. */
  recentCalls: number;
  /** Send `elixirscope/dimmed` for functions that never ran. */
  dimUnexecuted: boolean;
  /** The client runs `elixirscope.goto`/`elixirscope.showCalls` itself (VS Code): links use them. */
  clientCommands: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  printLimit: 10,
  recentCalls: 5,
  dimUnexecuted: false,
  clientCommands: false,
};

/** Settings from untrusted client input: unknown or ill-typed fields keep their defaults. */
export function readSettings(raw: unknown, base: Settings = DEFAULT_SETTINGS): Settings {
  const o = raw !== null && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
  const posInt = (v: unknown, d: number): number =>
    typeof v === "number" && Number.isInteger(v) && v > 0 && v <= 10_000 ? v : d;
  const bool = (v: unknown, d: boolean): boolean => (typeof v === "boolean" ? v : d);
  return {
    printLimit: posInt(o.printLimit, base.printLimit),
    recentCalls: posInt(o.recentCalls, base.recentCalls),
    dimUnexecuted: bool(o.dimUnexecuted, base.dimUnexecuted),
    clientCommands: bool(o.clientCommands, base.clientCommands),
  };
}
