# shellcheck shell=bash
# Helpers of the bench scripts (sourced).  Every script runs from the top of
# the repository, with $OUT the bench's build directory.

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/build/bench}
# shellcheck disable=SC2034 # used by the scripts that source this
HEAPBOOK=${HEAPBOOK:-$ROOT/build/bin/heapbook} # another build: HEAPBOOK=DIR/bin/heapbook
RUNS=${RUNS:-3} # odd: the median is one measured run

# wall_ns CMD...: runs CMD once, output discarded; prints its wall time in ns.
wall_ns() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    echo $((end - start))
}

# median_ms CMD...: the median wall time of $RUNS runs of CMD, in ms.
median_ms() {
    local i times=""
    for ((i = 0; i < RUNS; i++)); do
        times="$times $(wall_ns "$@")"
    done
    # shellcheck disable=SC2086 # one word per run
    echo $times | tr ' ' '\n' | sort -n |
        awk '{ t[NR] = $1 } END { printf "%.1f", t[int((NR + 1) / 2)] / 1e6 }'
}

# ratio A B: A / B with two decimals ("-" if either is missing).
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0 || a == "-" || b == "-") print "-"; else printf "%.2f", a / b }'
}

# need TOOL PACKAGE: stops with the package to install.
need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    echo "bench: $1 is missing: run bench/install (apt-get install $2)" >&2
    exit 1
}

# machine: one line that says where the figures come from.
machine() {
    local model
    model=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
    echo "machine: $(nproc) CPUs, ${model:-unknown CPU}, Linux $(uname -r), $(gcc --version | head -1), glibc $(ldd --version | head -1 | awk '{ print $NF }')"
}
