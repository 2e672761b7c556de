// The stdio adapter's framing over a real child process: every kind of malformed frame is reported
// (an error response when its request can still be read, else a stderr output event), and a valid
// request sent after it is answered. Every message the adapter sends is validated against the schema.

import assert from "node:assert/strict";
import fc from "fast-check";
import { FrameReader, MAX_BODY_BYTES } from "../../src/debugAdapter/framing";
import { frame, type Message, RawAdapter } from "./rawAdapter";

const bytes = (s: string): Buffer => Buffer.from(s, "utf8");
const req = (seq: number, command: string, args?: unknown): string =>
  JSON.stringify({ seq, type: "request", command, arguments: args });

interface Case {
  name: string;
  send: Buffer;
  /** What the report says: an error response for `seq`, or a stderr output event. */
  expect: { seq: number; command: string; message: RegExp } | { output: RegExp };
}

const evalBody = req(3, "evaluate", { expression: "é + ü" });
const CASES: Case[] = [
  {
    name: "invalid JSON",
    send: frame(`{"seq": 3, "type": "request", "command": "threads",,}`),
    expect: { seq: 3, command: "threads", message: /bad frame: the body is not JSON/ },
  },
  { name: "a null body", send: frame("null"), expect: { output: /the body is null, not a JSON object/ } },
  { name: "an array body", send: frame("[1,2]"), expect: { output: /not a JSON object/ } },
  {
    name: "a length counted in characters, not UTF-8 bytes (too short)",
    send: Buffer.concat([bytes(`Content-Length: ${evalBody.length}\r\n\r\n`), bytes(evalBody)]),
    expect: { seq: 3, command: "evaluate", message: /the body is not JSON/ },
  },
  {
    name: "a length that is too long (the next frame starts inside it)",
    send: Buffer.concat([bytes(`Content-Length: 500\r\n\r\n`), bytes(req(4, "threads"))]),
    expect: { seq: 4, command: "threads", message: /said 500 bytes but a new frame starts after \d+/ },
  },
  {
    name: "a garbled length",
    send: Buffer.concat([bytes("Content-Length: abc\r\n\r\n"), bytes(req(5, "threads"))]),
    expect: { seq: 5, command: "threads", message: /bad header "Content-Length: abc"/ },
  },
  {
    name: "a lowercase header",
    send: Buffer.concat([bytes("content-length: 47\r\n\r\n"), bytes(req(6, "threads"))]),
    expect: { seq: 6, command: "threads", message: /not a frame: "content-length: 47/ },
  },
  {
    name: "an unknown header before the length",
    send: Buffer.concat([bytes("X-Whatever: 1\r\n"), frame("{")]),
    expect: { output: /skipped 15 bytes that are not a frame: "X-Whatever: 1\\r\\n"/ },
  },
  {
    name: "a body that is not UTF-8",
    send: frame(
      Buffer.concat([
        bytes(`{"seq":7,"type":"request","command":"threads","x":"`),
        Buffer.from([0xff, 0xfe]),
        bytes(`"}`),
      ]),
    ),
    expect: { seq: 7, command: "threads", message: /not valid UTF-8/ },
  },
  {
    name: "a message that is not a request",
    send: frame(`{"seq":8,"type":"event","command":"threads"}`),
    expect: { seq: 8, command: "threads", message: /a message of type "event"/ },
  },
  {
    name: "a request without a seq",
    send: frame(`{"type":"request","command":"threads"}`),
    expect: { output: /"seq" must be an integer, not missing/ },
  },
  {
    name: "a request whose command is not a string",
    send: frame(`{"seq":9,"type":"request","command":42}`),
    expect: { output: /"command" must be a non-empty string, not 42/ },
  },
  { name: "an empty body", send: bytes("Content-Length: 0\r\n\r\n"), expect: { output: /an empty body/ } },
  {
    name: "bytes between frames",
    send: bytes("hello\u001b[2J there\n"),
    expect: { output: /skipped 16 bytes that are not a frame: "hello\\u001b\[2J there\\n"/ },
  },
  {
    name: "a header that never ends",
    send: bytes(`Content-Length: 12${" ".repeat(3000)}`),
    expect: { output: /skipped \d+ bytes that are not a frame: "Content-Length: 12 / },
  },
];

describe("debug adapter: framing over stdio", function () {
  this.timeout(120_000);
  let a: RawAdapter;

  before(async () => {
    a = new RawAdapter();
    const r = await a.request("initialize", { adapterID: "elixirscope" });
    assert.equal(r.success, true);
  });

  after(async () => {
    const exit = await a.close();
    assert.deepEqual(exit, { code: 0, signal: null }, "ends cleanly when its input ends");
    assert.deepEqual(a.violations, []);
  });

  for (const c of CASES)
    it(`${c.name}: reported, and the next request is answered`, async () => {
      const from = a.messages.length;
      a.write(c.send);
      const r = await a.request("threads");
      assert.equal(r.success, true, JSON.stringify(r));
      assert.deepEqual(r.body, { threads: [] });
      const said = a.messages.slice(from);
      if ("output" in c.expect) {
        const outputs = said.filter((m) => m.type === "event" && m.event === "output");
        const texts = outputs.map((m) => (m.body as { output: string; category: string }).output);
        const wanted = c.expect.output;
        assert.ok(
          texts.some((t) => wanted.test(t)),
          `reported: ${JSON.stringify(texts)}`,
        );
        for (const o of outputs) assert.equal((o.body as { category: string }).category, "stderr");
      } else {
        const { seq, command, message } = c.expect;
        const refused = said.filter((m: Message) => m.type === "response" && m.request_seq === seq);
        assert.equal(refused.length, 1, `one answer for seq ${seq}: ${JSON.stringify(said)}`);
        assert.equal(refused[0].success, false);
        assert.equal(refused[0].command, command);
        assert.match(String(refused[0].message), message);
      }
      assert.deepEqual(a.violations, []);
    });

  it("keeps a valid frame whole when it arrives one byte at a time", async () => {
    const from = a.messages.length;
    const f = frame(req(77, "threads"));
    for (const b of f) a.write(Buffer.from([b]));
    const r = await a.waitFor((m) => m.type === "response" && m.request_seq === 77, 60_000, from);
    assert.equal(r.success, true);
    assert.equal(
      a.messages.slice(from).filter((m) => m.event === "output").length,
      0,
      "nothing reported for a valid frame",
    );
  });

  it("serves a valid request with an unknown header after the length, saying the header is ignored", async () => {
    const from = a.messages.length;
    const body = bytes(req(78, "threads"));
    a.write(Buffer.concat([bytes(`Content-Length: ${body.length}\r\nX-Extra: 1\r\n\r\n`), body]));
    const r = await a.waitFor((m) => m.type === "response" && m.request_seq === 78, 60_000, from);
    assert.equal(r.success, true);
    const said = a.messages.slice(from).map((m) => (m.body as { output?: string } | undefined)?.output);
    assert.ok(
      said.some((t) => t && /ignored the unknown header "X-Extra: 1"/.test(t)),
      JSON.stringify(said),
    );
  });
});

describe("debug adapter: a body over the size limit", function () {
  this.timeout(180_000);

  it("refuses a 50 MB body without buffering it, then answers the next request", async () => {
    const a = new RawAdapter();
    try {
      assert.equal((await a.request("initialize", { adapterID: "elixirscope" })).success, true);
      // Settle the baseline: the adapter has loaded all its code and answered once.
      assert.equal((await a.request("threads")).success, true);
      const before = a.peakRssKb();
      const size = 50 * 1024 * 1024;
      assert.ok(size > MAX_BODY_BYTES);
      a.write(`Content-Length: ${size}\r\n\r\n`);
      const chunk = Buffer.alloc(1 << 20, 0x61);
      for (let sent = 0; sent < size; sent += chunk.length) {
        if (!a.child.stdin.write(chunk))
          await new Promise<void>((r) => a.child.stdin.once("drain", () => r()));
      }
      const r = await a.request("threads");
      assert.equal(r.success, true);
      const refused = a.messages.find(
        (m) =>
          m.event === "output" &&
          /over the limit of 16777216 bytes/.test(String((m.body as { output: string }).output)),
      );
      assert.ok(refused, "the refusal is reported");
      const grew = a.peakRssKb() - before;
      // Holding the body would take its 50 MiB at least (the library's reader took 300 MB); merely
      // reading 50 MiB from a pipe grows Node by about 32 MiB before a collection frees the chunks.
      assert.ok(grew < 45 * 1024, `peak memory grew by ${grew} KiB while skipping 50 MiB`);
      assert.deepEqual(a.violations, []);
    } finally {
      await a.close();
    }
  });
});

describe("FrameReader: chunking never changes what is read", () => {
  // Each bad frame followed by a valid one, whose seq says which bad frame came before it.
  const stream = Buffer.concat(CASES.flatMap((c, i) => [c.send, frame(req(100 + i, "threads"))]));
  const readAll = (chunks: Buffer[]): string[] => {
    const seen: string[] = [];
    const r = new FrameReader({
      message: (m) => seen.push(`message ${JSON.stringify(m)}`),
      bad: (b) => seen.push(`bad ${b.problem} ${JSON.stringify(b.request)}`),
    });
    for (const c of chunks) r.push(c);
    r.end();
    return seen;
  };
  const whole = readAll([stream]);

  it("reads every valid frame after a bad one, whole, and reports each bad one", () => {
    const messages = whole.filter((s) => s.startsWith("message "));
    assert.deepEqual(
      messages.map((s) => (JSON.parse(s.slice(8)) as { seq: number }).seq),
      CASES.map((_, i) => 100 + i),
    );
    assert.ok(whole.length >= 2 * CASES.length, whole.join("\n"));
  });

  it("reads the same, split anywhere", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 40 }),
        (cuts) => {
          const at = [0, ...cuts.sort((x, y) => x - y), stream.length];
          const chunks = at.slice(1).map((end, i) => stream.subarray(at[i], end));
          assert.deepEqual(readAll(chunks), whole);
        },
      ),
      { numRuns: 300, seed: 8 },
    );
  });
});
