#!/usr/bin/python3
"""make grade: a score of the student's code, for CI and instructors.

  tools/grade.py run DIR EXERCISE...   grade each exercise; write DIR/
  tools/grade.py done DIR EXERCISE     exit 0 if DIR/grade.json says the
                                       exercise is done (one autograding step)

An exercise is done, and earns its point, when its tests pass on the
student's code (correct, and within every memory limit) AND its sanitizer
build is clean (`make memcheck`: no AddressSanitizer, LeakSanitizer or UBSan
report) AND valgrind finds no error in the build the tests ran (`make
valgrind`: reads of bytes never written, which the sanitizers do not look
for).  A fast answer that reads freed memory is not done.

Each exercise is built here, one at a time, so that one that does not
compile is graded as such and the others still are.  DIR gets, per exercise,
what its test binary writes (NN-name.json, .xml, .tsv) and the three runs'
output (NN-name.log, NN-name.memcheck.log, NN-name.valgrind.log); for the
whole workbook:

  grade.json  Exercism's test-runner results (version 3): every test, with
              task_id the exercise's number, and a memcheck and a
              valgrind test per exercise; plus heapbook's: "score",
              "max_score", "exercises"
  grade.xml   JUnit XML: a <testsuite> per exercise, memcheck and valgrind
              included
  grade.md    a Markdown table, for $GITHUB_STEP_SUMMARY

Exits 0 whenever it graded, whatever the score (as Exercism's test runners
do); 1 if it could not.
"""
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The harness stops each test after 10 s; this only bounds a binary that
# hangs outside any test.
RUN_SECONDS = 600
# Exercism shows a message whole; a compiler's or sanitizer's can be long.
MESSAGE_CHARS = 4000
MEMCHECK_TEST = "memcheck: no memory error under AddressSanitizer, LeakSanitizer and UBSan"
VALGRIND_TEST = "valgrind: no memory error in the tested build (bytes never written included)"


def run(command, log=None, environment=None):
    """(exit status, output) of a command run from the repository, with
    `environment`'s variables added to this one's."""
    try:
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, errors="replace", timeout=RUN_SECONDS,
                              env={**os.environ, **(environment or {})})
        status, output = done.returncode, done.stdout
    except subprocess.TimeoutExpired as timeout:
        status, output = -1, (timeout.output or b"").decode(errors="replace")
        output += f"\n(stopped after {RUN_SECONDS} s)\n"
    if log is not None:
        log.write_text(output)
    return status, output


def shorten(text):
    text = text.strip()
    if len(text) <= MESSAGE_CHARS:
        return text
    return "...\n" + text[-MESSAGE_CHARS:]


def test_code(suite, test):
    """The body of HB_TEST(test) or HB_MEMORY_TEST(test, ...) in the suite's
    source, dedented: Exercism's test_code."""
    try:
        source = suite.read_text()
    except OSError:
        return None
    start = re.search(r"HB_(?:MEMORY_)?TEST\(\s*" + re.escape(test) + r"\b[^{]*\{", source)
    if start is None:
        return None
    depth, i, body_start = 1, start.end(), start.end()
    while i < len(source) and depth > 0:
        if source.startswith("//", i):
            i = source.find("\n", i)
        elif source.startswith("/*", i):
            i = source.find("*/", i) + 1
        elif source[i] in "\"'":
            quote, i = source[i], i + 1
            while i < len(source) and source[i] != quote:
                i += 2 if source[i] == "\\" else 1
        elif source[i] in "{}":
            depth += 1 if source[i] == "{" else -1
        if i < 0:  # an unterminated comment
            return None
        i += 1
    lines = source[body_start:i - 1].strip("\n").splitlines()
    indent = min((len(l) - len(l.lstrip()) for l in lines if l.strip()), default=0)
    return "\n".join(l[indent:] for l in lines).strip()


def failure_reasons(tsv):
    """{test: "peak,leaks"} of the tests that failed, from --results."""
    reasons = {}
    if tsv.is_file():
        for line in tsv.read_text().splitlines():
            fields = line.split("\t")
            if len(fields) >= 4 and fields[2] == "failed":
                reasons[fields[1]] = fields[3]
    return reasons


def memcheck_message(output, exercise):
    """The sanitizers' one-line summaries and the runner's verdict."""
    lines = [l for l in output.splitlines() if l.startswith("SUMMARY: ")]
    verdict = [l for l in output.splitlines() if l.startswith("memcheck: ")]
    number = exercise.split("-")[0]
    return shorten("\n".join(lines + verdict[-1:]) +
                   f"\nThe whole report: make memcheck EX={number} (docs/memcheck.md)")


