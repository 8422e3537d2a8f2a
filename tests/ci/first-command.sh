#!/usr/bin/env bash
# ./start.sh, the README's first command, on the four machines a new user
# may have, without installing anything: start.sh runs in a folder of its
# own beside a stand-in tools/install-deps.sh, with a PATH of stand-ins for
# make, sudo and id that write what they were asked into a log.
#
#   everything installed       make, and nothing else
#   missing, as root           tools/install-deps.sh, then make
#   missing, a user with sudo  sudo tools/install-deps.sh, then make
#   missing, no sudo           no make; exit 1 and the command to run as root
#
# The real install is proved by tests/fresh-root.sh (a debootstrapped root
# without make).  Ends with "first-command: N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
passed=0
failed=0

# A stand-in script at PATH, whose body is the rest of the arguments.
stand_in() { # path line...
    local path=$1
    shift
    printf '#!/bin/sh\n' >"$path"
    printf '%s\n' "$@" >>"$path"
    chmod +x "$path"
}

# The log of ./start.sh check on a machine: UID, sudo or none, missing or
# installed; then its exit status and its output.
machine() { # uid sudo|none missing|installed
    local folder
    folder=$(mktemp -d "$scratch/machine.XXXXXX") && [ -d "$folder" ] || exit 2
    mkdir -p "$folder/tools" "$folder/bin"
    cp start.sh "$folder/"
    stand_in "$folder/tools/install-deps.sh" \
        "if [ \"\${1:-}\" = --check ]; then [ ! -e '$folder/missing' ]; exit; fi" \
        "echo \"install-deps as \$(id -u)\" >>'$folder/log'" \
        "rm '$folder/missing'"
    stand_in "$folder/bin/make" "echo \"make \$*\" >>'$folder/log'"
    stand_in "$folder/bin/id" "echo $1"
    if [ "$2" = sudo ]; then
        # Under sudo, id says root.
        stand_in "$folder/bin/sudo" "echo \"sudo \$*\" >>'$folder/log'" \
            "printf '#!/bin/sh\\necho 0\\n' >'$folder/bin/id'" 'exec "$@"'
    fi
    for tool in dirname rm; do ln -s "$(command -v "$tool")" "$folder/bin/$tool"; done
    if [ "$3" = missing ]; then : >"$folder/missing"; fi
    touch "$folder/log"
    PATH=$folder/bin "$folder/start.sh" check >"$folder/output" 2>&1
    echo "status $?" >>"$folder/log"
    cat "$folder/log" "$folder/output"
}

expect() { # description expected actual
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1))
        echo "first-command ok: $1"
    else
        failed=$((failed + 1))
        printf 'first-command FAILED: %s\n  expected:\n%s\n  got:\n%s\n' "$1" "$2" "$3"
    fi
}

expect "everything installed: ./start.sh runs make, nothing else" \
    "$(printf 'make check\nstatus 0')" "$(machine 1000 sudo installed)"
expect "missing, as root: tools/install-deps.sh, then make" \
    "$(printf 'install-deps as 0\nmake check\nstatus 0')" "$(machine 0 none missing)"
expect "missing, a user with sudo: sudo tools/install-deps.sh, then make" \
    "$(printf 'sudo tools/install-deps.sh\ninstall-deps as 0\nmake check\nstatus 0')" \
    "$(machine 1000 sudo missing | grep -v '^heapbook:')"
no_sudo=$(machine 1000 none missing)
expect "missing, no sudo: no make, exit 1, the command to run as root" \
    "$(printf 'status 1\nyes')" \
    "$(grep -v '^heapbook:' <<<"$no_sudo"; grep -q 'as root, run .*/tools/install-deps.sh' <<<"$no_sudo" && echo yes)"

echo "first-command: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
