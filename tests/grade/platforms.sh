#!/usr/bin/env bash
# The platforms' entry points (graders/), run on this machine as each
# platform runs them in the grader image, which this machine cannot build
# (no Docker engine): a prepared copy of the workbook stands for the image,
# temporary folders for /autograder and /grade (AUTOGRADER_ROOT,
# GRADE_ROOT), a git checkout with the runner's variables for Classroom 50.
# tests/grade/verify.py then checks each platform's file against its
# documentation (tests/grade/platforms.py, tests/grade/formats.py).
#
#   tests/grade/platforms.sh WORKBOOK SCRATCH EXERCISE
#       WORKBOOK  a copy of the workbook on which make grade ran (check.sh's
#                 starter): it is copied, as the image would be, not changed
#       SCRATCH   where the platforms' folders go
#       EXERCISE  the exercise each submission solves (01-fibonacci)
#
# One copy grades every submission in turn, as a reused container would:
# each must start from the pristine exercises, not the last one's.
set -u
[ $# -eq 3 ] || { echo "usage: $0 WORKBOOK SCRATCH EXERCISE" >&2; exit 2; }
tests=$(cd "$(dirname "$0")" && pwd)
source_tree=$(cd "$tests/../.." && pwd)
image=$2/image
mkdir -p "$2"
cp -a "$1" "$image"
first=$3
status_of() { echo "exit $?" >"$2/$1.status"; }

# Gradescope: /autograder/source is the workbook (the zip's layout), the
# submission a GitHub repository: a clone with the first exercise solved.
gradescope=$2/gradescope
mkdir -p "$gradescope/submission/exercises/$first" "$gradescope/results"
ln -s "$image" "$gradescope/source"
cp "$source_tree/solutions/$first"/* "$gradescope/submission/exercises/$first/"
AUTOGRADER_ROOT=$gradescope "$image/graders/gradescope/run_autograder" >"$2/gradescope.log" 2>&1
status_of gradescope "$2"
# The same container again with nothing handed in: nothing taken, nothing done.
mkdir -p "$2/gradescope-empty/submission" "$2/gradescope-empty/results"
ln -s "$image" "$2/gradescope-empty/source"
AUTOGRADER_ROOT=$2/gradescope-empty "$image/graders/gradescope/run_autograder" \
    >"$2/gradescope-empty.log" 2>&1
status_of gradescope-empty "$2"

# PrairieLearn: a question on the first exercise, its file handed in alone.
prairielearn=$2/prairielearn
mkdir -p "$prairielearn/student" "$prairielearn/tests" "$prairielearn/serverFilesCourse" "$prairielearn/data"
echo "$first" >"$prairielearn/tests/exercises.txt"
cp "$source_tree/solutions/$first"/* "$prairielearn/student/"
GRADE_ROOT=$prairielearn "$image/graders/prairielearn/entrypoint" >"$2/prairielearn.log" 2>&1
status_of prairielearn "$2"
# ... and a submission of it that does not compile.
broken=$2/prairielearn-broken
mkdir -p "$broken/student" "$broken/tests"
echo "$first" >"$broken/tests/exercises.txt"
for file in "$source_tree/solutions/$first"/*; do
    { cat "$file"; echo "#error \"platforms.sh: this submission does not compile\""; } >"$broken/student/$(basename "$file")"
done
GRADE_ROOT=$broken "$image/graders/prairielearn/entrypoint" >"$2/prairielearn-broken.log" 2>&1
status_of prairielearn-broken "$2"

# Classroom 50: the runner calls the autograder in the student's checkout,
# with the submission's identity in its environment.
checkout=$2/classroom50
mkdir -p "$checkout/exercises/$first"
cp "$source_tree/solutions/$first"/* "$checkout/exercises/$first/"
git -C "$checkout" init -q
git -C "$checkout" add .
GIT_COMMITTER_DATE="2026-06-01T14:32:01Z" git -C "$checkout" -c user.name=student \
    -c user.email=student@example.org commit -qm "my answer"
(cd "$checkout" && env HEAPBOOK_WORKBOOK="$image" CLASSROOM=cs-memory ASSIGNMENT=heapbook \
    SUBMISSION_TAG=submit/2026-06-01T14-32-05Z-a1b2c3d \
    COMMIT_URL=https://github.com/course/heapbook-student/commit/a1b2c3d \
    RELEASE_URL=https://github.com/course/heapbook-student/releases/tag/submit%2F2026 \
    "$image/graders/classroom50/autograder.py") >"$2/classroom50.log" 2>&1
status_of classroom50 "$2"

# A local batch of two students: one exercise solved, nothing handed in.
mkdir -p "$2/batch/alice/exercises/$first" "$2/batch/bob"
cp "$source_tree/solutions/$first"/* "$2/batch/alice/exercises/$first/"
"$image/graders/local/batch.sh" "$2/batch" "$2/batch-out" 2 >"$2/batch.log" 2>&1
status_of batch "$2"

# The zip a course uploads to Gradescope, made from this clone's HEAD.
"$source_tree/graders/gradescope/make-zip" "$2/autograder.zip" >"$2/make-zip.log" 2>&1
status_of make-zip "$2"
