#!/usr/bin/python3 -B
"""CMakeLists.txt read by the real cmake and ctest, as CMake Tools reads it.

  tests/editor/ctest.py BUILD EXERCISE

Configures BUILD/cmake with the solutions' tests too (-DHEAPBOOK_SOLUTIONS=ON),
lists the tests as CMake Tools does (ctest --show-only=json-v1) and checks
that every test of every exercise's binary (its --gtest_list_tests) is
there twice, the student's and the solution's, each running its binary
with a filter that selects it alone, labelled with its exercise's number,
memory or correctness (its macro in the suite) and exercise or solution,
with DEF_SOURCE_LINE at its HB_TEST line.  ctest shows DEF_SOURCE_LINE
in that list from CMake 3.30 on (custom properties); before (Debian 12 has
3.25) it is checked where CMake wrote it, BUILD/cmake/CTestTestfile.cmake.
Then runs EXERCISE's tests through ctest (-L): the solution's all pass; the
starter's fail exactly as its .starter says, make building each first.
Prints a line per check and "ctest: N passed, M failed".
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from verdicts import run_checks

ROOT = Path(__file__).resolve().parent.parent.parent
# Run as a student would, outside make check's make (its jobserver).
ENV = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}


def run(*command):
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=ENV, timeout=300)


def listed(binary):
    """{Suite.test: (file, line)} from Google Test's XML list."""
    with tempfile.TemporaryDirectory() as scratch:
        xml = Path(scratch) / "list.xml"
        run(str(binary), "--gtest_list_tests", f"--gtest_output=xml:{xml}")
        return {f"{suite.get('name')}.{case.get('name')}": (case.get("file"), case.get("line"))
                for suite in ElementTree.parse(xml).getroot().iter("testsuite")
                for case in suite.iter("testcase")}


def kind(file, test):
    source = Path(file).read_text()
    return "memory" if re.search(rf"^HB_MEMORY_TEST\({test}\b", source, re.M) else "correctness"


def written_source_lines(build_dir):
    """{test: DEF_SOURCE_LINE} as CMake wrote them for ctest."""
    text = (build_dir / "CTestTestfile.cmake").read_text()
    return dict(re.findall(r'set_tests_properties\(\[=\[(.*?)\]=\] PROPERTIES +DEF_SOURCE_LINE "([^"]*)"',
                           text))


def check_list(build, build_dir):
    shown = run("ctest", "--test-dir", str(build_dir), "--show-only=json-v1")
    if shown.returncode != 0:
        return [f"ctest --show-only=json-v1 exited {shown.returncode}: {shown.stderr}"]
    tests = {t["name"]: t for t in json.loads(shown.stdout)["tests"]}
    version = tuple(int(n) for n in re.search(r"(\d+)\.(\d+)", run("ctest", "--version").stdout)
                    .groups())
    written = written_source_lines(build_dir)
    problems = []
    exercises = sorted(p.name for p in (ROOT / "exercises").glob("[0-9][0-9]-*"))
    expected_count = 0
    for exercise in exercises:
        for test_id, (file, line) in listed(build / "solutions" / exercise / "tests").items():
            for variant, prefix in (("exercise", ""), ("solution", "solution.")):
                expected_count += 1
                name = prefix + test_id
                test = tests.get(name)
                if test is None:
                    problems.append(f"{name}: not listed")
                    continue
                properties = {p["name"]: p["value"] for p in test.get("properties", [])}
                binary = str(build.resolve() / f"{variant}s" / exercise / "tests")
                if test["command"][:2] != [binary, f"--gtest_filter={test_id}"]:
                    problems.append(f"{name}: runs {test['command']}")
                labels = sorted(properties.get("LABELS", []))
                wanted = sorted([exercise[:2], kind(file, test_id.split(".")[1]), variant])
                if labels != wanted:
                    problems.append(f"{name}: LABELS {labels}, not {wanted}")
                source_line = properties.get("DEF_SOURCE_LINE") if version >= (3, 30) \
                    else written.get(name)
                if source_line != f"{file}:{line}":
                    problems.append(f"{name}: DEF_SOURCE_LINE {source_line}, not {file}:{line}")
    # One test per CUnit test, and each exercise's build before them.
    if len(tests) != expected_count + 2 * len(exercises):
        problems.append(f"{len(tests)} tests listed, not {expected_count} and two builds per exercise")
    return problems


def ctest_failures(build_dir, *labels):
    """(exit status, [names of failed tests], count run) of ctest -L ... ."""
    with tempfile.TemporaryDirectory() as scratch:
        junit = Path(scratch) / "junit.xml"
        arguments = [a for label in labels for a in ("-L", label)]
        result = run("ctest", "--test-dir", str(build_dir), *arguments, "--output-junit", str(junit))
        cases = list(ElementTree.parse(junit).getroot().iter("testcase"))
    failed = sorted(c.get("name") for c in cases if c.get("status") == "fail")
    return result.returncode, failed, len(cases)


def check_runs(build_dir, exercise):
    problems = []
    number = f"^{exercise[:2]}$"
    status, failed, count = ctest_failures(build_dir, "solution", number)
    if status != 0 or failed or count < 2:
        problems.append(f"ctest -L solution -L '{number}': exit {status}, {count} run, failed {failed}")
    suite = ROOT / "tests" / "exercises" / f"test_{exercise.replace('-', '_')}.starter"
    expected = sorted(line.split()[0] for line in suite.read_text().splitlines()
                      if line.strip() and line.split()[1] != "memcheck")
    status, failed, count = ctest_failures(build_dir, "exercise", number)
    failed = sorted(name.split(".")[-1] for name in failed)
    if status == 0 or failed != expected:
        problems.append(f"ctest -L exercise -L '{number}': exit {status}, failed {failed}, "
                        f"not {expected}")
    return problems


def main():
    build, exercise = Path(sys.argv[1]), sys.argv[2]
    build_dir = build / "cmake"
    configured = run("cmake", "-S", ".", "-B", str(build_dir), "-DHEAPBOOK_SOLUTIONS=ON")
    checks = [("cmake configures build/cmake",
               lambda: [] if configured.returncode == 0 else [configured.stdout + configured.stderr])]
    if configured.returncode == 0:
        checks += [
            ("ctest --show-only=json-v1: every CUnit test, yours and the solution's, with its "
             "filter, LABELS and DEF_SOURCE_LINE", lambda: check_list(build, build_dir)),
            (f"ctest -L: {exercise}'s solution passes, its starter fails its memory tests, "
             "make building first", lambda: check_runs(build_dir, exercise)),
        ]
    return run_checks("ctest", checks)


if __name__ == "__main__":
    sys.exit(main())
