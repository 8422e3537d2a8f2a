#!/usr/bin/env bash
# make -C bench instructions: the instructions one small malloc/free pair
# costs, counted by callgrind (the same count at every run, whatever else
# the machine does), for glibc, mimalloc, the minimal exact counter
# (minimal_counter.c: the floor of counting) and the harness in each of its
# modes.  Each build runs bench/pairs.c twice, with N and 2N pairs; the
# difference over N is one pair's cost, start-up and exit cancelled.
#
#   bash bench/instructions.sh DIR   (DIR holds the pairs-* binaries)
set -eu
dir=${1:?usage: instructions.sh DIR (the directory of the pairs-* binaries)}
. "$(dirname "$0")/lib.sh"
need valgrind valgrind
machine

N=20000

# Instructions of a run: callgrind's "Collected" total.
instructions() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 |
        awk '/Collected :/ { print $NF }'
}

per_pair() { # binary scope
    local one two
    one=$(instructions "$dir/$1" "$N" --scope "$2")
    two=$(instructions "$dir/$1" $((2 * N)) --scope "$2")
    echo $(((two - one) / N))
}

printf '%-10s %-45s %12s %12s\n' column "what each pair goes through" instructions "/ mimalloc"
mimalloc=$(per_pair pairs-mimalloc none)
while read -r column binary scope legend; do
    [ -n "$column" ] || continue
    cost=$(per_pair "$binary" "$scope")
    printf '%-10s %-45s %12d %11sx\n' "$column" "$legend" "$cost" \
        "$(awk -v a="$cost" -v b="$mimalloc" 'BEGIN { printf "%.2f", a / b }')"
done <<'ROWS'
glibc     pairs-glibc    none    glibc's malloc
mimalloc  pairs-mimalloc none    mimalloc's malloc
minimal   pairs-minimal  none    the minimal exact counter, over mimalloc
harness   pairs-harness  none    the harness, no scope open
counts    pairs-harness  counts  the harness, counting scope
stacks    pairs-harness  stacks  the harness, scope with stacks
quarantine pairs-harness quarantine the same, freed blocks held back
test      pairs-harness  test    as a test runs: two scopes, stacks, quarantine
ROWS
