#!/usr/bin/env bash
# Installs Debian's Elixir and the Erlang pieces the recorder uses, when `mix` is missing.
# Used by `npm test` and `.ci/run`, so that one command does all set-up on a fresh machine.
set -euo pipefail
# Debian's package `elixir` provides the `mix` command.
command -v mix >/dev/null 2>&1 && elixir=() || elixir=(elixir)
exec bash "$(dirname "$0")/apt-install.sh" setup-elixir "${elixir[@]}" \
  erlang-dev erlang-tools erlang-runtime-tools erlang-syntax-tools erlang-parsetools
