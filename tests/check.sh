#!/usr/bin/env bash
# make check: the instructor's proof that the workbook works.
#
#   1. the harness's own tests pass, built by GCC and by Clang;
#   2. suites built to fail (tests/fixtures) fail exactly as they should, with
#      the messages in tests/fixtures/*.messages;
#   3. every solution passes every test of its exercise;
#   4. every starter passes its correctness tests and fails exactly the
#      memory tests listed in tests/exercises/test_NN_name.starter;
#   5. the figures each lesson states (tests/exercises/test_NN_name.figures)
#      are what the harness measures, and the lesson still states them;
#   6. measurements are the same whether stdout is a pipe or a terminal, and
#      reports are coloured at a terminal only (NO_COLOR respected);
#   7. regression mode (--fail-on-increase) fails a test that grew;
#   8. every solution is clean under AddressSanitizer/UBSan and under
#      valgrind, and make memcheck fails on an exercise broken on purpose;
#   9. the profiler's tests pass (tests/profiler/check.sh);
#  10. editors read the tests: C++ TestMate's expressions parse the binaries'
#      Google Test output, and CMake and CTest list and run them
#      (tests/editor/, docs/editor.md).
#
# Each check prints CUnit's own output, then one verdict line; the last line
# counts the checks: "check: N passed, M failed".  Exit status 1 if any failed.
#
# CHECK_RECORD=DIR (tests/check-repeat.sh) keeps the verdicts and every
# suite's results there, to compare runs.
set -u
cd "$(dirname "$0")/.." || exit

build=build
scratch=$(mktemp -d)
lanes=()
trap '[ ${#lanes[@]} -gt 0 ] && kill "${lanes[@]}" 2>/dev/null; rm -rf "$scratch"' EXIT
passed=0
failed=0

verdict() { # ok|fail message
    tally "$1" "$2"
    if [ "$1" = ok ]; then
        printf '\ncheck ok: %s\n\n' "$2"
    else
        printf '\ncheck FAILED: %s\n\n' "$2"
    fi
}
tally() { # ok|fail message: counted, and kept for check-repeat
    [ -n "${CHECK_RECORD:-}" ] && printf '%s: %s\n' "$1" "$2" >>"$CHECK_RECORD/verdicts"
    if [ "$1" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

# A command run as a student runs it, from a shell, not as a job of the
# make that runs make check (its MAKEFLAGS would make it a sub-make).
as_a_student() { env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS "$@"; }
# make's own lines in FILE ("make[1]: ...", "make: *** ... Error 1"), which
# a student's command must not end on.
make_noise() { grep -E '^make(\[[0-9]+\])?: ' "$1"; }

# Keeps a suite's results for tests/check-repeat.sh.  The harness's own tests
# start threads that allocate at once, and the peak of two threads depends on
# how they interleave: only their verdicts are compared, not their figures.
record_results() { # name results.tsv
    local file="$CHECK_RECORD/${1//[^A-Za-z0-9_-]/_}.tsv"
    if [ "${1#harness tests}" != "$1" ]; then
        cut -f1-4 "$2" >"$file"
    else
        cp "$2" "$file"
    fi
}

# Runs a test binary; compares the tests that failed (with their reasons)
# with the expected list, and the exit status with what that list implies;
# every block of MESSAGES_FILE, if given, must appear in the output, its
# lines one after the other (tests/contains.py).
#   expect_failures NAME BINARY EXPECTED_FILE_OR_EMPTY [MESSAGES_FILE]
expect_failures() {
    local name=$1 binary=$2 expected_file=$3 messages=${4:-} results="$scratch/results.tsv"
    echo "== $name"
    "$binary" --results "$results" | tee "$scratch/output.txt"
    local status=${PIPESTATUS[0]}
    [ -n "${CHECK_RECORD:-}" ] && record_results "$name" "$results"
    local missing=""
    [ -z "$messages" ] || missing=$(tests/contains.py "$messages" "$scratch/output.txt")
    local expected actual
    expected=$(if [ -n "$expected_file" ]; then sort "$expected_file"; fi)
    actual=$(awk -F'\t' '$3 == "failed" { print $2, $4 }' "$results" 2>/dev/null | sort)
    if [ ! -s "$results" ]; then
        verdict fail "$name: no results (the binary crashed or wrote nothing; exit status $status)"
    elif [ "$actual" != "$expected" ]; then
        verdict fail "$name: failed tests differ from ${expected_file:-'none'}
  expected: $(echo "${expected:-nothing}" | paste -sd ';')
  actual:   $(echo "${actual:-nothing}" | paste -sd ';')"
    elif [ -n "$missing" ]; then
        verdict fail "$name: these blocks of $messages are not in the output, line after line:
$missing"
    elif [ -n "$expected" ] && [ "$status" -eq 0 ]; then
        verdict fail "$name: tests failed but the binary exited 0"
    elif [ -z "$expected" ] && [ "$status" -ne 0 ]; then
        verdict fail "$name: every test passed but the binary exited $status"
    else
        verdict ok "$name: $(if [ -n "$expected" ]; then echo "fails exactly as expected ($(echo "$expected" | paste -sd ';'))"; else echo "every test passed"; fi)"
    fi
}

# "524288" -> "512.0 KiB", as the harness prints sizes (harness/base/format.c).
human_size() {
    awk -v b="$1" 'BEGIN {
        if (b < 1024) { printf "%d B", b; exit }
        split("KiB MiB GiB TiB", units, " "); u = 1; v = b / 1024
        while (v >= 1024 && u < 4) { v /= 1024; u++ }
        printf "%.1f %s", int(v * 10 + 0.5) / 10, units[u] }'
}

# Each line of FIGURES ("variant test figure value") must match the results
# of that variant, and the exercise's lesson must state the value.
check_figures() {
    local exercise=$1 figures=$2 lesson="docs/$1.md" problems=""
    if [ ! -s "$figures" ]; then
        verdict fail "lesson $exercise: $figures is missing; it lists the figures the lesson states"
        return
    fi
    while read -r variant test figure value; do
        case "$variant" in "#"* | "") continue ;; esac
        local column
        case "$figure" in peak) column=5 ;; leaks) column=6 ;; allocations) column=7 ;; stack) column=8 ;;
            *) problems+="unknown figure '$figure'"$'\n'; continue ;; esac
        local measured
        measured=$(awk -F'\t' -v t="$test" -v c="$column" '$2 == t { print $c }' "$scratch/$variant.tsv")
        [ "$measured" = "$value" ] ||
            problems+="$variant $test $figure: the lesson says $value, the harness measured ${measured:-nothing}"$'\n'
        local stated=$value
        [ "$figure" = allocations ] || stated=$(human_size "$value")
        # ---- a figure may be stated on the lesson or on its solution page
        grep -qsF -- "$stated" "$lesson" "docs/solutions/$exercise.md" ||
            problems+="neither $lesson nor docs/solutions/$exercise.md states $variant $test $figure: $stated"$'\n'
        # ---- end of the lesson or its solution page
    done <"$figures"
    if [ -z "$problems" ]; then
        verdict ok "lesson $exercise: its figures are what the harness measures"
    else
        verdict fail "lesson $exercise: figures drifted:
$problems"
    fi
}

# Predict, then see: the figure a lesson asks the student to predict (the
# starter's, in $scratch/EXERCISE.pipe.tsv) may be stated only where the
# student opens it after the run: inside <details> ... </details>, or on
# the solution page.  Sizes as the harness prints them and in bytes (with
# and without thousands' commas), counts with and without.
check_unspoiled() {
    local exercise=$1 predict=$2 lesson="docs/$1.md" problems=""
    awk '/<details>/ { folded = 1 } !folded { print } /<\/details>/ { folded = 0 }' "$lesson" \
        >"$scratch/unfolded.md"
    while read -r test figure _; do
        case "$test" in "#"* | "") continue ;; esac
        local column value form
        column=$(case "$figure" in peak) echo 5 ;; leaks) echo 6 ;; allocations) echo 7 ;; *) echo 8 ;; esac)
        value=$(awk -F'\t' -v t="$test" -v c="$column" '$2 == t { print $c }' "$scratch/$exercise.pipe.tsv")
        case "$value" in "" | -) continue ;; esac
        local forms=("$value")
        [ "$value" -lt 1000 ] || forms+=("$(sed ':a; s/\B[0-9]\{3\}\>/,&/; ta' <<<"$value")")
        [ "$figure" = allocations ] || forms+=("$(human_size "$value")")
        for form in "${forms[@]}"; do
            grep -qP -- "(?<![0-9.,])\Q$form\E(?![0-9]|[.,][0-9])" "$scratch/unfolded.md" &&
                problems+="$lesson shows $test's $figure ($form) before the student runs it: fold it in <details> below the task, or move it to docs/solutions/$exercise.md"$'\n'
        done
    done <"$predict"
    if [ -z "$problems" ]; then
        verdict ok "lesson $exercise: no figure the student predicts is shown before the run"
    else
        verdict fail "lesson $exercise: $problems"
    fi
}

