#!/usr/bin/env bash
# The student loop behind make's targets (docs/index.md):
#
#   workbook.sh next EXERCISE...     make: runs each exercise's tests on the
#                                    student's code in order, and stops at the
#                                    first one not done, with its output and
#                                    the next step (always exits 0: a failing
#                                    exercise is where the student is)
#   workbook.sh progress EXERCISE... make progress: every exercise's state
#   workbook.sh watch [EX]           make watch: reruns EX's tests whenever one
#                                    of its files is saved, like `rustlings
#                                    watch`; without EX, the first not done
#   workbook.sh hint EX              make hint: the next hint, one at a time
#   workbook.sh reset EX             make reset: the starter back, after
#                                    asking (YES=1 answers yes); the
#                                    student's version goes to build/backups/
set -u
cd "$(dirname "$0")/.."

# exercise_dir 01 -> 01-fibonacci (or the name itself if it is one).
exercise_dir() {
    local wanted=$1 dir
    for dir in exercises/[0-9][0-9]-*/; do
        dir=$(basename "$dir")
        if [ "$dir" = "$wanted" ] || [ "${dir%%-*}" = "$wanted" ]; then
            echo "$dir"
            return 0
        fi
    done
    echo "heapbook: no exercise '$wanted'; pick one of: $(ls exercises | tr '\n' ' ')" >&2
    return 1
}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
output="$scratch/output"
results="$scratch/results"

# run_exercise EX: builds and runs EX's tests on the student's code, output
# into $output, results into $results; prints the state, one of
#   done | memory | wrong | crash | build
# (all passed; correct but over memory limits; wrong answers; a test died;
# does not compile).
run_exercise() {
    local exercise=$1
    : >"$results"
    if ! make --no-print-directory -s "build/exercises/$exercise/tests" >"$output" 2>&1; then
        echo build
        return
    fi
    if "build/exercises/$exercise/tests" --results "$results" >"$output" 2>&1; then
        echo done
    elif awk -F'\t' '$3 == "failed" && $4 ~ /crash|timeout|exit/ { found = 1 } END { exit !found }' "$results"; then
        echo crash
    elif awk -F'\t' '$3 == "failed" && $4 ~ /assert|limit/ { found = 1 } END { exit !found }' "$results"; then
        echo wrong
    else
        echo memory
    fi
}

describe_state() {
    case "$1" in
    done) echo "done: correct and within its memory limits" ;;
    memory) echo "correct, but over its memory limits" ;;
    wrong) echo "some tests give wrong answers" ;;
    crash) echo "a test crashed, looped or exited" ;;
    build) echo "does not compile" ;;
    esac
}

next_step() {
    local exercise=$1
    echo "Next: read docs/$exercise.md, edit the files in exercises/$exercise/,"
    echo "      then run: make test EX=${exercise%%-*}   (stuck? make hint EX=${exercise%%-*})"
}

# The first exercise of the arguments that is not done, or nothing.
first_not_done() {
    local exercise
    for exercise in "$@"; do
        [ "$(run_exercise "$exercise")" = done ] || { echo "$exercise"; return; }
    done
}

next() {
    local exercise state done_count=0
    for exercise in "$@"; do
        state=$(run_exercise "$exercise")
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
        return 0
    done
    echo
    echo "All $done_count exercises pass their correctness and memory tests. Well done!"
}

progress() {
    local exercise state mark line next=""
    for exercise in "$@"; do
        state=$(run_exercise "$exercise")
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
}

