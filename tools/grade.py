#!/usr/bin/python3
"""make grade: a score of the student's code, for CI, instructors and the
course platforms (graders/).

  tools/grade.py run DIR [--submission FOLDER] EXERCISE...
        grade each exercise; write DIR/.  With --submission, first copy the
        files a student may change (each exercise's .c and .h files, nothing
        else) from FOLDER over this workbook's exercises/: the grader's own
        tests, harness and Makefile grade them (docs/instructors.md)
  tools/grade.py done DIR EXERCISE
        exit 0 if DIR/grade.json says the exercise is done (one autograding
        step)

An exercise is done, and earns its point, when its tests pass on the
student's code (correct, and within every memory limit) AND its sanitizer
build is clean (`make memcheck`: no AddressSanitizer, LeakSanitizer or UBSan
report) AND valgrind finds no error in the build the tests ran (`make
valgrind`: reads of bytes never written, which the sanitizers do not look
for).  A fast answer that reads freed memory is not done.  The sanitizer
build and valgrind run only when the tests pass: an exercise whose tests
fail, crash or loop is not done whatever they would say, and a loop would
cost its full time limit again.

The work is spread over every core, in stages (grade_all): the test
binaries built together (make -k -jN), each exercise's tests run, then,
for those whose tests pass, the valgrind runs while their sanitizer builds
are made together, and the sanitizer runs.  An exercise that does not
compile is built again on its own, for messages that are its alone, and
the others are still graded.  An exercise graded once is graded again
only if its test binary, its solution's times or the grading tools changed
(build/grade-cache/, by checksum, as make test keeps memcheck verdicts).

DIR is emptied of every earlier result first; it gets, per exercise, what
its test binary writes (NN-name.json, .tsv), its JUnit file (NN-name.xml)
and the runs' output (NN-name.log, and NN-name.memcheck.log and
NN-name.valgrind.log when they ran); for the whole workbook:

  grade.json          Exercism's test-runner results (version 3): every
                      test, with task_id the exercise's number, and a
                      memcheck and a valgrind test per exercise; plus
                      heapbook's: "score", "max_score", "exercises"
  grade.xml           JUnit XML: a <testsuite> per exercise, memcheck and
                      valgrind included; a crash or a timeout is an <error>
  grade.md            a Markdown table, for $GITHUB_STEP_SUMMARY
  gradescope.json     Gradescope's results.json      (tools/grade_formats.py)
  prairielearn.json   PrairieLearn's results.json
  classroom50.json    Classroom 50's result.json
  submission.txt      with --submission: the files taken, and those left

Exits 0 whenever it graded, whatever the score (as Exercism's test runners
do); 1 if it could not.
"""

import concurrent.futures
import filecmp
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import grade_formats

ROOT = Path(__file__).resolve().parent.parent
# The harness stops each test after its time limit; this only bounds a
# binary that hangs outside any test.
RUN_SECONDS = 600
# Exercism shows a message whole; a compiler's or sanitizer's can be long.
MESSAGE_CHARS = 4000
MEMCHECK_TEST = "memcheck: no memory error under AddressSanitizer, LeakSanitizer and UBSan"
VALGRIND_TEST = "valgrind: no memory error in the tested build (bytes never written included)"
# The binary's reasons for a test that died rather than answered: an
# <error> in JUnit (the test could not give a verdict), not a <failure>.
DIED = re.compile(r"crash|timeout|exit|signal")
# What a student may change: an exercise's own sources, by name, as the
# starter has them.  A larger file is no exercise answer.
STUDENT_FILES = ("*.c", "*.h")


def course_files():
    """The exercises' files that are the course's, not the student's
    (mk/exercises.mk's SCAFFOLDING, "PATH=BYTES" each): never taken from
    a submission.  05's sample text is made in the test runner's own
    process, which must run none of a submission's code."""
    text = (ROOT / "mk" / "exercises.mk").read_text()
    line = re.search(r"^SCAFFOLDING := (.*)$", text, re.M)
    return {entry.split("=")[0] for entry in line.group(1).split()} if line else set()

STUDENT_FILE_BYTES = 256 * 1024
# Every file grade.py writes into DIR, removed before a run: no result of
# an earlier run survives beside this one's.
RESULT_FILES = ("*.json", "*.xml", "*.tsv", "*.log", "*.md", "submission.txt")
# The grading of an exercise depends on these besides its own binaries.
GRADING_TOOLS = ("tools/grade.py", "tools/memcheck_run.sh", "tools/memcheck_report.py")
CACHE = ROOT / "build" / "grade-cache"


