# Sourced by the scripts the student's make targets run (tools/workbook.sh,
# tools/memcheck_run.sh): `"${own_make[@]}" TARGET...` is make with jobs
# of its own.  The make that ran the script lends a script none (its job
# slots are closed to a recipe that is not a make), and a make started
# with its MAKEFLAGS would warn "jobserver unavailable" first thing.
# shellcheck shell=bash
# shellcheck disable=SC2034 # used by the scripts that source this
own_make=(env "MAKEFLAGS=$(sed -E 's/(^| )--jobserver-(auth|fds)=[^ ]*//; s/(^| )-j[0-9]*( |$)/\1/' \
    <<<"${MAKEFLAGS:-}")" make --no-print-directory -j"$(nproc 2>/dev/null || echo 2)")
