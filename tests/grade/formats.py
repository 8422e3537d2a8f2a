"""The platforms' formats, checked against their documentation: each function
returns the problems of one document, an empty list when it is valid.  None
of the three platforms publishes a JSON schema for its results, so each
function encodes what the platform's documentation and code say, cited
beside it; JUnit has schemas, and junit_problems checks a file against one.

  gradescope_problems(doc)     Gradescope's autograder specification
  prairielearn_problems(doc)   PrairieLearn's external grading results
  classroom50_problems(doc)    Classroom 50's result.json contract
  junit_problems(path)         a JUnit XSD (Jenkins' junit-10.xsd) with
                               xmllint, else the same rules in Python
"""
import math
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

# Gradescope, "Autograder Specifications" (gradescope-autograders.readthedocs.io
# /en/latest/specs/): results.json's top-level and per-test keys, all
# optional but a score on the top level or on every test; visibility one of
# four values.
GRADESCOPE_TOP = {"score", "execution_time", "output", "visibility", "stdout_visibility",
                  "extra_data", "tests", "leaderboard"}
GRADESCOPE_TEST = {"score", "max_score", "name", "number", "output", "tags", "visibility",
                   "extra_data"}
GRADESCOPE_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}

# PrairieLearn, docs/externalGrading.md ("Grading results") and
# apps/grader-host (the file is refused over 1 MB): score a number in
# [0, 1] unless gradable is false; format_errors a string or a list of
# strings; each test's points display needs points and max_points on
# every test.
PRAIRIELEARN_BYTES = 1024 * 1024

# Classroom 50, wiki "Advanced Autograding", "The result.json contract", and
# its collector's validation (collect-scores): the schema string, the
# submission's identity as non-empty strings, integer scores that add up.
CLASSROOM50_SCHEMA = "classroom50/result/v1"
CLASSROOM50_STRINGS = ("classroom", "assignment", "submission", "commit", "release", "review",
                       "datetime")
UTC_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def test_objects(tests, problems):
    """(index, test) of each test that is an object; a problem for each
    that is not, and for a TESTS that is not a list."""
    if not isinstance(tests, list):
        problems.append("tests is not a list")
        return []
    found = []
    for i, test in enumerate(tests):
        if isinstance(test, dict):
            found.append((i, test))
        else:
            problems.append(f"tests[{i}] is not an object")
    return found


def gradescope_problems(doc):
    problems = []
    if not isinstance(doc, dict):
        return ["not a JSON object"]
    problems += [f"unknown top-level key {k!r}" for k in sorted(set(doc) - GRADESCOPE_TOP)]
    tests = doc.get("tests", [])
    if "score" not in doc and not (tests and all("score" in t for t in tests)):
        problems.append("no top-level score and not one on every test")
    for key in ("score", "execution_time"):
        if key in doc and not is_number(doc[key]):
            problems.append(f"{key} {doc[key]!r} is not a number")
    for key in ("visibility", "stdout_visibility"):
        if key in doc and doc[key] not in GRADESCOPE_VISIBILITY:
            problems.append(f"{key} {doc[key]!r} is not one of {sorted(GRADESCOPE_VISIBILITY)}")
    if "output" in doc and not isinstance(doc["output"], str):
        problems.append("output is not a string")
    if "extra_data" in doc and not isinstance(doc["extra_data"], dict):
        problems.append("extra_data is not an object")
    for i, test in test_objects(tests, problems):
        problems += [f"tests[{i}]: unknown key {k!r}" for k in sorted(set(test) - GRADESCOPE_TEST)]
        for key in ("score", "max_score"):
            if key in test and not is_number(test[key]):
                problems.append(f"tests[{i}].{key} {test[key]!r} is not a number")
        for key in ("name", "number", "output"):
            if key in test and not isinstance(test[key], str):
                problems.append(f"tests[{i}].{key} is not a string")
        if "visibility" in test and test["visibility"] not in GRADESCOPE_VISIBILITY:
            problems.append(f"tests[{i}].visibility {test['visibility']!r} is not a known value")
        if "extra_data" in test and not isinstance(test["extra_data"], dict):
            problems.append(f"tests[{i}].extra_data is not an object")
    return problems


