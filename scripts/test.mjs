#!/usr/bin/env node
// The one test command (`npm test`): type check, lint, format check, the mocha suites and the
// recorder's ExUnit suite, and the extension's suites inside VS Code. Each check counts as a test; the last line is `N passed, N failed`.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const args = process.argv.slice(2);
let passed = 0;
let failed = 0;
const failures = [];

function run(name, cmd, cmdArgs, opts = {}) {
  process.stdout.write(`\n── ${name}: ${cmd} ${cmdArgs.join(" ")}\n`);
  const r = spawnSync(cmd, cmdArgs, {
    stdio: opts.capture ? ["inherit", "pipe", "inherit"] : "inherit",
    encoding: "utf8",
    ...opts,
  });
  if (opts.capture) process.stdout.write(r.stdout ?? "");
  return r;
}

function check(name, cmd, cmdArgs) {
  const r = run(name, cmd, cmdArgs);
  if (r.status === 0) passed++;
  else {
    failed++;
    failures.push(name);
  }
}

// The recorder's tests and the cross-language tests need Elixir: install it first when it is missing.
if (
  existsSync("recorder/mix.exs") &&
  spawnSync("bash", ["scripts/setup-elixir.sh"], { stdio: "inherit" }).status !== 0
) {
  failed++;
  failures.push("setup-elixir");
}

const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const want = (name) => only === undefined || only === name;

// The webview's mocha tests run in Debian's Chromium and the extension's suites in code-server: install
// them first when they are missing (a no-op once installed), so that `npm test` alone sets up a fresh machine.
if (
  (want("mocha") || want("extension")) &&
  spawnSync("bash", ["scripts/e2e/install-tools.sh"], { stdio: "inherit" }).status !== 0
) {
  failed++;
  failures.push("setup-tools");
}

if (want("typecheck")) check("typecheck", "npx", ["tsc", "-p", ".", "--noEmit"]);
if (want("lint")) check("eslint", "npx", ["eslint", "."]);
if (want("lint")) check("prettier", "npx", ["prettier", "--check", "."]);
if (want("build")) check("build", "node", ["esbuild.mjs"]);

if (want("mocha")) {
  const r = run(
    "mocha",
    "npx",
    // The spec is given here, not in .mocharc, so that `npx mocha test/x.test.ts` runs that file alone.
    [
      "mocha",
      "test/**/*.test.ts",
      ...args.filter((a) => a !== "--only" && a !== only && a !== "--no-extension"),
    ],
    {
      capture: true,
    },
  );
  const out = r.stdout ?? "";
  const p = /(\d+) passing/.exec(out);
  const f = /(\d+) failing/.exec(out);
  passed += p ? Number(p[1]) : 0;
  failed += f ? Number(f[1]) : 0;
  if (r.status !== 0 && !f) {
    failed++;
    failures.push("mocha (did not finish)");
  } else if (f) failures.push(`mocha (${f[1]} failing)`);
}

if (want("exunit") && existsSync("recorder/mix.exs")) {
  const r = run("recorder ExUnit", "mix", ["test"], {
    cwd: "recorder",
    capture: true,
    env: { ...process.env, MIX_ENV: "test" },
  });
  const out = r.stdout ?? "";
  const m = /(\d+) tests?, (\d+) failures?/.exec(out);
  if (m) {
    passed += Number(m[1]) - Number(m[2]);
    failed += Number(m[2]);
    if (Number(m[2]) > 0) failures.push(`ExUnit (${m[2]} failing)`);
  } else {
    failed++;
    failures.push("ExUnit (did not finish)");
  }
}

// The extension's suites in a real VS Code (code-server + headless Chromium; the script installs
// them when missing). Each suite's test counts; a run that did not finish counts as one failure.
if (want("extension") && !args.includes("--no-extension")) {
  const r = run("extension (VS Code)", "node", ["scripts/e2e/test-extension.mjs"], {
    capture: true,
    maxBuffer: 256 * 1024 * 1024,
  });
  const m = /elixirscope-e2e: (\d+) tests, (\d+) failed/.exec(r.stdout ?? "");
  if (m) {
    passed += Number(m[1]) - Number(m[2]);
    failed += Number(m[2]);
    if (Number(m[2]) > 0) failures.push(`extension (${m[2]} failing)`);
  }
  if (!m || (r.status !== 0 && Number(m[2]) === 0)) {
    failed++;
    failures.push(`extension (did not finish: exit ${r.status})`);
  }
}

if (failures.length) process.stdout.write(`\nFailed: ${failures.join(", ")}\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
