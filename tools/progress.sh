#!/usr/bin/env bash
# make progress: every exercise with its state, and which one is next.
set -u
cd "$(dirname "$0")/.."
. tools/lib.sh

results=$(mktemp)
output=$(mktemp)
trap 'rm -f "$results" "$output"' EXIT

next=""
for exercise in "$@"; do
    state=$(run_exercise "$exercise" "$output" "$results")
    mark=" "
    [ "$state" = done ] && mark=x
    line="  [$mark] $exercise: $(describe_state "$state")"
    if [ "$state" != done ] && [ -z "$next" ]; then
        next=$exercise
        line="$line   <- next"
    fi
    echo "$line"
done
echo
if [ -n "$next" ]; then
    next_step "$next"
else
    echo "Every exercise is done. Well done!"
fi
