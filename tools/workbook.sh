#!/usr/bin/env bash
# The student loop behind make's targets (mk/student.mk, docs/index.md).
# Every command that takes an exercise takes it as the student typed it
# (EX=1, EX=01, EX=001, EX=fib, EX=01-fibonacci), checked the same way.
#
#   workbook.sh next            make: runs each exercise in order and stops
#                               at the first one not done, with its output
#                               and the next step (exit 0: a failing
#                               exercise is where the student is)
#   workbook.sh progress        make progress: every exercise's state
#   workbook.sh test EX [ARG]   make test: the tests on the student's code;
#                               if all pass, the same code under the
#                               sanitizers (make memcheck) and valgrind
#                               (make valgrind), which done needs
#   workbook.sh solution EX     make solution: the tests on the solution
#   workbook.sh watch [EX]      make watch: test again at every save
#   workbook.sh hint EX         make hint: the next hint, one at a time
#   workbook.sh predict EX      make predict: the lesson's questions, asked
#                               (again); make test asks them the first time
#   workbook.sh reset EX        make reset: the starter back, after asking
#                               (YES=1 answers yes); the student's version
#                               goes to build/backups/
#   workbook.sh memcheck|memcheck-solution|valgrind [EX]
#                               tools/memcheck_run.sh on EX, or on all
#   workbook.sh run|flamegraph EX
#                               the exercise's program under heapbook
#   workbook.sh resolve EX      the exercise's folder name, or an error
#
# An exercise is done when its tests pass, its sanitizer build finds no
# memory error, and valgrind finds none in the build the tests ran: each
# verdict is kept in build/memcheck-verdicts/ by the binary's checksum, so
# the same code is checked once (memory_verdict).
set -u
cd "$(dirname "$0")/.." || exit
. tools/own_make.sh

# Our exercise folders, NN-name (no space), in order: by the shell's own
# glob, not a process per name.
exercises=""
for dir in exercises/[0-9][0-9]-*/; do
    dir=${dir%/}
    exercises="$exercises ${dir#exercises/}"
done
exercises=${exercises# }

# The folder of exercise TEXT: its number (1, 01, 001), its folder name, or
# a unique beginning of its name (fib, fibonacci, 01-fib); else an error
# that says what was typed and what would do.
resolve() {
    local wanted=$1 found="" dir count=0
    case "$wanted" in
    "" | *[!A-Za-z0-9_-]*) ;;
    *[!0-9]*)
        for dir in $exercises; do
            case "$dir" in "$wanted"* | [0-9][0-9]-"$wanted"*)
                found="$found $dir"
                count=$((count + 1)) ;;
            esac
        done ;;
    *)
        for dir in $exercises; do
            [ "$((10#${dir%%-*}))" = "$((10#$wanted))" ] && found=" $dir" && count=1
        done ;;
    esac
    if [ "$count" -eq 1 ]; then
        echo "${found# }"
        return 0
    fi
    if [ "$count" -gt 1 ]; then
        echo "heapbook: EX=$wanted could be any of:$found; say which:" \
            "$(for dir in $found; do printf 'EX=%s ' "${dir%%-*}"; done)" >&2
    else
        echo "heapbook: no exercise '$wanted'; pick one with EX=NN, its name or the start of it:" >&2
        # shellcheck disable=SC2086,SC2116 # echo joins the names on one line
        echo "  $(echo $exercises)" >&2
    fi
    return 1
}

