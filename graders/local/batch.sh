#!/usr/bin/env bash
# A course's submissions graded on one machine, several at once: each
# submission (a folder: a student's clone, or the files they handed in)
# graded over its own copy of this workbook, as the platforms' graders do
# (graders/grade-submission), and a table of the scores.
#
#   graders/local/batch.sh SUBMISSIONS OUT [JOBS]
#       SUBMISSIONS  a folder with a folder per student
#       OUT          gets OUT/STUDENT/ (build/grade/ of that student) and
#                    OUT/scores.tsv (student, score, max score)
#       JOBS         submissions graded at once (default: the cores);
#                    make grade itself uses every core, so more than the
#                    cores gains little
#
# Run `make grade` here first: each copy takes this workbook's build,
# starters' verdicts included (build/grade-cache/), so that a submission
# costs only the exercises it changed; and `make grade-ready`, for many
# submissions: the starters' sanitizer builds, whose suites every copy
# then reuses.  docs/instructors.md, "Grading at
# course scale", has the figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 2 ] || { echo "usage: $0 SUBMISSIONS OUT [JOBS]" >&2; exit 2; }
submissions=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
jobs=${3:-$(nproc)}
[ -s build/grade/grade.json ] ||
    { echo "batch: run make grade here first (it builds what every copy reuses)" >&2; exit 1; }

grade_one() { # student
    local student=$1 copy status=0
    copy=$(mktemp -d "${TMPDIR:-/tmp}/heapbook-batch.XXXXXX")
    # The workbook's files and its build, less what grading does not use.
    tar --exclude=./.git --exclude=node_modules --exclude=./build/tests --exclude=./build/clang \
        --exclude=./build/grade -cf - . | tar -xf - -C "$copy"
    MAKEFLAGS='' make --no-print-directory -C "$copy" grade SUBMISSION="$submissions/$student" \
        >"$copy/grade.log" 2>&1 || status=$?
    rm -rf "${out:?}/$student"
    mkdir -p "$out/$student"
    cp "$copy"/build/grade/* "$copy/grade.log" "$out/$student/" 2>/dev/null || true
    rm -rf "$copy"
    echo "batch: $student: $(tail -n 1 "$out/$student/grade.log")"
    return "$status"
}
export -f grade_one
export submissions out

# shellcheck disable=SC2016 # $1 is the inner shell's: the student
find "$submissions" -mindepth 1 -maxdepth 1 -type d -printf '%f\0' | sort -z |
    xargs -0 -P "$jobs" -I{} bash -c 'grade_one "$1"' _ {}
{
    printf 'student\tscore\tmax_score\n'
    for report in "$out"/*/grade.json; do
        python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(sys.argv[2], r["score"], r["max_score"], sep="\t")' \
            "$report" "$(basename "$(dirname "$report")")"
    done
} >"$out/scores.tsv"
echo "batch: scores in $out/scores.tsv"
