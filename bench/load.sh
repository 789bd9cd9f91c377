#!/usr/bin/env bash
# Load benchmark: gunicorn on loopback against a throwaway PostgreSQL holding ~1,000
# recommendations with their evidence, driven by wrk for a bounded time per page.
# Prints requests/second, p50/p95 latency and the error count for each page.
#   bench/load.sh [SECONDS_PER_PAGE] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin/setup
if ! command -v wrk >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk >/dev/null
fi
export BENCH_SECONDS="${1:-10}" BENCH_CONNECTIONS="${2:-8}"
exec bin/with-postgres bash bench/_load_run.sh