def make_environment():
    """This environment for a make of our own: the make that ran grade.py
    lends a script no job slots, and a make started with its jobserver
    flags warns "jobserver unavailable" first thing (tools/own_make.sh)."""
    flags = os.environ.get("MAKEFLAGS", "")
    flags = re.sub(r"(^| )--jobserver-(auth|fds)=\S*", "", flags)
    flags = re.sub(r"(^| )-j\d*(?= |$)", "", flags)
    return {"MAKEFLAGS": flags.strip()}


def run(command, log=None, environment=None):
    """(exit status, output) of a command run from the repository, with
    `environment`'s variables added to this one's."""
    try:
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, errors="replace", timeout=RUN_SECONDS,
                              env={**os.environ, **make_environment(), **(environment or {})})
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


def cache_key(exercise):
    """The checksum of what grading EXERCISE depends on: its sources and
    its tests (a binary that a failed build left behind is then not taken
    for the code as it is), its test binary (the student's code, the tests
    and the harness, linked), its solution's times (its time limits) and
    the grading tools; None if the binary is missing."""
    digest = hashlib.sha256()
    sources = sorted((ROOT / "exercises" / exercise).glob("*.[ch]"))
    suite = ROOT / "tests" / "exercises" / f"test_{exercise.replace('-', '_')}.c"
    for path in (*sources, suite, ROOT / f"build/exercises/{exercise}/tests",
                 ROOT / f"build/solutions/{exercise}/times.tsv", *(ROOT / t for t in GRADING_TOOLS)):
        try:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        except OSError:
            return None
    return digest.hexdigest()


def cached_grade(exercise, out):
    """The checksum of what grading EXERCISE depends on (cache_key), and its
    entry and Exercism tests if build/grade-cache/ holds them for that
    checksum (copied into OUT with the files they came with), else None."""
    key = cache_key(exercise)
    cached = CACHE / exercise
    if key is None or not (cached / "key").is_file() or (cached / "key").read_text() != key:
        return key, None
    for path in cached.iterdir():
        if path.name.startswith(exercise):
            shutil.copy(path, out / path.name)
    graded = json.loads((cached / "graded.json").read_text())
    return key, (graded["entry"], graded["tests"])


def keep_grade(exercise, out, key, entry, tests):
    """Keeps an exercise graded now in build/grade-cache/, unless what it
    depends on changed while it was graded."""
    if key is None or cache_key(exercise) != key:
        return
    cached = CACHE / exercise
    shutil.rmtree(cached, ignore_errors=True)
    cached.mkdir(parents=True)
    for path in out.glob(f"{exercise}.*"):
        shutil.copy(path, cached / path.name)
    (cached / "graded.json").write_text(json.dumps({"entry": entry, "tests": tests}))
    (cached / "key").write_text(key)  # last: a key means a whole entry


def test_binary(exercise):
    return f"build/exercises/{exercise}/tests"


def memcheck_binary(exercise):
    return f"build/memcheck/exercises/{exercise}/tests"


