#!/usr/bin/env bash
# Runs the desktop benchmarks (calls table and trace view, goals U1-U7) against an existing build
# and prints a results table. It builds nothing; build first, for example:
#   cmake -S . -B build-uibench -G Ninja -DCMAKE_BUILD_TYPE=Release -DSPINDLE_BUILD_TESTS=OFF
#   ninja -C build-uibench bench_dataset bench_ui bench_trace
#   bench/run_ui.sh build-uibench
#
# Datasets (under BENCH_DATA, default <repo>/bench/data, gitignored; each is made once and reused):
#   d1  D1, 1 M calls (bench/main holds 900k of them); shared with bench/run.sh
#   d3  D3, 11,100 calls (bench/main holds 10,000), the small-project control
#   d2  D2, one 100k-call trace (a node with 10k children) and the same shape at 1k calls
# bench_ui runs once per dataset, each in its own process so resident memory is clean: D3 first,
# then D1 with D3's numbers as the baseline of the ratios.
# Time bound: about 1 minute on a 2-vCPU VM (plus ~20 s the first time, for D1, and ~5 s for D2);
# every program runs under `timeout` and the limits add up to 8.5 minutes.
set -euo pipefail

if [[ $# -ne 1 || "$1" == -h || "$1" == --help ]]; then
    echo "usage: $0 <build-dir>" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
data=${BENCH_DATA:-$repo/bench/data}
bin=$build/bench
for program in bench_dataset bench_ui bench_trace; do
    if [[ ! -x $bin/$program ]]; then
        echo "missing $bin/$program: build the bench targets first (see the top of this script)" >&2
        exit 2
    fi
done
mkdir -p "$data"
log=$data/ui-results-$(date +%Y%m%d-%H%M%S).log
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export QT_QPA_PLATFORM=offscreen
started=$(date +%s)

{
    echo "# Spindle desktop benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit:   $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$repo" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "cpu:      $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "memory:   $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "kernel:   $(uname -sr)"
    echo "qt:       $(qtpaths6 --qt-version 2>/dev/null || echo '?'), QT_QPA_PLATFORM=offscreen (software raster)"
    echo "load avg: $(cut -d' ' -f1-3 /proc/loadavg) (at start)"
    if awk '{ exit !($1 > 0.5) }' /proc/loadavg; then
        echo "warning:  other processes are using the CPU; lag and frame times will be noisy"
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

run 150 "$bin/bench_dataset" --out "$data/d1"
run 30 "$bin/bench_dataset" --out "$data/d3" --traces 555
run 60 "$bin/bench_ui" --data "$data/d3" --label D3 --write "$work/d3.txt"
run 180 "$bin/bench_ui" --data "$data/d1" --label D1 --baseline "$work/d3.txt"
run 90 "$bin/bench_trace" --data "$data"

{
    echo "load avg: $(cut -d' ' -f1-3 /proc/loadavg) (at end); wall time $(( $(date +%s) - started )) s"
    echo
    echo "## Results"
    echo
    echo "| goal | metric | ours | baseline | ratio | target | result |"
    echo "|---|---|---|---|---|---|---|"
    { grep '^RESULT|' "$log" || true; } | cut -d'|' -f2- |
        awk -F'|' '{ line = "|"; for (i = 1; i <= NF; ++i) line = line " " $i " |"; print line }'
    echo
    echo "## Other measurements"
    echo
    { grep '^INFO|' "$log" | grep -v '^INFO|D[13]|' || true; } | cut -d'|' -f2- |
        awk -F'|' '{printf "- [%s] %s: %s\n", $1, $2, $3}'
    { grep '^INFO|D[13]|slow' "$log" || true; } | cut -d'|' -f2- | awk -F'|' '{printf "- [%s] %s: %s\n", $1, $2, $3}'
    echo
    echo "## Calls table, D3 and D1 side by side"
    echo
    echo "| measurement | D3 | D1 |"
    echo "|---|---|---|"
    side() { { grep "^INFO|$1|" "$log" | grep -v '|slow' || true; } | cut -d'|' -f3- | LC_ALL=C sort -t'|' -k1,1; }
    LC_ALL=C join -t'|' <(side D3) <(side D1) | awk -F'|' '{printf "| %s | %s | %s |\n", $1, $2, $3}'
    echo
    pass=$(grep -c '^RESULT|.*|PASS$' "$log" || true)
    fail=$(grep -c '^RESULT|.*|FAIL$' "$log" || true)
    echo "$pass PASS, $fail FAIL. Full log: $log"
} | tee -a "$log.summary"
cat "$log.summary" >> "$log"
rm -f "$log.summary"
exit $status
