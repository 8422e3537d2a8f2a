#!/usr/bin/env bash
# make watch [EX=NN]: reruns an exercise's tests whenever one of its files is
# saved, like `rustlings watch`, and shows the first failure and the next
# step.  Without EX, watches the first exercise not done yet.  Uses
# inotifywait (Debian's inotify-tools) when it is there, else checks the
# files' times once a second.  Ctrl-C stops.
set -u
cd "$(dirname "$0")/.."
. tools/lib.sh

results=$(mktemp)
output=$(mktemp)
trap 'rm -f "$results" "$output"; echo; exit 0' EXIT INT TERM

if [ -n "${1:-}" ]; then
    exercise=$(exercise_dir "$1") || exit 2
else
    for exercise in $(ls exercises); do
        [ "$(run_exercise "$exercise" "$output" "$results")" = done ] || break
    done
fi

# Prints the first failing test's report and where the student stands.
show_run() {
    local state
    state=$(run_exercise "$exercise" "$output" "$results")
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

wait_for_change() {
    if command -v inotifywait >/dev/null; then
        inotifywait -qq -r -e close_write,moved_to,create "exercises/$exercise"
    else
        local before
        before=$(stat -c %Y "exercises/$exercise"/* | sort | tail -n 1)
        while [ "$(stat -c %Y "exercises/$exercise"/* | sort | tail -n 1)" = "$before" ]; do
            sleep 1
        done
    fi
}

while true; do
    show_run
    wait_for_change
done