def run_tests(exercise, out, built):
    """Runs one exercise's tests (building it first unless BUILT: the build
    of every exercise at once succeeded); returns its entry and Exercism
    tests so far, which memory_checks and conclude complete."""
    task_id = int(exercise.split("-")[0])
    suite = ROOT / "tests" / "exercises" / f"test_{exercise.replace('-', '_')}.c"
    binary = test_binary(exercise)
    entry = {"exercise": exercise, "task_id": task_id, "status": "error", "points": 0,
             "max_points": 1, "tests_passed": 0, "tests_total": 0, "failed_tests": [],
             "memcheck": "not run", "valgrind": "not run"}

    def error(step, reason, message):
        entry["reason"] = reason
        return entry, [{"name": f"{exercise}: {step}", "status": "error", "message": message,
                        "task_id": task_id, "exercise": exercise}]

    if not built:
        status, output = run(["make", "--no-print-directory", binary])
        if status != 0:
            return error("build", "does not compile",
                         shorten(output) + f"\nBuild it alone: make test EX={task_id:02d}")

    files = {kind: out / f"{exercise}.{kind}" for kind in ("json", "tsv")}
    # Each test's time limit from the solution's time, as make test sets it
    # (the build made the file with the binary): a loop costs a second.
    run([binary, "--json", files["json"], "--results", files["tsv"]],
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
    return entry, tests


def tests_pass(entry):
    return entry["tests_passed"] == entry["tests_total"] > 0


def memcheck_check(exercise, out):
    """The sanitizer build's run: (its Exercism test, entry's memcheck)."""
    memcheck = {"name": f"{exercise}: {MEMCHECK_TEST}", "task_id": int(exercise.split("-")[0]),
                "exercise": exercise}
    # V=1: the sanitizers' reports whole, SUMMARY lines included, for the
    # verdict and the log (make memcheck shortens them).
    status, output = run(["tools/memcheck_run.sh", "memcheck", memcheck_binary(exercise)],
                         log=out / f"{exercise}.memcheck.log", environment={"V": "1"})
    clean = status == 0
    sanitizer_report = any(l.startswith("SUMMARY: ") for l in output.splitlines())
    memcheck["status"] = "pass" if clean else "fail"
    if not clean:
        memcheck["message"] = memcheck_message(output, exercise)
    return memcheck, "clean" if clean else "memory errors" if sanitizer_report else "tests failed"


def valgrind_check(exercise, out):
    """The tested build under valgrind, for what the sanitizers do not see
    (reads of bytes never written): its verdict as make test keeps it, by
    the binary's checksum (tools/memcheck_run.sh verdict).  (Its Exercism
    test, entry's valgrind.)"""
    valgrind = {"name": f"{exercise}: {VALGRIND_TEST}", "task_id": int(exercise.split("-")[0]),
                "exercise": exercise}
    log = out / f"{exercise}.valgrind.log"
    status, output = run(["tools/memcheck_run.sh", "verdict", "valgrind", test_binary(exercise),
                          str(log)])
    clean = output.strip() == "clean"
    valgrind["status"] = "pass" if clean else "fail"
    if not clean:
        valgrind["message"] = shorten(log.read_text(errors="replace") if log.is_file() else output)
    return valgrind, {"clean": "clean", "missing": "not installed"}.get(output.strip(), "memory errors")


def not_run(exercise, test, make_target):
    """The memcheck or valgrind test of an exercise whose tests did not pass."""
    task_id = int(exercise.split("-")[0])
    return ({"name": f"{exercise}: {test}", "task_id": task_id, "exercise": exercise,
             "status": "fail",
             "message": ("not run: the tests must pass first; then make test "
                         f"EX={task_id:02d} runs {make_target} too")}, "not run")


def conclude(entry, tests, memcheck, valgrind):
    """The exercise's entry and Exercism tests, its memory checks added:
    done when its tests pass and both checks are clean."""
    if "reason" in entry:
        return entry, tests  # it did not build, or its binary wrote no results
    (memcheck_test, entry["memcheck"]), (valgrind_test, entry["valgrind"]) = memcheck, valgrind
    tests = tests + [memcheck_test, valgrind_test]
    passed = tests_pass(entry)
    clean, valgrind_clean = entry["memcheck"] == "clean", valgrind_test["status"] == "pass"
    entry["status"] = "pass" if passed and clean and valgrind_clean else "fail"
    entry["points"] = int(entry["status"] == "pass")
    if not passed:
        entry["reason"] = "tests failed: " + ", ".join(entry["failed_tests"])
    elif not clean:
        entry["reason"] = f"make memcheck found {entry['memcheck']}"
    elif not valgrind_clean:
        entry["reason"] = f"make valgrind found {entry['valgrind']}"
    return entry, tests


def junit_kind(test):
    """error, failure or None (passed) for a test, as JUnit counts them: a
    test that crashed, looped or did not compile could give no verdict."""
    if test["status"] == "pass":
        return None
    if test["status"] == "error" or DIED.search(test.get("reasons", "")):
        return "error"
    return "failure"


def junit_suite(exercise, tests):
    """A <testsuite> for one exercise, with the counts JUnit schemas require."""
    suite = ET.Element("testsuite", name=exercise)
    for test in tests:
        name = test["name"].split(": ", 1)[1]
        case = ET.SubElement(suite, "testcase", classname=exercise, name=name)
        kind = junit_kind(test)
        if kind is not None:
            message = test.get("message", "")
            ET.SubElement(case, kind, type=test.get("reasons", name.split(":")[0]),
                          message=(message.splitlines() or [""])[0]).text = message
    cases = [junit_kind(t) for t in tests]
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(cases.count("failure")))
    suite.set("errors", str(cases.count("error")))
    return suite


