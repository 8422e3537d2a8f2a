#!/usr/bin/python3
"""The verdicts of tests/grade/check.sh's class, checked.

  tests/grade/verify.py SCRATCH EXERCISE...

SCRATCH holds the students' copies (starter/, solved/, mixed/) after `make
grade`, and each one's output (STUDENT.log, ending "exit STATUS").  Prints a
line per check and ends with "check-grade: N passed, M failed".
"""
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
STATUSES = {"pass", "fail", "error"}
passed = failed = 0


def verdict(ok, what, problem=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"check-grade ok: {what}")
    else:
        failed += 1
        print(f"check-grade FAILED: {what}: {problem}")


def task_of(exercise):
    return int(exercise.split("-")[0])


def problems_in_json(report, exercises):
    """What grade.json lacks of Exercism's version 3 and of heapbook's fields."""
    problems = []
    if report.get("version") != 3 or report.get("status") not in STATUSES:
        problems.append(f"version {report.get('version')}, status {report.get('status')}")
    if (report.get("message") is None) == (report.get("status") == "error"):
        problems.append("a top-level message must be there exactly when the status is error")
    for test in report.get("tests", []):
        exercise = test.get("exercise", "")
        if not isinstance(test.get("name"), str) or test.get("status") not in STATUSES:
            problems.append(f"test {test}: no name or an unknown status")
        elif not exercise or test.get("task_id") != task_of(exercise):
            problems.append(f"{test['name']}: task_id {test.get('task_id')} is not its exercise's number")
        elif test["status"] != "pass" and not test.get("message"):
            problems.append(f"{test['name']}: {test['status']} without a message")
        elif ": test_" in test["name"] and not test.get("test_code"):
            problems.append(f"{test['name']}: no test_code")
    listed = [e["exercise"] for e in report.get("exercises", [])]
    if listed != exercises:
        problems.append(f"exercises {listed}, expected {exercises}")
    done = sum(e["status"] == "pass" for e in report.get("exercises", []))
    if report.get("score") != done or report.get("max_score") != len(exercises):
        problems.append(f"score {report.get('score')}/{report.get('max_score')} for {done} done")
    return problems


def problems_in_junit(path, exercises):
    root = ET.parse(path).getroot()
    problems = []
    suites = root.findall("testsuite")
    if [s.get("name") for s in suites] != exercises:
        problems.append(f"testsuites {[s.get('name') for s in suites]}, expected {exercises}")
    for suite in suites:
        cases = suite.findall("testcase")
        counted = (len(cases), sum(c.find("failure") is not None for c in cases),
                   sum(c.find("error") is not None for c in cases))
        said = tuple(int(suite.get(k, -1)) for k in ("tests", "failures", "errors"))
        if counted != said:
            problems.append(f"{suite.get('name')}: says {said} tests/failures/errors, holds {counted}")
    for count in ("tests", "failures", "errors"):
        if int(root.get(count, -1)) != sum(int(s.get(count)) for s in suites):
            problems.append(f"<testsuites {count}> is not the sum of its suites'")
    return problems


def check_common(student, folder, log, exercises):
    out = folder / "build" / "grade"
    verdict(log.read_text().rstrip().endswith("exit 0"), f"{student}: make grade exits 0",
            log.read_text()[-2000:])
    try:
        report = json.loads((out / "grade.json").read_text())
    except (OSError, ValueError) as error:
        verdict(False, f"{student}: grade.json", str(error))
        return None
    problems = problems_in_json(report, exercises)
    verdict(not problems, f"{student}: grade.json has Exercism's v3 fields, a task_id per test, the score",
            "; ".join(problems))
    try:
        problems = problems_in_junit(out / "grade.xml", exercises)
    except (OSError, ET.ParseError) as error:
        problems = [str(error)]
    verdict(not problems, f"{student}: grade.xml has a suite per exercise, counted right", "; ".join(problems))
    problems = []
    for entry in report["exercises"]:
        exercise = entry["exercise"]
        if entry["status"] == "error":
            continue
        if json.loads((out / f"{exercise}.json").read_text()).get("version") != 3:
            problems.append(f"{exercise}.json is not version 3")
        if [s.get("name") for s in ET.parse(out / f"{exercise}.xml").getroot()] != [exercise]:
            problems.append(f"{exercise}.xml's testsuite is not named {exercise}")
    verdict(not problems, f"{student}: each exercise's own JSON (v3) and JUnit file (suite named after it)",
            "; ".join(problems))
    table = (out / "grade.md").read_text()
    heading = f"## heapbook: {report['score']} of {len(exercises)} exercises done"
    missing = [e for e in exercises if f"| {e} |" not in table]
    verdict(table.startswith(heading) and not missing, f"{student}: grade.md has the score and a row per exercise",
            f"heading {table.splitlines()[0]!r}, expected {heading!r}; rows missing: {missing}")
    return {e["exercise"]: e for e in report["exercises"]}, report["tests"]


