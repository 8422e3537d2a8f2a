#!/usr/bin/env bash
# Profiler overhead: each program alone, then under heapbook run, heaptrack,
# valgrind's massif and glibc's memusage.  A cell is the median wall time of
# $RUNS runs of the whole process (the tool's start-up and its writing of
# the file included, as a user waits for them) and its ratio to the program
# alone.  The last two columns: how many times faster heapbook is than
# heaptrack and than massif (goals: 2 and 20).
#
#   bench/profilers.sh    (make bench builds what it needs first)
set -u
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
need heaptrack heaptrack
need valgrind valgrind
need memusage libc-devtools
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

workload=$OUT/workload-glibc
cases=""
for w in small-pairs realloc-growth churn churn-2threads medium-churn cfrac-like; do
    cases+="$w|$workload --once --only $w"$'\n'
done
for program in build/exercises/*/program; do
    name=$(basename "$(dirname "$program")")
    cases+="${name%%-*} starter|$program"$'\n'
done

echo "== profiler overhead: median of $RUNS runs, ms (and the ratio to the program alone)"
machine
printf '\n%-16s %8s %18s %18s %18s %18s %10s %10s\n' case alone "heapbook run" heaptrack massif memusage \
    "ht/hb" "massif/hb"
while IFS='|' read -r name command; do
    [ -n "$name" ] || continue
    # The command is words, split on purpose (bench/profilers.cases).
    # shellcheck disable=SC2086
    alone=$(median_ms $command)
    # shellcheck disable=SC2086
    hb=$(median_ms "$HEAPBOOK" run -o "$scratch/run.hbcap" $command)
    # shellcheck disable=SC2086
    ht=$(median_ms heaptrack -o "$scratch/run" $command)
    # shellcheck disable=SC2086
    ms=$(median_ms valgrind --tool=massif --massif-out-file="$scratch/massif.out" $command)
    # shellcheck disable=SC2086
    mu=$(median_ms memusage $command)
    printf '%-16s %8s %9s %7sx %9s %7sx %9s %7sx %9s %7sx %9sx %9sx\n' "$name" "$alone" \
        "$hb" "$(ratio "$hb" "$alone")" "$ht" "$(ratio "$ht" "$alone")" \
        "$ms" "$(ratio "$ms" "$alone")" "$mu" "$(ratio "$mu" "$alone")" \
        "$(ratio "$ht" "$hb")" "$(ratio "$ms" "$hb")"
    rm -f "$scratch"/run*
done <<<"$cases"
