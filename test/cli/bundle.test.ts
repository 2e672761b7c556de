// The bundled CLI (`npm run build`: dist/cli.js and its parts dist/cli-*.js) run as a process: a
// command loads its own part only, answers as the sources do, and a part's own errors (bad usage, a
// missing trace) still exit 2 with one line although each part holds its own copy of the error classes.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { PART_HEAD } from "../../src/cli/codeCache";
import { main } from "../../src/cli/main";
import { generate } from "../../bench/gen";

const ROOT = join(__dirname, "../..");
const CLI = join(ROOT, "dist", "cli.js");
const TRACE = join(ROOT, "examples/traces/payment_crash.estrace");

/** Runs the bundled CLI; `loaded` lists the dist/ files the process required. */
function cli(args: string[]): { code: number | null; out: string; err: string; loaded: string[] } {
  assert.ok(existsSync(CLI), `${CLI} is missing: run \`npm run build\` first (the test gate does)`);
  // A preload that prints, at exit, which files of dist/ the process required.
  const dir = mkdtempSync(join(tmpdir(), "elixirscope-bundle-"));
  const probe = join(dir, "probe.js");
  writeFileSync(
    probe,
    `process.on("exit", () => process.stderr.write("\\nLOADED " + JSON.stringify(Object.keys(require.cache).filter((f) => f.includes("/dist/")).map((f) => f.split("/").pop())) + "\\n"));`,
  );
  const r = spawnSync(process.execPath, ["--require", probe, CLI, ...args], { encoding: "utf8" });
  const m = /\nLOADED (.*)\n$/.exec(r.stderr);
  assert.ok(m, `no probe output: ${r.stderr}`);
  return {
    code: r.status,
    out: r.stdout,
    err: r.stderr.slice(0, m.index),
    loaded: (JSON.parse(m[1]) as string[]).sort(),
  };
}