# Two lanes run on the other core meanwhile, their output shown at the end:
# the profiler's tests, which share nothing with the rest, and the docs'
# quoted outputs, which run what the build made (the only files they write
# that another check reads, memcheck's full logs, are renamed into place
# whole: tools/memcheck_run.sh).
# The docs quote what the GCC build prints (how many of the harness's
# frames fold, for one): a Clang build (make CC=clang check) does not
# check them.
# The docs quote make test without a prediction kept: none of the
# maintainer's own (build/predictions/) may show up in them.
export HEAPBOOK_PREDICTIONS="$scratch/no-predictions"
# The lanes' statuses are kept in files, not asked of `wait` (tools/lanes.sh).
# shellcheck source=tools/lanes.sh
. tools/lanes.sh
start_lane profiler tests/profiler/check.sh >"$scratch/profiler.out" 2>&1
# Done needs valgrind clean too: each solution's verdict, kept by checksum
# (tools/memcheck_run.sh verdict), so that valgrind runs only for a binary
# that changed; one at a time, at low priority, beside the rest.
valgrind_solutions() {
    for exercise in "$@"; do
        nice tools/memcheck_run.sh verdict valgrind "$build/solutions/$exercise/tests" \
            "$scratch/valgrind-$exercise.txt" >"$scratch/valgrind-$exercise.verdict"
    done
}
start_lane valgrind valgrind_solutions "$@" >"$scratch/valgrind.out" 2>&1
if [ -z "${CLANG:-}" ]; then
    start_lane docs tests/docs/quoted.py README.md docs/*.md docs/solutions/*.md >"$scratch/docs.out" 2>&1
fi
# The lessons' pictures of the flame graph page (docs/images/), made from
# today's page and programs (tools/screenshots.py); and the check can fail:
# a picture kept with other inputs' hash is stale.
check_screenshots() {
    tools/screenshots.py check || return 1
    # The first picture alone, kept with another hash of its inputs.
    awk '!/^#/ { print $1, "0000", $3; exit }' docs/images/screenshots.txt >"$scratch/stale-screenshots.txt"
    if tools/screenshots.py check --manifest "$scratch/stale-screenshots.txt" 2>"$scratch/stale.err" ||
        ! grep -q 'was made from other inputs than today' "$scratch/stale.err"; then
        echo "screenshots: a picture kept with other inputs' hash was not found stale:"
        cat "$scratch/stale.err"
        return 1
    fi
}
start_lane screenshots check_screenshots >"$scratch/screenshots.out" 2>&1

# ---- random inputs and wrong fixes (tests/wrong-fixes/check.sh) --------
# The exercises' tests draw random inputs (hb_random): make check fixes the
# seed, so that every run measures the same figures and check-repeat can
# compare them (HEAPBOOK_SEED=N make check tries another).  Then every
# plausible wrong fix of every exercise must fail, each for its reason.
export HEAPBOOK_SEED="${HEAPBOOK_SEED:-20261128}"
. tests/wrong-fixes/check.sh
# The catalogue is a third of make check's work: it runs in a lane of its
# own, with a scratch folder of its own, its output and verdicts kept aside
# and shown and counted, in the same order, when it ends (below).
run_wrong_fixes() {
    local scratch="$scratch/wrong-fixes"
    mkdir -p "$scratch"
    # Counted here too (expect_memcheck_failures reads $failed), and each
    # kept for the main script to count: NUL-separated, messages have lines.
    tally() {
        printf '%s\0%s\0' "$1" "$2" >>"$scratch/../wrong-fixes.verdicts"
        if [ "$1" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
    }
    check_wrong_fixes
}
start_lane wrong-fixes run_wrong_fixes >"$scratch/wrong-fixes.out" 2>&1
# ---- end of random inputs and wrong fixes ---------------------------------

expect_failures "harness tests" "$build/tests/harness-tests" ""
expect_failures "harness tests (Clang build)" "$build/clang/tests/harness-tests" ""
# The runner's files call one another one way, in every build (the
# sanitizers' adds calls of its own): tools/call_cycles.py prints a cycle.
if tools/call_cycles.py "$build/lib/libhb-runner.a" "$build/memcheck/lib/libhb-runner.a" \
    "$build/clang/lib/libhb-runner.a"; then
    verdict ok "runner: its files call one another one way (tools/call_cycles.py)"
else
    verdict fail "runner: a call cycle among its files (above)"
fi
# The crash fixture loops forever in one test: one second is enough.
for fixture in tests/fixtures/*_fixture.c; do
    name=$(basename "$fixture" _fixture.c)
    HEAPBOOK_TIMEOUT=1 expect_failures "fixture: $name" "$build/tests/$name-fixture" \
        "tests/fixtures/${name}_fixture.expected" "tests/fixtures/${name}_fixture.messages"
done

# ---- results files whatever the text (harness/runner/results.c) ----------
# The odd-text fixture's suite name holds a tab, a newline and a backslash,
# and its messages bytes that are not UTF-8 and control characters: its TSV
# keeps one row of 8 fields per test (the name escaped), and its JSON and
# JUnit XML parse, each test there with the text replaced, not dropped.
"$build/tests/odd_text-fixture" --results "$scratch/odd.tsv" --json "$scratch/odd.json" \
    --junit "$scratch/odd.xml" >/dev/null
if problems=$(python3 - "$scratch/odd.tsv" "$scratch/odd.json" "$scratch/odd.xml" 2>&1 <<'PYTHON'
import json, sys, xml.etree.ElementTree as ElementTree
tsv, results, junit = sys.argv[1:]
suite = "fixture: odd\ttext\nin\\names"
rows = [line.split("\t") for line in open(tsv, encoding="utf-8").read().splitlines()]
assert [len(row) for row in rows] == [8, 8, 8], f"TSV rows split: {rows}"
assert all(row[0] == suite.encode("unicode_escape").decode() for row in rows), rows[0][0]
tests = json.load(open(results, encoding="utf-8"))["tests"]
assert [t["status"] for t in tests] == ["fail", "fail", "pass"], tests
assert "never \ufffd; then valid: \u00e9" in tests[0]["message"], tests[0]["message"]
assert "bell \u0007 escape" in tests[1]["message"], tests[1]["message"]
root = ElementTree.parse(junit).getroot()
(testsuite,) = root
assert testsuite.get("name") == suite, testsuite.get("name")
failures = [case.find("failure") for case in testsuite]
assert "never \ufffd; then valid: \u00e9" in failures[0].text, failures[0].text
assert "bell \ufffd escape" in failures[1].text and "tab \t newline \n return \r" in failures[1].text
assert failures[2] is None
PYTHON
); then
    verdict ok "results files: a tab, a newline, bytes not UTF-8 and control characters in names and messages leave the TSV one row per test and the JSON and JUnit XML valid"
else
    verdict fail "results files: broken by odd text (build/tests/odd_text-fixture --results/--json/--junit):
$problems"
fi
# ---- end of results files -------------------------------------------------

# ---- environment variables (harness/runner/settings.c) --------------------
# A bad value stops the run before any test, with exit status 2 and a line
# naming the variable, the text and the accepted forms; a FIFO as the times
# file is refused at once, never waited on (timeout 10: a hang fails).
problems=""
mkfifo "$scratch/times.fifo"
for setting in HEAPBOOK_FORK=yes HEAPBOOK_FORK=2 HEAPBOOK_SEED=-1 HEAPBOOK_SEED=12x \
    HEAPBOOK_SEED=18446744073709551616 HEAPBOOK_TIMEOUT=ten HEAPBOOK_TIMEOUT=0 \
    HEAPBOOK_SOLUTION_TIMES=/nonexistent HEAPBOOK_SOLUTION_TIMES=tests \
    HEAPBOOK_SOLUTION_TIMES="$scratch/times.fifo" HEAPBOOK_SOLUTION_TIMES=tests/check.sh; do
    env "$setting" timeout 10 "$build/tests/limits-fixture" >"$scratch/env.out" 2>"$scratch/env.err"
    status=$?
    name=${setting%%=*} value=${setting#*=}
    if [ "$status" -ne 2 ] || grep -q 'Test:' "$scratch/env.out" ||
        ! grep -qF "heapbook: $name=\"$value\" " "$scratch/env.err" ||
        ! grep -qF '(docs/harness.md, Environment variables); no test ran' "$scratch/env.err"; then
        problems+="$setting: exit status $status, said: $(head -c 300 "$scratch/env.err")"$'\n'
    fi
done
if [ -z "$problems" ]; then
    verdict ok "environment: each bad HEAPBOOK_FORK, HEAPBOOK_SEED, HEAPBOOK_TIMEOUT and HEAPBOOK_SOLUTION_TIMES (a FIFO among them) stops the run with status 2, naming it and what is accepted"
else
    verdict fail "environment: a bad value was not refused as it should be:
$problems"
fi
# ---- end of environment variables -----------------------------------------

# Children ending every way around their test's end never change its
# verdict: the churn tests of the descendants fixture, twenty times more.
churn_tests=(--test test_children_end_every_way_around_the_end --test test_children_churn_and_an_assertion_fails)
churn_expected=$'test_children_end_every_way_around_the_end\tpassed\t-;test_children_churn_and_an_assertion_fails\tfailed\tassert'
churn_differing=0
for _ in $(seq 20); do
    "$build/tests/descendants-fixture" "${churn_tests[@]}" --results "$scratch/churn.tsv" >/dev/null
    [ "$(cut -f2-4 "$scratch/churn.tsv" | paste -sd ';')" = "$churn_expected" ] || churn_differing=$((churn_differing + 1))
done
if [ "$churn_differing" -eq 0 ]; then
    verdict ok "descendants: 64 children ending by exit, abort or a crash around the test's end never change its verdict (20 runs)"
else
    verdict fail "descendants: the churn tests' verdicts changed in $churn_differing of 20 runs (build/tests/descendants-fixture --test ...)"
fi

# Exercise code that hides memory or reaches past the harness is refused
# with its reason, and honest code that looks like it is not (mk/tests.mk
# builds each, recording what the build said).
# The first comment of a fixture, "/* expect: MESSAGE */", on one line or
# wrapped; a folder of tests/fixtures/rejected is an exercise's variant,
# its one .c file says it.
expected_message() {
    awk 'NR > 1 { sub(/^ *\*( |$)/, "") } { text = text " " $0 } /\*\// { exit }
        END { print text }' "$1" |
        sed -n 's|^ */\* expect: *\(.*[^ ]\) *\*/.*$|\1|p' | tr -s ' '
}
problems=""
rejected=0
for source in tests/fixtures/rejected/*.c tests/fixtures/rejected/*/[0-9][0-9]-*/*.c; do
    name=${source#tests/fixtures/rejected/}
    log="$build/checked/rejected/${name%%[/.]*}.log"
    expected=$(expected_message "$source")
    rejected=$((rejected + 1))
    if [ -z "$expected" ]; then
        problems+="$source: its first line must be /* expect: MESSAGE */"$'\n'
    elif grep -qx "status 0" "$log"; then
        problems+="$source: built without complaint"$'\n'
    elif ! grep -qF -- "$expected" "$log"; then
        problems+="$source: refused, but not saying \"$expected\": $(head -c 300 "$log")"$'\n'
    fi
