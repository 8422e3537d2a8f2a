#!/usr/bin/env bash
# Accuracy: the peak heap each tool reports, next to the exact figure.
#
# The exact figure is worked out by hand for the programs in
# bench/accuracy/ (each states it in its first line) and measured by
# refpeak.so for the exercises' programs: a counter of requested bytes
# written apart from the harness (bench/refpeak.c), checked against the hand
# figures in the first rows.  heaptrack's peak is computed from its data
# file to the byte (its report rounds to three digits); massif's is its
# largest mem_heap_B snapshot (requested bytes; its mem_heap_extra_B, what
# glibc set aside beyond that at the same snapshot, is shown after a +).
#
#   bench/accuracy.sh    (make bench builds what it needs first)
set -u
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
need heaptrack heaptrack
need valgrind valgrind
need memusage libc-devtools
need zstd zstd
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Peak live bytes in heaptrack's data: 'a SIZE TRACE' declares allocation
# info number n (hex, in order), '+ n' allocates one, '- n' frees one.
heaptrack_peak() {
    zstd -dcq "$1" | awk '
    function hex(s,    i, v) {
        v = 0
        for (i = 1; i <= length(s); i++)
            v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
        return v
    }
    $1 == "a" { size[infos++] = hex($2) }
    $1 == "+" { live += size[hex($2)]; if (live > peak) peak = live }
    $1 == "-" { live -= size[hex($2)] }
    END { print peak + 0 }'
}

massif_peak() {
    awk -F= '$1 == "mem_heap_B" { heap = $2 } $1 == "mem_heap_extra_B" {
        if (heap > peak) { peak = heap; extra = $2 } }
        END { printf "%d +%d", peak, extra }' "$1"
}

row() { # name exact command...
    local name=$1 exact=$2
    shift 2
    REFPEAK_OUT="$scratch/ref" LD_PRELOAD="$OUT/refpeak.so" "$@" >/dev/null 2>&1
    local ref
    ref=$(awk '{ print $2 }' "$scratch/ref" 2>/dev/null)
    [ "$exact" = "-" ] && exact=$ref
    "$HEAPBOOK" run -o "$scratch/hb.hbcap" "$@" >/dev/null 2>&1
    local hb
    hb=$("$HEAPBOOK" stats --json "$scratch/hb.hbcap" | grep -o '"peak_bytes": [0-9]*' | grep -o '[0-9]*$')
    heaptrack -o "$scratch/ht" "$@" >/dev/null 2>&1
    local ht
    ht=$(heaptrack_peak "$scratch/ht.zst")
    valgrind --tool=massif --massif-out-file="$scratch/massif.out" "$@" >/dev/null 2>&1
    local ms
    ms=$(massif_peak "$scratch/massif.out")
    local mu
    mu=$(memusage "$@" 2>&1 >/dev/null | grep -o 'heap peak: [0-9]*' | grep -o '[0-9]*$')
    mark() { [ "$1" = "$exact" ] && echo "$1" || echo "$1*"; }
    printf '%-22s %10s %10s %11s %11s %20s %11s\n' "$name" "$exact" "$ref" "$(mark "$hb")" \
        "$(mark "$ht")" "$(mark "${ms% *}") ${ms#* }" "$(mark "$mu")"
    rm -f "$scratch"/ht* "$scratch"/hb* "$scratch"/massif.out "$scratch/ref"
}

echo "== accuracy: peak heap in bytes requested; * where a tool differs from the exact figure"
machine
printf '\n%-22s %10s %10s %11s %11s %20s %11s\n' program exact refpeak heapbook heaptrack \
    "massif (+extra)" memusage
for source in bench/accuracy/*.c; do
    name=$(basename "$source" .c)
    exact=$(sed -n 's|^/\* exact peak: \([0-9]*\) bytes.*|\1|p' "$source")
    row "$name" "$exact" "$OUT/accuracy/$name"
done
row "tests: peaks" 4500 build/tests/profiler/peaks
for program in build/exercises/*/program build/solutions/*/program; do
    exercise=$(basename "$(dirname "$program")")
    variant=$(basename "$(dirname "$(dirname "$program")")")
    [ "$variant" = exercises ] && variant=starter || variant=solution
    row "${exercise%%-*} $variant" - "$program"
done
echo "(exercises: exact = refpeak's count; see docs/performance.md for why the others differ)"