def junit(suites, name):
    root = ET.Element("testsuites", name=name)
    root.extend(suites)
    for count in ("tests", "failures", "errors"):
        root.set(count, str(sum(int(s.get(count)) for s in suites)))
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


def empty(out):
    """Removes every result an earlier run left in OUT."""
    out.mkdir(parents=True, exist_ok=True)
    for pattern in RESULT_FILES:
        for path in out.glob(pattern):
            path.unlink()


def cores():
    """The processors this process may run on (nproc's answer)."""
    return len(os.sched_getaffinity(0)) or 2


def build(binaries, tool="make"):
    """BINARIES built at once, on every core (-k: each that can be); True if
    all were.  Those that were not are left to their exercise's own build,
    whose messages are that exercise's alone."""
    command = (["make", "--no-print-directory", "-j" + str(cores()), "-s"] if tool == "make"
               else ["tools/memcheck_run.sh", "build"])  # the sanitizer tree's lock held
    status, _ = run([*command, "-k", *binaries])
    return status == 0


def grade_all(out, exercises):
    """Every exercise's entry and Exercism tests, in order, the work spread
    over every core in stages: the test binaries built together; each
    exercise's tests run (or its grade taken from the cache); then, for
    those whose tests pass, valgrind's runs start while their sanitizer
    builds are made together, and the sanitizer builds run.  Several
    exercises' tests at once: each test's time limit is processor time, and
    its figures are counted, so neither depends on the others."""
    built = build([test_binary(e) for e in exercises])
    graded, keys = {}, {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=cores()) as pool:
        for exercise, (key, cached) in zip(exercises, pool.map(lambda e: cached_grade(e, out), exercises)):
            keys[exercise] = key
            if cached is not None:
                graded[exercise] = cached
        to_test = [e for e in exercises if e not in graded]
        tested = dict(zip(to_test, pool.map(lambda e: run_tests(e, out, built), to_test)))
        passing = [e for e, (entry, _) in tested.items() if "reason" not in entry and tests_pass(entry)]
        valgrind = {e: pool.submit(valgrind_check, e, out) for e in passing}
        if passing:
            build([memcheck_binary(e) for e in passing], tool="memcheck")
        memcheck = {e: pool.submit(memcheck_check, e, out) for e in passing}
        for exercise, (entry, tests) in tested.items():
            if exercise in passing:
                checks = memcheck[exercise].result(), valgrind[exercise].result()
            else:
                checks = (not_run(exercise, MEMCHECK_TEST, "the sanitizers"),
                          not_run(exercise, VALGRIND_TEST, "valgrind"))
            graded[exercise] = conclude(entry, tests, *checks)
            keep_grade(exercise, out, keys[exercise], *graded[exercise])
    return [graded[e] for e in exercises]


