#!/usr/bin/env python3
"""The devcontainer's and the editor's files, read without Docker.

  tools/devcontainer.py check     parse them; check that what they name exists
  tools/devcontainer.py get KEY   print a string setting of devcontainer.json
  tools/devcontainer.py steps     print the Dockerfile's instructions, one a line

tests/fresh-root.sh runs the Dockerfile's steps and the lifecycle
commands with `steps` and `get`, so that it cannot drift from the files.
"""
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEVCONTAINER = ROOT / ".devcontainer" / "devcontainer.json"
VSCODE_FILES = ["settings.json", "extensions.json", "tasks.json", "launch.json"]
# Tools the editor files and devcontainer.json call that tools/install-deps.sh
# does not install (it installs what running the workbook needs): the
# Dockerfile must.
DEV_TOOLS = {
    "gdb": "launch.json's debugger",
    "python3": "the task serving build/",
    "bear": "for make compile_commands.json, the updateContentCommand",
}

# A string, or a comment; comments become spaces so error positions stay right.
JSONC_TOKEN = re.compile(r'"(?:\\.|[^"\\\n])*"|//[^\n]*|/\*.*?\*/', re.S)


def load_jsonc(path):
    """Parses JSON with // and /* */ comments, as VS Code reads these files."""
    def blank(match):
        token = match.group()
        return token if token.startswith('"') else re.sub(r"[^\n]", " ", token)
    return json.loads(JSONC_TOKEN.sub(blank, path.read_text()))


def dockerfile_path():
    config = load_jsonc(DEVCONTAINER)
    return DEVCONTAINER.parent / config["build"]["dockerfile"]


def build_context():
    return (DEVCONTAINER.parent / load_jsonc(DEVCONTAINER)["build"]["context"]).resolve()


def dockerfile_steps(path):
    """(KEYWORD, arguments) per instruction: continuation lines joined,
    comment lines dropped, as Docker reads them."""
    steps, pending = [], ""
    for line in path.read_text().splitlines():
        if re.match(r"\s*(#|$)", line):
            continue
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        steps.append((keyword.upper(), arguments.strip()))
        pending = ""
    return steps


# --- checks: each returns None when it holds, else what is wrong ----------

def check_parses(path):
    try:
        load_jsonc(path)
    except (OSError, ValueError) as error:
        return str(error)


def check_build_files():
    config = load_jsonc(DEVCONTAINER)
    if not dockerfile_path().is_file():
        return f"devcontainer.json's build.dockerfile {config['build']['dockerfile']} does not exist"
    if build_context() != ROOT:  # tests/fresh-root.sh copies from there too
        return f"devcontainer.json's build.context {config['build']['context']} is not the repository"
    for keyword, arguments in dockerfile_steps(dockerfile_path()):
        if keyword == "COPY":
            for source in arguments.split()[:-1]:
                if not (build_context() / source).exists():
                    return f"the Dockerfile copies {source}, which does not exist"


def check_runs_install_script():
    steps = dockerfile_steps(dockerfile_path())
    copied = [args.split()[-1] for keyword, args in steps
              if keyword == "COPY" and args.split()[0] == "tools/install-deps.sh"]
    runs = [args for keyword, args in steps if keyword == "RUN"]
    if not any(destination in run.split()[0] for destination in copied for run in runs):
        return "the Dockerfile must COPY tools/install-deps.sh and RUN it, as the Makefile and CI do"


def check_dev_tools():
    runs = " ".join(args for keyword, args in dockerfile_steps(dockerfile_path()) if keyword == "RUN")
    missing = [f"{tool} ({why})" for tool, why in DEV_TOOLS.items() if tool not in runs.split()]
    if missing:
        return "the Dockerfile does not install " + ", ".join(missing)


def check_debugger_task():
    task = load_jsonc(ROOT / ".vscode/launch.json")["configurations"][0]["preLaunchTask"]
    labels = [t["label"] for t in load_jsonc(ROOT / ".vscode/tasks.json")["tasks"]]
    if task not in labels:
        return f"launch.json's preLaunchTask '{task}' is not a task in tasks.json"


def check_exercise_list():
    inputs = load_jsonc(ROOT / ".vscode/tasks.json")["inputs"]
    listed = next(i["options"] for i in inputs if i["id"] == "exercise")
    folders = sorted(p.name for p in (ROOT / "exercises").glob("[0-9][0-9]-*") if p.is_dir())
    if listed != folders:
        return f"tasks.json's exercise list {listed} differs from exercises/ {folders}: add each folder's name"


def check_forwarded_ports():
    commands = " ".join(t["command"] for t in load_jsonc(ROOT / ".vscode/tasks.json")["tasks"])
    for port in load_jsonc(DEVCONTAINER).get("forwardPorts", []):
        if str(port) not in commands.split():
            return f"devcontainer.json forwards port {port}, but no task in tasks.json serves it"


def check():
    files = [DEVCONTAINER] + [ROOT / ".vscode" / name for name in VSCODE_FILES]
    checks = [(f"{path.relative_to(ROOT)} parses", lambda path=path: check_parses(path))
              for path in files]
    parsed = all(check_parses(path) is None for path in files)
    if parsed:  # the others read the parsed files
        checks += [
            ("the files devcontainer.json and the Dockerfile name exist", check_build_files),
            ("the Dockerfile runs tools/install-deps.sh", check_runs_install_script),
            ("the Dockerfile installs the editor's tools", check_dev_tools),
            ("launch.json's preLaunchTask is a task", check_debugger_task),
            ("tasks.json lists every exercise", check_exercise_list),
            ("every forwarded port is served by a task", check_forwarded_ports),
        ]
    failed = 0
    for description, run in checks:
        try:
            problem = run()
        except (KeyError, IndexError, StopIteration, TypeError) as error:
            problem = f"a setting it reads is missing or of another type ({error!r})"
        if problem:
            failed += 1
            print(f"devcontainer: FAILED {description}: {problem}")
        else:
            print(f"devcontainer: ok {description}")
    if not parsed:
        print("devcontainer: the other checks need every file to parse first")
    print(f"devcontainer: {len(checks) - failed} passed, {failed} failed")
    return 1 if failed or not parsed else 0


def get(key):
    value = load_jsonc(DEVCONTAINER).get(key)
    if value is None:
        return 0
    if not isinstance(value, str):
        sys.exit(f"devcontainer.py: {key} is not a string; tests/fresh-root.sh runs string commands only")
    print(value)
    return 0


def steps():
    for keyword, arguments in dockerfile_steps(dockerfile_path()):
        print(keyword, arguments)
    return 0


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["check"]:
            sys.exit(check())
        case ["get", key]:
            sys.exit(get(key))
        case ["steps"]:
            sys.exit(steps())
        case _:
            sys.exit(__doc__)
