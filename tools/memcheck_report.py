#!/usr/bin/python3
"""Shortens what a test binary prints under the sanitizers or valgrind, for
make memcheck and make valgrind (tools/memcheck_run.sh, docs/memcheck.md).

  BINARY 2>&1 | tools/memcheck_report.py --raw FILE

Reads the binary's output (CUnit's lines, and the reports of
AddressSanitizer, LeakSanitizer, UBSan or valgrind, in the order they were
written) and prints it with each report short:

  - each stack starts at the student's line: its first frame in exercises/,
    solutions/ or tests/; the sanitizer's or valgrind's own frames before it
    (how the error was caught: the malloc or free it stands in for) are left
    out, any other code before it is one line;
  - every other run of frames that are not the student's (the harness,
    CUnit, libc, the sanitizer) is one line: "... 9 frames in the harness,
    CUnit and libc";
  - each frame reads as the harness's do: "function (file:line)";
  - what says nothing new is left out: the shadow bytes and their legend,
    the separators, the process id, the SUMMARY line (the harness's failure
    repeats it), the blank lines inside a report.

Everything else passes as it came.  Every line read goes to FILE unchanged:
the full reports.  A stack with no frame of the student's is shown whole.

A memory error that several tests make (the same kind of report at the
same first line, for each report of the test) is shown in full once; each
later test that makes it gets one line naming the test that showed it,
then the first line of each of its failures, and the end says how many
tests were shortened so.
"""
import argparse
import re
import sys

# "    #3 0x55c5ac78bdc2 in hb_checked_test_x tests/t.c:16" (sanitizers);
# "    #9 0x7f070dfb8926  (/lib/x86_64-linux-gnu/libcunit.so.1+0x4926)".
SANITIZER_FRAME = re.compile(r"^\s*#\d+ 0x[0-9a-f]+ +(?:in (\S+) )?(.*)$")
# "   at 0x10DC19: f (tests/t.c:25)", "   by 0x4865926: ??? (in /usr/lib/...)"
# (valgrind, its "==PID==" taken off).
VALGRIND_FRAME = re.compile(r"^\s*(?:at|by) 0x[0-9A-Fa-f]+: (.*?) \((.*)\)$")
PROCESS_ID = re.compile(r"^==\d+== ?")
ERROR_REGISTERS = re.compile(r" at pc 0x[0-9a-f]+ bp 0x[0-9a-f]+ sp 0x[0-9a-f]+$")
# CUnit's test line, its notes ("[skipped memory limits: ...] "), and what
# follows on the same line: a report that began before a newline.
TEST_LINE = re.compile(r"^(  Test: \S+ \.\.\.(?:\[[^\]]*\] ?)*)(.*)$")
CUNIT_LINE = re.compile(r"^(  Test: |Suite: |Run Summary|FAILED|passed|\s+\d+\. |Elapsed time)")

STUDENT_FOLDERS = ("exercises/", "solutions/", "tests/")
SANITIZER_NAMES = ("__asan", "__ubsan", "__lsan", "__sanitizer", "_ZN6__asan", "_ZN7__ubsan",
                   "_ZN6__lsan", "_ZN11__sanitizer")
LIBC_PLACES = ("libc.so", "libc-", "ld-linux", "../sysdeps/", "../csu/", "nptl/", "stdlib/")
LIBC_FUNCTIONS = ("_start", "__libc_start_main", "__libc_start_call_main")
# What a sanitizer stands in for.  Clang links its runtime into the binary,
# where these are named as they are and have no line: "free (tests+0xbc6a2)".
# The student's own files, among the program's (a test's are in tests/).
YOURS = ("exercises/", "solutions/")
ALLOCATION_FUNCTIONS = ("malloc", "calloc", "realloc", "reallocarray", "free", "aligned_alloc",
                        "posix_memalign", "memalign", "valloc", "pvalloc", "strdup", "strndup")
# The tools' own frames before the student's line: how the error was caught.
CATCHERS = ("the sanitizer", "valgrind")


def place_of(where):
    """'tests/t.c:16' from './tests/t.c:16:5': Clang's runtime names its
    compilation folder and a column, GCC's neither."""
    where = re.sub(r"(:\d+):\d+$", r"\1", where)
    return where[2:] if where.startswith("./") else where


