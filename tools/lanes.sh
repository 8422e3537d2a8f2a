# shellcheck shell=bash
# shellcheck disable=SC2154 # $scratch is set by the script that sources this file
# Lanes: commands run in the background beside a script's own work, each
# waited for by a file it writes when it ends, not by its pid.  A run of
# make check or make grade starts tens of thousands of processes, and where
# pid_max is 32768 a lane's pid can be taken again before it is waited for:
# bash then forgets the lane ("wait: pid N is not a child of this shell"),
# `wait` returns at once, and its output would be read before it is whole.
# Sourced by tests/check.sh and tools/workbook.sh; both set $scratch.

# start_lane NAME COMMAND...: runs it in the background (with the caller's
# redirections); its status goes in $scratch/NAME.status when it ends.  Its
# pid is added to the array `lanes`, for a trap that stops them all.
start_lane() {
    local name=$1
    shift
    rm -f "$scratch/$name.status"
    {
        "$@"
        echo $? >"$scratch/$name.status.part" && mv "$scratch/$name.status.part" "$scratch/$name.status"
    } &
    lanes+=($!)
}

# end_lane NAME: waits for the lane to end; returns its status.
end_lane() {
    while [ ! -e "$scratch/$1.status" ]; do
        wait -n 2>/dev/null || sleep 0.1
    done
    return "$(cat "$scratch/$1.status")"
}
