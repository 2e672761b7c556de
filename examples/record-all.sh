#!/usr/bin/env bash
# Regenerates every Cinema Demo recording in examples/traces/ with the real recorder
# (OTP and Elixir only: no Hex, no network).
set -euo pipefail
cd "$(dirname "$0")/cinema_demo"
mix compile
for s in scenarios/*.exs; do
  mix run "$s"
done
ls -l ../traces/
