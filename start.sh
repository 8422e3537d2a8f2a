#!/bin/sh
# The first command on a fresh Debian or Ubuntu, where even make may be
# missing (README, "Start"): installs the packages heapbook needs
# (tools/install-deps.sh: make, the compilers, the libraries), as root or
# with sudo, then runs the workbook: `make`, which shows the exercise to
# work on.  Afterwards `make` alone does the same.
#
#   ./start.sh [MAKE ARGUMENT...]     e.g. ./start.sh check
#
# POSIX sh, no bash or make needed: a minimal Debian root has neither make
# nor bash's extras.
set -eu
cd "$(dirname "$0")"
if ! tools/install-deps.sh --check; then
    if [ "$(id -u)" -eq 0 ]; then
        tools/install-deps.sh
    elif command -v sudo >/dev/null 2>&1; then
        echo "heapbook: installing them with sudo tools/install-deps.sh (it may ask for your password)" >&2
        sudo tools/install-deps.sh
    else
        echo "heapbook: there is no sudo here: as root, run $(pwd)/tools/install-deps.sh," \
            "then ./start.sh again" >&2
        exit 1
    fi
fi
exec make "$@"