def kind_of(function, where):
    """Whose frame: 'student', or a name for a run of others' frames."""
    if function.startswith("hb_"):  # the harness's wrappers, in the test's file
        return "the harness"
    if where.startswith(STUDENT_FOLDERS):
        return "student"
    if "vgpreload" in where:
        return "valgrind"
    if (function.startswith(SANITIZER_NAMES) or "__interceptor_" in function
            or any(name in where for name in ("sanitizer/", "compiler-rt/", "libasan", "libubsan"))
            or (function in ALLOCATION_FUNCTIONS and not re.search(r":\d+", where))):
        return "the sanitizer"
    if where.startswith("harness/"):
        return "the harness"
    if "libcunit" in where or function.startswith("CU_"):
        return "CUnit"
    if function in LIBC_FUNCTIONS or any(place in where for place in LIBC_PLACES):
        return "libc"
    library = re.search(r"([^/( ]+\.so[.0-9]*)", where)
    return library.group(1) if library else "other code"


def parse_frame(line):
    """(function, where) of a stack's frame, or None."""
    match = SANITIZER_FRAME.match(line)
    if match:
        function = match.group(1) or "??"
        where = re.sub(r" \(BuildId: [0-9a-f]+\)$", "", match.group(2).strip())
        return function, place_of(where[1:-1] if where.startswith("(") else where)
    match = VALGRIND_FRAME.match(line)
    if match:
        where = match.group(2)
        return match.group(1), place_of(where[3:] if where.startswith("in ") else where)
    return None


def joined(names):
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def fold(frames):
    """The lines of a stack: the student's frames, others' folded by run."""
    kinds = [kind_of(function, where) for function, where in frames]
    if "student" not in kinds:
        return [f"      {function} ({where})" for function, where in frames]
    lines, run = [], []
    first = kinds.index("student")
    if any(kind not in CATCHERS for kind in kinds[:first]):
        run = list(range(first))  # something of interest called from the student's line
    for i in range(first, len(frames)):
        if kinds[i] != "student":
            run.append(i)
            continue
        if run:
            lines.append(fold_line(run, kinds))
            run = []
        function, where = frames[i]
        # The student's own code marked, as the harness's reports mark it.
        marker = "    > " if where.startswith(YOURS) else "      "
        lines.append(f"{marker}{function} ({where})")
    if run:
        lines.append(fold_line(run, kinds))
    return lines


def fold_line(run, kinds):
    names = []
    for i in run:
        if kinds[i] not in names:
            names.append(kinds[i])
    return f"      ... {len(run)} frame{'s' if len(run) > 1 else ''} in {joined(names)}"


# What makes two reports the same error: the kind of report without its
# addresses, sizes and counts, and the first frame under it.
REPORT_FIGURES = re.compile(r"( on address| at)? 0x[0-9a-f]+.*$|\b(of size|in) \d+\b|[\d,]+ bytes|"
                            r"\d+ blocks?|\(\d+ direct, \d+ indirect\)")
SHORT_FRAME = re.compile(r"^    (?:> |  )(\S+ \(.*\))$")
# CUnit's "    1. tests/t.c:16  - test_x: ..." (a failure, numbered).
FAILURE_LINE = re.compile(r"^\s+\d+\. \S+:\d+ ")


