#!/usr/bin/env bash
# Installs the given Debian packages with apt-get when they are missing, as root, or says how to.
# Usage: apt-install.sh LABEL PACKAGE...  (a package given as "cmd:NAME" is missing when no NAME
# command is on PATH; "file:PATH:NAME" when PATH is not executable; otherwise when dpkg lacks it).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
label=$1
shift
pkgs=()
for spec in "$@"; do
  case "$spec" in
  cmd:*) command -v "${spec#cmd:}" >/dev/null 2>&1 || pkgs+=("${spec#cmd:}") ;;
  file:*)
    rest=${spec#file:}
    [ -x "${rest%%:*}" ] || pkgs+=("${rest#*:}")
    ;;
  *) dpkg -s "$spec" >/dev/null 2>&1 || pkgs+=("$spec") ;;
  esac
done
[ ${#pkgs[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "$label: please install ${pkgs[*]} (Debian/Ubuntu: sudo apt-get install ${pkgs[*]})" >&2
  exit 1
fi
echo "$label: installing ${pkgs[*]}"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
