#!/usr/bin/env bash
# The student loop, in a copy of the work tree (so that `make clean` touches
# nothing of yours):
#
#   1. `make check` from a clean tree (build/ removed): every harness,
#      solution and starter build, and every check;
#   2. the edit-rebuild-test cycle of each exercise: touch its source, then
#      `make test EX=NN`, median of $RUNS runs.  Goal: under a second.
#
#   bench/loop.sh [--no-check]    (--no-check: the cycle only)
set -u
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT

# The tree as it is, uncommitted changes and npm's modules included.
tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$copy"
cd "$copy" || exit 1

echo "== student loop ($(nproc) cores)"
machine
if [ "${1:-}" != --no-check ]; then
    start=$(date +%s%N)
    make check >"$copy.check.log" 2>&1
    status=$?
    end=$(date +%s%N)
    verdict=$(grep '^check: ' "$copy.check.log" | tail -1)
    # A failure must not be timed and forgotten: show what failed.
    [ "$status" -eq 0 ] || grep -A8 '^check FAILED' "$copy.check.log" >&2
    rm -f "$copy.check.log"
    printf '\n%-40s %8.1f s  (%s; exit %d)\n' "make check, from a clean tree" \
        "$(awk -v n=$((end - start)) 'BEGIN { print n / 1e9 }')" "$verdict" "$status"
    start=$(date +%s%N)
    make check >/dev/null 2>&1
    end=$(date +%s%N)
    printf '%-40s %8.1f s\n' "make check, again (nothing to build)" \
        "$(awk -v n=$((end - start)) 'BEGIN { print n / 1e9 }')"
else
    make harness >/dev/null 2>&1
fi

printf '\n%-28s %12s %12s %12s\n' "exercise" "edit+test" "build only" "tests only"
for dir in exercises/[0-9][0-9]-*; do
    exercise=$(basename "$dir")
    number=${exercise%%-*}
    make "build/exercises/$exercise/tests" >/dev/null 2>&1
    # The file the lesson has the student change: the one its solution
    # replaces (an edit of a file the solution shares rebuilds that too).
    # shellcheck disable=SC2012 # our own file names: no space, no newline
    source="$dir/$(cd "solutions/$exercise" && ls -- *.c | head -1)"
    cycle=$(median_ms sh -c "touch $source && make test EX=$number")
    build=$(median_ms sh -c "touch $source && make build/exercises/$exercise/tests")
    tests=$(median_ms "build/exercises/$exercise/tests")
    printf '%-28s %9s ms %9s ms %9s ms\n' "$exercise" "$cycle" "$build" "$tests"
done
