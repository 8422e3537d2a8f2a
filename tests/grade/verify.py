#!/usr/bin/python3
"""The verdicts of tests/grade/check.sh's class, checked.

  tests/grade/verify.py SCRATCH EXERCISE...

SCRATCH holds the students' copies (starter/, solved/, mixed/, tampered/)
after `make grade`, each one's output (STUDENT.log, ending "exit STATUS"),
and what the platforms' entry points wrote (platforms/: platforms.sh).
Prints a line per check and ends with "check-grade: N passed, M failed".
"""
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import formats
import platforms

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


def problems_in_junit(path, exercises, report):
    root = ET.parse(path).getroot()
    problems = formats.junit_problems(path)
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
        # The suite holds this run's tests, no more (no stale one of an
        # earlier run): as many as grade.json has, an <error> for each that
        # could give no verdict.
        tests = [t for t in report["tests"] if t["exercise"] == suite.get("name")]
        if len(cases) != len(tests):
            problems.append(f"{suite.get('name')}: {len(cases)} test cases, grade.json has {len(tests)}")
        errors = sum(t["status"] == "error" for t in tests)
        if counted[2] < errors:
            problems.append(f"{suite.get('name')}: {counted[2]} <error>s for {errors} tests in error")
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
        problems = problems_in_junit(out / "grade.xml", exercises, report)
    except (OSError, ET.ParseError) as error:
        problems = [str(error)]
    verdict(not problems, f"{student}: grade.xml is valid JUnit (junit-10.xsd), a suite per exercise, "
            "counted right, an <error> per test that died", "; ".join(problems))
    problems = [f"{path.name}: {p}" for path in sorted(out.glob("*.xml")) for p in formats.junit_problems(path)]
    verdict(not problems, f"{student}: every XML file in build/grade/ is valid JUnit", "; ".join(problems))
    check_files(student, out, report)
    check_formats(student, out, report, exercises)
    noisy = [line for line in (log.read_text() + json.dumps(report)).splitlines() if "jobserver" in line]
    verdict(not noisy, f"{student}: no make noise (jobserver) in the output or the messages", noisy[:3])
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


def check_files(student, out, report):
    """build/grade/ holds this run's files and nothing else."""
    expected = {"grade.json", "grade.xml", "grade.md", "gradescope.json", "prairielearn.json",
                "classroom50.json"}
    if student == "tampered":
        expected.add("submission.txt")
    for entry in report["exercises"]:
        exercise = entry["exercise"]
        expected.add(f"{exercise}.xml")
        if entry.get("reason") != "does not compile":
            expected |= {f"{exercise}.json", f"{exercise}.tsv", f"{exercise}.log"}
        if entry["memcheck"] != "not run":
            expected.add(f"{exercise}.memcheck.log")
        if entry.get("valgrind", "not run") != "not run":
            expected.add(f"{exercise}.valgrind.log")
    found = {p.name for p in out.iterdir()}
    verdict(found == expected, f"{student}: build/grade/ holds this run's files, none left from before",
            f"extra {sorted(found - expected)}, missing {sorted(expected - found)}")


