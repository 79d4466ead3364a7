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

if [[ $# -ne 1 || "$1" == -h || "$1" == --help ]]; then
    echo "usage: $0 <build-dir>" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
data=${BENCH_DATA:-$repo/bench/data}
runs=${BENCH_RUNS:-5}
ingest_calls=${BENCH_INGEST_CALLS:-200000}
bin=$build/bench
for program in bench_dataset bench_ingest bench_query; do
    if [[ ! -x $bin/$program ]]; then
        echo "missing $bin/$program: build the bench targets first (see the top of this script)" >&2
        exit 2
    fi
done
command -v sqlite3 >/dev/null || { echo "the sqlite3 CLI is required (baseline)" >&2; exit 2; }
mkdir -p "$data"
log=$data/results-$(date +%Y%m%d-%H%M%S).log
started=$(date +%s)

{
    echo "# Spindle benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit:   $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$repo" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "cpu:      $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "cpu info: $(lscpu 2>/dev/null | awk -F: '/Hypervisor vendor|L2 cache|L3 cache/ {gsub(/^ +/, "", $2); printf "%s %s; ", $1, $2}')$(grep -m1 'cpu MHz' /proc/cpuinfo | sed 's/\s*:\s*/ /')"
    echo "memory:   $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "kernel:   $(uname -sr)"
    echo "sqlite3:  $(sqlite3 --version | cut -d' ' -f1) (CLI)"
    echo "load avg: $(cut -d' ' -f1-3 /proc/loadavg) (at start)"
    if awk '{ exit !($1 > 0.5) }' /proc/loadavg; then
        echo "warning:  other processes are using the CPU; timings will be noisy"
    fi
    echo "data:     $data"
    echo
} | tee "$log"

status=0
run() { # <seconds> <program> <args...>
    local limit=$1
    shift
    echo "## $*" | tee -a "$log"
    if ! (cd "$repo" && timeout "$limit" "$@") 2>&1 | tee -a "$log"; then
        echo "!! $1 failed or timed out" | tee -a "$log"
        status=1
    fi
    echo | tee -a "$log"
}

run 180 "$bin/bench_dataset" --out "$data/d1"
run 360 "$bin/bench_ingest" --data "$data" --calls "$ingest_calls" --runs "$runs"
run 300 "$bin/bench_query" --data "$data/d1" --runs "$runs"

{
    echo "load avg: $(cut -d' ' -f1-3 /proc/loadavg) (at end); wall time $(( $(date +%s) - started )) s"
    echo
    echo "## Results (median of $runs runs after 1 warm-up)"
    echo
    echo "| goal | metric | ours | baseline | ratio | target | result |"
    echo "|---|---|---|---|---|---|---|"
    grep '^RESULT|' "$log" | cut -d'|' -f2- | awk -F'|' '{ line = "|"; for (i = 1; i <= NF; ++i) line = line " " $i " |"; print line }'
    echo
    echo "## Other measurements"
    echo
    grep '^INFO|' "$log" | cut -d'|' -f2- | awk -F'|' '{printf "- [%s] %s: %s\n", $1, $2, $3}'
    echo
    pass=$(grep -c '^RESULT|.*|PASS$' "$log" || true)
    fail=$(grep -c '^RESULT|.*|FAIL$' "$log" || true)
    echo "$pass PASS, $fail FAIL. Full log: $log"
} | tee -a "$log.summary"
cat "$log.summary" >> "$log"
rm -f "$log.summary"
exit $status