def grade_exercise(exercise, out):
    """Builds and runs one exercise's tests and its memcheck build; returns
    its entry and its Exercism tests."""
    task_id = int(exercise.split("-")[0])
    suite = ROOT / "tests" / "exercises" / f"test_{exercise.replace('-', '_')}.c"
    binary = f"build/exercises/{exercise}/tests"
    entry = {"exercise": exercise, "task_id": task_id, "status": "error", "points": 0,
             "max_points": 1, "tests_passed": 0, "tests_total": 0, "failed_tests": [],
             "memcheck": "not run"}

    def error(step, reason, message):
        entry["reason"] = reason
        return entry, [{"name": f"{exercise}: {step}", "status": "error", "message": message,
                        "task_id": task_id, "exercise": exercise}]

    status, output = run(["make", "--no-print-directory", binary])
    if status != 0:
        return error("build", "does not compile",
                     shorten(output) + f"\nBuild it alone: make test EX={task_id:02d}")

    files = {kind: out / f"{exercise}.{kind}" for kind in ("json", "xml", "tsv")}
    for path in files.values():
        path.unlink(missing_ok=True)
    # Each test's time limit from the solution's time, as make test sets it
    # (the build made the file with the binary): a loop costs a second.
    run([binary, "--json", files["json"], "--junit", files["xml"], "--results", files["tsv"]],
        log=out / f"{exercise}.log",
        environment={"HEAPBOOK_SOLUTION_TIMES": f"build/solutions/{exercise}/times.tsv"})
    try:
        results = json.loads(files["json"].read_text())
    except (OSError, ValueError):
        return error("run", "the test binary wrote no results",
                     f"{binary} died before writing its results; its output: {exercise}.log")

    reasons = failure_reasons(files["tsv"])
    tests = []
    for test in results.get("tests", []):
        graded = {"name": f"{exercise}: {test['name']}", "status": test["status"]}
        code = test_code(suite, test["name"])
        if code is not None:
            graded["test_code"] = code
        if test.get("message"):
            graded["message"] = test["message"]
        graded.update(task_id=task_id, exercise=exercise)
        if "memory" in test:
            graded["memory"] = test["memory"]
        if test["name"] in reasons:
            graded["reasons"] = reasons[test["name"]]
            entry["failed_tests"].append(f"{test['name']} ({reasons[test['name']]})")
        tests.append(graded)
    entry["tests_total"] = len(tests)
    entry["tests_passed"] = sum(t["status"] == "pass" for t in tests)

    # V=1: the sanitizers' reports whole, SUMMARY lines included, for the
    # verdict and the log (make memcheck shortens them for a terminal).
    status, output = run(["tools/memcheck_run.sh", "memcheck",
                          f"build/memcheck/exercises/{exercise}/tests"],
                         log=out / f"{exercise}.memcheck.log", environment={"V": "1"})
    clean = status == 0
    sanitizer_report = any(l.startswith("SUMMARY: ") for l in output.splitlines())
    entry["memcheck"] = "clean" if clean else "memory errors" if sanitizer_report else "tests failed"
    memcheck = {"name": f"{exercise}: {MEMCHECK_TEST}", "status": "pass" if clean else "fail",
                "task_id": task_id, "exercise": exercise}
    if not clean:
        memcheck["message"] = memcheck_message(output, exercise)
    tests.append(memcheck)

    # The tested build under valgrind, for what the sanitizers do not see
    # (reads of bytes never written): its verdict as make test keeps it,
    # by the binary's checksum (tools/memcheck_run.sh verdict).
    log = out / f"{exercise}.valgrind.log"
    status, output = run(["tools/memcheck_run.sh", "verdict", "valgrind", binary, str(log)])
    valgrind_clean = output.strip() == "clean"
    entry["valgrind"] = {"clean": "clean", "missing": "not installed"}.get(output.strip(),
                                                                          "memory errors")
    valgrind = {"name": f"{exercise}: {VALGRIND_TEST}", "status": "pass" if valgrind_clean else "fail",
                "task_id": task_id, "exercise": exercise}
    if not valgrind_clean:
        valgrind["message"] = shorten(log.read_text(errors="replace") if log.is_file() else output)
    tests.append(valgrind)

    tests_pass = entry["tests_passed"] == entry["tests_total"] > 0
    entry["status"] = "pass" if tests_pass and clean and valgrind_clean else "fail"
    entry["points"] = int(entry["status"] == "pass")
    if not tests_pass:
        entry["reason"] = "tests failed: " + ", ".join(entry["failed_tests"])
    elif not clean:
        entry["reason"] = f"make memcheck found {entry['memcheck']}"
    elif not valgrind_clean:
        entry["reason"] = f"make valgrind found {entry['valgrind']}"
    return entry, tests


