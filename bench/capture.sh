#!/usr/bin/env bash
# Capture size and report time.
#
#   1. bytes per allocation event (an allocation or a free) in heapbook's
#      capture and in heaptrack's file, for the same runs of the workload;
#      heaptrack compresses its file with zstd, so heapbook's is shown
#      zstd-compressed too;
#   2. the time to turn a capture of exactly 10,000,000 allocations
#      (bench/tenmillion.c) into the flame graph page and into `summary`,
#      median of $RUNS runs.
#
#   bench/capture.sh    (make bench builds what it needs first)
set -u
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
need heaptrack heaptrack
need zstd zstd
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

size() { stat -c %s "$1"; }
per() { awk -v b="$1" -v n="$2" 'BEGIN { printf "%.2f", b / n }'; }
# allocations + frees in a capture
events_in() {
    "$HEAPBOOK" stats --json "$1" | head -1 |
        awk -F'[:,]' '{ for (i = 1; i < NF; i++) if ($i ~ /"allocations"|"frees"/) n += $(i + 1) } END { print n }'
}

echo "== capture size: bytes per allocation event (allocations + frees)"
machine
printf '\n%-16s %10s %12s %12s %14s %14s\n' workload events "heapbook" "heapbook.zst" "heaptrack.zst" \
    "heaptrack raw"
for w in small-pairs churn cfrac-like; do
    "$HEAPBOOK" run -o "$scratch/w.hbcap" "$OUT/workload-glibc" --once --only "$w" >/dev/null 2>&1
    events=$(events_in "$scratch/w.hbcap")
    zstd -q -c "$scratch/w.hbcap" >"$scratch/w.hbcap.zst"
    heaptrack -o "$scratch/w" "$OUT/workload-glibc" --once --only "$w" >/dev/null 2>&1
    raw=$(zstd -dcq "$scratch/w.zst" | wc -c)
    printf '%-16s %10s %12s %12s %14s %14s\n' "$w" "$events" \
        "$(per "$(size "$scratch/w.hbcap")" "$events")" "$(per "$(size "$scratch/w.hbcap.zst")" "$events")" \
        "$(per "$(size "$scratch/w.zst")" "$events")" "$(per "$raw" "$events")"
    rm -f "$scratch"/w*
done

echo
echo "== report time on a capture of 10,000,000 allocations: median of $RUNS runs"
capture=$scratch/tenmillion.hbcap
record=$(wall_ns "$HEAPBOOK" run -o "$capture" "$OUT/tenmillion")
alone=$(median_ms "$OUT/tenmillion")
printf '%-34s %10s ms  (the program alone: %s ms)\n' "heapbook run (recording it)" \
    "$(awk -v n="$record" 'BEGIN { printf "%.1f", n / 1e6 }')" "$alone"
printf '%-34s %10s MB  (%s bytes per event)\n' "capture size" \
    "$(awk -v b="$(size "$capture")" 'BEGIN { printf "%.1f", b / 1e6 }')" \
    "$(per "$(size "$capture")" "$(events_in "$capture")")"
printf '%-34s %10s ms\n' "heapbook flamegraph" "$(median_ms "$HEAPBOOK" flamegraph -o "$scratch/page.html" "$capture")"
printf '%-34s %10s ms\n' "heapbook summary" "$(median_ms "$HEAPBOOK" summary "$capture")"
printf '%-34s %10s ms\n' "heapbook stats" "$(median_ms "$HEAPBOOK" stats "$capture")"
# heaptrack on the same program, once: its recording and its text report.
record=$(wall_ns heaptrack -o "$scratch/tenmillion" "$OUT/tenmillion")
printf '%-34s %10s ms\n' "heaptrack (recording it)" "$(awk -v n="$record" 'BEGIN { printf "%.1f", n / 1e6 }')"
printf '%-34s %10s MB  (%s bytes per event)\n' "heaptrack's file" \
    "$(awk -v b="$(size "$scratch/tenmillion.zst")" 'BEGIN { printf "%.1f", b / 1e6 }')" \
    "$(per "$(size "$scratch/tenmillion.zst")" "$(events_in "$capture")")"
printf '%-34s %10s ms\n' "heaptrack_print (once)" \
    "$(RUNS=1 median_ms heaptrack_print "$scratch/tenmillion.zst")"
