#!/usr/bin/env bash
# The default `make`: runs each exercise's tests on the student's code, in
# order, and stops at the first one not done yet, showing its tests' output
# and what to do next.  Always exits 0: a failing exercise is where the
# student is, not an error.
set -u
cd "$(dirname "$0")/.."
. tools/lib.sh

results=$(mktemp)
output=$(mktemp)
trap 'rm -f "$results" "$output"' EXIT

done_count=0
for exercise in "$@"; do
    state=$(run_exercise "$exercise" "$output" "$results")
    if [ "$state" = done ]; then
        echo "  [x] $exercise"
        done_count=$((done_count + 1))
        continue
    fi
    cat "$output"
    echo
    echo "  [ ] $exercise: $(describe_state "$state")   <- you are here"
    echo
    next_step "$exercise"
    exit 0
done
echo
echo "All $done_count exercises pass their correctness and memory tests. Well done!"
