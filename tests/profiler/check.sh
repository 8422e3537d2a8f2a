#!/usr/bin/env bash
# The profiler's tests (make check runs them): heapbook's figures against
# hand-computed ones and against the harness's, stacks through a shared
# library in PIE and non-PIE programs, damaged captures, and escaping in the
# flame graph page.  Prints one line per check and "profiler: N passed, M
# failed"; exits 1 if any failed.
set -u
cd "$(dirname "$0")/../.."

heapbook=build/bin/heapbook
programs=build/tests/profiler
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "profiler ok: $1"; }
bad() { failed=$((failed + 1)); printf 'profiler FAILED: %s\n' "$1"; }

# expect_in TEXT_FILE STRING...: every STRING appears in the file.
expect_in() {
    local file=$1 missing=""
    shift
    for want in "$@"; do
        grep -qF -- "$want" "$file" || missing+="  $want"$'\n'
    done
    printf '%s' "$missing"
}

# 1. A program whose heap is worked out by hand (tests/profiler/peaks.c).
$heapbook run -o "$scratch/peaks.hbcap" $programs/peaks 2>/dev/null
$heapbook stats --json "$scratch/peaks.hbcap" >"$scratch/peaks.json"
missing=$(expect_in "$scratch/peaks.json" '"allocations": 4,' '"frees": 3,' '"peak_bytes": 4500,' \
    '"leaked_bytes": 4000,' '"leaked_blocks": 1,')
[ -z "$missing" ] && ok "peaks.c: peak 4500 B, 4000 B never freed, 4 allocations, as worked out" ||
    bad "peaks.c: heapbook stats --json lacks:
$missing"

# 2. The same code under the harness and under heapbook: the same peak.
harness_peak=$(build/exercises/01-fibonacci/tests --results "$scratch/r.tsv" >/dev/null;
    awk -F'\t' '$2 == "test_fibonacci_memory" { print $5 }' "$scratch/r.tsv")
$heapbook run -o "$scratch/fib.hbcap" build/exercises/01-fibonacci/program >/dev/null 2>&1
profiler_peak=$($heapbook stats --json "$scratch/fib.hbcap" | grep -o '"peak_bytes": [0-9]*' | grep -o '[0-9]*$')
[ -n "$harness_peak" ] && [ "$harness_peak" = "$profiler_peak" ] &&
    ok "exercise 01: heapbook's peak is the harness's, to the byte ($profiler_peak B)" ||
    bad "exercise 01: heapbook says ${profiler_peak:-nothing}, the harness ${harness_peak:-nothing}"

# 3. Stacks through a shared library, in a PIE and a non-PIE program.
library_line=$(grep -n LIBRARY_ALLOCATES tests/profiler/library.c | cut -d: -f1)
program_line=$(grep -n PROGRAM_CALLS_LIBRARY tests/profiler/uses_library.c | cut -d: -f1)
for kind in pie nopie; do
    $heapbook run -o "$scratch/$kind.hbcap" $programs/uses_library_$kind 2>/dev/null
    $heapbook tree "$scratch/$kind.hbcap" >"$scratch/$kind.txt"
    missing=$(expect_in "$scratch/$kind.txt" "main (tests/profiler/uses_library.c:$program_line)" \
        "make_in_library (tests/profiler/library.c:$library_line)" "4.0 KiB")
    [ -z "$missing" ] && ok "uses_library ($kind): main and the library's function at their lines" ||
        bad "uses_library ($kind): heapbook tree lacks:
$missing$(cat "$scratch/$kind.txt")"
done

# 4. Exit status and output pass through unchanged.
$heapbook run -o "$scratch/false.hbcap" sh -c 'echo out; exit 7' >"$scratch/out.txt" 2>/dev/null
status=$?
[ "$status" -eq 7 ] && [ "$(cat "$scratch/out.txt")" = out ] &&
    ok "heapbook run passes the exit status (7) and the output through" ||
    bad "heapbook run: exit status $status, output '$(cat "$scratch/out.txt")'"

# 5. Damaged captures: cut short or with a byte flipped, heapbook says what
# and where, and never crashes (a crash would be status 128 and above).
capture=$scratch/peaks.hbcap
size=$(stat -c %s "$capture")
crashes=""
for ((cut = 0; cut < size; cut += 3)); do
    head -c "$cut" "$capture" >"$scratch/cut.hbcap"
    $heapbook stats "$scratch/cut.hbcap" >/dev/null 2>"$scratch/err.txt"
    status=$?
    [ "$status" -ge 128 ] && crashes+=" cut at $cut"
