#!/usr/bin/env bash
# Writes the hostile captures of tests/profiler/regressions.tsv into the
# fuzzer's corpus (tests/profiler/corpus/regression-*), each a selector
# byte (0x02: stats, tests/profiler/fuzz_capture.c) then a capture crafted
# record by record (capture.h) with build/tests/profiler/craft_capture.
# Each is a way a capture once crashed, hung or exhausted a reader, or one
# that could; tests/profiler/check.sh runs every command on each.
#
#   tests/profiler/regressions.sh     (after make build/tests/profiler/craft_capture)
set -eu
cd "$(dirname "$0")/../.."
craft=build/tests/profiler/craft_capture
corpus=tests/profiler/corpus

# Bytes, written with printf's octal escapes.
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
hello() { printf H; varint 4242; varint 1; u64 0; u64 1000; byte 0; varint 5; printf 'prog\0'; }
stack() { printf S; varint "$1"; varint 1; varint 4198400; } # one frame
info() { printf I; varint "$1"; varint "$2"; }                 # size, stack
event() { printf "%s" "$1"; varint "$2"; }                    # tag, info

# save NAME SELECTOR: the records on stdin, as a capture, into the corpus.
save() {
    { byte "$2"; $craft; } >"$corpus/regression-$1"
}

# A time that overflows: the curve of the old reader divided by end + 1.
{ hello; printf T; varint $(((1 << 62) + 5)); printf T; varint $(((1 << 62) + 7)); stack 1; info 100 1; event A 1; } |
    save time-overflow 2
# Frees with nothing to free (the old reader's table of address 0 filled up).
{ hello; stack 1; info 100 1; for _ in 1 2 3; do event F 1; done; } | save free-never-allocated 2
# 5000 modules (the old reader kept every one: 2.3 GB for 100k).
{
    hello
    for ((m = 0; m < 5000; m++)); do
        printf L; varint $((m * 4096)); varint 0; varint 4096; byte 0; varint 13; printf '/lib/m%07d' "$m"
    done
} | save many-modules 2
# A module that is a device: reading it would never end.
{ hello; printf l; printf L; varint 4194304; varint 0; varint 1048576; byte 0; varint 9; printf /dev/zero; stack 1; info 64 1; event A 1; printf E; } |
    save module-device 2
# Stacks out of order, an info never written, records before the hello.
{ hello; stack 5; } | save stack-out-of-order 2
{ hello; stack 1; event A 7; } | save unknown-info 2
{ stack 1; hello; } | save no-hello 2
{ hello; printf E; stack 1; } | save after-the-end 2
{ hello; printf T; for _ in 1 2 3 4 5 6 7 8 9 10 11; do byte 255; done; byte 1; } | save long-number 2
# A command line of a gigabyte.
{ printf H; varint 1; varint 1; u64 0; u64 0; byte 0; varint $((1 << 30)); printf x; } | save huge-arguments 2
{ hello; printf H; varint 1; varint 1; u64 0; u64 0; byte 0; varint 1; printf 'x'; } | save second-hello 2
# A stack deeper than any, and one cut short.
{ hello; printf S; varint 1; varint 100000; } | save deep-stack 2
{ hello; printf S; varint 1; varint 3; varint 4198400; } | save truncated-stack 2
# 4 million time records from a few kilobytes: bounded memory, some time.
printf 'T\001' >"$corpus/.records"
for _ in $(seq 22); do cat "$corpus/.records" "$corpus/.records" >"$corpus/.doubled" && mv "$corpus/.doubled" "$corpus/.records"; done
{ hello; cat "$corpus/.records"; } | save many-records 2
rm "$corpus/.records"
# A zstd frame that asks for a 1 GiB window.
{
    byte 2
    printf 'HBCAP3\n\0\3\0\0\0\1\0\0\0'
    printf '\050\265\057\375\000\240\011\000\000H'
} >"$corpus/regression-huge-window"
