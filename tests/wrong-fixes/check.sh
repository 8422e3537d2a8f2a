# tests/wrong-fixes/check.sh: proves that each exercise's plausible wrong
# fixes fail, each for its stated reason, the way tests/check.sh proves that
# every starter fails.  Sourced by tests/check.sh (not run on its own): it
# uses that script's expect_failures, $build and $scratch.
#
# Each tests/wrong-fixes/NN-FIX/ holds the files of exercise NN-name that
# the fix changes (NN-name/*.c, as solutions/ does) and `expected`: a first
# line "# what the fix is, and why it fails", then one line per test that
# must fail, as in tests/exercises/*.starter:
#
#   test_name peak,leaks                     reasons, as the results file writes them
#   test_name memcheck heap-buffer-overflow  fails under the sanitizers, with that report
#
# Every other test must pass.  A fix with `memcheck` lines is built and run
# with the sanitizers only (mk/wrong-fixes.mk): the harness's guard and
# quarantine see a write just past a block or into a freed one, when the
# block is freed or the test ends, but not a read, nor a write that skips
# past the guard, and what such code does in the normal build depends on
# what lies next to the block.  Its tests must fail with a sanitizer's
# report, each the kind its line names.
#
# Runs every binary once; the random inputs are HEAPBOOK_SEED's (set by
# tests/check.sh), and each fix is written to fail for every seed.

for fix_dir in tests/wrong-fixes/[0-9][0-9]-*/; do
    fix=$(basename "$fix_dir")
    exercise=$(basename "$fix_dir"*/)
    sed -n '1s/^# */  /p' "$fix_dir/expected"
    grep -v '^#' "$fix_dir/expected" | sort >"$scratch/wrong-fix.expected"
    if grep -qw memcheck "$scratch/wrong-fix.expected"; then
        # Under the sanitizers a test that makes a memory error fails as a
        # crash, quoting the sanitizer's summary (the kind of error), with
        # the stack of the crash in the fix's own code.  The sanitizers'
        # reports (stderr) are shown only if the fix does not fail so;
        # unsymbolized, since symbolizing them takes most of the time.
        binary="$build/memcheck/tests/wrong-fixes/$fix/$exercise/tests"
        awk '{ print $1, "crash" }' "$scratch/wrong-fix.expected" >"$scratch/wrong-fix.reasons"
        {
            awk '{ print "Sanitizer: " $3 " " }' "$scratch/wrong-fix.expected" | sort -u | sed 'G'
            echo " (tests/wrong-fixes/$fix/$exercise/"
        } >"$scratch/wrong-fix.messages"
        failed_before=$failed
        ASAN_OPTIONS=symbolize=0 expect_failures "wrong fix $fix (under the sanitizers)" \
            "$binary" "$scratch/wrong-fix.reasons" "$scratch/wrong-fix.messages" \
            2>"$scratch/wrong-fix.stderr"
        if [ "$failed" -ne "$failed_before" ]; then
            cat "$scratch/wrong-fix.stderr"
            echo "(the sanitizers' reports, symbolized: $binary)"
        fi
    else
        expect_failures "wrong fix $fix" "$build/tests/wrong-fixes/$fix/$exercise/tests" \
            "$scratch/wrong-fix.expected"
    fi
done
