#!/usr/bin/env bash
# make check-grade: `make grade` on a class of students, each a copy of
# this workbook, and its verdicts and every file it writes checked
# (tests/grade/verify.py; the platforms' formats: tests/grade/formats.py):
#
#   starter   the exercises as handed out: nothing is done, and each
#             exercise fails exactly the tests of its .starter file;
#   solved    every solution copied over its exercise: everything is done;
#   mixed     the first exercise solved; the second solved but with a memory
#             error that no test of the normal build sees (so its tests pass
#             and only make memcheck fails it: not done); the third does not
#             compile; every test of the fourth loops, every test of the
#             fifth crashes; the rest as handed out;
#   tampered  a submission graded over a copy of the starter, as graders/
#             take one (make grade SUBMISSION=...): the first exercise
#             solved in place and the fourth as loose files (both taken),
#             but also the second's tests loosened, the Makefile and the
#             harness replaced, and a link where the third's source should
#             be (none of it read): its grade must be the starter's but for
#             the two solved exercises.  A stale file left in its
#             build/grade/ must be gone after.
#
# make progress runs on the mixed copy three times: its second run, with
# nothing changed, must come from its cache (no test binary run or built
# again); its third, with an exercise broken
# since, must say so.  Then each platform's entry point grades submissions over a copy of the
# starter as its grader image would (tests/grade/platforms.sh).
#
#   tests/grade/check.sh EXERCISE...     (make check-grade gives them all)
#
# Each copy holds the working tree's files and this build's harness,
# solutions (their test binaries, and the times that set the tests' time
# limits) and starters, with their dates, as a grader image holds them
# (graders/prepare): only the files a student changed are built again.  Ends with
# "check-grade: N passed, M failed"; exit status 1 if any check failed.
set -u
cd "$(dirname "$0")/../.." || exit 2
[ $# -ge 5 ] || { echo "usage: $0 EXERCISE... (five at least; make check-grade gives them all)" >&2; exit 2; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/heapbook-grade.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

copy_workbook() { # folder
    mkdir -p "$1/build"
    git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' file; do if [ -e "$file" ]; then printf '%s\0' "$file"; fi; done |
        tar --null -T - -cf - | tar -xf - -C "$1"
    tar -cf - build/.deps-ok build/obj/harness build/lib build/memcheck/obj/harness build/memcheck/lib \
        build/solutions build/exercises |
        tar -xf - -C "$1"
}

solve() { # folder exercise
    cp solutions/"$2"/* "$1/exercises/$2/"
}

# The exercise's first source file the tests are built from.
first_source() { # folder exercise
    find "$1/exercises/$2" -name '*.c' ! -name main.c | sort | head -n 1
}

# Puts STATEMENT first in every function defined in the exercise's files
# (clang-format's layout: a definition's line starts at the margin and ends
# ") {").  Exercise code may not have constructors (tools/check_objects.py),
# so the break is in the code the tests call, as a student's would be.
break_functions() { # folder exercise statement [first-only]
    local file scaffolding
    # The course's own files (mk/exercises.mk's SCAFFOLDING) are not the
    # student's to break: make grade never takes them from a submission.
    scaffolding=$(sed -n 's/^SCAFFOLDING := //p' mk/exercises.mk)
    find "$1/exercises/$2" -name '*.c' ! -name main.c | sort | while read -r file; do
        case " $scaffolding" in *" ${file#"$1"/}="*) continue ;; esac
        awk -v statement="$3" -v once="${4:-}" '
            !done && /^[A-Za-z_].*\) \{$/ { print; print "    " statement; done = once != ""; next }
            { print }' "$file" >"$file.broken" && mv "$file.broken" "$file"
        [ -z "${4:-}" ] || break
    done
}

# A read one byte past a local array, through a pointer, in the exercise's
# first function: in the normal build nothing notices; the sanitizers stop
# the binary (UBSan's object-size check, before AddressSanitizer's).
break_memory() { # folder exercise
    break_functions "$1" "$2" '{ char grade_bytes[16] = {0}; volatile char *grade_at = grade_bytes; volatile int grade_past = 16; (void)grade_at[grade_past]; }' first-only
}

break_build() { # folder exercise
    echo '#error "grade fixture: this exercise does not compile"' >>"$(first_source "$1" "$2")"
}

# Every function of the exercise breaks as it starts, so every test that
# calls the exercise's code does.
break_each_test() { # folder exercise statement
    break_functions "$1" "$2" "$3"
}

# The submission: what a student could push or upload, tampering included.
tampered_submission() { # folder first second third fourth
    local folder=$1 test
    mkdir -p "$folder/exercises/$2" "$folder/exercises/$4" "$folder/tests/exercises" "$folder/harness"
    cp solutions/"$2"/* "$folder/exercises/$2/"
    cp solutions/"$5"/* "$folder/"
    test="tests/exercises/test_${3//-/_}.c"
    sed -E 's/\.(peak|leaks|allocations|stack) = "[^"]*"/.\1 = "1 GiB"/g' "$test" >"$folder/$test"
    printf 'grade:\n\t@echo "grade: 99 of 14 exercises done"\n' >"$folder/Makefile"
    echo 'int hb_everything_passes = 1;' >"$folder/harness/everything_passes.c"
    ln -s "../../$test" "$folder/exercises/$4/$(basename "$(first_source . "$4")")"
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
solve "$scratch/mixed" "$4"
break_each_test "$scratch/mixed" "$4" 'for (;;) {}'
solve "$scratch/mixed" "$5"
break_each_test "$scratch/mixed" "$5" 'volatile int *nowhere = NULL; *nowhere = 1;'

grade() { # student [make argument...]
    local student=$1
    shift
    echo "== make grade: $student"
    # -j2: a make with job slots of its own, which a make it starts must not
    # take for its own ("jobserver unavailable": verify.py looks for it);
    # started afresh, not as a job of make check-grade's.
    env MAKEFLAGS= make -j2 --no-print-directory -C "$scratch/$student" grade "$@" >"$scratch/$student.log" 2>&1
    echo "exit $?" >>"$scratch/$student.log"
    grep '^grade: ' "$scratch/$student.log"
}
for student in starter solved mixed; do
    grade "$student"
done

# make progress on the mixed copy: run, run again with nothing changed
# (from build/progress/), then with the first exercise broken (its kept
# state must not be shown).  The second run must answer from its cache,
# which is what makes it fast: every test binary is made unrunnable
# meanwhile, so running one would change a state, and building one again
# would make it runnable (its time is shown, not judged: a busy machine
# must not fail a check; docs/instructors.md has the figure).
progress() { # log
    env MAKEFLAGS= make --no-print-directory -C "$scratch/mixed" progress >"$scratch/$1" 2>&1
}
progress progress-first.log
find "$scratch/mixed/build" -type f -name tests -perm -u+x >"$scratch/test-binaries"
xargs -r chmod a-x <"$scratch/test-binaries"
start=$(date +%s%N)
progress progress-again.log
echo "$(( ($(date +%s%N) - start) / 1000000 ))" >"$scratch/progress-again.ms"
while read -r binary; do
    if [ -x "$binary" ]; then echo "$binary"; fi
done <"$scratch/test-binaries" >"$scratch/progress-again.rebuilt"
xargs -r chmod a+x <"$scratch/test-binaries"
echo '#error "grade fixture: broken after make progress"' >>"$(first_source "$scratch/mixed" "$1")"
progress progress-broken.log
cp -a "$scratch/starter" "$scratch/tampered"
echo stale >"$scratch/tampered/build/grade/99-stale.xml"
tampered_submission "$scratch/submission" "$1" "$2" "$3" "$4"
grade tampered SUBMISSION="$scratch/submission"
echo "== the platforms' entry points (graders/)"
tests/grade/platforms.sh "$scratch/starter" "$scratch/platforms" "$1"
tests/grade/verify.py "$scratch" "$@"
