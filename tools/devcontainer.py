#!/usr/bin/python3
"""The devcontainer's and the editor's files, read without Docker.

  tools/devcontainer.py check     parse them; check that what they name exists
  tools/devcontainer.py get KEY   print a string setting of devcontainer.json
  tools/devcontainer.py steps     print the Dockerfile's instructions, one a line

tests/fresh-root.sh runs the Dockerfile's steps and reads the remoteUser
with `steps` and `get`, so that it cannot drift from the files.
"""
import fnmatch
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEVCONTAINER = ROOT / ".devcontainer" / "devcontainer.json"
VSCODE_FILES = ["settings.json", "extensions.json", "tasks.json", "launch.json"]
INSTALL_SCRIPT = ROOT / "tools" / "install-deps.sh"
# Packages the image must have, from tools/install-deps.sh or the Dockerfile,
# and why: the editor's files call them, or a developer expects them.
IMAGE_PACKAGES = {
    "gdb": "launch.json's debugger",
    "python3": "the task serving build/, make grade",
    "git": "source control",
    "less": "git's pager (git log)",
    "openssh-client": "git push over SSH",
    "procps": "ps, top, kill",
    "clang-format": "make format",
}

# C++ TestMate (docs/editor.md): its identifier, and the names of its
# settings and of an advancedExecutables entry's keys, as its package.json
# (contributes.configuration) has them at commit edeb3f2aa7ca935c9f3050fceb77e6671aaa1742
# (version 4.25.4) of github.com/matepek/vscode-catch2-test-adapter.
TESTMATE = "matepek.vscode-catch2-test-adapter"
TESTMATE_SETTINGS = {
    "testMate.cpp.test." + name for name in (
        "executables", "advancedExecutables", "workingDirectory", "randomGeneratorSeed",
        "runtimeLimit", "parallelExecutionLimit", "parallelExecutionOfExecutableLimit",
        "testNameLengthLimit", "stderrDecorator")} | {
    "testMate.cpp.discovery." + name for name in (
        "loadOnStartup", "gracePeriodForMissing", "runtimeLimit", "testListCaching",
        "strictPattern")} | {
    "testMate.cpp.debug.configTemplate", "testMate.cpp.debug.breakOnFailure",
    "testMate.cpp.debug.noThrow", "testMate.cpp.log.logpanel", "testMate.cpp.log.logfile",
    "testMate.cpp.log.userId", "testMate.cpp.gtest.treatGmockWarningAs",
    "testMate.cpp.gtest.gmockVerbose", "testMate.cpp.coverage.profile.default",
    "testMate.cpp.experimental.llvm-cov", "testMate.cpp.experimental.gcov",
    "testMate.cpp.experimental.custom-adapter"}
TESTMATE_EXECUTABLE_KEYS = {
    "comment", "pattern", "exclude", "name", "description", "testTags", "cwd", "env", "envFile",
    "executionWrapper", "sourceFileMap", "dependsOn", "runTask", "parallelizationLimit",
    "maxTestsPerExecutable", "strictPattern", "markAsSkipped", "executableRunAsImplicitAll",
    "executableCloning", "debug.configTemplate", "executableSuffixToInclude",
    "waitForBuildProcess", "testGrouping", "darwin", "linux", "win32", "catch2", "gtest",
    "doctest", "gbenchmark"}
TESTMATE_RUN_TASK_KEYS = {"before", "beforeEach", "after", "afterEach"}
# CMake Tools' settings we set, as its package.json names them at commit
# c09931f9b2ad4d88a680f7f22438de643d3d6187 (version 1.13.0) of
# github.com/microsoft/vscode-cmake-tools.
CMAKE_TOOLS_SETTINGS = {"cmake.configureOnOpen", "cmake.buildDirectory",
                        "cmake.ctest.testSuiteDelimiter"}

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


def install_script_packages():
    match = re.search(r'^PACKAGES="([^"]*)"', INSTALL_SCRIPT.read_text(), re.M)
    return set(match.group(1).split()) if match else set()


def dockerfile_runs():
    return [args for keyword, args in dockerfile_steps(dockerfile_path()) if keyword == "RUN"]


