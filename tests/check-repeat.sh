#!/usr/bin/env bash
# make check-repeat N=20: runs make check's checks N times in a row on the
# same build, and fails if any run fails or if two runs differ, in a verdict
# or in any test's figures.  A check that can pass and fail on the same code
# is broken; this is how to find one before CI does.
#
#   tests/check-repeat.sh N EXERCISE...
#
# Each run's output is kept in build/check-repeat/run-K.log; the verdicts
# and every suite's results (tests/check.sh, CHECK_RECORD) beside it.
set -u
cd "$(dirname "$0")/.." || exit

runs=${1:?usage: check-repeat.sh N EXERCISE...}
shift
case "$runs" in '' | *[!0-9]* | 0) echo "check-repeat: N must be a whole number above 0, not '$runs'" >&2; exit 2 ;; esac
out=build/check-repeat
rm -rf "$out"
mkdir -p "$out"

failed_runs=0
differing_runs=0
for run in $(seq 1 "$runs"); do
    record="$out/run-$run"
    mkdir -p "$record"
    start=$(date +%s)
    CHECK_RECORD="$record" tests/check.sh "$@" >"$out/run-$run.log" 2>&1
    status=$?
    summary=$(tail -n 1 "$out/run-$run.log")
    verdict="same verdicts and figures as run 1"
    if [ "$run" -gt 1 ] && ! diff -r "$out/run-1" "$record" >"$out/run-$run.diff"; then
        differing_runs=$((differing_runs + 1))
        verdict="DIFFERS from run 1: $out/run-$run.diff"
    fi
    [ "$run" -eq 1 ] && verdict="the reference run"
    [ "$status" -eq 0 ] || failed_runs=$((failed_runs + 1))
    printf 'run %d of %d (%d s): %s; %s\n' "$run" "$runs" "$(($(date +%s) - start))" "$summary" "$verdict"
    if [ "$status" -ne 0 ]; then
        grep -A4 '^check FAILED' "$out/run-$run.log" | sed 's/^/    /'
    fi
done

if [ "$failed_runs" -eq 0 ] && [ "$differing_runs" -eq 0 ]; then
    echo "check-repeat: all $runs runs passed, with identical verdicts and figures"
    exit 0
fi
echo "check-repeat: $failed_runs of $runs runs failed, $differing_runs differed from the first (logs in $out/)"
exit 1
