#!/usr/bin/python3
"""The student's predictions: asked before the first run, kept, and set
beside the figure the run measured (tools/workbook.sh: make test, make
predict).

  tools/predictions.py ask EXERCISE      asks each question of the lesson
                                         (tests/exercises/test_NN_name.predict)
                                         and keeps the answers
  tools/predictions.py asked EXERCISE    status 0 if the answers are kept
                                         (or the lesson asks nothing)
  tools/predictions.py show EXERCISE RESULTS
                                         each question with the student's
                                         answer, the measured figure
                                         (RESULTS: the test binary's
                                         --results) and how far apart

A .predict line is "TEST FIGURE QUESTION": the memory test whose figure
(peak, leaks, allocations or stack) answers the question.  The answers are
kept in build/predictions/NN-name.tsv (HEAPBOOK_PREDICTIONS names another
folder), one line per question: test, figure, the answer as typed, its
value, and the figure measured by the first run after it.  That first
figure is the answer to the question, which is about the code as it was
when the student predicted (the starter, in every lesson); later runs show
their own figure beside it.
"""
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ("peak", "leaks", "allocations", "stack")
# The columns of the harness's --results (harness/runner/results.c):
# suite, test, status, reasons, then the figures in FIGURES' order.
FIRST_FIGURE_COLUMN = 4
# Units as the harness reads a limit (docs/harness.md): KB is 1000 bytes,
# KiB 1024.
UNITS = {"": 1, "b": 1, "byte": 1, "bytes": 1, "kb": 1000, "kib": 1024, "mb": 1000**2,
         "mib": 1024**2, "gb": 1000**3, "gib": 1024**3}
ANSWER = re.compile(r"^\s*(?:about|~)?\s*([0-9][0-9,_]*(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*$")
SKIPPED = "-"


def number_of(exercise):
    return exercise.split("-", 1)[0]


def questions(exercise):
    """(test, figure, question) of each line of the exercise's .predict."""
    path = ROOT / "tests" / "exercises" / ("test_" + exercise.replace("-", "_") + ".predict")
    if not path.exists():
        return []
    found = []
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        test, figure, question = line.split(None, 2)
        found.append((test, figure, question))
    return found


def kept_path(exercise):
    folder = os.environ.get("HEAPBOOK_PREDICTIONS") or ROOT / "build" / "predictions"
    return Path(folder) / (exercise + ".tsv")


def kept(exercise):
    """{(test, figure): [answer as typed, value, first measured]}."""
    path = kept_path(exercise)
    if not path.exists():
        return {}
    answers = {}
    for line in path.read_text().splitlines():
        fields = line.split("\t")
        if len(fields) == 5:
            answers[(fields[0], fields[1])] = fields[2:]
    return answers


def keep(exercise, answers):
    """Written aside and renamed: a run beside this one reads all or none."""
    path = kept_path(exercise)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["\t".join([test, figure] + fields) + "\n" for (test, figure), fields in answers.items()]
    aside = path.with_name(path.name + ".%d" % os.getpid())
    aside.write_text("".join(lines))
    aside.replace(path)


def value_of(answer, figure):
    """The answer as a number of bytes (or of allocations), or None."""
    match = ANSWER.match(answer.replace("\u202f", "").replace("\u00a0", ""))
    if not match:
        return None
    digits, unit = match.group(1).replace(",", "").replace("_", ""), match.group(2).lower()
    if unit not in UNITS or (figure == "allocations" and unit):
        return None
    return round(float(digits) * UNITS[unit])


def grouped(n):
    return "{:,}".format(n)