def junit(out, exercises, tests):
    """A <testsuite> per exercise: the binary's own JUnit file where there is
    one, with the memcheck test or the build error added."""
    root = ET.Element("testsuites", name="heapbook grade")
    for entry in exercises:
        exercise = entry["exercise"]
        path = out / f"{exercise}.xml"
        try:
            suite = ET.parse(path).getroot().find("testsuite")
        except (OSError, ET.ParseError):
            suite = None
        if suite is None:
            suite = ET.Element("testsuite", name=exercise)
        suite.set("name", exercise)
        in_file = {case.get("name") for case in suite.findall("testcase")}
        for test in tests:
            name = test["name"].split(": ", 1)[1]
            if test["exercise"] != exercise or name in in_file:
                continue
            case = ET.SubElement(suite, "testcase", classname=exercise, name=name)
            if test["status"] != "pass":
                kind = "error" if test["status"] == "error" else "failure"
                ET.SubElement(case, kind, type=name.split(":")[0]).text = test.get("message", "")
        cases = suite.findall("testcase")
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(c.find("failure") is not None for c in cases)))
        suite.set("errors", str(sum(c.find("error") is not None for c in cases)))
        root.append(suite)
    for count in ("tests", "failures", "errors"):
        root.set(count, str(sum(int(s.get(count)) for s in root)))
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def markdown(exercises, score):
    verdicts = {"pass": "done", "fail": "not yet", "error": "error"}
    lines = [f"## heapbook: {score} of {len(exercises)} exercises done", "",
             "An exercise is done when its tests pass (correct, within its memory limits) "
             "and neither `make memcheck` nor `make valgrind` finds a memory error in it.", "",
             "| exercise | verdict | tests passed | memcheck | why not yet |",
             "|---|---|---|---|---|"]
    for e in exercises:
        verdict = verdicts[e["status"]]
        tests = f"{e['tests_passed']} of {e['tests_total']}" if e["tests_total"] else "-"
        why = e.get("reason", "").replace("|", "\\|")
        lines.append(f"| {e['exercise']} | {verdict} | {tests} | {e['memcheck']} | {why} |")
    lines += ["", "Details: the grade artifact (grade.json, grade.xml, each exercise's logs); "
              "locally: `make test EX=NN`, `make memcheck EX=NN`, `make valgrind EX=NN`."]
    return "\n".join(lines) + "\n"


def grade(out, exercises):
    out.mkdir(parents=True, exist_ok=True)
    graded, tests = [], []
    for exercise in exercises:
        entry, its_tests = grade_exercise(exercise, out)
        graded.append(entry)
        tests += its_tests
        verdict = "done" if entry["status"] == "pass" else f"not done: {entry['reason']}"
        print(f"grade: {exercise}: {verdict}", flush=True)
    score = sum(e["points"] for e in graded)
    if any(t["status"] != "pass" for t in tests):
        status = "error" if all(t["status"] == "error" for t in tests) else "fail"
    else:
        status = "pass"
    report = {"version": 3, "status": status,
              "message": "no exercise compiled" if status == "error" else None,
              "tests": tests, "score": score, "max_score": len(graded), "exercises": graded}
    (out / "grade.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "grade.xml").write_text(junit(out, graded, tests))
    (out / "grade.md").write_text(markdown(graded, score))
    print(f"grade: {score} of {len(graded)} exercises done; "
          f"results in {out.relative_to(ROOT)}/ (grade.md, grade.json, grade.xml)")
    return 0


def done(out, exercise):
    try:
        report = json.loads((out / "grade.json").read_text())
    except (OSError, ValueError):
        print(f"grade: no {out}/grade.json to read; run make grade first", file=sys.stderr)
        return 1
    for entry in report["exercises"]:
        if entry["exercise"] == exercise:
            print(f"{exercise}: " + ("done" if entry["status"] == "pass" else entry["reason"]))
            return 0 if entry["status"] == "pass" else 1
    print(f"grade: {exercise} is not in {out}/grade.json", file=sys.stderr)
    return 1


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["run", out, *exercises] if exercises:
            sys.exit(grade((ROOT / out).resolve(), exercises))
        case ["done", out, exercise]:
            sys.exit(done((ROOT / out).resolve(), exercise))
        case _:
            sys.exit(__doc__)
