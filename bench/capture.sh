#!/usr/bin/env bash
# Capture sizes beside heaptrack, every figure from this one run:
#
#   1. capture bytes per allocation (an allocation and, in these programs,
#      its free) in heapbook's capture and in heaptrack's file, for the
#      same runs of the workload and of bench/tenmillion.c;
#   1b. the whole capture of small real programs (jq, sqlite3, python3,
#      a C++ program, exercise 01) beside heaptrack's.
#
# Recording and reporting at 10M and 50M allocations, and the memory they
# take, are bench/scale.sh's (make -C bench scale).
#
#   bench/capture.sh    (make bench builds what it needs first)
set -u
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
need heaptrack heaptrack
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

size() { stat -c %s "$1"; }
per() { awk -v b="$1" -v n="$2" 'BEGIN { printf "%.2f", b / n }'; }
allocations_in() { "$HEAPBOOK" stats --json "$1" | grep -o '"allocations": [0-9]*' | head -n 1 | grep -o '[0-9]*$'; }

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

