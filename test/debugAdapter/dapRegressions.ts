// Minimal reproductions of what the DAP fuzzer and issue 14 found, as the raw bytes a client sent
// (test/fixtures/regressions/dap/*.dap), each with what the adapter must answer. Rewrite the files
// with `node --import tsx test/debugAdapter/dapRegressions.ts --write`.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { frame } from "./rawAdapter";

export const DAP_REGRESSION_DIR = join(__dirname, "..", "fixtures", "regressions", "dap");

const req = (seq: number, command: string, args?: unknown): string =>
  JSON.stringify({ seq, type: "request", command, arguments: args });

export interface DapRegression {
  file: string;
  bytes: Buffer;
  /** The request whose answer is checked, and what that answer says. */
  seq: number;
  success: boolean;
  message?: RegExp;
}

const variables = Buffer.from(req(1, "variables", { variablesReference: 1 }));

export const DAP_REGRESSIONS: DapRegression[] = [
  {
    // The library's formatter threw on "{_x}" in a message, and the adapter exited without a word.
    file: "format-hole-in-command.dap",
    bytes: frame(req(1, "{_x}")),
    seq: 1,
    success: false,
    message: /\{_x\} is not supported by ElixirScope/,
  },
  {
    // A null among the exception filter options reached the handler: "Cannot read properties of null".
    file: "filter-options-null.dap",
    bytes: frame(req(1, "setExceptionBreakpoints", { filters: [], filterOptions: [null] })),
    seq: 1,
    success: false,
    message: /"filterOptions"\[0\] must be an object, not null/,
  },
  {
    // A header that lost its blank line ran on into the next frame, which was swallowed: a hang.
    file: "header-without-blank-line.dap",
    bytes: Buffer.concat([
      Buffer.from(`Content-Length: ${variables.length}\r\n`),
      variables,
      frame(req(2, "threads")),
    ]),
    seq: 2,
    success: true,
  },
  {
    // A length that ends inside the next frame's "Content-Length" cost that frame too.
    file: "length-ends-inside-next-header.dap",
    bytes: Buffer.concat([
      Buffer.from(`Content-Length: ${variables.length + 7}\r\n\r\n`),
      variables,
      frame(req(2, "threads")),
    ]),
    seq: 2,
    success: true,
  },
  {
    // Invalid JSON ended the session (exit 0, nothing said).
    file: "invalid-json.dap",
    bytes: Buffer.concat([
      frame(`{"seq":1,"type":"request","command":"threads",}`),
      frame(req(2, "threads")),
    ]),
    seq: 1,
    success: false,
    message: /bad frame: the body is not JSON/,
  },
  {
    // A garbled length wedged the reader: nothing was ever answered again.
    file: "garbled-length.dap",
    bytes: Buffer.concat([Buffer.from("Content-Length: abc\r\n\r\n"), Buffer.from(req(1, "threads"))]),
    seq: 1,
    success: false,
    message: /bad frame: bad header "Content-Length: abc"/,
  },
  {
    // An unknown thread named no argument.
    file: "thread-of-wrong-type.dap",
    bytes: frame(req(1, "elixirscope/reverseStepIn", { threadId: "x" })),
    seq: 1,
    success: false,
    message: /threadId "x": no such thread/,
  },
];

if (process.argv.includes("--write")) {
  mkdirSync(DAP_REGRESSION_DIR, { recursive: true });
  for (const r of DAP_REGRESSIONS) writeFileSync(join(DAP_REGRESSION_DIR, r.file), r.bytes);
}
