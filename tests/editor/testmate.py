#!/usr/bin/python3 -B
"""Our test binaries read as C++ TestMate reads a Google Test binary.

  tests/editor/testmate.py BUILD EXERCISE...

TestMate (VS Code's matepek.vscode-catch2-test-adapter) finds, lists and
runs tests with a binary's --help, --gtest_list_tests with
--gtest_output=xml:FILE, and --gtest_filter=..., and reads results from
its output with regular expressions.  The expressions below are those of
its source at commit edeb3f2aa7ca935c9f3050fceb77e6671aaa1742, re-expressed
in Python (JavaScript's and Python's syntax agree on every construct they
use), each cited by file; the way TestMate walks the output (which
expression applies to which line) is restated in parse_run.

Checks, for every exercise's binaries (the solution's and the starter's)
and the harness's own tests and fixtures: --help is recognised as Google
Test's; the list parses from the XML and from stdout alike, each test at
its macro's line.  For EXERCISE's solution: the run parses and every test
passes.  For its starter: exactly the memory tests of its .starter file
fail, each with a failure at the test's line and one at the student's line
that allocates (a line of exercises/EXERCISE/ that calls an allocator).
For the crash fixture: the crash is at the crashing line.  Filters select
as Google Test's do, and a Google Test flag the runner does not take is an
error naming it.  Prints a line per check and "testmate: N passed, M
failed".
"""
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from verdicts import run_checks

ROOT = Path(__file__).resolve().parent.parent.parent

# src/framework/ExecutableFactory.ts, frameworkDatas.gtest.regex, applied
# to --help's stdout with the flags 'su' (dotAll, unicode); group 1 is the
# prefix of every flag TestMate then sends.
GTEST_HELP = re.compile(
    r"This program contains tests written using .*--(\w+)list_tests.*"
    r"List the names of all tests instead of running them", re.S)
# src/framework/GoogleTest/GoogleTestExecutable.ts: testGroupRe and testRe,
# the --gtest_list_tests lines when there is no XML.
TEST_GROUP = re.compile(r"^([A-z][/A-z0-9_-]*)\.(?:\s+(#\s+TypeParam(?:\(\))?\s+=\s*(.+)))?$")
TEST_LINE = re.compile(r"^\s+([A-z0-9][/A-z0-9_-]*)(?:\s+(#\s+GetParam(?:\(\))?\s+=\s*(.+)))?$")
# Same file: testBeginRe (flag m), testEndRe(testId) and failureRe.
TEST_BEGIN = re.compile(r"\[ RUN {6}\] ((.+)\.(.*))$", re.M)
FAILURE = re.compile(r"^((.+)[:(]([0-9]+)\)?)(: )((Failure|EXPECT_CALL|error)(.*))$")


def test_end(test_id):
    # testEndRe: the id with its first '.' escaped (String.replace).
    return re.compile(r"(\[\s*)(\S+)(\s*\] )(" + test_id.replace(".", r"\.", 1) +
                      r")(.*)(\(([0-9]+) ms\))$")


def run(binary, *arguments, environment=None):
    return subprocess.run([str(binary), *arguments], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env={**os.environ, **(environment or {})})


def discover(binary):
    """(prefix, tests): tests as {id: (file, line)}, from the XML as
    TestMate's TestSuiteListingProcessor reads it."""
    found = GTEST_HELP.search(run(binary, "--help").stdout)
    if found is None:
        raise AssertionError(f"{binary} --help: not recognised as a Google Test binary")
    prefix = found.group(1)
    with tempfile.TemporaryDirectory() as scratch:
        xml = Path(scratch) / "list.xml"
        listing = run(binary, f"--{prefix}list_tests", f"--{prefix}output=xml:{xml}")
        if listing.returncode != 0:
            raise AssertionError(f"{binary}: listing exited {listing.returncode}: {listing.stderr}")
        tests = {}
        for suite in ElementTree.parse(xml).getroot().iter("testsuite"):
            for case in suite.iter("testcase"):
                tests[f"{suite.get('name')}.{case.get('name')}"] = (case.get("file"),
                                                                    case.get("line"))
    from_stdout, group = [], None
    for line in listing.stdout.splitlines():
        if TEST_GROUP.match(line):
            group = TEST_GROUP.match(line).group(1)
        elif group is not None and TEST_LINE.match(line):
            from_stdout.append(f"{group}.{TEST_LINE.match(line).group(1)}")
    if from_stdout != list(tests):
        raise AssertionError(f"{binary}: stdout lists {from_stdout}, the XML {list(tests)}")
    return prefix, tests