# Prints the first failing test's report and where the student stands.
show_run() {
    local exercise=$1 state
    state=$(run_exercise "$exercise")
    clear 2>/dev/null || true
    echo "heapbook watch: $exercise ($(date +%H:%M:%S))"
    echo
    if [ "$state" = build ]; then
        cat "$output"
    elif [ "$state" != done ]; then
        awk '/\.\.\.FAILED/ { show = 1 } show && /^  Test: / && !/FAILED/ { exit } show' "$output"
    fi
    echo
    echo "  $exercise: $(describe_state "$state")"
    if [ "$state" = done ]; then
        echo "  Done! Run make watch again for the next exercise."
    else
        next_step "$exercise" | sed 's/^/  /'
    fi
    echo
    echo "Watching exercises/$exercise/ for saved files; Ctrl-C to stop."
}

# Uses inotifywait (Debian's inotify-tools) when it is there, else checks
# the files' times once a second.
wait_for_change() {
    local exercise=$1 before
    if command -v inotifywait >/dev/null; then
        inotifywait -qq -r -e close_write,moved_to,create "exercises/$exercise"
    else
        before=$(stat -c %Y "exercises/$exercise"/* | sort | tail -n 1)
        while [ "$(stat -c %Y "exercises/$exercise"/* | sort | tail -n 1)" = "$before" ]; do
            sleep 1
        done
    fi
}

watch() {
    local exercise
    if [ -n "${1:-}" ]; then
        exercise=$(exercise_dir "$1") || exit 2
    else
        exercise=$(first_not_done $(ls exercises))
        [ -n "$exercise" ] || exercise=$(ls exercises | tail -n 1)
    fi
    trap 'rm -rf "$scratch"; echo; exit 0' EXIT INT TERM
    while true; do
        show_run "$exercise"
        wait_for_change "$exercise"
    done
}

# Hints are kept beside the exercise (exercises/NN-name/hints.txt, separated
# by lines holding only ---); how many were shown is kept in build/hints/.
hint() {
    local exercise hints state shown total next
    exercise=$(exercise_dir "${1:?usage: workbook.sh hint EX}") || exit 2
    hints="exercises/$exercise/hints.txt"
    [ -s "$hints" ] || { echo "heapbook: $exercise has no hints ($hints)"; exit 1; }
    state="build/hints/$exercise"
    mkdir -p build/hints
    shown=$(cat "$state" 2>/dev/null || echo 0)
    total=$(awk '/^---$/ { n++ } END { print n + 1 }' "$hints")
    if [ "$shown" -ge "$total" ]; then
        echo "That was the last of the $total hints for $exercise. The solution is discussed in"
        echo "docs/$exercise.md, behind the spoiler; rm $state to see the hints again."
        return 0
    fi
    next=$((shown + 1))
    echo "Hint $next of $total for $exercise:"
    echo
    awk -v want="$next" '/^---$/ { n++; next } n + 1 == want' "$hints" | sed '/./,$!d'
    echo "$next" >"$state"
}

# The starter is the version in git: the one the clone came with
# (origin's), or else the last commit.
reset() {
    local exercise ref=HEAD backup answer
    exercise=$(exercise_dir "${1:?usage: workbook.sh reset EX}") || exit 2
    git rev-parse -q --verify origin/HEAD >/dev/null && ref=origin/HEAD
    backup="build/backups/$exercise-$(date +%Y%m%d-%H%M%S)"
    if [ "${YES:-}" != 1 ]; then
        printf 'Reset exercises/%s to its starter? Your version is kept in %s. [y/N] ' \
            "$exercise" "$backup"
        read -r answer || answer=""
        case "$answer" in
        y | Y | yes) ;;
        *) echo "Nothing changed."; return 0 ;;
        esac
    fi
    mkdir -p "$backup"
    cp -r "exercises/$exercise/." "$backup/"
    git checkout "$ref" -- "exercises/$exercise"
    rm -f "build/hints/$exercise"
    echo "exercises/$exercise is the starter again; your version is in $backup/."
}

command=${1:-}
shift || true
case "$command" in
next | progress | watch | hint | reset) "$command" "$@" ;;
*)
    echo "usage: $0 next|progress EXERCISE... | watch [EX] | hint EX | reset EX" >&2
    exit 2
    ;;
esac
