// Text from a trace file (atoms, names, warnings) printed to a terminal or an editor: control
// characters are shown escaped, so an atom holding ESC or a newline cannot clear the screen, move the
// cursor or forge a line of output.

// C0 and C1 controls, DEL, line/paragraph separators and the bidirectional overrides/isolates.
/* eslint-disable no-control-regex -- matching control characters is this module's purpose */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_NEWLINE =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

const NAMED: ReadonlyMap<string, string> = new Map([
  ["\n", "\\n"],
  ["\r", "\\r"],
  ["\t", "\\t"],
  ["\u001b", "\\e"],
]);

function escapeOne(c: string): string {
  const named = NAMED.get(c);
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
}

/** `s` with every control character escaped (`\e`, `\n`, `\x07`, `\u{202e}`): safe as one line. */
export function escapeControls(s: string): string {
  return s.replace(CONTROL, escapeOne);
}

/** Like `escapeControls`, but keeps newlines: for text whose line breaks are the program's own. */
export function escapeControlsKeepingLines(s: string): string {
  return s.replace(CONTROL_BUT_NEWLINE, escapeOne);
}
