// `elixirscope stack`: the call stack of the process of an event, as the engine reconstructs it.

import { Replay } from "../../core/replay";
import { mfaLabel } from "../../core/store/eventDecode";
import { int, type Parsed, UsageError } from "../args";
import { type Out } from "../options";

export function stack(r: Replay, p: Parsed, json: boolean, out: Out): number {
  const seq = int(p, "seq");
  if (seq === undefined) throw new UsageError("stack: which moment? (--seq N)");
  const at = r.resolveMoment({ seq });
  const frames = r.stackAt(at);
  if (json) {
    out(
      JSON.stringify(
        frames.map((f) => ({
          function: f.mfa ? mfaLabel(f.mfa) : undefined,
          file: f.location ? r.displayFile(f.location.file) : undefined,
          line: f.location?.line,
          call_seq: f.callIndex >= 0 ? r.event(f.callIndex).seq : undefined,
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  const e = r.event(at);
  out(`${r.process(e.pid).label} at seq ${e.seq} (${e.kind}):`);
  for (const f of frames)
    out(
      `  ${f.mfa ? mfaLabel(f.mfa) : "(no traced function)"}${f.location ? `  ${r.displayFile(f.location.file)}:${f.location.line}` : "  (no source)"}`,
    );
  return 0;
}
