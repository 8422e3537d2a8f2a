#!/usr/bin/env bash
# The default `make`: runs each exercise's tests on the student's code, in
# order, and stops at the first one not done yet, showing its tests' output
# and what to do next.  Always exits 0: a failing exercise is where the
# student is, not an error.
set -u
cd "$(dirname "$0")/.."

results=$(mktemp)
output=$(mktemp)
trap 'rm -f "$results" "$output"' EXIT

done_count=0
for exercise in "$@"; do
    number=${exercise%%-*}
    if build/exercises/"$exercise"/tests --results "$results" >"$output" 2>&1; then
        echo "  [x] $exercise"
        done_count=$((done_count + 1))
        continue
    fi
    cat "$output"
    echo
    if awk -F'\t' '$3 == "failed" && $4 ~ /assert/' "$results" | grep -q .; then
        state="some tests give wrong answers"
    elif [ -s "$results" ]; then
        state="correct, but over its memory limits"
    else
        state="the tests crashed before they finished"
    fi
    echo "  [ ] $exercise: $state   <- you are here"
    echo
    echo "Next: read docs/$exercise.md, edit the files in exercises/$exercise/,"
    echo "      then run: make test EX=$number"
    exit 0
done
echo
echo "All $done_count exercises pass their correctness and memory tests. Well done!"
