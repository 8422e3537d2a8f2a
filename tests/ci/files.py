#!/usr/bin/python3
"""The CI files, read as their platforms read them, without running them.

  tests/ci/files.py

Checks .gitattributes against every tracked file; that each GitHub workflow
parses and has the keys Actions requires, says where it runs (heapbook
itself, a template, or students' copies of it), grades in the devcontainer's
image; that every image name is one Docker accepts (lower case: the steps
that derive one from the repository are run with an owner in capitals);
that Classroom's workflow has a step per exercise under the names
Classroom reads; that Dependabot's file covers the image and the actions;
and that docs/instructors.md's .gitlab-ci.yml example parses and grades.
Prints a line per check and ends with "ci-files: N passed, M failed".
"""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
TEMPLATE = "github.event.repository.is_template"
# Workflows for students' copies, which grade them; every other one is the
# instructors'.
STUDENT_WORKFLOWS = {"grade.yml", "classroom.yml"}
CLASSROOM = {"workflow": "Autograding Tests", "job": "run-autograding-tests",
             "grader": "classroom-resources/autograding-command-grader@v1",
             "reporter": "classroom-resources/autograding-grading-reporter@v1"}


def exercises():
    return sorted(p.name for p in (ROOT / "exercises").glob("[0-9][0-9]-*") if p.is_dir())


def load(path):
    return yaml.safe_load(path.read_text())


def triggers(workflow):
    # YAML 1.1, which PyYAML reads, takes the key `on` for true.
    return workflow.get("on", workflow.get(True))


# --- checks: each returns a list of problems, empty when it holds ---------

def check_gitattributes():
    if not (ROOT / ".gitattributes").is_file():
        return ["there is no .gitattributes"]
    listing = subprocess.run(["git", "ls-files", "--eol"], cwd=ROOT, capture_output=True, text=True)
    problems = []
    for line in listing.stdout.splitlines():
        info, path = line.split("\t", 1)
        index, _, attributes = info.split(None, 2)
        attributes = attributes.removeprefix("attr/")
        if index in ("i/crlf", "i/mixed"):
            problems.append(f"{path} has CRLF line endings in git")
        elif index == "i/-text" and "-text" not in attributes.split():
            problems.append(f"{path} is binary: mark it in .gitattributes (PATTERN binary)")
        elif index == "i/lf" and "eol=lf" not in attributes.split():
            problems.append(f"{path} is text but not checked out LF ({attributes.strip()})")
    return problems


def check_workflow_keys(name, workflow):
    problems = []
    for key in ("name", "permissions", "jobs"):
        if key not in workflow:
            problems.append(f"no '{key}'")
    if not triggers(workflow):
        problems.append("no 'on'")
    for job_id, job in (workflow.get("jobs") or {}).items():
        if "runs-on" not in job or not job.get("steps"):
            problems.append(f"job {job_id} needs runs-on and steps")
        for step in job.get("steps") or []:
            if ("uses" in step) == ("run" in step):
                problems.append(f"job {job_id}, step {step.get('name', step)}: one of uses or run")
    return problems


def check_guard(name, workflow):
    """Every job says where it runs: heapbook itself (a template) for the
    instructors' workflows, students' copies for grading."""
    problems = []
    for job_id, job in workflow["jobs"].items():
        condition = re.sub(r"\s|\$\{\{|\}\}", "", str(job.get("if", "")))
        student = "!" + TEMPLATE in condition
        instructor = TEMPLATE in condition and not student
        if name in STUDENT_WORKFLOWS and not student:
            problems.append(f"job {job_id} must run only in students' copies: if: !{TEMPLATE}")
        elif name not in STUDENT_WORKFLOWS and not instructor:
            problems.append(f"job {job_id} is the instructors': guard it with if: {TEMPLATE}")
    return problems


def check_home(name, workflow):
    """A container run as the runner's user has HOME=/ unless told: npm and
    make write there."""
    problems = []
    for job_id, job in workflow["jobs"].items():
        for step in job["steps"]:
            run = step.get("run", "")
            if "docker run" in run and not re.search(r"(-e|--env)[ =]HOME=", run):
                problems.append(f"job {job_id}: docker run without a writable HOME (--env HOME=...)")
    return problems


def devcontainer_image():
    """ghcr.io/owner/repo-devcontainer, the prebuild's name, for the
    repository the README's badge names."""
    badge = re.search(r"codespaces\.new/([^/\s)]+)/([^/\s)]+)\)", (ROOT / "README.md").read_text())
    return f"ghcr.io/{badge.group(1)}/{badge.group(2)}-devcontainer".lower() if badge else None


