#!/usr/bin/env bash
# Runs every Spindle benchmark against an existing build and prints a results table.
# It builds nothing; build first, for example:
#   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build-bench bench_dataset bench_ingest bench_query
#   bench/run.sh build-bench
#
# Environment:
#   BENCH_DATA            data directory (default: <repo>/bench/data, gitignored). D1 (1 M calls,
#                         ~1.8 GB) is generated once into $BENCH_DATA/d1 and reused afterwards.
#   BENCH_RUNS            measured runs per benchmark, after one warm-up (default 5)
#   BENCH_INGEST_CALLS    calls per ingest run (default 200000)
# Time bound: each program runs under `timeout`. On an idle 2-vCPU VM the whole run takes about
# 3-4 minutes (plus ~20 s the first time, for D1); the timeouts cut it off after at most 14 minutes.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
bench_init "${1:-}" results bench_dataset bench_ingest bench_query
runs=${BENCH_RUNS:-5}
ingest_calls=${BENCH_INGEST_CALLS:-200000}
command -v sqlite3 >/dev/null || { echo "the sqlite3 CLI is required (baseline)" >&2; exit 2; }
bench_header "Spindle benchmarks" \
    "cpu info: $(lscpu 2>/dev/null | awk -F: '/Hypervisor vendor|L2 cache|L3 cache/ {gsub(/^ +/, "", $2); printf "%s %s; ", $1, $2}')$(grep -m1 'cpu MHz' /proc/cpuinfo | sed 's/\s*:\s*/ /')" \
    "sqlite3:  $(sqlite3 --version | cut -d' ' -f1) (CLI)"

run 180 "$bin/bench_dataset" --out "$data/d1"
run 360 "$bin/bench_ingest" --data "$data" --calls "$ingest_calls" --runs "$runs"
run 300 "$bin/bench_query" --data "$data/d1" --runs "$runs"

bench_finish bench_summary