def parse_run(output, known):
    """{id: (result, [(file, line, message)])}, walking the output as
    GoogleTestExecutable's _handleProcess does: a RUN line opens a test,
    its end line (testEndRe) closes it; inside it a failure line (failureRe)
    starts a failure whose message is the lines up to a blank line or the
    test's end; its first line is what the editor shows."""
    results, current, failure = {}, None, None
    for line in output.splitlines():
        if current is None:
            begin = TEST_BEGIN.search(line)
            if begin:
                current = begin.group(1)
                results[current] = (None, [])
                if current not in known:
                    raise AssertionError(f"{current} ran but was not listed")
            continue
        end = test_end(current).search(line)
        if failure is not None and (end or line == ""):
            results[current][1].append(failure)
            failure = None
            if not end:
                continue
        if end:
            results[current] = (end.group(2), results[current][1])
            current = None
        elif failure is not None:
            if failure[2] is None:
                failure = (failure[0], failure[1], line)
        else:
            found = FAILURE.match(line)
            if found:
                failure = (found.group(2), int(found.group(3)), None)
    return results


def source_line(file, line):
    return Path(file).read_text().splitlines()[int(line) - 1]


def check_listing(binary):
    prefix, tests = discover(binary)
    problems = [] if prefix == "gtest_" else [f"prefix {prefix}"]
    for test_id, (file, line) in tests.items():
        name = test_id.split(".", 1)[1]
        if not (file and Path(file).is_absolute() and Path(file).is_file()):
            problems.append(f"{test_id}: file {file!r} is not an absolute path to a file")
        elif not re.match(r"HB_(MEMORY_)?TEST\(" + name + r"\b", source_line(file, line)):
            problems.append(f"{test_id}: {file}:{line} is not its HB_TEST line")
    return problems


def run_selected(binary, selected, environment=None):
    """As TestMate runs a selection: _getRunParamsInner's flags."""
    _, tests = discover(binary)
    flags = ["--gtest_color=no"]
    if selected is not None:
        flags += ["--gtest_filter=" + ":".join(selected), "--gtest_also_run_disabled_tests"]
    return tests, parse_run(run(binary, *flags, environment=environment).stdout, tests)


def check_solution(build, exercise):
    tests, results = run_selected(build / "solutions" / exercise / "tests", None)
    problems = [f"{t}: not run" for t in tests if t not in results]
    problems += [f"{t}: {r} {f}" for t, (r, f) in results.items() if r != "OK" or f]
    return problems


def check_starter(build, exercise):
    """The starter fails the tests its .starter names (those it fails only
    under the sanitizers aside), each at the test's line, then at the line
    of the student's code that allocates, under the same first line."""
    suite = ROOT / "tests" / "exercises" / f"test_{exercise.replace('-', '_')}"
    expected = sorted(line.split()[0] for line in Path(f"{suite}.starter").read_text().splitlines()
                      if line.strip() and line.split()[1] != "memcheck")
    tests, results = run_selected(build / "exercises" / exercise / "tests", None)
    failed = sorted(t.split(".", 1)[1] for t, (r, _) in results.items() if r == "FAILED")
    problems = [] if failed == expected else [f"failed {failed}, .starter says {expected}"]
    student = ROOT / "exercises" / exercise
    for test_id, (result, failures) in results.items():
        if result != "FAILED":
            continue
        test_place = (Path(tests[test_id][0]), int(tests[test_id][1]))
        places = [(Path(file), line) for file, line, _ in failures]
        if places[0] != test_place:
            problems.append(f"{test_id}: its first failure is at {places[0]}, not its line")
        yours = [i for i, (file, _) in enumerate(places) if file.parent == student]
        if not yours:
            problems.append(f"{test_id}: no failure at a line of {student}: {places}")
        for i in yours:
            if not re.search(r"\b(m|c|re)alloc\(|strn?dup\(", source_line(*places[i])):
                problems.append(f"{test_id}: {places[i]} does not allocate")
            if places[i - 1] != test_place or failures[i][2] != failures[i - 1][2]:
                problems.append(f"{test_id}: {places[i]} does not follow the test's failure, "
                                "under its first line")
    return problems