done
for ((at = 0; at < size; at++)); do
    cp "$capture" "$scratch/flip.hbcap"
    printf '\xa5' | dd of="$scratch/flip.hbcap" bs=1 seek="$at" conv=notrunc status=none
    $heapbook stats "$scratch/flip.hbcap" >/dev/null 2>&1
    [ $? -ge 128 ] && crashes+=" byte $at flipped"
done
head -c 40 "$capture" >"$scratch/short.hbcap"
$heapbook stats "$scratch/short.hbcap" 2>"$scratch/short.txt" >/dev/null
printf 'HBCAP1\n\0\1\0\0\0' >"$scratch/tiny.hbcap"
$heapbook stats "$scratch/tiny.hbcap" 2>"$scratch/tiny.txt" >/dev/null
echo "not a capture" >"$scratch/text.hbcap"
$heapbook stats "$scratch/text.hbcap" 2>"$scratch/text.txt" >/dev/null
if [ -z "$crashes" ] && grep -qF "$scratch/short.hbcap: truncated at byte" "$scratch/short.txt" &&
    grep -qF "$scratch/tiny.hbcap: truncated at byte 12: the header needs 28 bytes" "$scratch/tiny.txt" &&
    grep -qF "$scratch/text.hbcap: not a heapbook capture" "$scratch/text.txt"; then
    ok "damaged captures (a $size-byte capture cut every 3 bytes, and each byte flipped): clear errors, no crash"
else
    bad "damaged captures:${crashes:- no crash, but messages differ:}
$(cat "$scratch/short.txt" "$scratch/tiny.txt" "$scratch/text.txt")"
fi

# 6. Names and arguments cannot break the page: a symbol "make<int>" and
# an argument "</script><script>window.pwned=1</script>".
$heapbook run -o "$scratch/odd.hbcap" $programs/odd_names '</script><script>window.pwned=1</script>' 2>/dev/null
$heapbook flamegraph -o "$scratch/odd.html" "$scratch/odd.hbcap" 2>/dev/null
if grep -qF 'make\u003cint\u003e' "$scratch/odd.html" && ! grep -qF 'window.pwned=1</script>' "$scratch/odd.html" &&
    [ "$(grep -c '</script>' "$scratch/odd.html")" = "$(grep -c '</script>' profiler/web/page.html)" ]; then
    ok "flame graph page: names and arguments are escaped"
else
    bad "flame graph page: an unescaped name or argument in $scratch/odd.html"
fi

# 7. export --format collapsed: one line per stack, frames joined by ';'.
$heapbook export --format collapsed "$scratch/fib.hbcap" >"$scratch/fib.collapsed"
grep -qx 'main;fibonacci_hash;sum_of_fibonacci;fibonacci 524288' "$scratch/fib.collapsed" &&
    ok "export --format collapsed: main;fibonacci_hash;sum_of_fibonacci;fibonacci 524288" ||
    bad "export --format collapsed: $(cat "$scratch/fib.collapsed")"

# 8. --diff: the starter against the solution of exercise 01: every frame
# of the starter's array shrinks by all of it.
$heapbook run -o "$scratch/after.hbcap" build/solutions/01-fibonacci/program >/dev/null 2>&1
$heapbook flamegraph --diff "$scratch/fib.hbcap" "$scratch/after.hbcap" -o "$scratch/diff.html" 2>/dev/null
if grep -qF '"mode": "diff"' "$scratch/diff.html" &&
    grep -qF '"name": "sum_of_fibonacci", "file": "exercises/01-fibonacci/fibonacci.c", "line": 38, "value": 524288, "allocations": 1, "delta": -524288' "$scratch/diff.html"; then
    ok "flamegraph --diff: the starter's array shows as 512.0 KiB that the solution no longer holds"
else
    bad "flamegraph --diff: no shrinking sum_of_fibonacci frame in $scratch/diff.html"
fi

# 9. --follow-fork: a shell that starts a program (fork and exec) gives one
# capture for the shell and one, CAPTURE.PID, for the child; without it, one.
mkdir -p "$scratch/fork" "$scratch/nofork"
$heapbook run --follow-fork -o "$scratch/fork/sh.hbcap" sh -c '/bin/true; echo done' >/dev/null 2>&1
$heapbook run -o "$scratch/nofork/sh.hbcap" sh -c '/bin/true; echo done' >/dev/null 2>&1
children=$(find "$scratch/fork" -name 'sh.hbcap.*' | wc -l)
if [ "$children" -ge 1 ] && [ "$(ls "$scratch/nofork" | wc -l)" -eq 1 ] &&
    $heapbook stats "$(find "$scratch/fork" -name 'sh.hbcap.*' | head -n 1)" >/dev/null 2>&1; then
    ok "--follow-fork: the child's capture is CAPTURE.PID and readable; without it, none"
else
    bad "--follow-fork: $children child captures; without it: $(ls "$scratch/nofork")"
fi

echo "profiler: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