def check_formats(student, out, report, exercises):
    """The platforms' files: valid by their documentation, and the same
    points as grade.json."""
    documents = {}
    for name in ("gradescope.json", "prairielearn.json", "classroom50.json"):
        try:
            documents[name] = json.loads((out / name).read_text())
        except (OSError, ValueError) as error:
            verdict(False, f"{student}: {name}", str(error))
    score, total = report["score"], len(exercises)
    doc = documents.get("gradescope.json")
    if doc is not None:
        problems = formats.gradescope_problems(doc)
        if doc.get("score") != score or [t.get("name") for t in doc.get("tests", [])] != exercises \
                or sum(t.get("max_score", 0) for t in doc.get("tests", [])) != total:
            problems.append(f"score {doc.get('score')} of {total} tests' max_score, grade.json: {score}")
        if not doc.get("extra_data", {}).get("heapbook", {}).get("exercises"):
            problems.append("no heapbook figures in extra_data")
        verdict(not problems, f"{student}: gradescope.json: Gradescope's fields, the same score",
                "; ".join(problems))
    doc = documents.get("prairielearn.json")
    if doc is not None:
        problems = formats.prairielearn_problems(doc, (out / "prairielearn.json").stat().st_size)
        broken = [e["exercise"] for e in report["exercises"] if e.get("reason") == "does not compile"]
        if broken:
            if doc.get("gradable") is not False or not all(
                    any(e in error for error in doc.get("format_errors", [])) for e in broken):
                problems.append(f"{broken} do not compile: gradable must be false, their errors listed")
        elif doc.get("score") != score / total:
            problems.append(f"score {doc.get('score')}, grade.json: {score} of {total}")
        verdict(not problems, f"{student}: prairielearn.json: PrairieLearn's fields, "
                + ("not gradable (does not compile)" if broken else "the same score"), "; ".join(problems))
    doc = documents.get("classroom50.json")
    if doc is not None:
        problems = formats.classroom50_problems(doc)
        if doc.get("score") != score or doc.get("max-score") != total:
            problems.append(f"score {doc.get('score')}/{doc.get('max-score')}, grade.json: {score}/{total}")
        verdict(not problems, f"{student}: classroom50.json: Classroom 50's result/v1 contract, the same score",
                "; ".join(problems))


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
        # sanitizers (a starter green but wrong), so memcheck must find
        # errors, where every test passes (else the sanitizers are not run).
        expected = sorted(line for line in lines if line.split()[1] != "memcheck")
        green_but_wrong = len(expected) < len(lines) and not expected
        memcheck = "memory errors" if green_but_wrong else graded[exercise]["memcheck"]
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


def check_died(out, graded, tests, exercise, what, reason):
    """An exercise every test of which loops or crashes: not done, its
    tests errors (in JUnit too), and not run again under the sanitizers."""
    e = graded[exercise]
    its = [t for t in tests if t["exercise"] == exercise
           and not t["name"].startswith((f"{exercise}: memcheck", f"{exercise}: valgrind"))]
    suite = ET.parse(out / f"{exercise}.xml").getroot().find("testsuite")
    errors = [c for c in suite.findall("testcase") if c.find("error") is not None]
    verdict(e["status"] == "fail" and its and all(t["status"] == "error" and reason in t.get("reasons", "")
                                                  for t in its)
            and e["memcheck"] == e["valgrind"] == "not run"
            and not (out / f"{exercise}.memcheck.log").exists() and not (out / f"{exercise}.valgrind.log").exists()
            and len(errors) == len(its),
            f"mixed: {exercise}, every test of which {what}, is not done, each test an error "
            "(<error> in JUnit), and not run again under the sanitizers or valgrind",
            f"{e}; JUnit errors {len(errors)} of {len(its)}")


def check_mixed(out, graded, tests, exercises):
    first, unsafe, broken = exercises[:3]
    verdict(graded[first]["status"] == "pass", f"mixed: {first}, solved, is done", graded[first])
    e = graded[unsafe]
    report = next((t.get("message", "") for t in tests
                   if t["exercise"] == unsafe and t["name"].startswith(f"{unsafe}: memcheck")), "")
    verdict(e["status"] == "fail" and e["tests_passed"] == e["tests_total"] > 0
            and e["memcheck"] == "memory errors" and "Sanitizer: " in report,
            f"mixed: {unsafe}, whose tests pass but which reads past a local array, is not done", e)
    e = graded[broken]
    build = next((t.get("message", "") for t in tests if t["name"] == f"{broken}: build"), "")
    verdict(e["status"] == "error" and e.get("reason") == "does not compile"
            and "grade fixture: this exercise does not compile" in build,
            f"mixed: {broken}, which does not compile, is graded as such with the compiler's message", e)
    check_died(out, graded, tests, exercises[3], "loops", "timeout")
    check_died(out, graded, tests, exercises[4], "crashes", "crash")
    rest = [x for x in exercises[5:] if graded[x]["status"] != "fail"]
    verdict(not rest, "mixed: the exercises left as handed out are not done", rest)