number() { echo "${1%%-*}"; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# The sanitizer's and valgrind's verdicts side by side (memory_verdict).
# shellcheck source=tools/lanes.sh
. tools/lanes.sh
output="$scratch/output"
results="$scratch/results"

# What "done" asks beyond passing tests, of EXERCISE's code (VARIANT:
# exercises or solutions): its sanitizer build (AddressSanitizer, UBSan)
# and the tested build under valgrind (reads of bytes never written, which
# the sanitizers do not look for) both find no memory error.  The two run
# side by side, each kept by checksum (tools/memcheck_run.sh verdict), so
# the same code is judged once.  Prints clean, or the first verdict that
# is not: build (the sanitizer build fails), memcheck or valgrind (it found
# errors), valgrind-missing (not installed); that verdict's report is in
# $scratch/memcheck, the verdict
# itself in $scratch/unsafe (for next_step, after a subshell).
memory_verdict() {
    local exercise=$1 variant=${2:-exercises} memcheck valgrind
    start_lane valgrind tools/memcheck_run.sh verdict valgrind "build/$variant/$exercise/tests" \
        "$scratch/valgrind" >"$scratch/valgrind.verdict"
    memcheck=$(tools/memcheck_run.sh verdict memcheck "build/memcheck/$variant/$exercise/tests" \
        "$scratch/memcheck")
    end_lane valgrind
    valgrind=$(cat "$scratch/valgrind.verdict")
    local verdict=clean
    case "$memcheck" in
    build) verdict=build ;;
    errors) verdict=memcheck ;;
    *)
        if [ "$valgrind" != clean ]; then
            cp "$scratch/valgrind" "$scratch/memcheck"
            verdict=valgrind
            [ "$valgrind" = missing ] && verdict="valgrind-missing"
        fi ;;
    esac
    echo "$verdict" >"$scratch/unsafe"
    echo "$verdict"
}

# Whether every exercise but EXERCISE is done, as far as the runs kept in
# build/ say, without running anything: its sanitizer build's verdict is
# clean (memcheck_verdict: kept only for a build whose tests all passed) for
# the build as it is, and no file of the exercise changed since that build.
all_others_done() {
    local current=$1 exercise binary cache
    for exercise in $exercises; do
        [ "$exercise" = "$current" ] && continue
        binary="build/memcheck/exercises/$exercise/tests"
        cache="build/memcheck-verdicts/exercises-$exercise"
        [ -f "$binary" ] && [ -f "$cache" ] || return 1
        [ -z "$(find "exercises/$exercise" -newer "$binary" -print -quit)" ] || return 1
        [ "$(cat "$binary" tools/memcheck_report.py | sha256sum | cut -c1-16) clean" = "$(cat "$cache")" ] ||
            return 1
    done
}

# ---- time limits from the solution's own time --------------------------------
# Runs COMMAND (EXERCISE's test binary) with each test's time limit set
# from the reference solution's processor time for it, which the build
# measures on this machine with the student's binary
# (harness/runner/settings.c, mk/exercises.mk): an endless loop costs
# about a second.  Without them, the binary's default limit.
with_time_limits() { # exercise command...
    local times="build/solutions/$1/times.tsv"
    shift
    [ -s "$times" ] || times=""
    HEAPBOOK_SOLUTION_TIMES=$times "$@"
}
# ---- end of time limits -------------------------------------------------------

# run_exercise EX: builds and runs EX's tests on the student's code, output
# into $output, results into $results; prints the state, one of
#   done | unsafe | memory | wrong | crash | build
# (all passed and memcheck clean; all passed but memcheck finds memory
# errors; correct but over memory limits; wrong answers; a test died; does
# not compile).
run_exercise() {
    local exercise=$1
    : >"$results"
    if ! "${own_make[@]}" -s "build/exercises/$exercise/tests" >"$output" 2>&1; then
        echo build
        return
    fi
    tools/memcheck_run.sh prepare "build/memcheck/exercises/$exercise/tests"
    # After the build's warnings, if any (unused code: mk/exercises.mk).
    if with_time_limits "$exercise" "build/exercises/$exercise/tests" --results "$results" \
        >>"$output" 2>&1; then
        case "$(memory_verdict "$exercise")" in
        clean) echo "done" ;;
        build)
            cat "$scratch/memcheck" >>"$output"
            echo build ;;
        *) echo unsafe ;;
        esac
    else
        state_of_failures
    fi
}

# Of the tests that failed ($results): the state the worst failure says.
state_of_failures() {
    failed_with() { awk -F'\t' -v why="$1" '$3 == "failed" && $4 ~ why { f = 1 } END { exit !f }' \
        "$results"; }
    if failed_with 'overflow|use-after-free|hidden-memory'; then
        echo unsafe
    elif failed_with 'crash|timeout|exit'; then
        echo crash
    elif failed_with 'assert|limit'; then
        echo wrong
    else
        echo memory
    fi
}