done
accepted=0
for source in tests/fixtures/accepted/*.c; do
    log="$build/checked/accepted/$(basename "$source" .c).log"
    accepted=$((accepted + 1))
    grep -qx "status 0" "$log" || problems+="$source: honest code refused: $(head -c 300 "$log")"$'\n'
done
if [ -z "$problems" ]; then
    verdict ok "rejected: every file of tests/fixtures/rejected is refused, saying why ($rejected files); every file of tests/fixtures/accepted builds ($accepted files)"
else
    verdict fail "rejected: $problems"
fi

# ---- unused code (warnings, not errors); time limits from the solution's ----
if tests/fixtures/unused_code/selftest.sh; then
    verdict ok "unused code: exercise code with unused code left in it builds with warnings and passes, by GCC and Clang; beside a refused construct it is still refused"
else
    verdict fail "unused code: see tests/fixtures/unused_code/selftest.sh's lines above"
fi
if tests/fixtures/moved_source/selftest.sh; then
    verdict ok "moved source: an exercise's file deleted or moved, make rebuilds what it supplied from the file that supplies it now, without an error or a stale object"
else
    verdict fail "moved source: see tests/fixtures/moved_source/selftest.sh's lines above"
fi
if tests/fixtures/time_limits/selftest.sh; then
    verdict ok "time limits: an endless loop stops at 20 times the solution's time, saying its limit and HEAPBOOK_TIMEOUT; every solution's times recorded; no starter near its limits"
else
    verdict fail "time limits: see tests/fixtures/time_limits/selftest.sh's lines above"
fi
# ---- end of unused code and time limits --------------------------------------

for exercise in "$@"; do
    suite="tests/exercises/test_${exercise//-/_}"
    expect_failures "solution $exercise" "$build/solutions/$exercise/tests" ""
    cp "$scratch/results.tsv" "$scratch/solution.tsv"
    if [ ! -s "$suite.starter" ]; then
        verdict fail "starter $exercise: $suite.starter is missing or empty; it must name the memory test the starter fails"
        continue
    fi
    # ---- a starter green but wrong: its .starter's "TEST memcheck KIND" lines
    # fail under the sanitizers only (tests/wrong-fixes/check.sh) ----------
    grep -vw memcheck "$suite.starter" >"$scratch/starter.expected"
    expect_failures "starter $exercise" "$build/exercises/$exercise/tests" "$scratch/starter.expected"
    cp "$scratch/results.tsv" "$scratch/starter.tsv"
    # Its figures with stdout a pipe (tee), for the terminal's below.
    cp "$scratch/results.tsv" "$scratch/$exercise.pipe.tsv"
    if grep -qw memcheck "$suite.starter"; then
        expect_memcheck_failures "starter $exercise (under the sanitizers)" \
            "$build/memcheck/exercises/$exercise/tests" "$suite.starter" "exercises/$exercise/"
    fi
    # ---- end of a starter green but wrong ---------------------------------
    check_figures "$exercise" "$suite.figures"
    check_unspoiled "$exercise" "$suite.predict"
done

# The figures must not depend on where stdout goes.  script(1) gives the
# binary a terminal: the harness's tests (printf inside a scope among them)
# must pass there too, and each starter's figures must be identical.
if script -qec "$build/tests/harness-tests" /dev/null >/dev/null; then
    verdict ok "harness tests: pass with stdout a terminal"
else
    verdict fail "harness tests: fail with stdout a terminal (run: script -qec $build/tests/harness-tests /dev/null)"
fi
for exercise in "$@"; do
    binary="$build/exercises/$exercise/tests"
    script -qec "$binary --results $scratch/tty.tsv" /dev/null >/dev/null
    if cmp -s "$scratch/$exercise.pipe.tsv" "$scratch/tty.tsv"; then
        verdict ok "starter $exercise: same figures with stdout a pipe and a terminal"
    else
        verdict fail "starter $exercise: figures differ between a pipe and a terminal:
$(diff "$scratch/$exercise.pipe.tsv" "$scratch/tty.tsv")"
    fi
done

# Reports are coloured at a terminal only, and never with NO_COLOR set.
if [ -x "$build/exercises/01-fibonacci/tests" ]; then
    starter="$build/exercises/01-fibonacci/tests --test test_fibonacci_memory"
    script -qec "$starter" /dev/null >"$scratch/colour.txt"
    NO_COLOR=1 script -qec "$starter" /dev/null >"$scratch/no-colour.txt"
    $starter >"$scratch/piped.txt"
    if grep -q $'\033\[1m' "$scratch/colour.txt" && ! grep -q $'\033' "$scratch/no-colour.txt" &&
        ! grep -q $'\033' "$scratch/piped.txt"; then
        verdict ok "reports: coloured at a terminal, plain with NO_COLOR or to a pipe"
    else
        verdict fail "reports: colour where it should not be, or none at a terminal (run: script -qec '$starter' /dev/null | cat -v)"
    fi
fi

# Regression mode: with the solution's figures as the baseline, exercise 01's
# starter uses more in every test, and each must fail saying by how much.
if [ -x "$build/solutions/01-fibonacci/tests" ]; then
    baseline="$scratch/baseline.tsv"
    "$build/solutions/01-fibonacci/tests" --baseline "$baseline" >/dev/null
    "$build/exercises/01-fibonacci/tests" --baseline "$baseline" --fail-on-increase \
        --results "$scratch/regress.tsv" >"$scratch/regress.txt"
    regressed=$(awk -F'\t' '$4 ~ /increase/' "$scratch/regress.tsv" | wc -l)
    # ... and the machine-readable results name each test with its status.
    "$build/exercises/01-fibonacci/tests" --junit "$scratch/junit.xml" --json "$scratch/results.json" >/dev/null
    if [ "$regressed" -eq 6 ] &&
        grep -qF "test_sum_wraps_at_10000: uses more memory than its last passing run" "$scratch/regress.txt" &&
        grep -qF "peak: 0 B -> 512.0 KiB (+512.0 KiB)" "$scratch/regress.txt"; then
        verdict ok "regression mode: every test that grew past its baseline failed, saying by how much"
    else
        verdict fail "regression mode: expected 6 tests failing with 'increase', got $regressed:
$(cat "$scratch/regress.tsv")"
    fi
    if [ "$(grep -c '<testcase ' "$scratch/junit.xml")" -eq 6 ] &&
        grep -qF '<failure type="peak">' "$scratch/junit.xml" &&
        grep -qF '"name": "test_fibonacci_memory", "status": "fail"' "$scratch/results.json" &&
        grep -qF '"peak_bytes": 524288, "peak_bytes_limit": 16384' "$scratch/results.json"; then
        verdict ok "JUnit XML and JSON results name every test with its status and figures"
    else
        verdict fail "JUnit XML or JSON results are incomplete: see $build/exercises/01-fibonacci/tests --junit/--json"
    fi
fi

# Memory errors (docs/memcheck.md): every solution is clean under
# AddressSanitizer, LeakSanitizer and UBSan, and under valgrind (its lane,
# above); the harness's tests that need no
# counting are too; and a deliberately broken exercise must fail, with each
# sanitizer's (and valgrind's, if installed) report.
for exercise in "$@"; do
    if tools/memcheck_run.sh memcheck "$build/memcheck/solutions/$exercise/tests"; then
        verdict ok "memcheck solution $exercise: no sanitizer report, every test passed"
    else
        verdict fail "memcheck solution $exercise: a sanitizer report or a failed test (above); run: make memcheck-solution EX=${exercise%%-*}"
    fi
done
end_lane valgrind
for exercise in "$@"; do
    if [ "$(cat "$scratch/valgrind-$exercise.verdict")" = clean ]; then
        verdict ok "valgrind solution $exercise: no valgrind report, every test passed"
    else
        cat "$scratch/valgrind-$exercise.txt"
        verdict fail "valgrind solution $exercise: a valgrind report or a failed test (above); run: make valgrind EX=${exercise%%-*} (on the solution: tools/memcheck_run.sh valgrind $build/solutions/$exercise/tests)"
    fi
done
if tools/memcheck_run.sh memcheck "$build/memcheck/tests/harness-tests"; then
    verdict ok "memcheck harness tests: the size parser is clean under the sanitizers"
else
    verdict fail "memcheck harness tests: a sanitizer report or a failed test (above)"
fi
if tests/fixtures/memcheck_repeats/selftest.sh; then
    verdict ok "memcheck repeats: a memory error several tests make is shown in full once, then one line a test"
else
    verdict fail "memcheck repeats: see tests/fixtures/memcheck_repeats/selftest.sh's diff above"
fi
if tests/fixtures/memcheck_broken/selftest.sh; then
    verdict ok "memcheck selftest: make memcheck fails on each memory error of tests/fixtures/memcheck_broken, with the report"
else
    verdict fail "memcheck selftest: make memcheck did not fail as it should on tests/fixtures/memcheck_broken (above)"
fi

# ---- predictions (tests/exercises/test_NN_name.predict) -------------------
# Every lesson asks the student to predict a figure before running; its
# .predict file names the memory test and the figure ("TEST FIGURE QUESTION"
# a line).  make test asks each question at a terminal before its first
# run, keeps the answer, and after the run prints it beside the figure
# measured (tools/predictions.py).  Each line must name a memory test of
# the exercise's suite and a figure the harness measures; for every lesson,
# answers fed to make predict must come back beside the starter's figure
# (its results from the starter's run above); and make test on the first
# exercise at a terminal (script(1)) must ask, and then do the same.
problems=""
predictions="$scratch/predictions"
answer_of() { [ "$1" = allocations ] && echo 1000 || echo "1 KiB"; }
said_of() { [ "$1" = allocations ] && echo 1000 || echo "1 KiB (1,024 B)"; }
# check_answered EXERCISE OUTPUT RESULTS: OUTPUT sets each question's
# answer (answer_of) beside RESULTS' figure.
check_answered() {
    local exercise=$1 out=$2 results=$3 test figure question column value
    while read -r test figure question; do
        case "$test" in "#"* | "") continue ;; esac
        column=$(case "$figure" in peak) echo 5 ;; leaks) echo 6 ;; allocations) echo 7 ;; *) echo 8 ;; esac)
        value=$(awk -F'\t' -v t="$test" -v c="$column" '$2 == t { print $c }' "$results")
        if [ "$figure" = allocations ]; then
            value=$(sed ':a; s/\B[0-9]\{3\}\>/,&/; ta' <<<"$value")
        elif [ "$value" -lt 1024 ]; then
            value="$value B"
        else
            value="$(human_size "$value") ($(sed ':a; s/\B[0-9]\{3\}\>/,&/; ta' <<<"$value") B)"
        fi
        grep -A3 -xF "    $question" "$out" >"$scratch/answered.txt"
        grep -qxF "      you said:  $(said_of "$figure")" "$scratch/answered.txt" &&
            grep -qxF "      measured:  $value, $test's $figure on the first run after your prediction" \
                "$scratch/answered.txt" &&
            grep -q "^      off by:    " "$scratch/answered.txt" ||
            problems+="$exercise: the answer to \"$question\" is not printed beside $test's $figure, $value:"$'\n'"$(cat "$out")"$'\n'
    done <"tests/exercises/test_${exercise//-/_}.predict"
}
for exercise in "$@"; do
    suite="tests/exercises/test_${exercise//-/_}"
    grep -qv '^[[:space:]]*\(#\|$\)' "$suite.predict" 2>/dev/null ||
        problems+="$suite.predict: missing, or no question in it; docs/$exercise.md asks the student to predict a figure"$'\n'
    answers=""
    while read -r test figure question; do
        case "$test" in "#"* | "") continue ;; esac
        grep -q "^HB_MEMORY_TEST($test," "$suite.c" ||
            problems+="$suite.predict: $test is not a memory test of $suite.c"$'\n'
        case "$figure" in peak | leaks | allocations | stack) ;;
            *) problems+="$suite.predict: $test: unknown figure '$figure' (peak, leaks, allocations or stack)"$'\n' ;; esac
        [ -n "$question" ] || problems+="$suite.predict: $test $figure: no question"$'\n'
        answers+="$(answer_of "$figure")"$'\n'
    done < <(cat "$suite.predict" 2>/dev/null)
    [ -s "$scratch/$exercise.pipe.tsv" ] || continue
    printf '%s' "$answers" | HEAPBOOK_PREDICTIONS=$predictions tools/workbook.sh predict "$exercise" \
        >"$scratch/predict.txt" 2>&1 || problems+="make predict EX=$exercise: $(cat "$scratch/predict.txt")"$'\n'
    HEAPBOOK_PREDICTIONS=$predictions tools/predictions.py show "$exercise" "$scratch/$exercise.pipe.tsv" \
        >"$scratch/shown.txt" 2>&1
    check_answered "$exercise" "$scratch/shown.txt" "$scratch/$exercise.pipe.tsv"
done
first=${1:-}
if [ -n "$first" ] && [ -s "tests/exercises/test_${first//-/_}.predict" ]; then
    rm -rf "$predictions"
    answers=$(while read -r test figure _; do
        case "$test" in "#"* | "") continue ;; esac
        answer_of "$figure"
    done <"tests/exercises/test_${first//-/_}.predict")
    printf '%s\n' "$answers" | HEAPBOOK_PREDICTIONS=$predictions script -qec "tools/workbook.sh test $first" \
        /dev/null | tr -d '\r' | sed 's/\x1b\[[0-9;]*m//g' >"$scratch/make-test.txt"
    "$build/exercises/$first/tests" --results "$scratch/predicted.tsv" >/dev/null
    grep -q "^  Your answer: " "$scratch/make-test.txt" ||
        problems+="make test EX=$first at a terminal did not ask for the prediction first:"$'\n'"$(head -n 8 "$scratch/make-test.txt")"$'\n'
    check_answered "$first" "$scratch/make-test.txt" "$scratch/predicted.tsv"
fi
if [ -z "$problems" ]; then
    verdict ok "predictions: every lesson's questions name a memory test and a figure, and come back beside the starter's figure; make test EX=${first%%-*} at a terminal asks first"
else
    verdict fail "predictions: $problems"
fi
# ---- end of predictions ------------------------------------------------------

# make test at a terminal, as a student runs it: the tests, the summary and
# the next step, and not one line of make's own (no "make[1]: ...", no
# "make: *** ... Error 1").
if [ -n "$first" ]; then
    as_a_student script -qec "make test EX=${first%%-*}" /dev/null |
        tr -d '\r' >"$scratch/make-test-tty.txt"
    if make_noise "$scratch/make-test-tty.txt" >/dev/null ||
        ! tail -n 3 "$scratch/make-test-tty.txt" | grep -q '^Next: '; then
        verdict fail "make test EX=${first%%-*} at a terminal: make's own lines, or no next step at the end:
$(make_noise "$scratch/make-test-tty.txt"; tail -n 3 "$scratch/make-test-tty.txt")"
    else
        verdict ok "make test EX=${first%%-*} at a terminal ends with the summary and the next step, no line of make's own"
    fi
fi

# EX: each form a student types names its exercise; anything else, in any
# target, is an error that echoes what was typed and runs nothing (make
# must not expand it: EX='$(id)'); at a terminal without make's own line.
problems=""
for typed in 1 01 001 fibonacci fib 01-fib 01-fibonacci; do
    resolved=$(tools/workbook.sh resolve "$typed" 2>&1)
    [ "$resolved" = 01-fibonacci ] || problems+="EX=$typed names '$resolved', not 01-fibonacci"$'\n'
done
# Every target with EX='$(id)' (each passes EX through make the same way),
# make test with the other kinds of wrong EX.
# shellcheck disable=SC2016 # '$(id)' is the literal text a student could type
for run in test:99 "test:01 02" test:% test:str {test,solution,watch,hint,reset,memcheck,valgrind,run,flamegraph}:'$(id)'; do
    target=${run%%:*} typed=${run#*:}
    # A bounded wait: were EX misread as a real exercise, watch would not end.
    said=$(as_a_student timeout 20 make --no-print-directory "$target" EX="$typed" 2>&1 </dev/null)
    status=$?
    expected="no exercise '$typed'"
    [ "$typed" = str ] && expected="EX=str could be any of: 05-streaming 07-struct-padding 09-string-views"
    if [ "$status" -eq 0 ] || ! grep -qF -- "$expected" <<<"$said" || grep -q 'uid=' <<<"$said"; then
        problems+="make $target EX='$typed' (status $status): $(head -n 2 <<<"$said")"$'\n'
    fi
done
as_a_student timeout 20 script -qec "make test EX=99" /dev/null | tr -d '\r' >"$scratch/ex-tty.txt"
make_noise "$scratch/ex-tty.txt" >/dev/null && problems+="make test EX=99 at a terminal ends with make's own line"$'\n'
if [ -z "$problems" ]; then
    verdict ok "EX: 1, 01, 001, a name, its start and the folder name; any other EX an error naming it, in all nine targets"
else
    verdict fail "EX:
$problems"
fi

# ---- editors (docs/editor.md) ---------------------------------------------
# C++ TestMate's discovery, listing and result parsing, with the regular
# expressions of its source, over every binary's list, and runs of a
# solution and a starter (a peak, a leak on an error path) and the crash
# fixture; then CMake's and CTest's view of the same tests.
echo "== editor"
if tests/editor/testmate.py "$build" 01-fibonacci 06-error-path-leaks; then
    verdict ok "TestMate: every binary is found and listed as Google Test's, each test at its line; results and failures parse, a memory failure at the test's line and at the student's line that allocates"
else
    verdict fail "TestMate: see tests/editor/testmate.py's lines above"
fi
# The top CMakeLists.txt, configured and run by the real cmake and ctest.
if tests/editor/ctest.py "$build" 01-fibonacci; then
    verdict ok "CTest: every test listed with its filter, LABELS and DEF_SOURCE_LINE; ctest -L runs an exercise's tests, make building first"
else
    verdict fail "CTest: see tests/editor/ctest.py's lines above"
fi
# ---- end of editors ----------------------------------------------------------

# What the docs quote of a command's output is what it prints today.
echo "== docs"
if [ -z "${CLANG:-}" ]; then
    end_lane docs
    docs_status=$?
    cat "$scratch/docs.out"
    if [ "$docs_status" -eq 0 ]; then
        verdict ok "docs: every output they quote is what its command prints"
    else
        verdict fail "docs: quoted output drifted from what the commands print (above)"
    fi
else
    echo "docs: not checked: they quote what the GCC build prints, and this is Clang's"
fi

echo "== screenshots"
end_lane screenshots
screenshots_status=$?
cat "$scratch/screenshots.out"
if [ "$screenshots_status" -eq 0 ]; then
    verdict ok "screenshots: each picture of the flame graph page in docs/images/ is of today's page and program"
else
    verdict fail "screenshots: a picture in docs/images/ is out of date (above): make screenshots"
fi

echo "== wrong fixes"
end_lane wrong-fixes
cat "$scratch/wrong-fixes.out"
while IFS= read -r -d '' kind && IFS= read -r -d '' message; do
    tally "$kind" "$message"
done <"$scratch/wrong-fixes.verdicts"

echo "== profiler"
end_lane profiler
profiler_status=$?
cat "$scratch/profiler.out"
lanes=()
if [ "$profiler_status" -eq 0 ]; then
    verdict ok "profiler: heapbook run keeps the program's allocator and files; its figures against memusage's, stacks, symbols, every process of a fork, damaged and hostile captures, the page"
else
    verdict fail "profiler: see the lines above"
fi

echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