def check_grading_container(name, workflow):
    problems = []
    wanted = devcontainer_image()
    for job_id, job in workflow["jobs"].items():
        container = job.get("container") or {}
        image = container.get("image", "") if isinstance(container, dict) else container
        if image != image.lower():
            problems.append(f"job {job_id} runs in '{image}': Docker refuses capitals in an image's "
                            "name; write the owner in lower case")
        elif image.split(":")[0] != wanted:
            problems.append(f"job {job_id} runs in '{image}', not the devcontainer's image {wanted}")
        if "SYS_PTRACE" not in str(container.get("options", "")):
            problems.append(f"job {job_id}: the container needs --cap-add=SYS_PTRACE (LeakSanitizer)")
        if not any("make grade" in step.get("run", "") for step in job["steps"]):
            problems.append(f"job {job_id} does not run make grade")
    return problems


def check_grade_workflow(workflow):
    steps = workflow["jobs"]["grade"]["steps"]
    problems = []
    if not any("GITHUB_STEP_SUMMARY" in s.get("run", "") and "grade.md" in s.get("run", "")
               for s in steps):
        problems.append("grade.md is not added to the job's summary")
    if not any(s.get("uses", "").startswith("actions/upload-artifact@")
               and s.get("with", {}).get("path", "").rstrip("/") == "build/grade" for s in steps):
        problems.append("build/grade/ is not uploaded")
    return problems


def check_classroom(workflow):
    problems = []
    if workflow.get("name") != CLASSROOM["workflow"]:
        problems.append(f"Classroom reads the workflow named '{CLASSROOM['workflow']}'")
    job = workflow["jobs"].get(CLASSROOM["job"])
    if job is None:
        return problems + [f"Classroom reads the job '{CLASSROOM['job']}'"]
    graders = [s for s in job["steps"] if s.get("uses") == CLASSROOM["grader"]]
    named = [s["with"]["test-name"] for s in graders]
    if named != exercises():
        problems.append(f"grader steps {named} differ from exercises/ {exercises()}: a step per exercise")
    for step in graders:
        if step["with"]["command"] != f"tools/grade.py done build/grade {step['with']['test-name']}":
            problems.append(f"step {step['id']}: its command must read grade.json for its exercise")
    reporter = next((s for s in job["steps"] if s.get("uses") == CLASSROOM["reporter"]), None)
    if reporter is None:
        return problems + [f"no {CLASSROOM['reporter']} step"]
    ids = [s["id"] for s in graders]
    if reporter["with"]["runners"].split(",") != ids:
        problems.append(f"the reporter's runners are not the grader steps {ids}")
    for step_id in ids:
        if reporter.get("env", {}).get(f"{step_id.upper()}_RESULTS") != \
                f"${{{{ steps.{step_id}.outputs.result }}}}":
            problems.append(f"the reporter has no {step_id.upper()}_RESULTS from step {step_id}")
    return problems


# An image reference as Docker accepts one: lower-case path components
# (the distribution reference grammar), a tag after the colon.
DOCKER_REFERENCE = re.compile(r"[a-z0-9]+([._-][a-z0-9]+)*(\.[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)+"
                              r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?")


def check_image_naming(name, workflow):
    """The steps that name an image from the repository (id: image) run
    with an owner and a repository in capitals, as GitHub allows: every
    name they give must be one Docker accepts."""
    problems = []
    for job_id, job in workflow["jobs"].items():
        for step in job["steps"]:
            if step.get("id") != "image":
                continue
            with tempfile.TemporaryDirectory() as scratch:
                output = Path(scratch) / "output"
                output.touch()
                env = {"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(output),
                       "GITHUB_REPOSITORY": "MyOrg/HeapBook", "GITHUB_REPOSITORY_OWNER": "MyOrg"}
                ran = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, capture_output=True, text=True)
                names = [line.split("=", 1)[1] for line in output.read_text().splitlines() if "=" in line]
            if ran.returncode != 0 or not names:
                problems.append(f"job {job_id}: its step '{step.get('name')}' failed or named nothing: {ran.stderr}")
            problems += [f"job {job_id}: for MyOrg/HeapBook it names '{n}', which Docker refuses"
                         for n in names if not DOCKER_REFERENCE.fullmatch(n)]
    return problems


def check_image_literals(name, text):
    """An image on ghcr.io written out in a workflow, a Dockerfile or the
    docs' examples is in lower case."""
    return [f"'{m}' has capitals, which Docker refuses in an image's name (write the owner in lower case)"
            for m in re.findall(r"ghcr\.io/[^\s\"'`)]+", text)
            if m != m.lower() and "OWNER/REPO" not in m and "$" not in m]


