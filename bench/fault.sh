#!/bin/bash
# make -C bench fault: hb_fail_each_allocation's processor time, with every
# block held until the end against every block freed as made, at 1,000,
# 10,000 and 100,000 allocations (bench/fault_points.c): linear if the time
# per allocation does not grow with them.  docs/performance.md,
# "Fault injection", keeps its table.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
binary=$OUT/fault_points
times=$(mktemp)
output=$(mktemp)
trap 'rm -f "$times" "$output"' EXIT
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
echo "| code | allocations | failure points forked | processor time | per allocation |"
echo "|---|---|---|---|---|"
for ((run = 0; run < RUNS; run++)); do
    HEAPBOOK_TIMEOUT=600 "$binary" --record-times "$times.$run" >"$output.$run"
done
for test in held_1000 held_10000 held_100000 freed_1000 freed_10000 freed_100000; do
    kind=${test%_*} n=${test#*_}
    points=$(grep -o "\[points $kind $n [0-9]*\]" "$output.0" | awk '{ print $4 }' | tr -d ']')
    # the median of the runs' processor times, in microseconds
    us=$(for ((run = 0; run < RUNS; run++)); do awk -v t="$test" '$1 == t { print $2 }' "$times.$run"; done |
        sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }')
    awk -v k="$kind" -v n="$n" -v p="$points" -v us="$us" \
        'BEGIN { printf "| %s | %d | %d | %.0f ms | %.1f us |\n", (k == "held" ? "every block held" : "each block freed"), n, p, us / 1000, us / n }'
done
for ((run = 0; run < RUNS; run++)); do rm -f "$times.$run" "$output.$run"; done