describe("bundled CLI", () => {
  it("the `elixirscope` command starts Node without the CA bundle of NODE_EXTRA_CA_CERTS (it does no TLS)", () => {
    // Node 20 loads that bundle at start-up, before any script: a missing file shows it tried.
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: join(tmpdir(), "elixirscope-no-such-ca.pem") };
    const direct = spawnSync(process.execPath, [CLI, "info", TRACE], { encoding: "utf8", env });
    assert.equal(direct.status, 0, direct.stderr);
    assert.match(direct.stderr, /Ignoring extra certs/);
    const command = spawnSync(join(ROOT, "bin", "elixirscope.js"), ["info", TRACE], {
      encoding: "utf8",
      env,
    });
    assert.equal(command.status, 0, command.stderr);
    assert.equal(command.stderr, "");
    assert.equal(command.stdout, direct.stdout);
  });

  it("the `elixirscope` command asks glibc for huge pages for big arrays, the user's own tunables after", () => {
    // A preload that reports the environment the command's Node got and, after a 64 MiB array is
    // filled, how much of the process's memory is on transparent huge pages.
    const dir = mkdtempSync(join(tmpdir(), "elixirscope-thp-"));
    const probe = join(dir, "probe.js");
    writeFileSync(
      probe,
      `process.on("exit", () => {
        const a = new Uint8Array(64 << 20);
        for (let i = 0; i < a.length; i += 4096) a[i] = 1;
        const m = /AnonHugePages:\\s+(\\d+)/.exec(require("fs").readFileSync("/proc/self/smaps_rollup", "utf8"));
        process.stderr.write("\\nPROBE " + JSON.stringify({ env: process.env.GLIBC_TUNABLES, huge: m ? Number(m[1]) : -1 }) + "\\n");
      });`,
    );
    const run = (user?: string): { env?: string; huge: number } => {
      const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: `--require ${probe}` };
      delete env.GLIBC_TUNABLES;
      if (user !== undefined) env.GLIBC_TUNABLES = user;
      const r = spawnSync(join(ROOT, "bin", "elixirscope.js"), ["help"], { encoding: "utf8", env });
      assert.equal(r.status, 0, r.stderr);
      const m = /\nPROBE (.*)\n$/.exec(r.stderr);
      assert.ok(m, `no probe output: ${r.stderr}`);
      return JSON.parse(m[1]) as { env?: string; huge: number };
    };
    const plain = run();
    assert.equal(plain.env, "glibc.malloc.hugetlb=1:");
    assert.equal(run("glibc.malloc.hugetlb=0").env, "glibc.malloc.hugetlb=1:glibc.malloc.hugetlb=0");
    // Where the kernel leaves huge pages to the process (as on Debian's and Ubuntu's defaults), glibc
    // gave them: the figure the first open's speed rests on.
    const thp = existsSync("/sys/kernel/mm/transparent_hugepage/enabled")
      ? readFileSync("/sys/kernel/mm/transparent_hugepage/enabled", "utf8")
      : "";
    if (thp.includes("[madvise]")) {
      assert.ok(plain.huge > 0, "no memory of the command's process is on huge pages");
      assert.equal(run("glibc.malloc.hugetlb=0").huge, 0);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("loads only the part of the command it runs, and answers as the sources do", async () => {
    const lines: string[] = [];
    assert.equal(await main(["info", TRACE, "--json"], (s) => lines.push(s)), 0);
    const want = JSON.parse(lines.join("\n")) as Record<string, unknown>;
    const r = cli(["info", TRACE, "--json"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.loaded, ["cli-replay.js", "cli.js"]);
    const got = JSON.parse(r.out) as Record<string, unknown>;
    delete got.load_ms;
    delete want.load_ms;
    assert.deepEqual(got, want);
    assert.deepEqual(cli(["help"]).loaded, ["cli.js"]);
  });

  it("keeps the compiled code of a run that read the index, not of the first open that parsed", () => {
    // The part's compiled code is kept beside it for the next process (src/cli/codeCache.ts).
    const trace = join(mkdtempSync(join(tmpdir(), "elixirscope-bundle-")), "t.estrace");
    copyFileSync(TRACE, trace);
    const cache = join(ROOT, "dist", "cli-replay.js.v8cache");
    rmSync(cache, { force: true });
    assert.equal(cli(["info", trace]).code, 0);
    assert.ok(existsSync(`${trace}.esindex`), "the first open saved the index");
    assert.ok(!existsSync(cache), "the parse path's code is not kept");
    assert.equal(cli(["info", trace]).code, 0);
    assert.ok(existsSync(cache), "the index reader's code is kept");
  });

  it("writes each part wrapped, named by an id of its contents (src/cli/codeCache.ts PART_HEAD)", () => {
    const ids = new Set<string>();
    for (const part of ["cli-replay.js", "cli-dap.js", "cli-lsp.js", "cli-demo.js", "cli-import.js"]) {
      const head = readFileSync(join(ROOT, "dist", part), "latin1").split("\n", 1)[0];
      assert.ok(head.startsWith(`${PART_HEAD} `), `${part}: ${head}`);
      const id = head.slice(PART_HEAD.length + 1);
      assert.match(id, /^[0-9a-f]{16}$/);
      assert.doesNotMatch(id, /^0+$/, `${part}: its id was not filled in`);
      ids.add(id);
    }
    assert.equal(ids.size, 5);
  });

  it("reports a part's own errors in one line with exit code 2, as main does", () => {
    for (const [args, part, message] of [
      [["lsp"], "cli-lsp.js", /^elixirscope: lsp: no trace given/],
      [["info", join(ROOT, "no-such.estrace")], "cli-replay.js", /^elixirscope: .*no-such\.estrace: /],
      [["events", TRACE, "--pid", "Nobody"], "cli-replay.js", /^elixirscope: unknown pid "Nobody"/],
      [["import"], "cli-import.js", /^elixirscope: import: which JSON Lines file\?/],
    ] as const) {
      const r = cli([...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
      assert.match(r.err, message);
      assert.equal(r.err.trim().split("\n").length, 1, r.err);
      assert.ok(r.loaded.includes(part), `${args.join(" ")} loaded ${r.loaded.join(", ")}`);
    }
  });

  it("runs the standalone adapter (dist/debugAdapter.js: the dap part through the code cache)", async function () {
    this.timeout(60_000);
    const dc = new DebugClient(process.execPath, join(ROOT, "dist", "debugAdapter.js"), "elixirscope");
    dc.defaultTimeout = 30_000;
    await dc.start();
    try {
      const stopped = dc.waitForEvent("stopped") as Promise<DebugProtocol.StoppedEvent>;
      const initialized = dc.waitForEvent("initialized");
      await dc.initializeRequest({ adapterID: "elixirscope", linesStartAt1: true, columnsStartAt1: true });
      await Promise.all([
        dc.launchRequest({ trace: TRACE, startAt: "end" } as DebugProtocol.LaunchRequestArguments),
        initialized.then(() => dc.configurationDoneRequest()),
      ]);
      const st = await dc.stackTraceRequest({ threadId: (await stopped).body.threadId! });
      assert.ok(st.body.stackFrames.length > 0);
    } finally {
      await dc.stop();
    }
  });

  it("saves the index a first open built even when its reader closes the pipe early (`| head`)", async function () {
    this.timeout(120_000);
    const dir = mkdtempSync(join(tmpdir(), "elixirscope-epipe-"));
    const trace = join(dir, "big.estrace");
    generate({ events: 200_000, seed: 5, out: trace });
    const child = spawn(process.execPath, [CLI, "events", trace, "--limit", "200000"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    // The first chunk read, then the pipe closed, as `head -1` does.
    await new Promise<void>((resolve) =>
      child.stdout.once("data", () => {
        child.stdout.destroy();
        resolve();
      }),
    );
    assert.equal(await exited, 0);
    assert.ok(existsSync(`${trace}.esindex`), "the index was not saved");
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith(".tmp")),
      [],
    );
  });
});