def size(n):
    """As the harness prints a size (harness/base/format.c), with the bytes."""
    if n < 1024:
        return "%d B" % n
    unit, name = 1024, "KiB"
    for bigger in ("MiB", "GiB", "TiB"):
        if n < unit * 1024:
            break
        unit, name = unit * 1024, bigger
    return "%.1f %s (%s B)" % (int((n * 10 + unit // 2) // unit) / 10, name, grouped(n))


def shown(n, figure):
    return grouped(n) if figure == "allocations" else size(n)


def said(typed, value, figure):
    """The answer as typed, with its bytes when it had a unit."""
    plain = grouped(value)
    return typed if figure == "allocations" or typed.replace(",", "") == str(value) \
        else "%s (%s B)" % (typed, plain)


def shown_path(path):
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def ask(exercise):
    asked = questions(exercise)
    if not asked:
        print("heapbook: docs/%s.md asks no question to predict." % exercise)
        return 0
    terminal = sys.stdin.isatty()
    print("Predict first (docs/%s.md): answer before the run, from the code and the lesson." % exercise)
    if terminal:
        print("A number, with a unit for sizes (524288, 512 KiB, 0.5 MiB); Enter alone skips.")
    answers = {}
    for test, figure, question in asked:
        print()
        print("  " + question)
        while True:
            print("  Your answer: ", end="", flush=True)
            line = sys.stdin.readline()
            if not line:
                print()
                print("heapbook: no answer to read for %s's %s; make predict EX=%s asks again."
                      % (test, figure, number_of(exercise)), file=sys.stderr)
                return 1
            answer = line.strip()
            if not terminal:
                print(answer)
            if answer == "":
                answers[(test, figure)] = [SKIPPED, "", ""]
                break
            value = value_of(answer, figure)
            if value is not None:
                answers[(test, figure)] = [answer, str(value), ""]
                break
            expected = "a count, such as 12020" if figure == "allocations" else \
                "a size, such as 524288, 512 KiB or 0.5 MiB"
            print("  heapbook: '%s' is not %s." % (answer, expected))
            if not terminal:
                return 1
    keep(exercise, answers)
    print()
    print("Kept in %s: make test EX=%s sets each answer beside what it measures"
          % (shown_path(kept_path(exercise)), number_of(exercise)))
    print("(make predict EX=%s answers again)." % number_of(exercise))
    return 0


def measured_figures(results):
    """{(test, figure): the figure as the results give it ('-': none)}."""
    figures = {}
    for line in Path(results).read_text().splitlines():
        fields = line.split("\t")
        for i, figure in enumerate(FIGURES):
            if len(fields) > FIRST_FIGURE_COLUMN + i:
                figures[(fields[1], figure)] = fields[FIRST_FIGURE_COLUMN + i]
    return figures


def how_far(said, measured, figure):
    if said == measured:
        return "exactly right"
    gap = shown(abs(said - measured), figure)
    if measured == 0:
        return "%s too %s" % (gap, "high" if said > measured else "low")
    ratio = said / measured
    if ratio >= 2 or ratio <= 0.5:
        times = ratio if ratio >= 2 else 1 / ratio
        return "%s: %.1f times too %s" % (gap, times, "high" if ratio > 1 else "low")
    return "%s: %.1f%% too %s" % (gap, abs(ratio - 1) * 100, "high" if ratio > 1 else "low")


def show(exercise, results):
    asked = questions(exercise)
    if not asked:
        return 0
    measured = measured_figures(results)
    answers = kept(exercise)
    changed = False
    n = number_of(exercise)
    print()
    print("  Predict first (docs/%s.md):" % exercise)
    for test, figure, question in asked:
        now = measured.get((test, figure))
        label = "%s's %s" % (test, figure)
        print("    " + question)
        answer = answers.get((test, figure))
        if answer and answer[0] != SKIPPED and not answer[2] and now not in (None, "-"):
            answer[2] = now  # the first run after the prediction answers it
            changed = True
        first = answer[2] if answer else ""
        if answer and answer[0] != SKIPPED:
            print("      you said:  %s" % said(answer[0], int(answer[1]), figure))
        elif answer:
            print("      you said:  nothing (skipped; make predict EX=%s to answer)" % n)
        if first:
            print("      measured:  %s, %s on the first run after your prediction"
                  % (shown(int(first), figure), label))
            if answer[0] != SKIPPED:
                print("      off by:    " + how_far(int(answer[1]), int(first), figure))
        if now is None:
            print("      this run:  %s did not run" % test)
        elif now == "-":
            print("      this run:  %s failed before its %s was measured (its report is above)"
                  % (test, figure))
        elif now != first:
            print("      this run:  %s, %s" % (shown(int(now), figure), label))
        if not answer:
            print("      (no prediction kept: make predict EX=%s asks; answer it before you change the code)"
                  % n)
    if changed:
        keep(exercise, answers)
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "ask":
        return ask(argv[2])
    if len(argv) == 3 and argv[1] == "asked":
        return 0 if not questions(argv[2]) or kept_path(argv[2]).exists() else 1
    if len(argv) == 4 and argv[1] == "show":
        return show(argv[2], argv[3])
    print("usage: %s ask|asked EXERCISE | show EXERCISE RESULTS" % argv[0], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
