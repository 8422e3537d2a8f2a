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
#   tools/memcheck_run.sh build BINARY         builds a sanitizer binary now
#   tools/memcheck_run.sh prepare BINARY       starts building it in the
#       background, at low priority, and returns at once: make test runs the
#       student's tests meanwhile, so that the sanitizer build is ready when
#       they pass (docs/memcheck.md, "Built beside the tests")
#   tools/memcheck_run.sh verdict memcheck|valgrind BINARY REPORT
#       what "done" asks of a binary whose tests pass: prints clean, errors
#       (a report, or a failed test), build (it does not build) or missing
#       (valgrind is not installed), and
#       writes what memcheck|valgrind printed into REPORT.  Kept in
#       build/memcheck-verdicts/ by a checksum of the binary and of what
#       judges it, so the same code is run once; valgrind's verdict run
#       tracks no origins (four times faster: its report says where a value
#       was used, make valgrind also where it came from)
#
# Each binary is built first (with make), so an exercise that does not
# compile is reported as such and the others still run.  Builds of the
# sanitizer tree hold a lock (build/memcheck/.lock): one waits for a
# background build instead of compiling the same objects at the same time.
#
# The reports are shortened (tools/memcheck_report.py): each stack starts
# at the student's line, the other frames folded; the full output is kept
# beside the binary (memcheck.log, valgrind.log), and V=1 shows it instead.
# Exit status 0 only if every binary ran clean: no sanitizer or valgrind
# report, no failed test.
set -u
cd "$(dirname "$0")/.." || exit 2

LOCK=build/memcheck/.lock

. tools/own_make.sh

# That make, holding the sanitizer tree's lock (waiting for it if need be).
# Without flock (util-linux) there is no background build to wait for.
locked_make() {
    mkdir -p "$(dirname "$LOCK")"
    if command -v flock >/dev/null; then
        flock "$LOCK" "${own_make[@]}" "$@"
    else
        "${own_make[@]}" "$@"
    fi
}

# ---- verdicts kept by checksum ---------------------------------------------
# The verdict of TOOL on BINARY, as `verdict` above.  Its key covers
# everything that decides it: the binary, this script (the tools' options),
# the shortener (the report as shown) and the tool itself (valgrind's
# version); a verdict is written aside and renamed, the key last, so that
# a run beside this one reads a whole verdict, old or new, never half.
verdict() { # tool binary report
    local tool=$1 binary=$2 report=$3 key cache verdict=clean
    : >"$report"
    if [ "$tool" = valgrind ] && ! command -v valgrind >/dev/null; then
        echo "heapbook: valgrind is not installed, and done needs it; install it with:" \
            "sudo apt-get install valgrind (or tools/install-deps.sh)" >"$report"
        echo missing
        return
    fi
    if [ "$tool" = memcheck ] && ! locked_make -s "$binary" >"$report" 2>&1; then
        echo build
        return
    fi
    key=$({ cat "$binary" "$0" tools/memcheck_report.py
        [ "$tool" = valgrind ] && valgrind --version; } 2>/dev/null | sha256sum | cut -c1-16)
    # build/memcheck/solutions/01-fibonacci/tests -> memcheck-solutions-01-fibonacci
    cache=build/memcheck-verdicts/$tool-$(echo "${binary#build/}" | sed 's,^memcheck/,,; s,/tests$,,' | tr / -)
    if [ -f "$cache" ] && [ "$(cut -d' ' -f1 "$cache")" = "$key" ]; then
        cut -d' ' -f2 "$cache"
        cat "$cache.log" >"$report" 2>/dev/null
        return
    fi
    VERDICT_RUN=1 "$0" "$tool" "$binary" >"$report" 2>&1 || verdict=errors
    mkdir -p build/memcheck-verdicts
    cp "$report" "$cache.log.$$" && mv -f "$cache.log.$$" "$cache.log"
    echo "$key $verdict" >"$cache.$$" && mv -f "$cache.$$" "$cache"
    echo "$verdict"
}
# ---- end of verdicts ---------------------------------------------------------

tool=${1:-}
shift || true
case "$tool" in
verdict)
    [ $# -eq 3 ] || { echo "usage: $0 verdict memcheck|valgrind BINARY REPORT" >&2; exit 2; }
    verdict "$@"
    exit 0 ;;
build)
    locked_make -s "$@"
    exit ;;
prepare)
    # Nothing to wait for if another build holds the lock: it is building
    # the same tree.  Its output is kept for whoever wants to know why it
    # failed; the foreground build says it again.
    command -v flock >/dev/null || exit 0
    mkdir -p "$(dirname "$LOCK")"
    (flock -n "$LOCK" nice -n 19 "${own_make[@]}" -s "$@" >build/memcheck/background.log 2>&1 &)
    exit 0 ;;
memcheck) ;;
valgrind)
    if ! command -v valgrind >/dev/null; then
        echo "heapbook: valgrind is not installed; install it with: sudo apt-get install valgrind" >&2
        exit 2
    fi
    ;;
*)
    echo "usage: $0 memcheck|valgrind|build|prepare BINARY..." >&2
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
    "--track-origins=$([ -n "${VERDICT_RUN:-}" ] && echo no || echo yes)" "--fullpath-after=$PWD/")

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

# The output through the shortener, the full one into FILE; V=1: full.
shorten() { # file
    if [ "${V:-}" = 1 ]; then
        tee "$1"
    else
        tools/memcheck_report.py --raw "$1"
    fi
}

failed=()
clean=0
for binary in "$@"; do
    name=$(describe "$binary")
    [ $# -gt 1 ] && printf '== %s: %s\n' "$tool" "$name"
    build=("${own_make[@]}")
    [ "$tool" = memcheck ] && build=(locked_make)
    if ! "${own_make[@]}" -q "$binary" 2>/dev/null && ! "${build[@]}" "$binary"; then
        failed+=("$name: does not compile")
        explain_build_failure
        echo
        continue
    fi
    # Clang's sanitizer runtime names frames with llvm-symbolizer, which it
    # does not find by itself in a test's child process: given its path,
    # the report has lines.  (GCC's runtime has a symbolizer of its own.)
    if [ "$tool" = memcheck ] && [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] &&
        readelf -p .comment "$binary" 2>/dev/null | grep -q 'clang version'; then
        ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer) && export ASAN_SYMBOLIZER_PATH
    fi
    full="$(dirname "$binary")/$tool.log"
    # Written aside and renamed: another run of the same binary (make test
    # in a second terminal, make check's lanes) never leaves half a log.
    if [ "$tool" = memcheck ]; then
        "$binary" 2>&1 | shorten "$full.$$"
    else
        HEAPBOOK_FORK=0 valgrind "${VALGRIND_OPTIONS[@]}" "$binary" 2>&1 | shorten "$full.$$"
    fi
    status=${PIPESTATUS[0]}
    mv -f "$full.$$" "$full"
    echo
    if [ "$status" -eq 0 ]; then
        clean=$((clean + 1))
        echo "$tool: $name: clean: no memory errors, every test passed (memory limits: make test)"
    elif [ "$tool" = valgrind ] && [ "$status" -eq "$VALGRIND_ERRORS" ]; then
        failed+=("$name: valgrind found memory errors")
        echo "$tool: $name: FAILED: valgrind found memory errors; its report is above"
        [ -n "${VERDICT_RUN:-}" ] &&
            echo "$tool: where an uninitialised value came from: make valgrind, which tracks origins"
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
    [ "$status" -ne 0 ] && [ "${V:-}" != 1 ] &&
        echo "$tool: the full output, every frame of every report: $full (or add V=1)"
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
