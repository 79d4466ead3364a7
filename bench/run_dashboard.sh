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

if [[ $# -ne 1 || "$1" == -h || "$1" == --help ]]; then
    echo "usage: $0 <build-dir>" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
data=${BENCH_DATA:-$repo/bench/data}
runs=${BENCH_RUNS:-5}
bin=$build/bench
for program in bench_dataset bench_dashboard; do
    if [[ ! -x $bin/$program ]]; then
        echo "missing $bin/$program: build the bench targets first (see the top of this script)" >&2
        exit 2
    fi
done
command -v sqlite3 >/dev/null || { echo "the sqlite3 CLI is required (baseline)" >&2; exit 2; }
mkdir -p "$data"
log=$data/dashboard-results-$(date +%Y%m%d-%H%M%S).log
export QT_QPA_PLATFORM=offscreen
started=$(date +%s)

{
    echo "# Spindle dashboard benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit:   $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$repo" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "cpu:      $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
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
    echo "## ${*#$bin/}" | tee -a "$log"
    if ! (cd "$repo" && timeout "$limit" "$@") 2>&1 | tee -a "$log"; then
        echo "!! $1 failed or timed out" | tee -a "$log"
        status=1
    fi
    echo | tee -a "$log"
}

run 180 "$bin/bench_dataset" --out "$data/d4" --days 30 --model-mix
run 1200 "$bin/bench_dashboard" --data "$data/d4" --runs "$runs"

{
    echo "load avg: $(cut -d' ' -f1-3 /proc/loadavg) (at end); wall time $(( $(date +%s) - started )) s"
    echo
    echo "## Results (median of $runs runs after 1 warm-up)"
    echo
    echo "| goal | metric | ours | baseline | ratio | target | result |"
    echo "|---|---|---|---|---|---|---|"
    { grep '^RESULT|' "$log" || true; } | cut -d'|' -f2- |
        awk -F'|' '{ line = "|"; for (i = 1; i <= NF; ++i) line = line " " $i " |"; print line }'
    echo
    echo "## Other measurements"
    echo
    { grep '^INFO|' "$log" || true; } | cut -d'|' -f2- | awk -F'|' '{printf "- [%s] %s: %s\n", $1, $2, $3}'
    echo
    pass=$(grep -c '^RESULT|.*|PASS$' "$log" || true)
    fail=$(grep -c '^RESULT|.*|FAIL$' "$log" || true)
    echo "$pass PASS, $fail FAIL. Full log: $log"
} | tee -a "$log.summary"
cat "$log.summary" >> "$log"
rm -f "$log.summary"
exit $status
