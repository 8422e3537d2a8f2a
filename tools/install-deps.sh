#!/bin/sh
# Installs the Debian/Ubuntu packages heapbook needs, if any is missing.
# Used by the Makefile (on first build), by CI and by the devcontainer's
# Dockerfile, so all three install exactly the same things.
#
#   tools/install-deps.sh            install what is missing (needs root)
#   tools/install-deps.sh --check    only report; exit 1 if something is missing
#   tools/install-deps.sh --browser  also Chromium, for the flame graph page's
#                                    browser test (make test-web)
set -eu

# Everything a documented command needs (make, make check, make memcheck,
# make valgrind, make flamegraph, make grade, .ci/run), so that a clone on a
# Debian machine, CI and the devcontainer have the same:
#   gcc, make, pkg-config     build; clang builds the harness's own tests a
#                             second time in make check (both must work)
#   libcunit1-dev             runs the suites
#   libmimalloc-dev           the allocator behind the counters
#   libunwind-dev, libdw-dev  unwind stacks; turn addresses into f (file:line)
#   libc6-dbg                 libc's line numbers in those stacks, and the
#                             symbols valgrind needs to start
#   binutils                  nm and objcopy list mimalloc's exports and seal
#                             the harness
#   bsdutils                  script(1) gives the tests a terminal
#   libzstd-dev               the profiler's captures are zstd streams
#   zlib1g-dev                export --format pprof writes gzip, as pprof reads;
#                             exercise 17 is built on zlib (mk/exercises.mk)
#   libc-devtools             glibc's memusage, which the profiler's tests
#                             check its peaks against
#   valgrind                  make valgrind, and make check's memcheck selftest
#   python3, python3-yaml     tools/*.py: make grade, make compile_commands.json,
#                             the checks of the CI and container files
#   cmake                     CMakeLists.txt: ctest runs the tests, for editors
#                             (docs/editor.md); make check configures it
#   libxml2-utils             xmllint: make check-grade validates make grade's
#                             JUnit files against a JUnit schema
#   clang-tidy, cppcheck,     make lint (mk/lint.mk), which .ci/run runs: the
#   and ShellCheck            clang analyzer and bugprone checks, cppcheck,
#                             and every shell script checked (shellcheck)
PACKAGES="gcc clang make pkg-config binutils bsdutils libcunit1-dev libmimalloc-dev libunwind-dev
libdw-dev libzstd-dev zlib1g-dev libc-devtools libc6-dbg valgrind python3 python3-yaml cmake libxml2-utils
clang-tidy cppcheck shellcheck"

missing=""
for package in $PACKAGES; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing="$missing $package"
done
# npm fetches d3 and d3-flame-graph, which are built into heapbook's flame
# graph page (the first `make` installs them: see the top Makefile);
# any node and npm will do, so look for the commands.
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
for option in "$@"; do
    [ "$option" = --browser ] && ! command -v chromium >/dev/null 2>&1 && missing="$missing chromium"
done

[ -z "$missing" ] && exit 0
case " $* " in *" --check "*) check_only=1 ;; *) check_only="" ;; esac
if [ -n "$check_only" ]; then
    echo "heapbook: missing packages:$missing" >&2
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "heapbook: missing packages:$missing; run: sudo $0${*:+ $*}" >&2
    exit 1
fi
echo "heapbook: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # one word per package
apt-get install -y -qq --no-install-recommends $missing >/dev/null
