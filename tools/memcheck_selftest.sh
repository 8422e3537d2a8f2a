#!/usr/bin/env bash
# Proves that make memcheck and make valgrind catch memory errors (make
# check runs this).  tests/fixtures/memcheck_broken is an exercise broken on
# purpose: a use after free, a heap overflow, a double free, two leaks, a
# signed overflow, and tests that must pass (clean code, a memory limit that
# must be skipped, a test that needs the harness's counters).
#
#   1. `make memcheck EX=memcheck_broken` must exit non-zero, with every line
#      of memcheck_broken.messages in its output (the sanitizers' reports and
#      the harness's one-line failures);
#   2. exactly the tests of memcheck_broken.expected fail, for those reasons
#      (read from the binary's --results file);
#   3. if valgrind is installed, `make valgrind EX=memcheck_broken` must exit
#      non-zero, with every line of memcheck_broken.valgrind in its output.
#
# Prints the output of each run, then "memcheck selftest: ok" or what went
# wrong; exit status 1 if anything did.
set -u
cd "$(dirname "$0")/.." || exit 2

fixture=tests/fixtures/memcheck_broken
binary=build/memcheck/fixtures/memcheck_broken/tests
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
problems=""

# Every line of FILE must appear in OUTPUT; records those that do not.
expect_lines() { # what file output
    local line
    while IFS= read -r line; do
        grep -qF -- "$line" "$3" || problems+="$1: not in the output: $line"$'\n'
    done <"$2"
}

echo "== make memcheck EX=memcheck_broken (must fail)"
make --no-print-directory memcheck EX=memcheck_broken 2>&1 | tee "$scratch/memcheck.txt"
status=${PIPESTATUS[0]}
[ "$status" -ne 0 ] || problems+="make memcheck: exited 0 on code with memory errors"$'\n'
expect_lines "make memcheck" "$fixture/memcheck_broken.messages" "$scratch/memcheck.txt"

"$binary" --results "$scratch/results.tsv" >/dev/null 2>&1
expected=$(sort "$fixture/memcheck_broken.expected")
actual=$(awk -F'\t' '$3 == "failed" { print $2, $4 }' "$scratch/results.tsv" 2>/dev/null | sort)
if [ "$actual" != "$expected" ]; then
    problems+="$binary: failed tests differ from memcheck_broken.expected"$'\n'
    problems+="  expected: $(echo "$expected" | paste -sd ';')"$'\n'
    problems+="  actual:   $(echo "${actual:-nothing}" | paste -sd ';')"$'\n'
fi

if command -v valgrind >/dev/null; then
    echo
    echo "== make valgrind EX=memcheck_broken (must fail)"
    make --no-print-directory valgrind EX=memcheck_broken 2>&1 | tee "$scratch/valgrind.txt"
    status=${PIPESTATUS[0]}
    [ "$status" -ne 0 ] || problems+="make valgrind: exited 0 on code with memory errors"$'\n'
    expect_lines "make valgrind" "$fixture/memcheck_broken.valgrind" "$scratch/valgrind.txt"
else
    echo "memcheck selftest: valgrind is not installed, make valgrind not tested (sudo apt-get install valgrind)"
fi

echo
if [ -n "$problems" ]; then
    printf 'memcheck selftest FAILED:\n%s' "$problems"
    exit 1
fi
echo "memcheck selftest: ok (make memcheck$(command -v valgrind >/dev/null && echo " and make valgrind") fail on each memory error, with the tool's report)"
