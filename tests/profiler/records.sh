# shellcheck shell=bash
# Capture records (profiler/capture.h) written byte by byte, for crafting
# captures in tests/profiler/corpus.sh and check.sh (sourced); pipe them
# into build/tests/profiler/craft_capture for a capture file.

# Bytes, written with printf's octal escapes.
# shellcheck disable=SC2059 # the format is the escape that makes the byte
byte() { printf "\\$(printf '%03o' "$1")"; }
varint() {
    local v=$1
    while [ "$v" -ge 128 ]; do
        byte $(((v & 127) | 128))
        v=$((v >> 7))
    done
    byte "$v"
}
u64() { for ((i = 0; i < 8; i++)); do byte $((($1 >> (8 * i)) & 255)); done; }

# The records most captures need.
hello() { printf H; varint 4242; varint 1; u64 0; u64 1000; byte 0; varint 5; printf 'prog\0'; }
module() { # PATH: a module at 4 MiB, 64 KiB long, build-id "abcd"
    printf L; varint 4194304; varint 0; varint 65536; byte 4; printf 'abcd'; varint ${#1}; printf "%s" "$1"
}
stack() { printf S; varint "$1"; varint 1; varint 4198400; } # ID: one frame, in the module
info() { printf I; varint "$1"; varint "$2"; }                # SIZE STACK
event() { printf "%s" "$1"; varint "$2"; }                    # TAG INFO
tick() { printf T; varint "$1"; }                             # NS since the last 'T'
sample() { printf M; u64 $((1000 + $1)); varint 1048576; }    # NS after hello's start: 1 MiB resident
# KIND GAP COUNT [GAP COUNT...]: a 'G' group, counts of events by info
group() {
    printf G
    byte "$1"
    shift
    byte $(($# / 2))
    for n in "$@"; do varint "$n"; done
}
