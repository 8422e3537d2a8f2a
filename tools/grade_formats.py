"""make grade's results in the formats of the platforms courses grade on,
each made from grade.json's report (tools/grade.py), so that every platform
gives the same points for the same code.  One point per exercise, earned
when it is done (its tests pass, and its memcheck build and valgrind find
no memory error).

  gradescope.json     Gradescope's results.json (its autograder
                      specification: "tests" with name, score, max_score,
                      output, visibility; the top-level score; extra_data)
  prairielearn.json   PrairieLearn's external grader results.json (score
                      0..1; gradable false with format_errors when the
                      code does not compile; tests with name, points,
                      max_points, message, output)
  classroom50.json    Classroom 50's result.json (schema
                      classroom50/result/v1: the identity of the submission,
                      score, max-score, tests with test-name, passed, score,
                      max-score)

Each platform's fields are checked against its documentation by
tests/grade/formats.py (make check-grade); docs/instructors.md, "Grading on
a course platform", says where each file goes.
"""
import datetime
import os
import subprocess

# PrairieLearn refuses results.json over 1 MB and Gradescope shows a test's
# output in a collapsed block: an exercise's details are kept to this.
OUTPUT_CHARS = 8000


def exercise_output(entry, tests):
    """The text a student reads for one exercise: its verdict, then each
    test that did not pass with its message."""
    lines = [f"{entry['exercise']}: " + ("done" if entry["status"] == "pass" else entry.get("reason", ""))]
    if entry["tests_total"]:
        lines.append(f"tests passed: {entry['tests_passed']} of {entry['tests_total']}; "
                     f"memcheck: {entry['memcheck']}; valgrind: {entry.get('valgrind', 'not run')}")
    for test in tests:
        if test["status"] != "pass":
            lines += ["", f"{test['name']}: {test['status']}", test.get("message", "").rstrip()]
    text = "\n".join(lines).strip() + "\n"
    if len(text) > OUTPUT_CHARS:
        text = text[:OUTPUT_CHARS] + f"\n... (the rest: make test EX={entry['task_id']:02d})\n"
    return text


def figures(tests):
    """Each test's measured memory (peak, leaks, allocations, limits), by
    test name: heapbook's own figures, beside the platform's fields."""
    return {t["name"].split(": ", 1)[1]: t["memory"] for t in tests if "memory" in t}


def per_exercise(report):
    for entry in report["exercises"]:
        yield entry, [t for t in report["tests"] if t["exercise"] == entry["exercise"]]


def summary(report):
    return (f"heapbook: {report['score']} of {report['max_score']} exercises done. An exercise is "
            "done when its tests pass (correct, within its memory limits) and neither make "
            "memcheck nor make valgrind finds a memory error in it.")


def gradescope(report, seconds):
    tests = []
    for entry, its_tests in per_exercise(report):
        tests.append({
            "name": entry["exercise"],
            "number": str(entry["task_id"]),
            "score": entry["points"],
            "max_score": entry["max_points"],
            "output": exercise_output(entry, its_tests),
            "visibility": "visible",
            "extra_data": {"status": entry["status"], "memcheck": entry["memcheck"],
                           "valgrind": entry.get("valgrind", "not run"),
                           "tests_passed": entry["tests_passed"], "tests_total": entry["tests_total"],
                           "memory": figures(its_tests)},
        })
    return {
        "score": report["score"],
        "execution_time": round(seconds),
        "output": summary(report),
        "visibility": "visible",
        # The grader's own log (make's lines) is the instructors'.
        "stdout_visibility": "hidden",
        "extra_data": {"heapbook": {"score": report["score"], "max_score": report["max_score"],
                                    "exercises": report["exercises"]}},
        "tests": tests,
    }


def prairielearn(report):
    tests = []
    broken = []
    for entry, its_tests in per_exercise(report):
        message = "done" if entry["status"] == "pass" else entry.get("reason", "")
        tests.append({"name": entry["exercise"], "points": entry["points"],
                      "max_points": entry["max_points"], "message": message,
                      "output": exercise_output(entry, its_tests)})
        if entry.get("reason") == "does not compile":
            build = next(t for t in its_tests if t["name"].endswith(": build"))
            broken.append(f"{entry['exercise']} does not compile:\n{build['message']}")
    results = {"message": summary(report), "tests": tests}
    if broken:
        # Not gradable: PrairieLearn neither scores it nor counts the
        # attempt, and shows these errors; the student fixes and resubmits.
        return {"gradable": False, "format_errors": broken, **results}
    return {"gradable": True, "score": report["score"] / max(report["max_score"], 1), **results}


def commit_date(root):
    """The graded commit's committer date in UTC (Classroom 50's
    "datetime", the submission instant), or now if there is no commit."""
    found = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%ct"],
                           capture_output=True, text=True)
    seconds = found.stdout.strip()
    when = (datetime.datetime.fromtimestamp(int(seconds), datetime.timezone.utc) if seconds.isdigit()
            else datetime.datetime.now(datetime.timezone.utc))
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def classroom50(report, root):
    """The runner gives the submission's identity in its environment
    (graders/classroom50/autograder.py runs there); outside it, `make
    grade` names a local one, so the file still has every field."""
    env = os.environ
    commit = env.get("COMMIT_URL") or "local"
    tests = []
    for entry, its_tests in per_exercise(report):
        tests.append({"test-name": entry["exercise"], "passed": entry["status"] == "pass",
                      "score": entry["points"], "max-score": entry["max_points"],
                      # Extra fields on a test are kept as they are.
                      "message": entry.get("reason", "done")})
    return {
        "schema": "classroom50/result/v1",
        "classroom": env.get("CLASSROOM") or "local",
        "assignment": env.get("ASSIGNMENT") or "heapbook",
        "submission": env.get("SUBMISSION_TAG") or "local",
        "commit": commit,
        "release": env.get("RELEASE_URL") or "local",
        "review": env.get("REVIEW_URL") or commit,
        "datetime": commit_date(root),
        "graded_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "score": sum(t["score"] for t in tests),
        "max-score": sum(t["max-score"] for t in tests),
        "tests": tests,
    }


def all_formats(report, seconds, root):
    """{file name: document} for build/grade/."""
    return {"gradescope.json": gradescope(report, seconds),
            "prairielearn.json": prairielearn(report),
            "classroom50.json": classroom50(report, root)}
