#!/usr/bin/env bash
# Runs the cost-dashboard benchmark (bench_dashboard: /calls/stats against equivalent SQL in the
# sqlite3 CLI, one refresh's requests together, the page's GUI-thread cost) against an existing
# build and prints a results table. It builds nothing; build first, for example:
#   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DSPINDLE_BUILD_TESTS=OFF
#   ninja -C build-bench bench_dataset bench_dashboard
#   bench/run_dashboard.sh build-bench
#
# Environment:
#   BENCH_DATA   data directory (default: <repo>/bench/data, gitignored). D4 (1 M calls over 30 days,
#                five models, ~1.9 GB) is generated once into $BENCH_DATA/d4 and reused afterwards.
#   BENCH_RUNS   measured runs per request, after one warm-up (default 5)
# Time bound: about 6 minutes on an idle 2-vCPU VM (plus ~20 s the first time, for D4); the
# programs run under `timeout`, 3 + 20 minutes at most.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
bench_init "${1:-}" dashboard-results bench_dataset bench_dashboard
runs=${BENCH_RUNS:-5}
command -v sqlite3 >/dev/null || { echo "the sqlite3 CLI is required (baseline)" >&2; exit 2; }
export QT_QPA_PLATFORM=offscreen
bench_header "Spindle dashboard benchmark" "sqlite3:  $(sqlite3 --version | cut -d' ' -f1) (CLI)"

run 180 "$bin/bench_dataset" --out "$data/d4" --days 30 --model-mix
run 1200 "$bin/bench_dashboard" --data "$data/d4" --runs "$runs"

bench_finish bench_summary