def prairielearn_problems(doc, size=None):
    problems = []
    if not isinstance(doc, dict):
        return ["not a JSON object"]
    if size is not None and size > PRAIRIELEARN_BYTES:
        problems.append(f"{size} bytes: PrairieLearn refuses results over 1 MB")
    gradable = doc.get("gradable", True)
    if not isinstance(gradable, bool):
        problems.append(f"gradable {gradable!r} is not a boolean")
    if gradable is not False:
        score = doc.get("score")
        if not is_number(score) or not 0 <= score <= 1:
            problems.append(f"score {score!r} is not a number from 0 to 1")
        if "format_errors" in doc:
            problems.append("format_errors on a gradable submission")
    else:
        errors = doc.get("format_errors")
        if not (isinstance(errors, str) and errors) and not (
                isinstance(errors, list) and errors and all(isinstance(e, str) for e in errors)):
            problems.append("not gradable, but no format_errors (a string or a list of strings)")
    for i, test in test_objects(doc.get("tests", []), problems):
        if not isinstance(test.get("name"), str):
            problems.append(f"tests[{i}] has no name")
            continue
        for key in ("points", "max_points"):
            if not is_number(test.get(key)):
                problems.append(f"tests[{i}].{key} missing or not a number: the points display needs both")
        for key in ("message", "output", "description"):
            if key in test and not isinstance(test[key], str):
                problems.append(f"tests[{i}].{key} is not a string")
    return problems


def classroom50_problems(doc):
    problems = []
    if not isinstance(doc, dict):
        return ["not a JSON object"]
    if doc.get("schema") != CLASSROOM50_SCHEMA:
        problems.append(f"schema {doc.get('schema')!r}, not {CLASSROOM50_SCHEMA!r}")
    for key in CLASSROOM50_STRINGS:
        if not isinstance(doc.get(key), str) or not doc[key]:
            problems.append(f"{key} is not a non-empty string")
    for key in ("datetime", "graded_at"):
        if key in doc and not UTC_DATETIME.fullmatch(str(doc[key])):
            problems.append(f"{key} {doc[key]!r} is not a UTC time like 2026-06-01T14:32:01Z")
    for key in ("score", "max-score"):
        if not is_count(doc.get(key)):
            problems.append(f"{key} {doc.get(key)!r} is not a non-negative integer")
    tests = doc.get("tests")
    for i, test in test_objects(tests, problems):
        if not isinstance(test.get("test-name"), str) or not test["test-name"]:
            problems.append(f"tests[{i}].test-name is not a non-empty string")
        if not isinstance(test.get("passed"), bool):
            problems.append(f"tests[{i}].passed is not a boolean")
        if not (is_count(test.get("score")) and is_count(test.get("max-score"))):
            problems.append(f"tests[{i}]: score and max-score must be non-negative integers")
        elif test["score"] > test["max-score"]:
            problems.append(f"tests[{i}]: score over max-score")
    if not problems:
        if doc["score"] != sum(t["score"] for t in tests) or \
                doc["max-score"] != sum(t["max-score"] for t in tests):
            problems.append("score and max-score are not the sums of the tests'")
        if doc["score"] > doc["max-score"]:
            problems.append("score over max-score")
    return problems


def junit_schema():
    """Jenkins' junit-10.xsd, kept outside the repository (its source says
    where): HEAPBOOK_JUNIT_XSD, or shared/schemas/ beside the clone."""
    given = os.environ.get("HEAPBOOK_JUNIT_XSD")
    for path in ([Path(given)] if given else []) + [ROOT.parent / "shared" / "schemas" / "junit-10.xsd"]:
        if path.is_file():
            return path
    return None


def junit_problems(path):
    """A JUnit file's problems: xmllint against the XSD when both are here;
    else the rules of that XSD which our files could break, in Python
    (root <testsuites>; a suite's name, tests, failures and errors
    required; a test case's name required; only failure, error, skipped,
    system-out and system-err inside a test case)."""
    schema = junit_schema()
    if schema is not None and shutil.which("xmllint"):
        checked = subprocess.run(["xmllint", "--noout", "--schema", str(schema), str(path)],
                                 capture_output=True, text=True)
        return [] if checked.returncode == 0 else [checked.stderr.strip()[-1500:]]
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as error:
        return [str(error)]
    problems = [] if root.tag == "testsuites" else [f"root <{root.tag}>, not <testsuites>"]
    for suite in root.iter("testsuite"):
        missing = [a for a in ("name", "tests", "failures", "errors") if a not in suite.attrib]
        if missing:
            problems.append(f"<testsuite name={suite.get('name')!r}> lacks {missing}")
        for case in suite.findall("testcase"):
            if "name" not in case.attrib:
                problems.append("a <testcase> without a name")
            problems += [f"<testcase {case.get('name')}> holds <{c.tag}>" for c in case
                         if c.tag not in ("failure", "error", "skipped", "system-out", "system-err")]
    return problems
