#!/usr/bin/env bash
# Installs Debian's Elixir and the Erlang pieces the recorder uses, when `mix` is missing.
# Used by `npm test` and `.ci/run`, so that one command does all set-up on a fresh machine.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=()
command -v mix >/dev/null 2>&1 || pkgs+=(elixir)
for p in erlang-dev erlang-tools erlang-runtime-tools erlang-syntax-tools erlang-parsetools; do
  dpkg -s "$p" >/dev/null 2>&1 || pkgs+=("$p")
done
[ ${#pkgs[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-elixir: please install ${pkgs[*]} (Debian/Ubuntu: sudo apt-get install ${pkgs[*]})" >&2
  exit 1
fi
echo "setup-elixir: installing ${pkgs[*]}"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
