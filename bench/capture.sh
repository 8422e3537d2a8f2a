#!/usr/bin/env bash
# The profiler at scale, beside heaptrack, every figure from this one run:
#
#   1. capture bytes per allocation (an allocation and, in these programs,
#      its free) in heapbook's capture and in heaptrack's file, for the
#      same runs of the workload and of bench/tenmillion.c;
#      and the whole capture of small real programs (jq, sqlite3, python3,
#      a C++ program) beside heaptrack's;
#   2. recording bench/tenmillion.c's 10,000,000 allocations: heapbook run
#      against heaptrack, and the program alone, median of $RUNS runs;
#   3. turning that capture into reports: heapbook summary, tree, stats and
#      flamegraph against heaptrack_print, median of $RUNS runs, with the
#      most memory each used;
#   4. the memory of the reports on a capture of 50,000,000 allocations
#      (the same program, 5 times as long): it must not grow with the
#      number of allocations, only with distinct stacks and the live set.
#
#   bench/capture.sh    (make bench builds what it needs first)
set -u
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
need heaptrack heaptrack
need heaptrack_print heaptrack
need /usr/bin/time time
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

size() { stat -c %s "$1"; }
per() { awk -v b="$1" -v n="$2" 'BEGIN { printf "%.2f", b / n }'; }
allocations_in() { "$HEAPBOOK" stats --json "$1" | grep -o '"allocations": [0-9]*' | head -n 1 | grep -o '[0-9]*$'; }
# peak_mb CMD...: the most resident memory CMD used, in MiB (GNU time's %M).
peak_mb() {
    /usr/bin/time -f '%M' -o "$scratch/time" "$@" >/dev/null 2>&1
    awk '{ printf "%.1f", $1 / 1024 }' "$scratch/time"
}
mb() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1e6 }'; }

echo "== 1. capture size: bytes per allocation"
machine
printf '\n%-22s %12s %14s %14s %10s\n' program allocations heapbook heaptrack "hb/ht"
for w in small-pairs churn cfrac-like tenmillion; do
    if [ "$w" = tenmillion ]; then command=("$OUT/tenmillion"); else command=("$OUT/workload-glibc" --once --only "$w"); fi
    "$HEAPBOOK" run -o "$scratch/w.hbcap" "${command[@]}" >/dev/null 2>&1
    heaptrack -o "$scratch/w" "${command[@]}" >/dev/null 2>&1
    n=$(allocations_in "$scratch/w.hbcap")
    hb=$(per "$(size "$scratch/w.hbcap")" "$n")
    ht=$(per "$(size "$scratch/w.zst")" "$n")
    printf '%-22s %12s %14s %14s %10s\n' "$w" "$n" "$hb" "$ht" "$(ratio "$hb" "$ht")"
    [ "$w" = tenmillion ] && mv "$scratch/w.hbcap" "$scratch/ten.hbcap" && mv "$scratch/w.zst" "$scratch/ten.zst"
    rm -f "$scratch"/w.*
done

echo
echo "== 1b. capture size of small real programs: bytes of the whole file"
printf '\n%-10s %12s %12s %10s\n' program heapbook heaptrack "hb/ht"
# side_by_side NAME COMMAND...: both captures' bytes, if COMMAND is installed.
side_by_side() {
    local name=$1
    shift
    command -v "$1" >/dev/null || return 0
    "$HEAPBOOK" run -o "$scratch/s.hbcap" "$@" >/dev/null 2>&1
    heaptrack -o "$scratch/s" "$@" >/dev/null 2>&1
    printf '%-10s %12s %12s %10s\n' "$name" "$(size "$scratch/s.hbcap")" "$(size "$scratch/s.zst")" \
        "$(ratio "$(size "$scratch/s.hbcap")" "$(size "$scratch/s.zst")")"
    rm -f "$scratch"/s.*
}
side_by_side cxx "$ROOT/build/tests/profiler/cplusplus"
side_by_side exercise01 "$ROOT/build/exercises/01-fibonacci/program"
side_by_side jq jq . tests/web/sample-data.json
side_by_side sqlite3 sqlite3 :memory: \
    "with recursive c(x) as (select 1 union all select x+1 from c where x<20000) select count(*), sum(x) from c;"
# A pyenv shim is a script that execs the interpreter: record the interpreter.
python=$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))' 2>/dev/null)
[ -n "$python" ] && side_by_side python3 "$python" -c 'import json; print(len(json.dumps(list(range(10000)))))'

echo
echo "== 2. recording 10,000,000 allocations: median of $RUNS runs, ms"
alone=$(median_ms "$OUT/tenmillion")
hb=$(median_ms "$HEAPBOOK" run -o "$scratch/r.hbcap" "$OUT/tenmillion")
ht=$(median_ms heaptrack -o "$scratch/r" "$OUT/tenmillion")
printf '%-26s %10s  (%sx the program alone)\n' "the program alone" "$alone" 1.00
printf '%-26s %10s  (%sx)\n' "heapbook run" "$hb" "$(ratio "$hb" "$alone")"
printf '%-26s %10s  (%sx)\n' "heaptrack" "$ht" "$(ratio "$ht" "$alone")"
printf '%-26s %10sx  (goal: at most 0.50)\n' "heapbook / heaptrack" "$(ratio "$hb" "$ht")"

echo
echo "== 3. reports on that capture: median of $RUNS runs, ms, and the most memory"
printf '%-34s %10s %12s %10s\n' report ms "memory MiB" "/ heaptrack_print"
ht=$(median_ms heaptrack_print "$scratch/ten.zst")
ht_mb=$(peak_mb heaptrack_print "$scratch/ten.zst")
for report in summary tree stats "flamegraph -o $scratch/page.html"; do
    # shellcheck disable=SC2086 # the report is words
    t=$(median_ms "$HEAPBOOK" $report "$scratch/ten.hbcap")
    # shellcheck disable=SC2086
    printf '%-34s %10s %12s %9sx\n' "heapbook ${report%% *}" "$t" "$(peak_mb "$HEAPBOOK" $report "$scratch/ten.hbcap")" \
        "$(ratio "$t" "$ht")"
done
printf '%-34s %10s %12s %9sx  (goal for heapbook: at most 0.50)\n' "heaptrack_print (all its reports)" "$ht" "$ht_mb" 1.00

echo
echo "== 4. the reports' memory on 50,000,000 allocations (MiB; goal: at most 64)"
"$HEAPBOOK" run -o "$scratch/fifty.hbcap" "$OUT/tenmillion" 50000000 >/dev/null 2>&1
heaptrack -o "$scratch/fifty" "$OUT/tenmillion" 50000000 >/dev/null 2>&1
printf '%-34s %12s  (capture: %s MB, %s bytes per allocation)\n' "heapbook summary" \
    "$(peak_mb "$HEAPBOOK" summary "$scratch/fifty.hbcap")" "$(mb "$(size "$scratch/fifty.hbcap")")" \
    "$(per "$(size "$scratch/fifty.hbcap")" 50000000)"
printf '%-34s %12s\n' "heapbook flamegraph" "$(peak_mb "$HEAPBOOK" flamegraph -o "$scratch/page.html" "$scratch/fifty.hbcap")"
printf '%-34s %12s  (file: %s MB)\n' "heaptrack_print" "$(peak_mb heaptrack_print "$scratch/fifty.zst")" \
    "$(mb "$(size "$scratch/fifty.zst")")"
