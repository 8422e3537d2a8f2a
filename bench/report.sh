#!/bin/sh
# Runs the workload in every configuration and prints one table: a row per
# workload, a column per configuration, each cell the median time and its
# ratio to glibc's.  Stops if a build calls another malloc than its column
# says, or if two configurations disagree on a checksum (different work).
#
#   sh bench/report.sh DIR     (DIR holds the workload-* binaries; the
#                               Makefile passes build/bench)
set -eu
dir=${1:?usage: report.sh DIR (the directory of the workload-* binaries)}
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# column, binary, --scope, a pattern for the file its malloc must be in, and
# what the column measures
configurations="
glibc     workload-glibc     none    libc.so.*         glibc's malloc
mimalloc  workload-mimalloc  none    libmimalloc.so.*  mimalloc's malloc
harness   workload-harness   none    workload-harness  the harness, no scope open
counts    workload-harness   counts  workload-harness  the harness, in an HB_SCOPE_COUNTS_ONLY scope
stacks    workload-harness   stacks  workload-harness  the harness, in an HB_SCOPE_STACKS scope
"

while read -r column binary scope expected legend; do
    [ -n "$column" ] || continue
    printf '%-9s %s\n' "$column" "$legend" >>"$results/legend"
    echo "bench: $column: $binary --scope $scope" >&2
    "$dir/$binary" --scope "$scope" >"$results/$column"
    provider=$(awk -F '\t' '$1 == "malloc" { print $2 }' "$results/$column")
    # shellcheck disable=SC2254 # $expected is a pattern
    case $provider in
    $expected) ;;
    *)
        echo "bench: $binary calls the malloc of $provider, expected $expected" >&2
        exit 1
        ;;
    esac
done <<EOF
$configurations
EOF

columns=$(echo "$configurations" | awk 'NF { print $1 }')
cd "$results"
cat legend
# shellcheck disable=SC2086 # one file per column, in column order
awk -F '\t' '
FNR == 1 { column[++columns] = FILENAME }
$1 == "median_of" { runs = $2 }
$1 == "row" {
    if (!($2 in checksum)) {
        order[++rows] = $2
        checksum[$2] = $4
    } else if (checksum[$2] != $4) {
        printf "bench: %s: checksum %s under %s, %s under %s\n", $2, $4, FILENAME,
            checksum[$2], column[1] > "/dev/stderr"
        failed = 1
        exit 1
    }
    ns[$2, FILENAME] = $3
}
END {
    if (failed)
        exit 1
    printf "\nmedian of %d runs: milliseconds, and the ratio to glibc\n\n", runs
    printf "%-16s", "workload"
    for (c = 1; c <= columns; c++)
        printf "  %15s", column[c]
    printf "  checksum\n"
    for (r = 1; r <= rows; r++) {
        row = order[r]
        printf "%-16s", row
        for (c = 1; c <= columns; c++)
            printf "  %7.1f %6.2fx", ns[row, column[c]] / 1e6, ns[row, column[c]] / ns[row, "glibc"]
        printf "  %s\n", checksum[row]
    }
}' $columns