def check_dependabot():
    config = load(ROOT / ".github" / "dependabot.yml")
    problems = [] if config.get("version") == 2 else ["version must be 2"]
    covered = {(u.get("package-ecosystem"), u.get("directory")) for u in config.get("updates", [])}
    for wanted in (("docker", "/.devcontainer"), ("github-actions", "/")):
        if wanted not in covered:
            problems.append(f"no {wanted[0]} updates in {wanted[1]}")
    for update in config.get("updates", []):
        if not (ROOT / update.get("directory", "").lstrip("/")).is_dir():
            problems.append(f"{update.get('directory')} does not exist")
        if "interval" not in update.get("schedule", {}):
            problems.append(f"{update.get('package-ecosystem')}: no schedule.interval")
    return problems


def check_gitlab_example():
    """The ```yaml block under docs/instructors.md's GitLab heading."""
    text = (ROOT / "docs" / "instructors.md").read_text()
    found = re.search(r"^#+ .*GitLab.*$.*?^```yaml\n(.*?)^```", text, re.M | re.S)
    if found is None:
        return ["docs/instructors.md has no ```yaml block under a GitLab heading"]
    try:
        config = yaml.safe_load(found.group(1))
    except yaml.YAMLError as error:
        return [f"the .gitlab-ci.yml example does not parse: {error}"]
    jobs = {k: v for k, v in config.items() if isinstance(v, dict) and "script" in v}
    grading = [j for j in jobs.values() if any("make grade" in line for line in j["script"])]
    if not grading:
        return ["no job of the .gitlab-ci.yml example runs make grade"]
    job = grading[0]
    problems = []
    image = job.get("image", config.get("image", ""))
    image = image.get("name", "") if isinstance(image, dict) else image
    if image != image.lower():
        problems.append(f"it runs in '{image}': Docker refuses capitals in an image's name")
    elif image.split(":")[0] != devcontainer_image():
        problems.append(f"it runs in '{image}', not the devcontainer's image {devcontainer_image()}")
    if job.get("artifacts", {}).get("reports", {}).get("junit") != "build/grade/grade.xml":
        problems.append("its artifacts:reports:junit is not build/grade/grade.xml")
    return problems


def main():
    checks = [(".gitattributes: text files LF, binary files marked", check_gitattributes)]
    parsed = {}
    for path in sorted(WORKFLOWS.glob("*.yml")):
        try:
            parsed[path.name] = load(path)
            problems = check_workflow_keys(path.name, parsed[path.name])
        except yaml.YAMLError as error:
            problems = [str(error)]
        checks.append((f"{path.name}: parses, with the keys Actions requires", lambda p=problems: p))
    for name, workflow in parsed.items():
        checks.append((f"{name}: says where it runs (heapbook or students' copies)",
                       lambda n=name, w=workflow: check_guard(n, w)))
        checks.append((f"{name}: any container it starts has a writable HOME",
                       lambda n=name, w=workflow: check_home(n, w)))
        if name in STUDENT_WORKFLOWS:
            checks.append((f"{name}: grades with make grade in the devcontainer's image",
                           lambda n=name, w=workflow: check_grading_container(n, w)))
    for name, workflow in parsed.items():
        checks.append((f"{name}: the image names it derives from the repository are lower case",
                       lambda n=name, w=workflow: check_image_naming(n, w)))
    for path in sorted(WORKFLOWS.glob("*.yml")) + [ROOT / "graders" / "Dockerfile",
                                                   ROOT / "graders" / "gradescope" / "Dockerfile",
                                                   ROOT / "docs" / "instructors.md"]:
        checks.append((f"{path.relative_to(ROOT)}: every ghcr.io image written out is in lower case",
                       lambda p=path: check_image_literals(p.name, p.read_text())))
    if "grade.yml" in parsed:
        checks.append(("grade.yml: the table in the job's summary, the files uploaded",
                       lambda: check_grade_workflow(parsed["grade.yml"])))
    if "classroom.yml" in parsed:
        checks.append(("classroom.yml: Classroom's names, a graded step per exercise",
                       lambda: check_classroom(parsed["classroom.yml"])))
    checks.append(("dependabot.yml: the base image and the actions, weekly", check_dependabot))
    checks.append(("docs/instructors.md: the .gitlab-ci.yml example parses and grades",
                   check_gitlab_example))
    failed = 0
    for description, check in checks:
        try:
            problems = check()
        except (KeyError, TypeError, AttributeError, OSError, yaml.YAMLError) as error:
            problems = [f"a setting it reads is missing or of another type ({error!r})"]
        if problems:
            failed += 1
            shown = problems[:10] + ([f"... and {len(problems) - 10} more"] if len(problems) > 10 else [])
            print(f"ci-files: FAILED {description}:\n  " + "\n  ".join(shown))
        else:
            print(f"ci-files: ok {description}")
    print(f"ci-files: {len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