def check_image_packages():
    installed = install_script_packages() | {w for run in dockerfile_runs() for w in run.split()}
    missing = [f"{package} ({why})" for package, why in IMAGE_PACKAGES.items()
               if package not in installed]
    if missing:
        return "neither tools/install-deps.sh nor the Dockerfile installs " + ", ".join(missing)


def check_git_recommends():
    # apt's commands, one per `&&`: the one installing git must keep the
    # packages git recommends (less, openssh-client, ca-certificates, patch).
    commands = [c for run in dockerfile_runs() for c in run.split("&&")]
    if not any("install" in c.split() and "git" in c.split() and "--no-install-recommends" not in c
               for c in commands):
        return "the Dockerfile must install git with the packages it recommends (no --no-install-recommends)"


def check_base_pinned():
    image = next(args for keyword, args in dockerfile_steps(dockerfile_path()) if keyword == "FROM")
    if not re.fullmatch(r"\S+@sha256:[0-9a-f]{64}( AS \S+)?", image, re.I):
        return f"FROM {image}: pin the base image by digest (debian:SUITE@sha256:...)"


def check_utf8_locale():
    env = [args for keyword, args in dockerfile_steps(dockerfile_path()) if keyword == "ENV"]
    if not any(re.fullmatch(r"LANG=\S*\.UTF-8", args) for args in env):
        return "the Dockerfile sets no UTF-8 locale (ENV LANG=C.UTF-8)"


def dockerignore_keeps(path):
    """Whether .dockerignore leaves `path` in the build context: its last
    matching line decides, a "!" line keeping."""
    kept = True
    ignore = ROOT / ".dockerignore"
    lines = ignore.read_text().splitlines() if ignore.is_file() else []
    for line in (l.strip() for l in lines):
        if not line or line.startswith("#"):
            continue
        pattern = line.lstrip("!").strip("/")
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern + "/*"):
            kept = line.startswith("!")
    return kept


def check_dockerignore():
    if not (ROOT / ".dockerignore").is_file():
        return "there is no .dockerignore: build/ and node_modules/ would be sent to Docker"
    for keyword, arguments in dockerfile_steps(dockerfile_path()):
        if keyword == "COPY":
            left_out = [s for s in arguments.split()[:-1] if not dockerignore_keeps(s)]
            if left_out:
                return f"the Dockerfile copies {', '.join(left_out)}, which .dockerignore leaves out"
    if dockerignore_keeps("build/bin/heapbook"):
        return ".dockerignore keeps build/ in the build context"


def check_container_settings():
    config = load_jsonc(DEVCONTAINER)
    if config.get("init") is not True:
        return 'devcontainer.json needs "init": true (an init process reaps the tests\' children)'
    wanted = {"cpus", "memory", "storage"}
    if not wanted <= set(config.get("hostRequirements", {})):
        return f"devcontainer.json's hostRequirements must give {', '.join(sorted(wanted))}"
    build = config.get("updateContentCommand", "")
    if not re.search(r"\bmake -j", build):
        return f"updateContentCommand '{build}' must build in parallel (make -j)"


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


def testmate_variables(text, binary):
    """`text` with TestMate's path variables resolved for `binary` (relative
    to the repository): ${relDirpath}, ${relPath} and their Python-style
    indexes over the path's parts ([i], [a:b]), ${workspaceFolder}."""
    def resolve(match):
        name, index = match.group(1), match.group(2)
        path = binary.parent if name == "relDirpath" else binary
        parts = list(path.parts)
        if index is not None:
            if ":" not in index:
                parts = [parts[int(index)]]
            else:
                start, _, end = index.partition(":")
                parts = parts[int(start) if start else None:int(end) if end else None]
        return "/".join(parts)
    text = re.sub(r"\$\{(relDirpath|relPath)(?:\[(-?\d*:?-?\d*)\])?\}", resolve, text)
    return text.replace("${workspaceFolder}", str(ROOT))


def testmate_entries():
    return load_jsonc(ROOT / ".vscode/settings.json")["testMate.cpp.test.advancedExecutables"]


def check_editor_extensions():
    recommended = load_jsonc(ROOT / ".vscode/extensions.json")["recommendations"]
    installed = load_jsonc(DEVCONTAINER)["customizations"]["vscode"]["extensions"]
    missing = [f"{name} ({where})" for name, where in
               ((TESTMATE, "extensions.json's recommendations"),
                (TESTMATE, "devcontainer.json's customizations.vscode.extensions"))
               if name not in (recommended if where.startswith("extensions") else installed)]
    if missing:
        return "C++ TestMate is not named in " + ", ".join(missing)


