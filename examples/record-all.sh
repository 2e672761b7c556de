#!/usr/bin/env bash
# Regenerates every Cinema Demo recording in examples/traces/ with the real recorder.
set -euo pipefail
cd "$(dirname "$0")/cinema_demo"
for s in scenarios/*.exs; do
  mix run "$s"
done
