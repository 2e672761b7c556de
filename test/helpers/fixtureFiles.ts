// The fixture traces shipped in test/fixtures/: the ticket story whole, truncated mid-event, with a
// corrupt frame in the middle, and as two node files. Other DAP clients and tools can use them too.

import { atom, pid } from "../../src/core/terms/build";
import { TraceBuilder } from "../../src/core/writer";
import { ticketTrace } from "./fixtures";

export function fixtureFiles(): Record<string, Uint8Array> {
  const { builder, offsets } = ticketTrace();
  const whole = builder.toBuffer();
  const corrupt = Buffer.from(whole);
  corrupt[offsets[10] + 6] = 0xff;
  const a = new TraceBuilder({ node: "a@h", startSystemTime: 1_000_000_000n });
  const b = new TraceBuilder({ node: "b@h", startSystemTime: 1_000_000_500n });
  a.send(pid("a@h", 5, 0), pid("b@h", 5, 0), atom("ping"));
  b.receive(pid("b@h", 5, 0), atom("ping"));
  b.send(pid("b@h", 5, 0), pid("a@h", 5, 0), atom("pong"));
  a.receive(pid("a@h", 5, 0), atom("pong"));
  return {
    "ticket.estrace": whole,
    "ticket-truncated.estrace": whole.subarray(0, offsets[20] + 9),
    "ticket-corrupt.estrace": corrupt,
    "node-a.estrace": a.toBuffer(),
    "node-b.estrace": b.toBuffer(),
  };
}