def grade_done(folder, exercise):
    return subprocess.run([folder / "tools/grade.py", "done", "build/grade", exercise],
                          stdout=subprocess.DEVNULL).returncode


def check_starter(folder, graded, exercises):
    out = folder / "build" / "grade"
    wrong = []
    for exercise in exercises:
        starter = ROOT / "tests" / "exercises" / f"test_{exercise.replace('-', '_')}.starter"
        lines = starter.read_text().split("\n")[:-1]
        # "TEST memcheck KIND": a test that passes here and fails under the
        # sanitizers (a starter green but wrong), so memcheck must find errors.
        expected = sorted(line for line in lines if line.split()[1] != "memcheck")
        memcheck = "memory errors" if len(expected) < len(lines) else graded[exercise]["memcheck"]
        actual = sorted(f"{f[1]} {f[3]}" for f in
                        (line.split("\t") for line in (out / f"{exercise}.tsv").read_text().splitlines())
                        if f[2] == "failed")
        if graded[exercise]["status"] != "fail" or actual != expected or graded[exercise]["memcheck"] != memcheck:
            wrong.append(f"{exercise}: {graded[exercise]['status']} (memcheck {graded[exercise]['memcheck']}), "
                         f"failed {actual}, expected {expected}")
    verdict(not wrong, "starter: no exercise done, each failing exactly its .starter tests", "; ".join(wrong))
    verdict(grade_done(folder, exercises[0]) == 1, f"starter: grade.py done {exercises[0]} exits 1")


def check_solved(folder, graded, exercises):
    wrong = [f"{e}: {graded[e]['status']} ({graded[e].get('reason')})" for e in exercises
             if graded[e]["status"] != "pass" or graded[e]["memcheck"] != "clean"]
    verdict(not wrong, "solved: every exercise done, memcheck clean", "; ".join(wrong))
    verdict(grade_done(folder, exercises[0]) == 0, f"solved: grade.py done {exercises[0]} exits 0")


def check_mixed(graded, tests, exercises):
    first, unsafe, broken = exercises[:3]
    verdict(graded[first]["status"] == "pass", f"mixed: {first}, solved, is done", graded[first])
    e = graded[unsafe]
    report = next((t.get("message", "") for t in tests
                   if t["exercise"] == unsafe and t["name"].startswith(f"{unsafe}: memcheck")), "")
    verdict(e["status"] == "fail" and e["tests_passed"] == e["tests_total"] > 0
            and e["memcheck"] == "memory errors" and "AddressSanitizer: heap-buffer-overflow" in report,
            f"mixed: {unsafe}, whose tests pass but which reads past a block, is not done", e)
    e = graded[broken]
    build = next((t.get("message", "") for t in tests if t["name"] == f"{broken}: build"), "")
    verdict(e["status"] == "error" and e.get("reason") == "does not compile"
            and "grade fixture: this exercise does not compile" in build,
            f"mixed: {broken}, which does not compile, is graded as such with the compiler's message", e)
    rest = [x for x in exercises[3:] if graded[x]["status"] != "fail"]
    verdict(not rest, "mixed: the exercises left as handed out are not done", rest)


def main():
    scratch, exercises = Path(sys.argv[1]), sys.argv[2:]
    for student in ("starter", "solved", "mixed"):
        found = check_common(student, scratch / student, scratch / f"{student}.log", exercises)
        if found is None:
            continue
        graded, tests = found
        if student == "starter":
            check_starter(scratch / student, graded, exercises)
        elif student == "solved":
            check_solved(scratch / student, graded, exercises)
        else:
            check_mixed(graded, tests, exercises)
    print(f"check-grade: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