def grade(out, exercises, started=None, submission=None):
    started = started or time.monotonic()
    empty(out)
    if submission is not None:
        (out / "submission.txt").write_text(submission)
    graded, tests = [], []
    for entry, its_tests in grade_all(out, exercises):
        graded.append(entry)
        tests += its_tests
        verdict = "done" if entry["status"] == "pass" else f"not done: {entry['reason']}"
        print(f"grade: {entry['exercise']}: {verdict}", flush=True)
    score = sum(e["points"] for e in graded)
    if any(t["status"] != "pass" for t in tests):
        status = "error" if all(t["status"] == "error" for t in tests) else "fail"
    else:
        status = "pass"
    report = {"version": 3, "status": status,
              "message": "no exercise compiled" if status == "error" else None,
              "tests": tests, "score": score, "max_score": len(graded), "exercises": graded}
    suites = {e["exercise"]: junit_suite(e["exercise"], [t for t in tests if t["exercise"] == e["exercise"]])
              for e in graded}
    for exercise, suite in suites.items():
        (out / f"{exercise}.xml").write_text(junit([suite], exercise))
    (out / "grade.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "grade.xml").write_text(junit(list(suites.values()), "heapbook grade"))
    (out / "grade.md").write_text(markdown(graded, score))
    seconds = round(time.monotonic() - started, 1)
    for name, document in grade_formats.all_formats(report, seconds, ROOT).items():
        (out / name).write_text(json.dumps(document, indent=2) + "\n")
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    print(f"grade: {score} of {len(graded)} exercises done in {seconds} s; results in {shown}/ "
          "(grade.md, grade.json, grade.xml, gradescope.json, prairielearn.json, classroom50.json)")
    return 0


# ---- a submission over this workbook -------------------------------------

def student_files(exercise):
    """The files of EXERCISE a student may change: its sources, by the
    names the starter gives them (relative to exercises/EXERCISE/)."""
    folder = ROOT / "exercises" / exercise
    course = course_files()
    return sorted(p.name for pattern in STUDENT_FILES for p in folder.glob(pattern)
                  if p.is_file() and f"exercises/{exercise}/{p.name}" not in course)


def pristine_copy(exercise):
    """The exercise as handed out, kept aside the first time the workbook
    takes a submission (graders/ call it when the image is built), so that
    a workbook that grades several submissions starts each from it."""
    kept = ROOT / "build" / "pristine" / exercise
    if not kept.is_dir():
        kept.mkdir(parents=True)
        for name in student_files(exercise):
            shutil.copy(ROOT / "exercises" / exercise / name, kept / name)
    return kept


def replace(target, source):
    """TARGET's contents made SOURCE's, leaving a file that already has them
    (and its time) alone: make then rebuilds only the exercises that
    changed."""
    if not (target.is_file() and filecmp.cmp(target, source, shallow=False)):
        shutil.copyfile(source, target)


def find_in_submission(submission, exercise, name, flat):
    """Where SUBMISSION holds EXERCISE's file NAME: at its place in a copy
    of the workbook, in a folder named after the exercise, or (FLAT: no
    other graded exercise has a file of that name) at its top, as a
    platform that takes single files puts it.  None if nowhere."""
    places = [submission / "exercises" / exercise / name, submission / exercise / name]
    if flat:
        places.append(submission / name)
    for place in places:
        if os.path.lexists(place):
            return place
    return None


def take_submission(submission, exercises):
    """Copies the student's files from SUBMISSION over the exercises, and
    the pristine copy's over every other: an allow-list, so a test, the
    harness or the Makefile in the submission is never read.  A link, a folder or a
    file too big to be an answer is refused.  Returns what was taken and
    refused, for submission.txt."""
    owners = {}
    for exercise in exercises:
        for name in os.listdir(pristine_copy(exercise)):
            owners.setdefault(name, []).append(exercise)
    taken, refused = [], []
    for exercise in exercises:
        kept = pristine_copy(exercise)
        for name in sorted(os.listdir(kept)):
            target = ROOT / "exercises" / exercise / name
            place = find_in_submission(submission, exercise, name, len(owners[name]) == 1)
            if place is None:
                replace(target, kept / name)
                continue
            shown = place.relative_to(submission)
            if place.is_symlink() or not place.is_file():
                refused.append(f"{shown}: not a regular file (a link or a folder)")
            elif place.stat().st_size > STUDENT_FILE_BYTES:
                refused.append(f"{shown}: larger than {STUDENT_FILE_BYTES} bytes")
            else:
                replace(target, place)
                taken.append(f"{shown} -> exercises/{exercise}/{name}")
                continue
            replace(target, kept / name)
    lines = ["Taken from the submission (every other file is the course's own):"]
    lines += [f"  {t}" for t in taken] or ["  nothing: every exercise is graded as handed out"]
    if refused:
        lines += ["Refused:"] + [f"  {r}" for r in refused]
    print(f"grade: took {len(taken)} file(s) from {submission}" +
          (f", refused {len(refused)} (submission.txt)" if refused else ""))
    return "\n".join(lines) + "\n"


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


def check_exercises(exercises):
    """Exits with a clear error if any name is not an exercise's folder."""
    known = sorted(p.name for p in (ROOT / "exercises").glob("[0-9][0-9]-*") if p.is_dir())
    unknown = [e for e in exercises if e not in known]
    if unknown:
        sys.exit(f"grade: no exercise {', '.join(unknown)} in {ROOT}/exercises/; "
                 f"name them by folder: {' '.join(known)}")


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["run", out, "--submission", submission, *exercises] if exercises:
            started = time.monotonic()
            check_exercises(exercises)
            submission = Path(submission).resolve()
            if not submission.is_dir():
                sys.exit(f"grade: no submission folder {submission}")
            sys.exit(grade((ROOT / out).resolve(), exercises, started,
                           take_submission(submission, exercises)))
        case ["run", out, *exercises] if exercises:
            check_exercises(exercises)
            sys.exit(grade((ROOT / out).resolve(), exercises))
        case ["done", out, exercise]:
            sys.exit(done((ROOT / out).resolve(), exercise))
        case _:
            sys.exit(__doc__)