def check_crash(build):
    fixture = ROOT / "tests" / "fixtures" / "crash_fixture.c"
    tests, results = run_selected(build / "tests" / "crash-fixture",
                                  ["fixture_crashes.test_segfault"])
    result, failures = results.get("fixture_crashes.test_segfault", (None, []))
    places = [(Path(f), n) for f, n, _ in failures]
    wanted = [(fixture, int(tests["fixture_crashes.test_segfault"][1])),
              (fixture, next(i for i, text in enumerate(fixture.read_text().splitlines(), 1)
                             if "write_through_null(void)" in text))]
    if result != "FAILED" or places != wanted:
        return [f"test_segfault: {result}, failures at {places}, not {wanted}"]
    return []


def check_not_isolated(build, exercise):
    """HEAPBOOK_FORK=0 (every test in one process, for a debugger) says so
    on a line of its own: the failures are read at the same places."""
    binary = build / "exercises" / exercise / "tests"
    _, isolated = run_selected(binary, None)
    _, in_process = run_selected(binary, None, {"HEAPBOOK_FORK": "0"})
    places = {t: [(f, n) for f, n, _ in failures] for t, (_, failures) in isolated.items()}
    found = {t: [(f, n) for f, n, _ in failures] for t, (_, failures) in in_process.items()}
    return [] if found == places else [f"HEAPBOOK_FORK=0: {found}, isolated: {places}"]


def check_filters(build, exercise):
    binary = build / "solutions" / exercise / "tests"
    _, tests = discover(binary)
    names = list(tests)
    suite = names[0].split(".")[0]
    problems = []
    for pattern, wanted in [
            (f"{names[0]}:{names[-1]}", [names[0], names[-1]]),
            (f"{suite}.*-*memory*", [n for n in names if "memory" not in n]),
            (f"{names[0][:-1]}?", [names[0]]),
            ("-*", []),
            ("*a" * 40 + "*q", [])]:
        ran = list(parse_run(run(binary, "--gtest_filter=" + pattern).stdout, tests))
        if ran != wanted:
            problems.append(f"--gtest_filter={pattern} ran {ran}, not {wanted}")
    return problems


def check_bad_flags(build, exercise):
    """A Google Test flag the runner does not take stops it before any test,
    saying which flag."""
    binary = build / "solutions" / exercise / "tests"
    problems = []
    for flag in ("--gtest_output=json:list.json", "--gtest_output=xml:", "--gtest_shuffle",
                 "--gtest_color=maybe"):
        result = run(binary, flag)
        if result.returncode != 2 or flag not in result.stderr or "[ RUN" in result.stdout:
            problems.append(f"{flag}: exit {result.returncode}, stderr {result.stderr!r}")
    return problems


def main():
    build, chosen = Path(sys.argv[1]), sys.argv[2:]
    exercises = sorted(p.name for p in (ROOT / "exercises").glob("[0-9][0-9]-*"))
    binaries = [build / variant / name / "tests" for name in exercises
                for variant in ("solutions", "exercises")]
    binaries += [build / "tests" / "harness-tests"] + sorted((build / "tests").glob("*-fixture"))
    checks = [(f"--help and the list of {b.relative_to(build)}", lambda b=b: check_listing(b))
              for b in binaries]
    for exercise in chosen:
        checks += [
            (f"solution {exercise}: every test OK", lambda e=exercise: check_solution(build, e)),
            (f"starter {exercise}: its memory tests FAILED, at the test's line and the line "
             "that allocates", lambda e=exercise: check_starter(build, e)),
        ]
    checks += [
        ("crash fixture: the crash at the crashing line", lambda: check_crash(build)),
        ("--gtest_filter: names, '*', '?', negative patterns",
         lambda: check_filters(build, chosen[0])),
        (f"starter {chosen[0]} with HEAPBOOK_FORK=0: the same failures, at the same places",
         lambda: check_not_isolated(build, chosen[0])),
        ("a Google Test flag it does not take: an error naming it",
         lambda: check_bad_flags(build, chosen[0])),
    ]
    return run_checks("testmate", checks)


if __name__ == "__main__":
    os.environ.setdefault("HEAPBOOK_SEED", "20261128")
    sys.exit(main())
