// The committed reproductions of issue 14 run through the real CLI (a child process): each gives its
// expected answer, and all keep the contract for hostile input (exit 0 with warnings or exit 2 with
// one line, no stack trace, bounded memory, no hang). Also the CLI's I/O failures and `| head`.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliBundle, contractBroken, runCli } from "../helpers/cliRun";
import { REGRESSION_CASES, regressionFiles } from "../helpers/regressionFiles";
import { ticketTracePath } from "../helpers/fixtures";

const DIR = join(__dirname, "..", "fixtures", "regressions");

describe("issue 14 regressions through the CLI", () => {
  let tmp: string;
  before(() => {
    cliBundle();
    tmp = mkdtempSync(join(tmpdir(), "elixirscope-regr-"));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("the committed fixtures are what regressionFiles.ts writes", () => {
    for (const [name, bytes] of Object.entries(regressionFiles()))
      assert.ok(Buffer.from(bytes).equals(readFileSync(join(DIR, name))), `${name}: run writeRegressions.ts`);
  });

  for (const c of REGRESSION_CASES) {
    it(`${c.name}: ${c.args.join(" ")}`, () => {
      const out = join(tmp, `${c.name}.estrace`);
      const args = c.args.map((a) => (a === "$F" ? join(DIR, c.name) : a === "$OUT" ? out : a));
      const r = runCli(args);
      assert.equal(contractBroken(r), undefined);
      assert.equal(r.status, c.status, r.stderr);
      if (c.stdout) assert.match(r.stdout, c.stdout);
      if (c.stderr) assert.match(r.stderr, c.stderr);
      if (c.never) assert.doesNotMatch(r.stdout + r.stderr, c.never);
    });
  }

  it("keeps a big integer exact through import", () => {
    const out = join(tmp, "big.estrace");
    assert.equal(runCli(["import", join(DIR, "big-integer.jsonl"), "-o", out]).status, 0);
    const r = runCli(["events", out, "--json"]);
    assert.match(r.stdout, /"\$int": "123456789012345678901234567890"/);
  });

  it("refuses a 100,000-character function pattern with one line", () => {
    const r = runCli(["events", join(DIR, "proto-tags.estrace"), "--fun", "a".repeat(100_000)]);
    assert.equal(contractBroken(r), undefined);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /100000 characters, the limit is 4096/);
  });

  it("answers every I/O failure with exit 2 and one line", () => {
    const trace = ticketTracePath();
    const fifo = join(tmp, "fifo");
    assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
    const cases: Array<[string[], RegExp]> = [
      [
        ["export", trace, "-o", "/nonexistent-folder/x.jsonl"],
        /the folder \/nonexistent-folder does not exist/,
      ],
      [["export", trace, "-o", tmp], /is a directory, not a file/],
      [["export", trace, "-o", "/dev/full"], /cannot write \/dev\/full: no space left on the device/],
      [["export", trace, "-o", fifo], /is not a regular file/],
      [["info", fifo], /is not a regular file/],
      [["info", tmp], /is a directory, not a trace file/],
      [["import", "/dev/zero", "-o", join(tmp, "z.estrace")], /\/dev\/zero: is not a regular file/],
      [["import", fifo, "-o", join(tmp, "z.estrace")], /is not a regular file/],
      [["import", join(DIR, "big-integer.jsonl"), "-o", "/nonexistent-folder/x.estrace"], /does not exist/],
    ];
    for (const [args, re] of cases) {
      const r = runCli(args, { timeoutMs: 20_000 });
      assert.equal(contractBroken(r), undefined, args.join(" "));
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
  });

  it("ends quietly when the reader of its output goes away (| head)", () => {
    const cli = cliBundle();
    const r = spawnSync(
      "bash",
      [
        "-c",
        `"${process.execPath}" "${cli}" events "${join(DIR, "deep-map-1001.estrace")}" --json | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`,
      ],
      { encoding: "utf8", timeout: 30_000 },
    );
    assert.equal(r.stdout.trim(), "0");
    assert.equal(r.stderr, "");
  });
});
