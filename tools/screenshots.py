#!/usr/bin/python3
"""The flame-graph pages the lessons show as pictures: taken by the browser
test's real run, kept in docs/images/, and checked to be current.

  tools/screenshots.py make     (make screenshots) for each picture of
                                SCREENSHOTS: records the exercise's program
                                (heapbook run), draws its page (heapbook
                                flamegraph), runs the browser test on that
                                page (tests/web/flamegraph.test.mjs, headless
                                Chromium), which takes the screenshot, and
                                keeps the PNG in docs/images/ with the hash of
                                what it was made from in MANIFEST; a picture
                                whose inputs have not changed is kept as it is
  tools/screenshots.py exercises
                                the exercises whose programs the pictures show
                                (for make's prerequisites)
  tools/screenshots.py check [--manifest FILE]
                                (make check) records each program again and
                                says which picture was made from other inputs
                                than today's, or was changed by hand (status
                                1), or that each is current

What is compared is what a picture was made FROM, not its pixels: the
browser, its fonts and the clock (the heap over time is drawn against the
run's own times) make two machines disagree to the pixel, and a check that
can pass or fail on the same code is broken.  The inputs are all
deterministic: the page's sources (profiler/web: page.html, model.js,
page.js, and package-lock.json for the versions of d3), the browser test
that takes the picture, and the capture's content, the stacks and bytes at
the peak (heapbook export --format collapsed) and the table of places
(heapbook summary), which the same program prints the same on every run.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
MANIFEST = IMAGES / "screenshots.txt"
HEAPBOOK = ROOT / "build" / "bin" / "heapbook"
SCRATCH = ROOT / "build" / "screenshots"
BROWSER_TEST = "tests/web/flamegraph.test.mjs"
PAGE_SOURCES = ("profiler/web/page.html", "profiler/web/model.js", "profiler/web/page.js",
                "profiler/web/package-lock.json", BROWSER_TEST)

# Each picture: its file in docs/images/, the exercise whose program (the
# starter, as make flamegraph EX=NN records it) it shows, and the frames the
# browser test finds on the widest path down (HEAPBOOK_EXPECT_WIDEST), the
# last of which it hovers, so that the picture shows its tooltip.
SCREENSHOTS = (
    ("01-fibonacci-flamegraph.png", "01-fibonacci", "main,fibonacci_hash,sum_of_fibonacci,fibonacci"),
    ("02-clinging-onto-memory-flamegraph.png", "02-clinging-onto-memory", "main"),
    ("03-unbounded-cache-flamegraph.png", "03-unbounded-cache", "main,print_counts,count_last_digits"),
    ("14-log-report-flamegraph.png", "14-log-report", "main,log_report,count_log"),
)


def fail(message):
    print(f"screenshots: {message}", file=sys.stderr)
    sys.exit(1)


def run(command, **options):
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, **options)
    if result.returncode != 0:
        fail(f"{' '.join(map(str, command))} failed (status {result.returncode}):\n"
             f"{result.stdout}{result.stderr}")
    return result.stdout


def record(exercise):
    """The capture of the exercise's program, in build/screenshots/.  The
    program is named from the top of the repository, as a lesson names it:
    the page shows that name, never the path of the checkout."""
    program = Path("build") / "exercises" / exercise / "program"
    if not (ROOT / program).exists() or not HEAPBOOK.exists():
        fail(f"no {program} or {HEAPBOOK.relative_to(ROOT)}: run make first")
    SCRATCH.mkdir(parents=True, exist_ok=True)
    capture = SCRATCH / f"{exercise}.hbcap"
    run([HEAPBOOK, "run", "-o", capture, program])
    return capture


def inputs_hash(capture):
    """The hash of everything the picture of `capture`'s page is made from."""
    digest = hashlib.sha256()
    for source in PAGE_SOURCES:
        digest.update(f"{source}\n".encode())
        digest.update((ROOT / source).read_bytes())
    for command in (["export", "--format", "collapsed"], ["summary"]):
        digest.update(f"heapbook {' '.join(command)}\n".encode())
        digest.update(run([HEAPBOOK, *command, capture]).encode())
    return digest.hexdigest()


