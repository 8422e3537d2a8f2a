#!/usr/bin/env bash
# make check-grade: `make grade` on a class of three students, each a copy
# of this workbook, and its verdicts checked (tests/grade/verify.py):
#
#   starter  the exercises as handed out: nothing is done, and each
#            exercise fails exactly the tests of its .starter file;
#   solved   every solution copied over its exercise: everything is done;
#   mixed    the first exercise solved; the second solved but with a memory
#            error that no test of the normal build sees (so its tests pass
#            and only make memcheck fails it: not done); the third does not
#            compile; the rest as handed out.
#
#   tests/grade/check.sh EXERCISE...     (make check-grade gives them all)
#
# Each copy holds the working tree's files and this build's harness, with
# their times, so that only the exercises are built again.  Ends with
# "check-grade: N passed, M failed"; exit status 1 if any check failed.
set -u
cd "$(dirname "$0")/../.." || exit 2
[ $# -ge 3 ] || { echo "usage: $0 EXERCISE... (three at least; make check-grade gives them all)" >&2; exit 2; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/heapbook-grade.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

copy_workbook() { # folder
    mkdir -p "$1/build"
    git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' file; do if [ -e "$file" ]; then printf '%s\0' "$file"; fi; done |
        tar --null -T - -cf - | tar -xf - -C "$1"
    tar -cf - build/.deps-ok build/obj/harness build/lib build/memcheck/obj/harness build/memcheck/lib |
        tar -xf - -C "$1"
}

solve() { # folder exercise
    cp solutions/"$2"/* "$1/exercises/$2/"
}

# The exercise's first source file the tests are built from.
first_source() { # folder exercise
    find "$1/exercises/$2" -name '*.c' ! -name main.c | sort | head -n 1
}

# A read one byte past a block, at start-up: in the normal build the byte is
# the allocator's own and nothing notices; AddressSanitizer stops the binary.
break_memory() { # folder exercise
    cat >>"$(first_source "$1" "$2")" <<'EOF'

/* tests/grade/check.sh: a memory error that no test of the normal build sees. */
#include <stdlib.h>
__attribute__((constructor)) static void grade_fixture_reads_past_the_end(void) {
    volatile size_t size = 16;
    char *block = malloc(size);
    volatile char past_the_end = block[size];
    (void)past_the_end;
    free(block);
}
EOF
}

break_build() { # folder exercise
    echo '#error "grade fixture: this exercise does not compile"' >>"$(first_source "$1" "$2")"
}

for student in starter solved mixed; do
    copy_workbook "$scratch/$student"
done
for exercise in "$@"; do
    solve "$scratch/solved" "$exercise"
done
solve "$scratch/mixed" "$1"
solve "$scratch/mixed" "$2"
break_memory "$scratch/mixed" "$2"
break_build "$scratch/mixed" "$3"

for student in starter solved mixed; do
    echo "== make grade: $student"
    make --no-print-directory -C "$scratch/$student" grade >"$scratch/$student.log" 2>&1
    echo "exit $?" >>"$scratch/$student.log"
    grep '^grade: ' "$scratch/$student.log"
done
tests/grade/verify.py "$scratch" "$@"