describe_state() {
    case "$1" in
    done) echo "done: correct, within its memory limits, and no memory error" ;;
    unsafe) echo "it makes memory errors (a write past a block, after a free, a read of bytes never written, ...)" ;;
    memory) echo "correct, but over its memory limits" ;;
    wrong) echo "some tests give wrong answers" ;;
    crash) echo "a test crashed, looped, exited or made a memory error" ;;
    build) echo "does not compile" ;;
    esac
}

next_step() {
    local exercise=$1 state=$2 n
    n=$(number "$exercise")
    case "$state" in
    unsafe)
        local tool=memcheck # or the tool that found them (memory_verdict)
        case "$(cat "$scratch/unsafe" 2>/dev/null)" in valgrind*) tool=valgrind ;; esac
        echo "Next: make $tool EX=$n shows each error at the line that made it (docs/memcheck.md)" ;;
    crash)
        echo "Next: a test crashed where it was told above; make memcheck EX=$n says what that line"
        echo "      touched, and where the block was allocated and freed (docs/memcheck.md)" ;;
    build) echo "Next: fix what the compiler says above, in exercises/$exercise/" ;;
    *)
        echo "Next: read docs/$exercise.md, edit the files in exercises/$exercise/,"
        echo "      then run: make test EX=$n   (stuck? make hint EX=$n; where the memory goes: make flamegraph EX=$n)" ;;
    esac
}

# The exercise after EXERCISE, if any.
following() {
    local after=$1 dir seen=""
    for dir in $exercises; do
        [ -n "$seen" ] && { echo "$dir"; return; }
        [ "$dir" = "$after" ] && seen=1
    done
}

next() {
    local exercise state done_count=0
    for exercise in $exercises; do
        state=$(run_exercise "$exercise")
        if [ "$state" = "done" ]; then
            echo "  [x] $exercise"
            done_count=$((done_count + 1))
            continue
        fi
        ask_first "$exercise"
        cat "$output"
        tools/predictions.py show "$exercise" "$results"
        [ "$state" = unsafe ] && cat "$scratch/memcheck"
        echo
        echo "  [ ] $exercise: $(describe_state "$state")   <- you are here"
        echo
        next_step "$exercise" "$state"
        return 0
    done
    echo
    echo "All $done_count exercises pass their correctness and memory tests. Well done!"
}