class Repeats:
    """Between the shortener and the output: a test's reports that another
    test showed already become one line (see the module's comment)."""

    def __init__(self, out, raw):
        self.out = out
        self.raw = raw
        self.test = None
        self.block = []  # a test's lines from its first report on
        self.shown = {}  # signature -> the test that showed it
        self.repeats = 0

    def write(self, text):
        line = text.rstrip("\n")
        test = TEST_LINE.match(line)
        if test or line.startswith(("Run Summary", "Suite: ")):
            self.close()
            if test:
                self.test = re.sub(r"^  Test: (\S+) .*$", r"\1", line)
        elif not self.block and self.test and line.startswith("    ") and Shortener.starts_report(line[4:]):
            self.block = [line]
            return
        elif self.block:
            self.block.append(line)
            return
        self.out.write(text)

    def signature(self):
        found, header = [], None
        for line in self.block:
            if line.startswith("    ") and Shortener.starts_report(line[4:]):
                header = REPORT_FIGURES.sub("", line.strip())
            elif header and SHORT_FRAME.match(line):
                found.append((header, SHORT_FRAME.match(line).group(1)))
                header = None
        return tuple(found)

    def close(self):
        if not self.block:
            return
        key = self.signature()
        if key and key in self.shown:
            kinds = "; ".join(f"{header} at {frame}" for header, frame in key)
            self.out.write(f"    the same error as {self.shown[key]} above: {kinds}\n")
            # The test's own verdict stays, each failure's first line: what
            # it found, in its words (its stack is the one shown above).
            for line in self.block:
                if line == "FAILED" or FAILURE_LINE.match(line):
                    if line.endswith(" at:"):  # its stack followed
                        line = line[:-len(" at:")] + ", at the same line"
                    self.out.write(line + "\n")
            self.repeats += 1
        else:
            if key:
                self.shown[key] = self.test
            self.out.write("".join(line + "\n" for line in self.block))
        self.block = []

    def flush(self):
        self.out.flush()

    def finish(self):
        self.close()
        if self.repeats:
            # The log is written aside (FILE.PID) and renamed when whole.
            log = re.sub(r"\.\d+$", "", self.raw)
            self.out.write(f"\n  The same error in {self.repeats} more test{'s' if self.repeats > 1 else ''}: "
                           f"each is one line above; every report in full: {log}\n")
        self.out.flush()


class Shortener:
    def __init__(self, out):
        self.out = out
        self.frames = []
        self.in_report = False
        self.skipping_shadow = False
        self.blank_pending = False

    def emit(self, text):
        self.out.write(text + "\n")
        self.out.flush()

    def flush_frames(self):
        for line in fold(self.frames):
            self.emit(line)
        self.frames = []

    def line(self, text):
        test = TEST_LINE.match(text)
        if test and test.group(2).strip() and not test.group(2).startswith(("passed", "FAILED")):
            self.line(test.group(1).rstrip())
            self.line(test.group(2))
            return
        text = PROCESS_ID.sub("", text) if PROCESS_ID.match(text) else text
        if text.startswith("./") and "runtime error:" in text:  # Clang's UBSan: "./t.c:5:3: ..."
            text = text[2:]
        frame = parse_frame(text)
        if frame:
            self.frames.append(frame)
            self.in_report = True
            return
        if self.frames:
            self.flush_frames()
        if self.skip(text):
            return
        if not text.strip():
            self.blank_pending = not self.in_report
            return
        if CUNIT_LINE.match(text):
            self.in_report = False
        elif not self.in_report:
            self.in_report = self.starts_report(text)
        if self.blank_pending and not self.in_report:
            self.emit("")
        self.blank_pending = False
        self.emit("    " + ERROR_REGISTERS.sub("", text.strip()) if self.in_report else text)

    @staticmethod
    def starts_report(text):
        return (text.startswith(("ERROR: ", "WARNING: ", "HINT: ")) or "runtime error:" in text
                or bool(re.match(r"^(Invalid |Conditional jump|Use of uninitialised|Syscall param|"
                                 r"Mismatched free|Source and destination|\d[\d,]* bytes in )",
                                 text)))

    def skip(self, text):
        """Lines that say nothing the short report needs."""
        if text.startswith(("Shadow bytes around", "Shadow byte legend")):
            self.skipping_shadow = True
            return True
        if self.skipping_shadow:
            if re.match(r"^(  |=>)", text):
                return True
            self.skipping_shadow = False
        return (bool(re.match(r"^=+$", text.strip())) or text.startswith("SUMMARY: ")
                or text.strip() in ("ABORTING", "==ABORTING"))

    def finish(self):
        if self.frames:
            self.flush_frames()
        if self.blank_pending:
            self.emit("")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", required=True, help="where every line read is kept")
    arguments = parser.parse_args()
    repeats = Repeats(sys.stdout, arguments.raw)
    shortener = Shortener(repeats)
    with open(arguments.raw, "w", errors="replace") as raw:
        for text in sys.stdin:
            raw.write(text)
            shortener.line(text.rstrip("\n"))
        shortener.finish()
    repeats.finish()


if __name__ == "__main__":
    sys.stdin.reconfigure(errors="replace")
    main()
