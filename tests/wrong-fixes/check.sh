# shellcheck shell=bash
# Sourced: $build, $scratch and $failed are tests/check.sh's.
# shellcheck disable=SC2154
# tests/wrong-fixes/check.sh: proves that each exercise's plausible wrong
# fixes fail, each for its stated reason, the way tests/check.sh proves that
# every starter fails.  Sourced by tests/check.sh (not run on its own): it
# uses that script's expect_failures, $build and $scratch, and defines
# check_wrong_fixes, which tests/check.sh runs in a lane of its own.
#
# Each tests/wrong-fixes/NN-FIX/ holds the files of exercise NN-name that
# the fix changes (NN-name/*.c, as solutions/ does) and `expected`: a first
# line "# what the fix is, and why it fails", then one line per test that
# must fail, as in tests/exercises/*.starter:
#
#   test_name peak,leaks                     reasons, as the results file writes them
#   test_name memcheck heap-buffer-overflow  fails under the sanitizers, with that report
#   test_name valgrind                       passes, but valgrind reports an error in it
#
# Every other test must pass.  A fix with `memcheck` lines is built and run
# with the sanitizers only (mk/wrong-fixes.mk): the harness's guard and
# quarantine see a write just past a block or into a freed one, when the
# block is freed or the test ends, but not a read, nor a write that skips
# past the guard, and what such code does in the normal build depends on
# what lies next to the block.  Its tests must fail with a sanitizer's
# report, each the kind its line names.
#
# A fix with `valgrind` lines passes every test (it reads bytes it never
# wrote, which neither the harness nor the sanitizers look for), and fails
# done through valgrind's verdict on the tested build
# (tools/memcheck_run.sh verdict, kept by checksum: run again only when the
# binary changes): a report in each test listed, and in no other.
#
# Runs every binary once; the random inputs are HEAPBOOK_SEED's (set by
# tests/check.sh), and each fix is written to fail for every seed.

# Requires valgrind's verdict on BINARY to be "errors", with a report in
# exactly the tests of EXPECTED's `valgrind` lines.
#   expect_valgrind_errors NAME BINARY EXPECTED
expect_valgrind_errors() {
    local name=$1 binary=$2 expected=$3 judged reported wanted
    judged=$(tools/memcheck_run.sh verdict valgrind "$binary" "$scratch/valgrind.txt")
    # The test each report is in: the last "  Test: NAME ..." line before it
    # (a report shown in full once, then "the same error as TEST above").
    reported=$(awk '/^  Test: / { test = $2 }
        /^    (Conditional jump|Use of uninitialised|Invalid |Syscall param|Mismatched free|Source and destination|the same error as )/ {
            print test }' "$scratch/valgrind.txt" | sort -u | paste -sd ' ')
    wanted=$(awk '$2 == "valgrind" { print $1 }' "$expected" | sort -u | paste -sd ' ')
    if [ "$judged" = errors ] && [ "$reported" = "$wanted" ]; then
        verdict ok "$name: valgrind reports an error in exactly: $wanted"
    else
        cat "$scratch/valgrind.txt"
        verdict fail "$name: valgrind's verdict is '$judged', with reports in: ${reported:-no test}; expected errors in: $wanted"
    fi
}

# Runs a sanitizer build and requires exactly the tests of EXPECTED's
# `memcheck` lines ("test_name memcheck KIND") to fail, each as a crash
# quoting a sanitizer's summary with its kind, in a frame of the code under
# SOURCE_DIR, and every other test to pass.  The sanitizers' reports
# (stderr) are shown only if the binary does not fail so; unsymbolized,
# since symbolizing them takes most of the time.  tests/check.sh uses it
# for a starter that passes its counting tests and fails here.
#   expect_memcheck_failures NAME BINARY EXPECTED SOURCE_DIR
expect_memcheck_failures() {
    local name=$1 binary=$2 expected=$3 source_dir=$4 failed_before=$failed
    grep -w memcheck "$expected" | sort >"$scratch/memcheck.expected"
    awk '{ print $1, "crash" }' "$scratch/memcheck.expected" >"$scratch/memcheck.reasons"
    {
        awk '{ print "Sanitizer: " $3 " " }' "$scratch/memcheck.expected" | sort -u | sed 'G'
        echo " ($source_dir"
    } >"$scratch/memcheck.messages"
    ASAN_OPTIONS=symbolize=0 expect_failures "$name" "$binary" "$scratch/memcheck.reasons" \
        "$scratch/memcheck.messages" 2>"$scratch/memcheck.stderr"
    if [ "$failed" -ne "$failed_before" ]; then
        cat "$scratch/memcheck.stderr"
        echo "(the sanitizers' reports, symbolized: $binary)"
    fi
}

# Every fix of the catalogue, each proved to fail for its reason.
check_wrong_fixes() {
    local fix_dir fix exercise
    for fix_dir in tests/wrong-fixes/[0-9][0-9]-*/; do
        fix=$(basename "$fix_dir")
        exercise=$(basename "$fix_dir"*/)
        sed -n '1s/^# */  /p' "$fix_dir/expected"
        grep -v '^#' "$fix_dir/expected" | sort >"$scratch/wrong-fix.expected"
        if grep -qw memcheck "$scratch/wrong-fix.expected"; then
            # Under the sanitizers a test that makes a memory error fails as a
            # crash, quoting the sanitizer's summary (the kind of error), with
            # the stack of the crash in the fix's own code.
            expect_memcheck_failures "wrong fix $fix (under the sanitizers)" \
                "$build/memcheck/tests/wrong-fixes/$fix/$exercise/tests" "$scratch/wrong-fix.expected" \
                "tests/wrong-fixes/$fix/$exercise/"
        elif grep -qw valgrind "$scratch/wrong-fix.expected"; then
            # Every test passes in the build the tests ran; valgrind fails it.
            expect_failures "wrong fix $fix" "$build/tests/wrong-fixes/$fix/$exercise/tests" /dev/null
            expect_valgrind_errors "wrong fix $fix (under valgrind)" \
                "$build/tests/wrong-fixes/$fix/$exercise/tests" "$scratch/wrong-fix.expected"
        else
            expect_failures "wrong fix $fix" "$build/tests/wrong-fixes/$fix/$exercise/tests" \
                "$scratch/wrong-fix.expected"
        fi
    done
}
