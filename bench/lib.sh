# What bench/run.sh, run_ui.sh and run_dashboard.sh share; each sources this file after
# `set -euo pipefail`. The scripts build nothing: they run programs of an existing build, log
# everything to a file under $BENCH_DATA and end with a table of the RESULT lines.

# bench_init <build-dir> <log-name> <program>...: sets repo, build, bin, data, log, started and
# status, and checks that the build has the programs. Exits 2 with a usage line otherwise.
bench_init() {
    if [[ -z "$1" || "$1" == -h || "$1" == --help ]]; then
        echo "usage: $0 <build-dir>" >&2
        exit 2
    fi
    build=$(cd "$1" && pwd)
    local name=$2
    shift 2
    repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    data=${BENCH_DATA:-$repo/bench/data}
    bin=$build/bench
    local program
    for program in "$@"; do
        if [[ ! -x $bin/$program ]]; then
            echo "missing $bin/$program: build the bench targets first (see the top of this script)" >&2
            exit 2
        fi
    done
    mkdir -p "$data"
    log=$data/$name-$(date +%Y%m%d-%H%M%S).log
    started=$(date +%s)
    status=0
}

# bench_header <title> [<line>...]: the machine and the state of the tree, then the extra lines.
bench_header() {
    {
        echo "# $1, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        shift
        echo "commit:   $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$repo" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
        echo "cpu:      $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
        echo "memory:   $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
        echo "kernel:   $(uname -sr)"
        local line
        for line in "$@"; do
            echo "$line"
        done
        echo "load avg: $(cut -d' ' -f1-3 /proc/loadavg) (at start)"
        if awk '{ exit !($1 > 0.5) }' /proc/loadavg; then
            echo "warning:  other processes are using the CPU; timings will be noisy"
        fi
        echo "data:     $data"
        echo
    } | tee "$log"
}

# run <seconds> <program> <args...>: one program under `timeout`, from the repository's root.
run() {
    local limit=$1
    shift
    echo "## ${*#$bin/}" | tee -a "$log"
    if ! (cd "$repo" && timeout "$limit" "$@") 2>&1 | tee -a "$log"; then
        echo "!! $1 failed or timed out" | tee -a "$log"
        status=1
    fi
    echo | tee -a "$log"
}

# bench_results <heading>: the end of the run and the table of every RESULT line.
bench_results() {
    echo "load avg: $(cut -d' ' -f1-3 /proc/loadavg) (at end); wall time $(($(date +%s) - started)) s"
    echo
    echo "## $1"
    echo
    echo "| goal | metric | ours | baseline | ratio | target | result |"
    echo "|---|---|---|---|---|---|---|"
    { grep '^RESULT|' "$log" || true; } | cut -d'|' -f2- |
        awk -F'|' '{ line = "|"; for (i = 1; i <= NF; ++i) line = line " " $i " |"; print line }'
    echo
}

# bench_infos [<grep -v pattern>]: the INFO lines as a list, but those matching the pattern.
bench_infos() {
    { grep '^INFO|' "$log" | grep -v "${1:-^$}" || true; } | cut -d'|' -f2- |
        awk -F'|' '{printf "- [%s] %s: %s\n", $1, $2, $3}'
}

# bench_summary: the summary of run.sh and run_dashboard.sh, the RESULT table and every INFO line.
bench_summary() {
    bench_results "Results (median of $runs runs after 1 warm-up)"
    echo "## Other measurements"
    echo
    bench_infos
    echo
}

# bench_finish <function>: prints the function's summary, then the PASS/FAIL count, onto the
# screen and at the end of the log, and exits with the run's status.
bench_finish() {
    {
        "$1"
        local pass fail
        pass=$(grep -c '^RESULT|.*|PASS$' "$log" || true)
        fail=$(grep -c '^RESULT|.*|FAIL$' "$log" || true)
        echo "$pass PASS, $fail FAIL. Full log: $log"
    } | tee -a "$log.summary"
    cat "$log.summary" >> "$log"
    rm -f "$log.summary"
    exit "$status"
}