def check_testmate_names():
    settings = load_jsonc(ROOT / ".vscode/settings.json")
    unknown = [k for k in settings if k.startswith("testMate.") and k not in TESTMATE_SETTINGS]
    unknown += [k for k in settings if k.startswith("cmake.") and k not in CMAKE_TOOLS_SETTINGS]
    for entry in testmate_entries():
        unknown += [f"advancedExecutables' {k}" for k in entry if k not in TESTMATE_EXECUTABLE_KEYS]
        unknown += [f"runTask's {k}" for k in entry.get("runTask", {})
                    if k not in TESTMATE_RUN_TASK_KEYS]
    if unknown:
        return "settings.json names settings the extensions do not have: " + ", ".join(unknown)


def check_testmate_executables():
    """Each exercise's test binary (build/exercises/NN-name/tests) is found,
    named after its exercise, run from the repository with the solution's
    times, after the task that builds it."""
    tasks = {t["label"]: t for t in load_jsonc(ROOT / ".vscode/tasks.json")["tasks"]}
    folders = sorted(p.name for p in (ROOT / "exercises").glob("[0-9][0-9]-*") if p.is_dir())
    entries = testmate_entries()
    for folder in folders:
        binary = Path("build/exercises") / folder / "tests"
        found = [e for e in entries if fnmatch.fnmatch(str(binary), e["pattern"])]
        if len(found) != 1:
            return f"{binary} is matched by {len(found)} advancedExecutables patterns, not 1"
        entry = found[0]
        if fnmatch.fnmatch(f"build/solutions/{folder}/tests", entry["pattern"]):
            return f"the pattern {entry['pattern']} also finds the solutions' binaries"
        if testmate_variables(entry.get("name", ""), binary) != folder:
            return f"{binary} would be named '{testmate_variables(entry.get('name', ''), binary)}'"
        if testmate_variables(entry.get("cwd", ""), binary) != str(ROOT):
            return "the tests must run from the repository (cwd: ${workspaceFolder})"
        times = testmate_variables(entry.get("env", {}).get("HEAPBOOK_SOLUTION_TIMES", ""), binary)
        if times != str(ROOT / "build/solutions" / folder / "times.tsv"):
            return f"{binary} would get HEAPBOOK_SOLUTION_TIMES={times}"
        for label in entry.get("runTask", {}).get("before", []) or [None]:
            if label not in tasks or "test-binaries" not in tasks[label]["command"].split():
                return f"runTask's before task '{label}' is not a task of tasks.json building test-binaries"
    return None


def check():
    files = [DEVCONTAINER] + [ROOT / ".vscode" / name for name in VSCODE_FILES]
    checks = [(f"{path.relative_to(ROOT)} parses", lambda path=path: check_parses(path))
              for path in files]
    parsed = all(check_parses(path) is None for path in files)
    if parsed:  # the others read the parsed files
        checks += [
            ("the files devcontainer.json and the Dockerfile name exist", check_build_files),
            ("the Dockerfile runs tools/install-deps.sh", check_runs_install_script),
            ("the image has the editor's and a developer's tools", check_image_packages),
            ("the Dockerfile installs git with its recommends", check_git_recommends),
            ("the Dockerfile's base image is pinned by digest", check_base_pinned),
            ("the Dockerfile sets a UTF-8 locale", check_utf8_locale),
            (".dockerignore keeps what the Dockerfile copies, and no more", check_dockerignore),
            ("devcontainer.json has init, hostRequirements, a parallel build", check_container_settings),
            ("launch.json's preLaunchTask is a task", check_debugger_task),
            ("tasks.json lists every exercise", check_exercise_list),
            ("every forwarded port is served by a task", check_forwarded_ports),
            ("the devcontainer and extensions.json name C++ TestMate", check_editor_extensions),
            ("settings.json's TestMate and CMake Tools settings exist", check_testmate_names),
            ("TestMate finds every exercise's test binary, runs it as make test does, after "
             "the build task", check_testmate_executables),
        ]
    failed = 0
    for description, run in checks:
        try:
            problem = run()
        except (KeyError, IndexError, StopIteration, TypeError, ValueError) as error:
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
