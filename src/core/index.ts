// The engine's public surface: open a recording with `Replay.open` and ask it everything else.

export { Replay } from "./replay";
export { LoadCancelledError, ReplayError, TraceLoadError } from "./errors";
export { TraceBuilder, TraceFileWriter, type HeaderFields, type MfaTuple } from "./writer";
export { frameToJson, jsonToFrame, frameToJsonLine } from "./jsonl";
export { mfaLabel, moduleLabel } from "./store/eventDecode";
export { pathText, valueAt, stateFromReturn } from "./state";
export { sameFile } from "./correlator";
export * from "./types";
export { parseMoment, resolveMoment, edgeHit, MOMENT_FORMS, type MomentSpec } from "./moment";
export { describeEvent, formatTime, formatDuration, processLabeler, type DescribeOptions } from "./describe";
export { ReplayCursor, type CursorChange, type CursorReason, type Disposable } from "./cursor";
export { ReplayCache, type ReplayLease } from "./replayCache";
export type { MailboxAtEnd } from "./mailboxes";
export type { CallRecord, CallOutcome, LineCounts, LineCallsOptions } from "./lineHistory";
export type { FunctionCall, FunctionCallsOptions, FunctionCallSummary } from "./functionCalls";
export type { FlowItem, FlowPage, FlowPageOptions, FlowPageToken } from "./flowPages";
