#!/usr/bin/env python3
"""Classroom 50's autograder for heapbook: put it at
CLASSROOM/autograders/ASSIGNMENT/autograder.py in the classroom50
repository, and give the assignment the grader image as its runtime
container (docs/instructors.md, "Classroom 50").

Classroom 50's runner calls it once per submission in the student's
checkout, with the submission's identity in the environment (CLASSROOM,
ASSIGNMENT, SUBMISSION_TAG, COMMIT_URL, RELEASE_URL, REVIEW_URL).  It grades
the checkout's exercise sources over the image's pristine workbook
(graders/grade-submission: the tests, harness and Makefile are the
course's, never the checkout's), writes ./result.json (schema
classroom50/result/v1: a test per exercise, one point each when done) and
./release-body.md (the table of make grade).  Exit 0 when it graded; else 1,
which the runner records as an error, not a score.

HEAPBOOK_WORKBOOK: the workbook (the image's /opt/heapbook).  An
exercises.txt beside this file (one exercise a line) grades only those.
"""
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

checkout = Path.cwd()
workbook = Path(os.environ.get("HEAPBOOK_WORKBOOK", "/opt/heapbook"))
chosen = Path(__file__).resolve().parent / "exercises.txt"
environment = dict(os.environ)
if chosen.is_file():
    lines = [l.strip() for l in chosen.read_text().splitlines()]
    environment["HEAPBOOK_EXERCISES"] = " ".join(l for l in lines if l and not l.startswith("#"))

graded = subprocess.run([workbook / "graders" / "grade-submission", "classroom50", checkout,
                         workbook / "build" / "grade" / "result.json"], env=environment)
if graded.returncode != 0:
    sys.exit(1)
result = json.loads((workbook / "build" / "grade" / "result.json").read_text())
# The submission instant is the graded commit's, from the student's own
# history (the workbook's is the course's).
seconds = subprocess.run(["git", "-C", checkout, "log", "-1", "--format=%ct"],
                         capture_output=True, text=True).stdout.strip()
if seconds.isdigit():
    result["datetime"] = datetime.datetime.fromtimestamp(int(seconds), datetime.timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")
Path("result.json").write_text(json.dumps(result, indent=2) + "\n")
Path("release-body.md").write_text((workbook / "build" / "grade" / "grade.md").read_text())
