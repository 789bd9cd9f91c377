#!/usr/bin/env bash
# Load benchmark: gunicorn on loopback against a throwaway PostgreSQL holding about 1,000
# generated recommendations (generate_scale_data: committees, inquiries, quarterly meetings,
# evidence), driven page by page with wrk. Prints requests/second, p50/p95 latency, errors,
# and each page's p95 as a ratio to the sign-in page's p95 in the same run (the goal: 3 at most).
#   bench/load.sh [SECONDS_PER_PAGE] [CONNECTIONS] [RECOMMENDATIONS] [GUNICORN_WORKERS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin/setup
if ! command -v wrk >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk >/dev/null
fi
export BENCH_SECONDS="${1:-10}" BENCH_CONNECTIONS="${2:-20}" BENCH_RECOMMENDATIONS="${3:-1000}" \
  BENCH_WORKERS="${4:-2}"
exec bin/with-postgres bash bench/_load_run.sh
