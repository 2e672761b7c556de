// The call stack a debugger shows at a moment, built from the engine's reconstructed stack: the top
// frame at its function, each caller at the line it made the call from. A call that went through
// functions the recorder did not trace (`Enum.map/2` calling back into our code) gets a frame of its
// own for the untraced caller at its recorded line, and the traced frame below it shows its
// definition marked as approximate, instead of a line in someone else's file. The outermost traced
// frame's untraced caller (`:gen_server.try_handle_call/4`) closes the stack.

import type { Replay } from "../replay";
import { mfaLabel } from "../store/eventDecode";
import type { Mfa, SourceLocation } from "../types";

export interface ViewFrame {
  name: string;
  /** Recorded location (before path mapping). */
  location?: SourceLocation;
  /** The location is where the function is defined, not the line this frame is at. */
  approximate: boolean;
  /** The call event that opened this frame; undefined for untraced callers and the top level. */
  callIndex?: number;
  mfa?: Mfa;
  /** A caller the recorder did not trace, known only from a call site it recorded. */
  untraced: boolean;
}

export function viewStack(r: Replay, at: number, outside: string): ViewFrame[] {
  const stack = r.stackAt(at);
  const kind = r.kindOf(at);
  const out: ViewFrame[] = [];
  for (let k = 0; k < stack.length; k++) {
    const f = stack[k];
    const frame: ViewFrame = {
      name: f.mfa ? functionLabel(f.mfa) : outside,
      approximate: false,
      callIndex: f.callIndex >= 0 ? f.callIndex : undefined,
      mfa: f.mfa,
      untraced: false,
    };
    if (k === 0) {
      frame.location = f.location ?? (f.mfa ? enclosingDefinition(r, f.mfa) : undefined);
      frame.approximate = f.location === undefined && frame.location !== undefined;
      if (f.callIndex < 0 && f.mfa && kind === "state") frame.name += " (returned: state after it)";
    } else {
      const child = stack[k - 1];
      const site = child.callIndex >= 0 ? r.event(child.callIndex).caller : undefined;
      const siteLine = site?.file !== undefined && site.line !== undefined;
      if (siteLine && site?.mfa && f.mfa && !sameFunction(site.mfa, f.mfa)) {
        out.push({
          name: `${functionLabel(site.mfa)} (not traced)`,
          location: { file: site.file!, line: site.line! },
          approximate: false,
          untraced: true,
          mfa: site.mfa,
        });
        frame.location = definitionOf(r, f.mfa);
        frame.approximate = true;
      } else if (siteLine) frame.location = { file: site!.file!, line: site!.line! };
      else {
        frame.location = f.mfa ? definitionOf(r, f.mfa) : undefined;
        frame.approximate = frame.location !== undefined;
      }
    }
    out.push(frame);
  }
  const outer = stack[stack.length - 1];
  if (outer && outer.callIndex >= 0) {
    const site = r.event(outer.callIndex).caller;
    if (site && (site.mfa || site.file))
      out.push({
        name: `${site.mfa ? functionLabel(site.mfa) : "(caller)"} (not traced)`,
        location:
          site.file !== undefined && site.line !== undefined
            ? { file: site.file, line: site.line }
            : undefined,
        approximate: false,
        untraced: true,
        mfa: site.mfa,
      });
  }
  return out;
}

/** `CinemaDemo.TicketOffice.init/1`, and `anonymous fn/1 in CinemaDemo.TicketOffice.init/1` for `-init/1-fun-0-`. */
export function functionLabel(m: Mfa): string {
  const anon = /^-(.+)\/(\d+)-fun-\d+-$/.exec(m.fun);
  if (anon)
    return `anonymous fn/${m.arity} in ${mfaLabel({ module: m.module, fun: anon[1], arity: Number(anon[2]) })}`;
  return mfaLabel(m);
}

function sameFunction(a: Mfa, b: Mfa): boolean {
  return a.module === b.module && a.fun === b.fun && a.arity === b.arity;
}

function definitionOf(r: Replay, m: Mfa): SourceLocation | undefined {
  return r.definitionOf(m) ?? enclosingDefinition(r, m);
}

/** An anonymous function is not in the module table: the function it was written in stands for it. */
function enclosingDefinition(r: Replay, m: Mfa): SourceLocation | undefined {
  const anon = /^-(.+)\/(\d+)-fun-\d+-$/.exec(m.fun);
  return anon ? r.definitionOf({ module: m.module, fun: anon[1], arity: Number(anon[2]) }) : undefined;
}