def file_hash(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(path):
    """{png: (inputs hash, png hash)} of the manifest at `path`."""
    kept = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            png, inputs, picture = line.split()
            kept[png] = (inputs, picture)
    return kept


def make():
    lines = ["# The pictures of docs/images/, made by `make screenshots` (tools/screenshots.py):",
             "# picture, the hash of its inputs, the hash of the PNG.  make check recomputes both."]
    kept = read_manifest(MANIFEST) if MANIFEST.exists() else {}
    for png, exercise, widest in SCREENSHOTS:
        capture = record(exercise)
        inputs = inputs_hash(capture)
        if (IMAGES / png).exists() and kept.get(png) == (inputs, file_hash(IMAGES / png)):
            # Taken again, it would differ only in its times and pixels: the
            # repository keeps one picture per change of what it shows.
            lines.append(f"{png} {inputs} {file_hash(IMAGES / png)}")
            print(f"screenshots: docs/images/{png} is current: kept")
            continue
        page = SCRATCH / f"{exercise}.html"
        run([HEAPBOOK, "flamegraph", "-o", page, capture])
        peak = run([HEAPBOOK, "tree", "--depth", "1", capture]).split(" live at the peak")[0]
        shots = SCRATCH / "shots"
        shutil.rmtree(shots, ignore_errors=True)
        environment = dict(os.environ, HEAPBOOK_PAGE=str(page), HEAPBOOK_EXPECT_PEAK=peak,
                           HEAPBOOK_EXPECT_WIDEST=widest, HEAPBOOK_SHOTS=str(shots))
        run(["node", "--test", "--test-reporter=tap", BROWSER_TEST], env=environment)
        IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shots / "flamegraph.png", IMAGES / png)
        lines.append(f"{png} {inputs} {file_hash(IMAGES / png)}")
        print(f"screenshots: wrote docs/images/{png}, the page of build/exercises/{exercise}/program")
    MANIFEST.write_text("\n".join(lines) + "\n")


def check(manifest):
    if not manifest.exists():
        fail(f"no {manifest}: run make screenshots")
    kept = read_manifest(manifest)
    stale = []
    for png, exercise, _ in SCREENSHOTS:
        if png not in kept:
            stale.append(f"docs/images/{png} is not in {manifest.name}")
            continue
        inputs, picture = kept[png]
        if not (IMAGES / png).exists():
            stale.append(f"docs/images/{png} is missing")
        elif file_hash(IMAGES / png) != picture:
            stale.append(f"docs/images/{png} is not the picture make screenshots took")
        elif inputs_hash(record(exercise)) != inputs:
            stale.append(f"docs/images/{png} was made from other inputs than today's: the page's "
                         f"sources, {BROWSER_TEST} or what build/exercises/{exercise}/program allocates")
    known = {png for png, _, _ in SCREENSHOTS}
    stale += [f"docs/images/{path.name} is no picture of {Path(__file__).name}'s SCREENSHOTS"
              for path in sorted(IMAGES.glob("*.png")) if path.name not in known]
    for lesson in sorted((ROOT / "docs").glob("*.md")):
        stale += [f"docs/{lesson.name} shows images/{png}, which make screenshots does not take"
                  for png in re.findall(r"\]\(images/([^)]+)\)", lesson.read_text()) if png not in known]
    if stale:
        fail("\n".join(stale) + "\nto take them again: make screenshots, then commit docs/images/")
    print(f"screenshots: the {len(SCREENSHOTS)} picture(s) in docs/images/ are of today's pages")


def main(arguments):
    if arguments == ["make"]:
        make()
    elif arguments == ["exercises"]:
        print(" ".join(sorted({exercise for _, exercise, _ in SCREENSHOTS})))
    elif arguments == ["check"]:
        check(MANIFEST)
    elif len(arguments) == 3 and arguments[:2] == ["check", "--manifest"]:
        check(Path(arguments[2]))
    else:
        print("usage: tools/screenshots.py make | check [--manifest FILE]", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