def check_checkers(scratch):
    """The format checks themselves refuse what each platform documents as
    wrong: else a valid verdict above would prove nothing."""
    wrong = {
        "Gradescope, no score on the top level nor on every test": formats.gradescope_problems(
            {"tests": [{"name": "01", "score": 1}, {"name": "02"}]}),
        "Gradescope, an unknown visibility": formats.gradescope_problems({"score": 1, "visibility": "later"}),
        "PrairieLearn, a score over 1": formats.prairielearn_problems({"score": 1.5}),
        "PrairieLearn, not gradable without format_errors": formats.prairielearn_problems({"gradable": False}),
        "PrairieLearn, a test without max_points": formats.prairielearn_problems(
            {"score": 0, "tests": [{"name": "01", "points": 0}]}),
        "Classroom 50, another schema": formats.classroom50_problems({"schema": "classroom50/result/v2"}),
        "Classroom 50, a score over max-score": formats.classroom50_problems(
            {"schema": formats.CLASSROOM50_SCHEMA, **{k: "x" for k in formats.CLASSROOM50_STRINGS},
             "datetime": "2026-06-01T14:32:01Z", "score": 2, "max-score": 1,
             "tests": [{"test-name": "01", "passed": True, "score": 2, "max-score": 1}]}),
    }
    junit = scratch / "no-errors-count.xml"
    junit.write_text('<testsuites><testsuite name="01" tests="1" failures="0">'
                     '<testcase name="t"/></testsuite></testsuites>\n')
    wrong["JUnit, a suite without its errors count (the runner's own files)"] = formats.junit_problems(junit)
    accepted = [what for what, problems in wrong.items() if not problems]
    verdict(not accepted, f"the format checks refuse each of {len(wrong)} documented mistakes", accepted)


def check_progress(scratch, exercises):
    """make progress from its cache when nothing changed, and never a state
    the code has left."""
    first = (scratch / "progress-first.log").read_text()
    again = (scratch / "progress-again.log").read_text()
    milliseconds = int((scratch / "progress-again.ms").read_text())
    rebuilt = (scratch / "progress-again.rebuilt").read_text()
    verdict(f"[x] {exercises[0]}:" in first and again == first and not rebuilt,
            f"make progress again with nothing changed: the same states from its cache, no test binary "
            f"run or built again ({milliseconds} ms)",
            f"built again: {rebuilt or 'none'}; first:\n{first}\nagain:\n{again}")
    broken = (scratch / "progress-broken.log").read_text()
    verdict(f"[ ] {exercises[0]}: does not compile" in broken,
            f"make progress after {exercises[0]} stopped compiling says so (no state kept from before)", broken)


def check_tampered(out, graded, starter, exercises):
    """Graded from the files a student may change, and those alone."""
    solved = {exercises[0], exercises[3]}
    wrong = [f"{e}: {graded[e]['status']} ({graded[e].get('reason')})" for e in sorted(solved)
             if graded[e]["status"] != "pass"]
    verdict(not wrong, f"tampered: {exercises[0]} (in place) and {exercises[3]} (loose files) are taken: done",
            "; ".join(wrong))
    changed = [f"{e}: {graded[e]['status']} {graded[e].get('failed_tests')}, the starter's: "
               f"{starter[e]['status']} {starter[e].get('failed_tests')}"
               for e in exercises if e not in solved and
               (graded[e]["status"], graded[e]["failed_tests"]) != (starter[e]["status"], starter[e]["failed_tests"])]
    verdict(not changed, f"tampered: a loosened test ({exercises[1]}), a Makefile, the harness and a link "
            "change no grade: every other exercise as the starter's", "; ".join(changed))
    listing = (out / "submission.txt").read_text()
    link = f"exercises/{exercises[2]}/"
    verdict(f"-> exercises/{exercises[0]}/" in listing and f"-> exercises/{exercises[3]}/" in listing
            and "Refused:" in listing and link in listing.split("Refused:")[1]
            and "tests/" not in listing.split("Refused:")[0],
            "tampered: submission.txt lists the files taken and the link refused", listing)


def main():
    scratch, exercises = Path(sys.argv[1]), sys.argv[2:]
    starter = None
    for student in ("starter", "solved", "mixed", "tampered"):
        found = check_common(student, scratch / student, scratch / f"{student}.log", exercises)
        if found is None:
            continue
        graded, tests = found
        out = scratch / student / "build" / "grade"
        if student == "starter":
            starter = graded
            check_starter(scratch / student, graded, exercises)
        elif student == "solved":
            check_solved(scratch / student, graded, exercises)
        elif student == "mixed":
            check_mixed(out, graded, tests, exercises)
        elif starter is not None:
            check_tampered(out, graded, starter, exercises)
    check_progress(scratch, exercises)
    check_checkers(scratch)
    platforms.check(scratch / "platforms", exercises[0], verdict)
    print(f"check-grade: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