# The key of EXERCISE's state: its sources, its tests, its test binary
# and time limits, the scripts that judge it and the valgrind there is.
# Sources in the key: a binary that a failed build left behind is not taken
# for the code as it is now.
state_key() {
    local exercise=$1
    {
        cat "exercises/$exercise"/*.[ch] "tests/exercises/test_${exercise//-/_}.c" \
            "build/exercises/$exercise/tests" "build/solutions/$exercise/times.tsv" \
            tools/workbook.sh tools/memcheck_run.sh tools/memcheck_report.py
        valgrind --version
    } 2>/dev/null | sha256sum | cut -c1-16
}

# run_exercise's state, kept in build/progress/ by state_key (as the
# sanitizer verdicts are): make progress runs again only what changed.
cached_state() {
    local exercise=$1 key cache="build/progress/$1" state
    key=$(state_key "$exercise")
    if [ -f "$cache" ] && [ "$(cut -d' ' -f1 "$cache")" = "$key" ]; then
        cut -d' ' -f2 "$cache"
        return
    fi
    state=$(run_exercise "$exercise")
    mkdir -p build/progress
    # Written aside and renamed: a run beside this one reads a whole line.
    echo "$(state_key "$exercise") $state" >"$cache.$$" && mv -f "$cache.$$" "$cache"
    echo "$state"
}

progress() {
    local exercise state mark line first="" binaries=()
    # Every test binary brought up to date by one make on every core;
    # cached_state then runs only the exercises whose key changed.
    for exercise in $exercises; do binaries+=("build/exercises/$exercise/tests"); done
    "${own_make[@]}" -s -k "${binaries[@]}" >/dev/null 2>&1
    for exercise in $exercises; do
        state=$(cached_state "$exercise")
        mark=" "
        [ "$state" = "done" ] && mark=x
        line="  [$mark] $exercise: $(describe_state "$state")"
        if [ "$state" != "done" ] && [ -z "$first" ]; then
            first="$exercise $state"
            line="$line   <- next"
        fi
        echo "$line"
    done
    echo
    if [ -n "$first" ]; then
        # shellcheck disable=SC2086 # "EXERCISE STATE": two arguments
        next_step $first
    else
        echo "Every exercise is done. Well done!"
    fi
}

# The lesson's questions (tests/exercises/test_NN_name.predict) are asked
# before the first run at a terminal, and their answers set beside this
# run's figures after it (tools/predictions.py): the student sees a figure
# only after predicting it.
ask_first() {
    [ -t 0 ] && [ -t 1 ] || return 0
    tools/predictions.py asked "$1" && return 0
    tools/predictions.py ask "$1"
    echo
}

# make test / make solution: the output of the tests, then one summary and
# the next step; the status as finish() gives it (the tests' to a pipe or a
# file, for scripts: make grade is CI's).
test_exercise() {
    local variant=$1 exercise=$2
    shift 2
    local binary="build/$variant/$exercise/tests" n status
    n=$(number "$exercise")
    if ! "${own_make[@]}" -s "$binary"; then
        echo
        echo "  $exercise: does not compile"
        next_step "$exercise" build
        finish 1
    fi
    tools/memcheck_run.sh prepare "build/memcheck/$variant/$exercise/tests"
    [ "$variant" = exercises ] && ask_first "$exercise"
    with_time_limits "$exercise" "$binary" --results "$results" "$@"
    status=$?
    [ "$variant" = exercises ] && tools/predictions.py show "$exercise" "$results"
    local total failed
    total=$(wc -l <"$results")
    failed=$(awk -F'\t' '$3 == "failed"' "$results" | wc -l)
    echo
    if [ "$status" -ne 0 ]; then
        echo "  $exercise: $failed of $total tests fail ($(awk -F'\t' '$3 == "failed" { print $4 }' "$results" |
            tr ',' '\n' | sort -u | paste -sd, | sed 's/,/, /g'))"
        [ "$variant" = exercises ] && next_step "$exercise" "$(state_of_failures)"
        finish 1
    fi
    printf '  %s: all %d tests pass; now the same code under AddressSanitizer and UBSan (make memcheck EX=%s) ... ' \
        "$exercise" "$total" "$n"
    local verdict
    verdict=$(memory_verdict "$exercise" "$variant")
    case "$verdict" in
    build)
        echo "it does not build:"
        cat "$scratch/memcheck"
        finish 1 ;;
    memcheck) echo "memory errors:" ;;
    *)
        echo "no memory error."
        printf '  %s: and the tested build under valgrind, which sees reads of bytes never written (make valgrind EX=%s) ... ' \
            "$exercise" "$n"
        case "$verdict" in
        valgrind) echo "memory errors:" ;;
        valgrind-missing) echo "valgrind is missing:" ;;
        *) echo "no memory error." ;;
        esac ;;
    esac
    if [ "$verdict" != clean ]; then
        echo
        cat "$scratch/memcheck"
        echo
        if [ "$verdict" = valgrind-missing ]; then
            echo "  $exercise: not done yet: the tests pass, and valgrind is needed to say the rest"
        else
            echo "  $exercise: not done yet: the tests pass, but the code makes memory errors"
            next_step "$exercise" unsafe
        fi
        finish 1
    fi
    [ "$variant" = exercises ] || finish 0
    local after
    after=$(following "$exercise")
    if [ -n "$after" ]; then
        echo "  Done! Next: exercise $after: read docs/$after.md, then make test EX=$(number "$after")"
    elif all_others_done "$exercise"; then
        echo "  Done! That was the last exercise, and every one is done. Well done!"
    else
        echo "  Done! That is the last exercise in the list, but not every one is done yet: make progress shows which."
    fi
    finish 0
}

# The end of a command with STATUS: at a terminal always 0, as make's own
# loop is, so that make adds no "make: *** [...] Error" line of its own
# after what was said (which already says what went wrong); to a pipe or a
# script, STATUS.
finish() {
    [ -t 1 ] && exit 0
    exit "$1"
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
    elif [ "$state" = unsafe ]; then
        cat "$scratch/memcheck"
    elif [ "$state" != "done" ]; then
        awk '/\.\.\.FAILED/ { show = 1 } show && /^  Test: / && !/FAILED/ { exit } show' "$output"
    fi
    echo
    echo "  $exercise: $(describe_state "$state")"
    if [ "$state" = "done" ]; then
        echo "  Done! Run make watch again for the next exercise."
    else
        next_step "$exercise" "$state" | sed 's/^/  /'
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
    local exercise="" dir
    if [ -n "${1:-}" ]; then
        exercise=$(resolve "$1") || finish 2
    else
        for dir in $exercises; do
            exercise=$dir
            [ "$(run_exercise "$dir")" = "done" ] || break
        done
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
    local exercise=$1 hints state shown total next
    hints="exercises/$exercise/hints.txt"
    [ -s "$hints" ] || { echo "heapbook: $exercise has no hints ($hints)"; exit 1; }
    state="build/hints/$exercise"
    mkdir -p build/hints
    shown=$(cat "$state" 2>/dev/null || echo 0)
    total=$(awk '/^---$/ { n++ } END { print n + 1 }' "$hints")
    if [ "$shown" -ge "$total" ]; then
        echo "That was the last of the $total hints for $exercise. The solution is discussed in"
        echo "docs/solutions/$exercise.md; rm $state to see the hints again."
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
    local exercise=$1 ref=HEAD backup answer
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

# make memcheck [EX]: an exercise, a memcheck fixture (tests/fixtures/
# memcheck_*, for instructors), or every exercise.
memory_tool() {
    local tool=$1 variant=$2 wanted=${3:-} dirs=() dir
    if [ -z "$wanted" ]; then
        for dir in $exercises; do dirs+=("$variant/$dir"); done
    elif [ -d "tests/fixtures/$wanted" ] && [[ $wanted == memcheck_* ]]; then
        dirs=("fixtures/$wanted")
    else
        dir=$(resolve "$wanted") || finish 2
        dirs=("$variant/$dir")
    fi
    local binaries=() tree=build/memcheck
    [ "$tool" = valgrind ] && tree=build
    for dir in "${dirs[@]}"; do binaries+=("$tree/$dir/tests"); done
    exec tools/memcheck_run.sh "$tool" "${binaries[@]}"
}

# make run / make flamegraph EX: the exercise's program (the student's code)
# under heapbook.
profile() {
    local what=$1 exercise=$2 dir
    dir="build/exercises/$exercise"
    "${own_make[@]}" -s build/bin/heapbook build/lib/libheapbook-preload.so \
        "$dir/program" || exit 1
    build/bin/heapbook run -o "$dir/program.hbcap" "$dir/program" || exit 1
    [ "$what" = flamegraph ] || return 0
    build/bin/heapbook flamegraph -o "$dir/flamegraph.html" "$dir/program.hbcap"
}

command=${1:-}
shift || true
case "$command" in
next | progress) "$command" ;;
watch) watch "${1:-}" ;;
resolve) resolve "${1:-}" ;;
test | solution | hint | predict | reset | run | flamegraph)
    [ -n "${1:-}" ] || { echo "heapbook: make $command needs an exercise: make $command EX=01" >&2; finish 2; }
    exercise=$(resolve "$1") || finish 2
    shift
    case "$command" in
    test) test_exercise exercises "$exercise" "$@" ;;
    solution) test_exercise solutions "$exercise" "$@" ;;
    run | flamegraph) profile "$command" "$exercise" ;;
    predict) tools/predictions.py ask "$exercise" || finish 1 ;;
    *) "$command" "$exercise" ;;
    esac ;;
memcheck) memory_tool memcheck exercises "${1:-}" ;;
memcheck-solution) memory_tool memcheck solutions "${1:-}" ;;
valgrind) memory_tool valgrind exercises "${1:-}" ;;
*)
    echo "usage: $0 next | progress | test|solution|hint|predict|reset|run|flamegraph EX | watch [EX]" \
        "| memcheck|memcheck-solution|valgrind [EX] | resolve EX" >&2
    exit 2 ;;
esac
