#!/usr/bin/env bash
# make hint EX=NN: the next hint for an exercise, one at a time.  Hints are
# kept beside the exercise (exercises/NN-name/hints.txt, separated by lines
# holding only ---); how many were shown is kept in build/hints/.
set -u
cd "$(dirname "$0")/.."
. tools/lib.sh

exercise=$(exercise_dir "${1:?usage: hint.sh EX}") || exit 2
hints="exercises/$exercise/hints.txt"
[ -s "$hints" ] || { echo "heapbook: $exercise has no hints ($hints)"; exit 1; }
state="build/hints/$exercise"
mkdir -p build/hints
shown=$(cat "$state" 2>/dev/null || echo 0)
total=$(awk '/^---$/ { n++ } END { print n + 1 }' "$hints")
if [ "$shown" -ge "$total" ]; then
    echo "That was the last of the $total hints for $exercise. The solution is discussed in"
    echo "docs/$exercise.md, behind the spoiler; rm $state to see the hints again."
    exit 0
fi
next=$((shown + 1))
echo "Hint $next of $total for $exercise:"
echo
awk -v want="$next" '/^---$/ { n++; next } n + 1 == want' "$hints" | sed '/./,$!d'
echo "$next" >"$state"
