// The adapter's own requests over the real protocol, as customProtocol.ts types them: stepping to the
// previous/next state change of a process, and searching events for a "Go to Event" quick pick.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import {
  CustomRequest,
  type MomentEventBody,
  type SearchEventsBody,
} from "../../src/debugAdapter/customProtocol";
import { Replay } from "../../src/core/replay";
import { ticketTracePath } from "../helpers/fixtures";
import { withDap } from "./dapClient";

describe("debug adapter: custom requests", function () {
  this.timeout(180_000);

  it("steps to the next and previous state change of the stopped process", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath(), startAt: "seq:5" });
      const fwd = await d.custom(CustomRequest.stateChange, { direction: "forward" });
      assert.equal(await d.seq(), 10, "the office's state after handle_call/3");
      assert.equal(fwd.body.reason, "step");
      assert.match(fwd.body.description ?? "", /^state change at seq 10/);
      await d.custom(CustomRequest.stateChange, { direction: "backward" });
      assert.equal(await d.seq(), 1, "back to the state after init/1");
      const moment = d.events.at(-1)!.body as MomentEventBody;
      assert.equal(moment.seq, 1);
      assert.equal(moment.reason, "step");
      await assert.rejects(
        d.dc.customRequest(CustomRequest.stateChange, { direction: "backward" }),
        /no earlier state change/,
      );
      await assert.rejects(
        d.dc.customRequest(CustomRequest.stateChange, { direction: "sideways" }),
        /"direction" must be "forward" or "backward"/,
      );
      assert.equal(await d.seq(), 1, "a refused step stays");
    }));

  it("names a stop's event from the index's columns as decoding it would", async () => {
    // The stopped event and the moment are made from the pid, seq and time cells, not the decoded
    // event: the first launch of a trace builds its index, the second reads those cells from it.
    const path = ticketTracePath();
    const r = await Replay.open(path, { index: false });
    try {
      for (const round of ["index built", "index reused"]) {
        if (round === "index reused") assert.ok(existsSync(`${path}.esindex`), "the first launches saved it");
        for (const startAt of ["seq:5", "end", "first crash", "start"])
          await withDap(async (d) => {
            const stopped = await d.launch({ trace: path, startAt });
            await d.settle();
            const moment = d.events.at(-1)!.body as MomentEventBody;
            const e = r.event(moment.index);
            const where = `${startAt} (${round})`;
            assert.equal(stopped.body.threadId, e.pid + 1, where);
            assert.match(stopped.body.description ?? "", new RegExp(` at seq ${e.seq}$`), where);
            assert.deepEqual([moment.seq, moment.threadId, moment.time], [e.seq, e.pid + 1, e.time], where);
          });
      }
    } finally {
      r.close();
    }
  });

  it("searches events by seq, moment, function, filters and words", () =>
    withDap(async (d) => {
      await d.launch({ trace: ticketTracePath() });
      const search = async (query: string, limit?: number): Promise<SearchEventsBody> =>
        (await d.dc.customRequest(CustomRequest.searchEvents, { query, limit })).body as SearchEventsBody;
      const seqs = async (query: string, limit?: number): Promise<number[]> =>
        (await search(query, limit)).events.map((e) => e.seq);
      assert.deepEqual(await seqs("12"), [12]);
      assert.deepEqual(await seqs("first crash"), [19]);
      assert.deepEqual(await seqs("Demo.TicketOffice.handle_call/3"), [6]);
      assert.deepEqual(await seqs("pid=Demo.TicketOffice kind=state"), [1, 10]);
      assert.deepEqual(await seqs("badarith"), [18, 19]);
      assert.deepEqual(
        await seqs("send ticketoffice"),
        [4, 11, 12].filter((s) => s !== 12),
      );
      const page = await search("Demo", 2);
      assert.equal(page.events.length, 2);
      assert.equal(page.more, true);
      const first = (await search("12")).events[0];
      assert.equal(first.label, "seq 12 +13.0µs");
      assert.match(first.description, /receive/);
      // The position found goes back to the same event.
      await d.custom(CustomRequest.goto, { position: first.position });
      assert.equal(await d.seq(), 12);
      await assert.rejects(d.dc.customRequest(CustomRequest.searchEvents, {}), /"query" must be text/);
      await assert.rejects(
        d.dc.customRequest(CustomRequest.searchEvents, { query: "x", limit: 0 }),
        /"limit" must be a positive integer/,
      );
      await assert.rejects(
        d.dc.customRequest(CustomRequest.searchEvents, { query: "  " }),
        /the search is empty/,
      );
    }));
});
