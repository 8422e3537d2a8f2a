#!/usr/bin/env bash
# Writes the fuzzer's corpus, tests/profiler/corpus/ (make fuzz): each
# input a selector byte (tests/profiler/fuzz_capture.c) then a capture or
# its records.
#
#   regression-*   the hostile captures of tests/profiler/regressions.tsv:
#                  those make fuzz found, as it found them (not written
#                  here), and the others crafted record by record (capture.h) with
#                  build/tests/profiler/craft_capture: each a way a capture
#                  once crashed, hung or exhausted a reader, or one that
#                  could; tests/profiler/check.sh runs every command on each
#   (hash names)   what make fuzz found that reaches code no other input
#                  does, kept with libFuzzer's merge (not written here):
#                  build/fuzz/fuzz_capture -merge=1 tests/profiler/corpus build/fuzz/corpus
#   seed-*         a capture with every kind of record, as records, for
#                  every command: its modules are not on disk, or are
#                  /bin/true (symbols without lines), so that the fuzzer
#                  spends its time in heapbook's code, not in libdw reading
#                  the C library's debug information.  Real captures are
#                  tests/profiler/check.sh's.
#
#   tests/profiler/corpus.sh     (after make check has built what it runs)
set -eu
cd "$(dirname "$0")/../.."
craft=build/tests/profiler/craft_capture
corpus=tests/profiler/corpus

# shellcheck source=tests/profiler/records.sh
. tests/profiler/records.sh

# save NAME SELECTOR: the records on stdin, as a capture, into the corpus.
save() {
    { byte "$2"; $craft; } >"$corpus/regression-$1"
}

rm -f "$corpus"/seed-*

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
{ hello; printf l; module /dev/zero; stack 1; info 64 1; event A 1; printf E; } | save module-device 2
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
# 16 thousand time records from a few hundred bytes: in bounded memory, as
# any number would be (a report on a real capture of 50 million records takes 7 MiB:
# docs/performance.md).
printf 'T\001' >"$corpus/.records"
for _ in $(seq 14); do cat "$corpus/.records" "$corpus/.records" >"$corpus/.doubled" && mv "$corpus/.doubled" "$corpus/.records"; done
{ hello; cat "$corpus/.records"; } | save many-records 2
rm "$corpus/.records"
# A zstd frame that asks for a 1 GiB window.
{
    byte 2
    printf 'HBCAP3\n\0\3\0\0\0\1\0\0\0'
    printf '\050\265\057\375\000\240\011\000\000H'
} >"$corpus/regression-huge-window"

# Every kind of record, as records (selector bit 5), for every command.
crafted() { # MODULE-PATH LAST-RECORDS
    hello
    printf T; varint 1000
    printf l
    module "$1"
    printf S; varint 1; varint 3; varint 4198400; varint 4198500; varint 4198600
    printf S; varint 2; varint 2; varint 4198410; varint 4198600
    info 100 1; info 4000 2
    event A 1; event A 2; printf T; varint 5000; event F 1; event K 1; event A 1
    printf M; u64 7000; varint 1500000
    printf T; varint 50000; event F 2
    printf T; varint 90000; event A 2; event B 2
    byte $((0x80 | 1)); varint 0; byte $((0xc0 | 0)); byte $((0x80 | 2)); varint 0 # short: A 1, F 1, A 2
    printf t # a temporary free: of the A 2 just before
    # the frames' names heapbook run adds (format 4)
    printf N; varint 1; varint 4; printf main
    printf N; varint 2; varint 6; printf 'prog.c'
    printf R; varint 4198400; varint 2; varint 1; varint 2; varint 7; varint 0; varint 0
    varint 0; varint 0; varint 0; varint 0; varint 16
    printf "%s" "$2"
}
for selector in 32 33 34 35 36 37 38 39 40 41 43 44 48 53 99 163 227; do
    { byte "$selector"; crafted /nonexistent/prog E; } >"$corpus/seed-crafted-$selector"
done
for selector in 32 34 36; do
    { byte "$selector"; crafted /bin/true E; } >"$corpus/seed-true-$selector"
done
{ byte 34; crafted /nonexistent/prog X; byte 1; varint 11; } >"$corpus/seed-crafted-killed"
