#!/usr/bin/python3
"""Checks that the output the docs quote is what the commands print today.

  tests/docs/quoted.py FILE.md...

A quoted block says where it comes from, on the line before it:

    <!-- output of: HEAPBOOK_TIMEOUT=1 build/tests/crash-fixture -->
    ```text
    test_segfault: crashed: SIGSEGV (Segmentation fault) at ... (tests/fixtures/crash_fixture.c:17) ...
    ```

The command runs from the repository (once, however many blocks quote it),
and every non-blank line of the block must be in its output: in one line,
anywhere in it (a quote may leave out CUnit's "1. file:line  - "), with
"..." standing for any text, and addresses (0x...) for any address.  Prints
each line that is not, with the command; exit status 1 if any.

No quote may hold make's own messages.  In the lessons (docs/NN-name.md)
and their solution pages (docs/solutions/), every ```text block is output
and must be marked so: one without its command is a problem too (a block
that is not output uses another fence).
"""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
MARKER = re.compile(r"<!-- output of: (.+?) -->\s*$")
# make's own lines ("make: *** [Makefile:220: test] Error 1") name lines of
# the build that drift, and say nothing a student needs: never quoted.
MAKE_NOISE = re.compile(r"^make(\[\d+\])?: ")
LESSON = re.compile(r"(^|/)docs/([0-9][0-9]-[^/]*|solutions/[^/]*)\.md$")
ADDRESS = re.compile(r"0x[0-9a-f]{4,}")


def blocks(path):
    """(command, line number, quoted lines) of each marked block."""
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        marker = MARKER.search(line)
        if not marker or i + 1 >= len(lines) or not lines[i + 1].startswith("```"):
            continue
        quoted = []
        for text in lines[i + 2:]:
            if text.startswith("```"):
                break
            quoted.append(text)
        yield marker.group(1), i + 1, quoted


def unmarked(path):
    """Line numbers of the ```text blocks of a lesson that name no command."""
    if not LESSON.search(path.resolve().as_posix()):
        return
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        if line.strip() == "```text" and (i == 0 or not MARKER.search(lines[i - 1])):
            yield i + 1


def pattern(line):
    """A regular expression for a quoted line: '...' any text, any address."""
    parts = [re.escape(part) for part in ADDRESS.sub("0xADDRESS", line.strip()).split("...")]
    return re.compile(".*".join(parts).replace("0xADDRESS", "0x[0-9a-f]+"))


def output_of(command, cache={}):
    if command not in cache:
        run = subprocess.run(["bash", "-c", command], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, errors="replace", timeout=600)
        cache[command] = run.stdout.splitlines()
    return cache[command]


def main(paths):
    problems = 0
    quoted_lines = 0
    unnamed = 0
    for path in map(Path, paths):
        for where in unmarked(path):
            unnamed += 1
            print(f"{path}:{where}: a ```text block without <!-- output of: COMMAND --> before it")
        for command, where, quoted in blocks(path):
            output = output_of(command)
            for line in filter(str.strip, quoted):
                quoted_lines += 1
                if MAKE_NOISE.match(line.strip()):
                    problems += 1
                    print(f"{path}:{where}: quotes make's own message, which drifts: {line.strip()}")
                    continue
                if not any(pattern(line).search(printed) for printed in output):
                    problems += 1
                    print(f"{path}:{where}: not in the output of `{command}`:\n    {line.strip()}")
    print(f"docs: {quoted_lines} quoted lines checked, {problems} not as the commands print them;"
          f" {unnamed} blocks of output in lessons without their command")
    return 1 if problems or unnamed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
