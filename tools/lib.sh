# Shared by the student-loop scripts (workbook, progress, watch): sourced.

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

# run_exercise EX OUTPUT RESULTS: builds and runs EX's tests on the student's
# code, output into OUTPUT, results into RESULTS; prints the state, one of
#   done | memory | wrong | crash | build
# (all passed; correct but over memory limits; wrong answers; a test died;
# does not compile).
run_exercise() {
    local exercise=$1 output=$2 results=$3
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
