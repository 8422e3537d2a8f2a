#!/usr/bin/env bash
# make memcheck / make memcheck-solution / make valgrind: runs test binaries
# under a tool that finds memory errors, and says what it found.
#
#   tools/memcheck_run.sh memcheck BINARY...   binaries built with the
#       sanitizers (build/memcheck/...): run as they are; their sanitizer
#       options are compiled in (harness/runner/memcheck.c)
#   tools/memcheck_run.sh valgrind BINARY...   normal binaries, run under
#       valgrind with every test in one process (HEAPBOOK_FORK=0): valgrind
#       would see a test's child process fail, but the harness only listens
#       to what the child tells it, so errors there would pass unnoticed
#
# Each binary is built first (with make), so an exercise that does not
# compile is reported as such and the others still run.  Exit status 0 only
# if every binary ran clean: no sanitizer or valgrind report, no failed test.
set -u
cd "$(dirname "$0")/.." || exit 2

tool=${1:-}
shift || true
case "$tool" in
memcheck) ;;
valgrind)
    if ! command -v valgrind >/dev/null; then
        echo "heapbook: valgrind is not installed; install it with: sudo apt-get install valgrind" >&2
        exit 2
    fi
    ;;
*)
    echo "usage: $0 memcheck|valgrind BINARY..." >&2
    exit 2
    ;;
esac

# valgrind's exit status when it found errors; tests that fail exit 1.
VALGRIND_ERRORS=99
# definite and indirect leaks are errors; "possibly lost" blocks (pointers
# into the middle of a block) and blocks still reachable at exit are not.
# --fullpath-after prints file names relative to the repository
# (exercises/01-fibonacci/fibonacci.c:34), as the harness and the sanitizers
# do, instead of their last part only; --track-origins says where an
# uninitialised value came from.
VALGRIND_OPTIONS=(--quiet "--error-exitcode=$VALGRIND_ERRORS" --leak-check=full
    "--show-leak-kinds=definite,indirect" "--errors-for-leak-kinds=definite,indirect"
    --track-origins=yes "--fullpath-after=$PWD/")

# build/memcheck/solutions/01-fibonacci/tests -> "01-fibonacci (solution)";
# build/memcheck/tests/harness-tests -> "harness-tests"
describe() {
    local dir name
    dir=$(dirname "$1")
    name=$(basename "$dir")
    [ "$(basename "$1")" = tests ] || name=$(basename "$1")
    case "$dir" in
    */solutions/*) echo "$name (solution)" ;;
    */fixtures/*) echo "$name (fixture)" ;;
    *) echo "$name" ;;
    esac
}

# After a failed memcheck build: is it the code, or can this compiler not
# link with the sanitizers at all?  (Debian's gcc brings their runtimes,
# libasan and libubsan, with it; other compilers may not have them.)
explain_build_failure() {
    [ "$tool" = memcheck ] || return 0
    local probe
    probe=$(mktemp)
    if ! echo 'int main(void) { return 0; }' |
        "${CC:-cc}" -fsanitize=address,undefined -x c - -o "$probe" 2>/dev/null; then
        echo "heapbook: ${CC:-cc} cannot build with -fsanitize=address,undefined here; install gcc" \
            "(sudo apt-get install gcc brings libasan and libubsan), or use: make valgrind" >&2
    fi
    rm -f "$probe"
}

failed=()
clean=0
for binary in "$@"; do
    name=$(describe "$binary")
    [ $# -gt 1 ] && printf '== %s: %s\n' "$tool" "$name"
    if ! make --no-print-directory -q "$binary" 2>/dev/null &&
        ! make --no-print-directory "$binary"; then
        failed+=("$name: does not compile")
        explain_build_failure
        echo
        continue
    fi
    if [ "$tool" = memcheck ]; then
        "$binary"
    else
        HEAPBOOK_FORK=0 valgrind "${VALGRIND_OPTIONS[@]}" "$binary"
    fi
    status=$?
    echo
    if [ "$status" -eq 0 ]; then
        clean=$((clean + 1))
        echo "$tool: $name: clean: no memory errors, every test passed (memory limits: make test)"
    elif [ "$tool" = valgrind ] && [ "$status" -eq "$VALGRIND_ERRORS" ]; then
        failed+=("$name: valgrind found memory errors")
        echo "$tool: $name: FAILED: valgrind found memory errors; its report is above"
    elif [ "$status" -gt 128 ]; then
        failed+=("$name: the test binary died (signal $((status - 128)))")
        echo "$tool: $name: FAILED: the test binary itself died (signal $((status - 128))); the report above says where"
    elif [ "$tool" = memcheck ]; then
        failed+=("$name: tests failed")
        echo "$tool: $name: FAILED: see the failed tests above; a sanitizer's report, if any, comes just before its test's failure"
    else
        failed+=("$name: tests failed")
        echo "$tool: $name: FAILED: see the failed tests above"
    fi
    [ $# -gt 1 ] && echo
done

if [ ${#failed[@]} -gt 0 ]; then
    [ $# -gt 1 ] && printf '%s: %d clean, %d failed:\n' "$tool" "$clean" "${#failed[@]}" &&
        printf '  %s\n' "${failed[@]}"
    echo "How to read a report: docs/memcheck.md"
    exit 1
fi
[ $# -gt 1 ] && printf '%s: all %d clean\n' "$tool" "$clean"
exit 0
