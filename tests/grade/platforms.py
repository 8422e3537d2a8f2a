"""What tests/grade/platforms.sh's runs of the graders/ entry points wrote,
checked (by tests/grade/verify.py, with the class's other checks): each
platform's file where that platform reads it, valid by its documentation
(formats.py), with the points the submission earned.
"""
import json
import stat
import zipfile

import formats

def ran(scratch, run, verdict):
    """Whether the entry point of RUN exited 0; else says so, with its log."""
    status = (scratch / f"{run}.status").read_text().strip()
    if status != "exit 0":
        verdict(False, f"{run}: the entry point exits 0", f"{status}; its log: "
                + (scratch / f"{run}.log").read_text()[-1500:])
        return False
    return True


def load(path):
    try:
        return json.loads(path.read_text()), path.stat().st_size
    except (OSError, ValueError) as error:
        return None, str(error)


def check(scratch, exercise, verdict):
    """SCRATCH: platforms.sh's folder; VERDICT(ok, what, problem) counts."""
    total = len(json.loads((scratch / "image" / "build" / "grade" / "grade.json").read_text())["exercises"])

    for run, done in (("gradescope", 1), ("gradescope-empty", 0)):
        if ran(scratch, run, verdict):
            doc, size = load(scratch / run / "results" / "results.json")
            problems = formats.gradescope_problems(doc) if doc is not None else [size]
            if doc is not None and (doc.get("score") != done or len(doc.get("tests", [])) != total):
                problems.append(f"score {doc.get('score')} over {len(doc.get('tests', []))} tests, "
                                f"expected {done} over {total}")
            verdict(not problems, f"{run}: run_autograder writes /autograder/results/results.json, "
                    f"valid, {done} of {total} done", "; ".join(map(str, problems)))

    if ran(scratch, "prairielearn", verdict):
        doc, size = load(scratch / "prairielearn" / "results" / "results.json")
        problems = formats.prairielearn_problems(doc, size) if doc is not None else [size]
        if doc is not None and (doc.get("score") != 1 or [t["name"] for t in doc.get("tests", [])] != [exercise]):
            problems.append(f"score {doc.get('score')}, tests {[t.get('name') for t in doc.get('tests', [])]}: "
                            f"expected 1 for {exercise} alone (tests/exercises.txt)")
        verdict(not problems, "prairielearn: the entrypoint writes /grade/results/results.json, valid, "
                "the question's exercise done from a file handed in alone", "; ".join(map(str, problems)))
    if ran(scratch, "prairielearn-broken", verdict):
        doc, size = load(scratch / "prairielearn-broken" / "results" / "results.json")
        problems = formats.prairielearn_problems(doc, size) if doc is not None else [size]
        if doc is not None and (doc.get("gradable") is not False or "does not compile" not in
                                " ".join(doc.get("format_errors", []))):
            problems.append(f"gradable {doc.get('gradable')}, format_errors {doc.get('format_errors')}")
        verdict(not problems, "prairielearn: a submission that does not compile is not gradable, "
                "with the compiler's errors", "; ".join(map(str, problems)))

    if ran(scratch, "classroom50", verdict):
        doc, size = load(scratch / "classroom50" / "result.json")
        problems = formats.classroom50_problems(doc) if doc is not None else [size]
        if doc is not None:
            wanted = {"classroom": "cs-memory", "assignment": "heapbook", "score": 1, "max-score": total,
                      "submission": "submit/2026-06-01T14-32-05Z-a1b2c3d",
                      "datetime": "2026-06-01T14:32:01Z"}
            problems += [f"{k} {doc.get(k)!r}, expected {v!r}" for k, v in wanted.items() if doc.get(k) != v]
        if not (scratch / "classroom50" / "release-body.md").is_file():
            problems.append("no release-body.md")
        verdict(not problems, "classroom50: autograder.py writes ./result.json in the checkout, valid, "
                "the runner's identity and the commit's instant, 1 done", "; ".join(map(str, problems)))

    if ran(scratch, "batch", verdict):
        try:
            rows = (scratch / "batch-out" / "scores.tsv").read_text().splitlines()
        except OSError as error:
            rows = [str(error)]
        wanted = ["student\tscore\tmax_score", f"alice\t1\t{total}", f"bob\t0\t{total}"]
        verdict(rows == wanted and (scratch / "batch-out" / "alice" / "grade.json").is_file(),
                "batch.sh: a folder of submissions graded, each over its own copy, and their scores",
                f"scores.tsv: {rows}")

    if ran(scratch, "make-zip", verdict):
        with zipfile.ZipFile(scratch / "autograder.zip") as archive:
            members = {i.filename: i for i in archive.infolist()}
        problems = [f"no {name} at the zip's top" for name in ("setup.sh", "run_autograder", "Makefile")
                    if name not in members]
        problems += [f"{name} is not executable" for name in ("setup.sh", "run_autograder")
                     if name in members and not (members[name].external_attr >> 16) & stat.S_IXUSR]
        verdict(not problems, "make-zip: the workbook with setup.sh and run_autograder, executable, at the "
                "top of the zip, where Gradescope looks", "; ".join(problems))
