#!/bin/sh
# Prints every allocation function that Debian's libmimalloc.so exports
# under a name of the C library or of C++ (not its own mi_* API): the
# entry points the harness must define, or they would bypass its counters.
set -eu
# shellcheck disable=SC2012 # ls drops the patterns that match nothing
library=$(ls /usr/lib/*/libmimalloc.so /usr/lib/libmimalloc.so 2>/dev/null | head -n 1)
[ -n "$library" ] || { echo "mimalloc-exports: libmimalloc.so not found (tools/install-deps.sh)" >&2; exit 1; }
nm -D --defined-only "$library" | awk '$2 ~ /^[TWiV]$/ && $3 !~ /^_?mi_/ { print $3 }' | sort -u
