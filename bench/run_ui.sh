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

source "$(dirname "$0")/lib.sh"
bench_init "${1:-}" ui-results bench_dataset bench_ui bench_trace
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export QT_QPA_PLATFORM=offscreen
bench_header "Spindle desktop benchmarks" \
    "qt:       $(qtpaths6 --qt-version 2>/dev/null || echo '?'), QT_QPA_PLATFORM=offscreen (software raster)"

run 150 "$bin/bench_dataset" --out "$data/d1"
run 30 "$bin/bench_dataset" --out "$data/d3" --traces 555
run 60 "$bin/bench_ui" --data "$data/d3" --label D3 --write "$work/d3.txt"
run 180 "$bin/bench_ui" --data "$data/d1" --label D1 --baseline "$work/d3.txt"
run 90 "$bin/bench_trace" --data "$data"

summary() {
    bench_results "Results"
    echo "## Other measurements"
    echo
    bench_infos '^INFO|D[13]|'
    { grep '^INFO|D[13]|slow' "$log" || true; } | cut -d'|' -f2- | awk -F'|' '{printf "- [%s] %s: %s\n", $1, $2, $3}'
    echo
    echo "## Calls table, D3 and D1 side by side"
    echo
    echo "| measurement | D3 | D1 |"
    echo "|---|---|---|"
    side() { { grep "^INFO|$1|" "$log" | grep -v '|slow' || true; } | cut -d'|' -f3- | LC_ALL=C sort -t'|' -k1,1; }
    LC_ALL=C join -t'|' <(side D3) <(side D1) | awk -F'|' '{printf "| %s | %s | %s |\n", $1, $2, $3}'
    echo
}
bench_finish summary
