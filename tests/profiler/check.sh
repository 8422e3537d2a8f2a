#!/usr/bin/env bash
# The profiler's tests (make check runs them), each on a program made for
# it (tests/profiler/*.c: each says what it does and its figures): figures
# against hand-computed ones, the harness's and glibc's memusage; what
# heapbook run must never do to the program; symbols; damaged and hostile
# captures; the page's data, folded by the page's own model.  Prints one
# line per check and "profiler: N passed, M failed"; exits 1 if any failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

heapbook=build/bin/heapbook
programs=build/tests/profiler
scratch=$(mktemp -d)
trap 'chmod -R u+w "$scratch"; rm -rf "$scratch"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "profiler ok: $1"; }
bad() { failed=$((failed + 1)); printf 'profiler FAILED: %s\n' "$1"; }
# check CONDITION-STATUS "what it proves" "what went wrong"
check() { if [ "$1" -eq 0 ]; then ok "$2"; else bad "$3"; fi; }

# expect_in FILE STRING...: the STRINGs missing from FILE, one a line.
expect_in() {
    local file=$1 missing=""
    shift
    for want in "$@"; do
        grep -qF -- "$want" "$file" || missing+="  $want"$'\n'
    done
    printf '%s' "$missing"
}

# figure CAPTURE NAME: a figure of heapbook stats --json.
figure() { $heapbook stats --json "$1" 2>/dev/null | grep -o "\"$2\": [a-z0-9]*" | head -n 1 | grep -o '[a-z0-9]*$'; }

# line_of FILE MARK: the line holding MARK (a comment in a test program).
line_of() { grep -n "$2" "$1" | cut -d: -f1; }

model() { node tests/profiler/page_model.mjs "$@"; }

# shellcheck source=tests/profiler/records.sh
. tests/profiler/records.sh

# 1. A program whose heap is worked out by hand (tests/profiler/peaks.c),
#    under the program's own allocator and under mimalloc.
for allocator in "" --mimalloc; do
    $heapbook run $allocator -o "$scratch/peaks.hbcap" $programs/peaks 2>/dev/null
    $heapbook stats --json "$scratch/peaks.hbcap" >"$scratch/peaks.json"
    missing=$(expect_in "$scratch/peaks.json" '"allocations": 4,' '"frees": 3,' '"peak_bytes": 4500,' \
        '"leaked_bytes": 4000,' '"leaked_blocks": 1,')
    [ -z "$missing" ]
    check $? "peaks.c${allocator:+ ($allocator)}: peak 4500 B, 4000 B never freed, 4 allocations, as worked out" \
        "peaks.c${allocator:+ ($allocator)}: heapbook stats --json lacks:
$missing"
done
cp "$scratch/peaks.hbcap" "$scratch/peaks-mimalloc.hbcap"
$heapbook run -o "$scratch/peaks.hbcap" $programs/peaks 2>/dev/null

# 2. The same code under the harness and under heapbook: the same peak.
harness_peak=$(
    build/exercises/01-fibonacci/tests --results "$scratch/r.tsv" >/dev/null
    awk -F'\t' '$2 == "test_fibonacci_memory" { print $5 }' "$scratch/r.tsv"
)
$heapbook run -o "$scratch/fib.hbcap" build/exercises/01-fibonacci/program >/dev/null 2>&1
profiler_peak=$(figure "$scratch/fib.hbcap" peak_bytes)
[ -n "$harness_peak" ] && [ "$harness_peak" = "$profiler_peak" ]
check $? "exercise 01: heapbook's peak is the harness's, to the byte ($profiler_peak B)" \
    "exercise 01: heapbook says ${profiler_peak:-nothing}, the harness ${harness_peak:-nothing}"

# 3. Against glibc's memusage, which sees every allocation from the first
#    too: a library's constructor allocates before main (and before
#    heapbook's own constructor may run).
memusage_peak() { memusage "$@" 2>&1 >/dev/null | grep -o 'heap peak: [0-9]*' | grep -o '[0-9]*$'; }
$heapbook run -o "$scratch/ctor.hbcap" $programs/uses_constructor 2>/dev/null
$heapbook tree "$scratch/ctor.hbcap" >"$scratch/ctor.txt" 2>&1
ctor_peak=$(figure "$scratch/ctor.hbcap" peak_bytes)
reference=$(memusage_peak $programs/uses_constructor)
reference_peaks=$(memusage_peak $programs/peaks)
missing=$(expect_in "$scratch/ctor.txt" \
    "allocate_at_load (tests/profiler/constructor_library.c:$(line_of tests/profiler/constructor_library.c CONSTRUCTOR_ALLOCATES))")
[ "$ctor_peak" = 128456 ] && [ "$reference" = 128456 ] && [ "$reference_peaks" = 4500 ] && [ -z "$missing" ]
check $? "a library constructor's 123456 B are seen: peak 128456 B, as worked out and as memusage says (and 4500 B for peaks.c)" \
    "constructor: heapbook peak ${ctor_peak:-none}, memusage ${reference:-none} (peaks.c: ${reference_peaks:-none}), wanted 128456 and 4500;
$missing$(cat "$scratch/ctor.txt")"

# 4. Stacks through a shared library, in a PIE and a non-PIE program.
library_line=$(line_of tests/profiler/testlib.c LIBRARY_ALLOCATES)
program_line=$(line_of tests/profiler/uses_library.c PROGRAM_CALLS_LIBRARY)
for kind in pie nopie; do
    $heapbook run -o "$scratch/$kind.hbcap" $programs/uses_library_$kind 2>/dev/null
    $heapbook tree "$scratch/$kind.hbcap" >"$scratch/$kind.txt"
    missing=$(expect_in "$scratch/$kind.txt" "main (tests/profiler/uses_library.c:$program_line)" \
        "make_in_library (tests/profiler/testlib.c:$library_line)" "4.0 KiB")
    [ -z "$missing" ]
    check $? "uses_library ($kind): main and the library's function at their lines" \
        "uses_library ($kind): heapbook tree lacks:
$missing$(cat "$scratch/$kind.txt")"
done

# 5. Exit status and output pass through unchanged.
$heapbook run -o "$scratch/status.hbcap" sh -c 'echo out; exit 7' >"$scratch/out.txt" 2>/dev/null
status=$?
[ "$status" -eq 7 ] && [ "$(cat "$scratch/out.txt")" = out ]
check $? "heapbook run passes the exit status (7) and the output through" \
    "heapbook run: exit status $status, output '$(cat "$scratch/out.txt")'"

# 5b. Threads allocating and freeing at once: every event in order.
$heapbook run -o "$scratch/threads.hbcap" $programs/threads 2>/dev/null
$heapbook stats --json "$scratch/threads.hbcap" >"$scratch/threads.json" 2>&1
missing=$(expect_in "$scratch/threads.json" '"allocations": 80008,' '"frees": 80000,' \
    '"leaked_bytes": 4000,' '"leaked_blocks": 4,' '"library_blocks": 4,')
[ -z "$missing" ]
check $? "four threads at once: 80008 allocations, 80000 frees, 4000 B never freed, the threads' TLS tables the C library's" \
    "threads: heapbook stats --json lacks:
$missing$(head -c 600 "$scratch/threads.json")"

# 5d. The table that matches each free to its allocation
# (profiler/addrmap.c), against the simplest one that can be trusted,
# including a bucket filled past its end (tests/profiler/addrmap_check.c).
$programs/addrmap_check >"$scratch/addrmap.txt" 2>&1
check $? "the live-block table gives the same answers as a plain array ($(cut -d' ' -f2 "$scratch/addrmap.txt") operations)" \
    "$(cat "$scratch/addrmap.txt")"

# 5e. A sample of the resident set size taken in a tick is written after
#     the tick's events before it, not before them with the tick's
#     earlier time (tests/profiler/transcoder_check.c).
$programs/transcoder_check >"$scratch/transcoder.txt" 2>&1
check $? "a sample taken in a tick follows the tick's events before it" "$(cat "$scratch/transcoder.txt")"

# 5c. Temporary allocations, as heaptrack counts them (a block freed right
#     after it was allocated): temporary.c's 11 of 14, in stats (text and
#     JSON) and summary; and the peak resident set size sampled.
$heapbook run -o "$scratch/temporary.hbcap" $programs/temporary 2>/dev/null
$heapbook stats "$scratch/temporary.hbcap" >"$scratch/temporary.txt" 2>&1
$heapbook summary "$scratch/temporary.hbcap" >>"$scratch/temporary.txt" 2>&1
rss=$(figure "$scratch/temporary.hbcap" peak_rss_bytes)
missing=$(expect_in "$scratch/temporary.txt" "Temporary:          11 allocations freed right after allocation (78.6%)" "Peak resident set:  ")
[ "$(figure "$scratch/temporary.hbcap" temporary_allocations)" = 11 ] && [ "$(figure "$scratch/temporary.hbcap" allocations)" = 14 ] &&
    [ "$(grep -c '^Temporary:' "$scratch/temporary.txt")" = 2 ] && [ -z "$missing" ] && [ "${rss:-0}" -gt 100000 ]
check $? "temporary allocations (heaptrack's definition): 11 of temporary.c's 14, in stats and summary; the peak resident set size ($rss B)" \
    "temporary: $(figure "$scratch/temporary.hbcap" temporary_allocations) of $(figure "$scratch/temporary.hbcap" allocations), peak RSS ${rss:-none}; missing:
$missing$(cat "$scratch/temporary.txt")"

# 6. The program's own files are never written to: one that closes every
#    descriptor and opens a file, and a shell that puts a file on fd 3.
$heapbook run -o "$scratch/closes.hbcap" $programs/closes_descriptors "$scratch/own.txt" 2>"$scratch/closes.err"
status=$?
$heapbook run -o "$scratch/shell.hbcap" sh -c "exec 3>'$scratch/shell.txt'; echo shell-line >&3; ls / >/dev/null" 2>/dev/null
missing=$(expect_in "$scratch/closes.err" "heapbook: wrote $scratch/closes.hbcap")
[ "$status" -eq 0 ] && [ "$(cat "$scratch/own.txt")" = "the program's own line" ] &&
    [ "$(cat "$scratch/shell.txt")" = shell-line ] && [ -z "$missing" ] &&
    [ "$(figure "$scratch/closes.hbcap" allocations)" = 1001 ] &&
    [ "$(figure "$scratch/closes.hbcap" peak_bytes)" = 100 ] &&
    $heapbook stats "$scratch/shell.hbcap" >/dev/null 2>&1
check $? "descriptors closed and reused by the program: its files hold only its own lines; the captures are whole (1001 allocations, peak 100 B)" \
    "descriptors: status $status; own.txt: '$(cat "$scratch/own.txt" 2>&1)'; shell.txt: '$(cat "$scratch/shell.txt" 2>&1)'; allocations $(figure "$scratch/closes.hbcap" allocations); $(cat "$scratch/closes.err")"

# 7. A program that ends at once without exit(): by _exit, or killed.
$heapbook run -o "$scratch/exit.hbcap" $programs/ends_early exit 2>"$scratch/exit.err"
exit_status=$?
# (in a subshell whose stderr takes the shell's own "Segmentation fault")
($heapbook run -o "$scratch/crash.hbcap" $programs/ends_early crash 2>"$scratch/crash.err"; exit $?) 2>/dev/null
crash_status=$?
$heapbook stats "$scratch/crash.hbcap" >"$scratch/crash.txt" 2>&1
missing=$(expect_in "$scratch/exit.err" "heapbook: wrote $scratch/exit.hbcap" "ended without exit() (with _exit(3)")
missing+=$(expect_in "$scratch/crash.err" "heapbook: wrote $scratch/crash.hbcap" "was killed by signal 11")
missing+=$(expect_in "$scratch/crash.txt" "the program was killed by signal 11" "Never freed:        777 B in 1 block")
[ "$exit_status" -eq 3 ] && [ "$crash_status" -eq 139 ] && [ -z "$missing" ]
check $? "a program that calls _exit(3) or crashes at once: readable captures (777 B), what happened said, its status passed on" \
    "ends_early: statuses $exit_status and $crash_status (wanted 3 and 139); missing:
$missing"

# 8. A process that execs another program is recorded as that program.
$heapbook run -o "$scratch/exec.hbcap" sh -c "exec $programs/peaks" 2>/dev/null
[ "$(figure "$scratch/exec.hbcap" peak_bytes)" = 4500 ] && $heapbook stats "$scratch/exec.hbcap" | grep -q "Command: *$programs/peaks"
check $? "sh -c 'exec peaks': the capture is peaks' (4500 B)" \
    "exec: peak $(figure "$scratch/exec.hbcap" peak_bytes), $($heapbook stats "$scratch/exec.hbcap" 2>&1 | head -n 1)"

# 8b. Nothing unrecorded passes silently: a process that execs a program
#     the preload cannot reach (LD_PRELOAD cleared, a static program, a
#     child that dropped its privileges under --follow-fork) is said by
#     heapbook run, status 2; an exec that fails is no such thing.
#     Allocations from .preinit_array, before the C library has `environ`,
#     are recorded.
unrecorded=""
try_unrecorded() { # want_status ARGS...
    local want=$1
    shift
    $heapbook run "$@" >/dev/null 2>"$scratch/unrecorded.err"
    local status=$? said
    said=$(grep -c "which was not recorded: libheapbook-preload.so never started in it" "$scratch/unrecorded.err")
    if [ "$want" = 2 ]; then
        [ "$status" -eq 2 ] && [ "$said" -eq 1 ] && ! grep -q "is not recorded" "$scratch/unrecorded.err"
    else
        [ "$status" -eq "$want" ] && [ "$said" -eq 0 ]
    fi || unrecorded+="  heapbook run $* (status $status, wanted $want): $(cat "$scratch/unrecorded.err")"$'\n'
}
try_unrecorded 2 -o "$scratch/dropped.hbcap" sh -c "exec env -u LD_PRELOAD $programs/peaks"
try_unrecorded 2 -o "$scratch/exec-static.hbcap" sh -c "exec $programs/peaks_static"
try_unrecorded 127 -o "$scratch/failed.hbcap" env "$scratch/nothing-here"
mkdir -p "$scratch/vforked"
try_unrecorded 2 --follow-fork -o "$scratch/vforked/v.hbcap" sh -c "$programs/peaks_static; true"
if [ "$EUID" -eq 0 ] && command -v setpriv >/dev/null; then
    mkdir -p "$scratch/dropping"
    try_unrecorded 2 --follow-fork -o "$scratch/dropping/d.hbcap" sh -c \
        "setpriv --reuid=65534 --regid=65534 --clear-groups $programs/peaks; true"
fi
$heapbook run -o "$scratch/preinit.hbcap" $programs/preinit 2>/dev/null
$heapbook tree "$scratch/preinit.hbcap" >"$scratch/preinit.txt" 2>&1
missing=$(expect_in "$scratch/preinit.txt" "allocate_early (tests/profiler/preinit.c:$(line_of tests/profiler/preinit.c PREINIT_ALLOCATES))")
[ -z "$unrecorded" ] && [ -z "$missing" ] && [ "$(figure "$scratch/preinit.hbcap" peak_bytes)" = 4321 ] &&
    [ "$(figure "$scratch/preinit.hbcap" allocations)" = 2 ]
check $? "an exec into a program the preload cannot reach (LD_PRELOAD cleared, static, a vfork()ed static child, privileges dropped) is said by heapbook, status 2; a failed exec is not; .preinit_array's 4321 B are recorded" \
    "unrecorded programs:
$unrecorded$missing$(cat "$scratch/preinit.txt")"

# 9. -o and programs heapbook cannot record: an error, status 2, and
#    nothing touched.
mkdir "$scratch/dir" "$scratch/locked"
echo "int main(void) {}" >"$scratch/main.c"
chmod a-w "$scratch/locked"
errors=""
try_run() { # want_text ARGS...
    local want=$1
    shift
    $heapbook run "$@" >/dev/null 2>"$scratch/run.err"
    local status=$?
    grep -qF -- "$want" "$scratch/run.err" && [ "$status" -eq 2 ] ||
        errors+="  heapbook run $* (status $status): $(cat "$scratch/run.err")"$'\n'
}
try_run "cannot write the capture $scratch/dir: Is a directory (give -o a file name)" -o "$scratch/dir" $programs/peaks
try_run "that file exists and is not a heapbook capture" -o "$scratch/main.c" $programs/peaks
try_run "is statically linked" -o "$scratch/static.hbcap" $programs/peaks_static
if [ "$EUID" -ne 0 ]; then
    try_run "cannot write the capture $scratch/locked/x.hbcap: Permission denied" -o "$scratch/locked/x.hbcap" $programs/peaks
fi
[ -z "$errors" ] && [ "$(cat "$scratch/main.c")" = "int main(void) {}" ] && [ ! -e "$scratch/static.hbcap" ]
check $? "-o a directory, -o a source file, a static program: clear errors, status 2, the file untouched" \
    "run errors:
$errors"

# 10. Symbols: C++ demangled with inlined calls as frames (Clang puts
#     them in namespaces), a stripped library, and the C++ runtime's own
#     pool apart from the leaks.  cplusplus.cc's peak: the pool + 792 B.
$heapbook run -o "$scratch/cpp.hbcap" $programs/cplusplus 2>/dev/null
$heapbook tree "$scratch/cpp.hbcap" >"$scratch/cpp.txt"
pool=$(figure "$scratch/cpp.hbcap" library_bytes)
missing=$(expect_in "$scratch/cpp.txt" \
    "shapes::make_squares(int) (tests/profiler/cplusplus.cc:$(line_of tests/profiler/cplusplus.cc GROWS_VECTOR))" \
    "std::vector<shapes::square, std::allocator<shapes::square> >::push_back(shapes::square&&) (/usr/include/c++/" \
    "operator new(unsigned long)+0x")
[ -n "$pool" ] && [ "$pool" -gt 0 ] && [ "$(figure "$scratch/cpp.hbcap" peak_bytes)" = $((pool + 792)) ] &&
    [ "$(figure "$scratch/cpp.hbcap" leaked_bytes)" = 0 ] && [ -z "$missing" ]
check $? "C++: demangled names, inlined calls as frames at their lines, libstdc++'s pool ($pool B) apart from leaks, peak = pool + 792 B" \
    "C++: pool ${pool:-none}, peak $(figure "$scratch/cpp.hbcap" peak_bytes), leaked $(figure "$scratch/cpp.hbcap" leaked_bytes); missing:
$missing$(cat "$scratch/cpp.txt")"

$heapbook run -o "$scratch/stripped.hbcap" $programs/uses_stripped 2>/dev/null
$heapbook tree "$scratch/stripped.hbcap" >"$scratch/stripped.txt"
grep -qE '^ +└─ 2.9 KiB 100.0%  stripped_allocates\+0x[0-9a-f]+ in libstripped_library.so$' "$scratch/stripped.txt" &&
    grep -qE '^ +└─ 2.9 KiB 100.0%  0x[0-9a-f]+ in libstripped_library.so$' "$scratch/stripped.txt"
$heapbook flamegraph -o "$scratch/stripped.html" "$scratch/stripped.hbcap" 2>/dev/null
model "$scratch/stripped.html" peak >"$scratch/stripped-page.txt"
grep -qE '^ +0x[0-9a-f]+ in libstripped_library.so ' "$scratch/stripped-page.txt"
check $? "a stripped library: function+offset where it exports a symbol, offset in the library where it has none, on the page too" \
    "stripped library: $(cat "$scratch/stripped.txt" "$scratch/stripped-page.txt")"

# 11. A program rebuilt in place between two captures, then deleted:
#     each capture names its frames as they were when it was recorded
#     (heapbook run names them at the end), so the diff has names on both
#     sides, no "??" and no warning.
cp "$programs/rebuilt_first" "$scratch/rebuilt"
$heapbook run -o "$scratch/old.hbcap" "$scratch/rebuilt" 2>/dev/null
cp "$programs/rebuilt_second" "$scratch/rebuilt"
$heapbook run -o "$scratch/new.hbcap" "$scratch/rebuilt" 2>/dev/null
$heapbook tree "$scratch/old.hbcap" >"$scratch/old-after.txt" 2>&1
$heapbook flamegraph --diff "$scratch/old.hbcap" "$scratch/new.hbcap" -o "$scratch/rebuilt.html" 2>"$scratch/diff.err"
rm "$scratch/rebuilt"
$heapbook tree "$scratch/new.hbcap" >"$scratch/new-deleted.txt" 2>&1
model "$scratch/rebuilt.html" peak >"$scratch/rebuilt.txt"
first_line=$(line_of tests/profiler/rebuilt.c FIRST_BUILD_ALLOCATES)
second_line=$(line_of tests/profiler/rebuilt.c SECOND_BUILD_ALLOCATES)
missing=$(expect_in "$scratch/old-after.txt" "main (tests/profiler/rebuilt.c:$first_line)")
missing+=$(expect_in "$scratch/new-deleted.txt" "main (tests/profiler/rebuilt.c:$second_line)")
missing+=$(expect_in "$scratch/rebuilt.txt" "main (tests/profiler/rebuilt.c:$first_line) 2000 -2000" \
    "main (tests/profiler/rebuilt.c:$second_line) 3000 3000")
[ -z "$missing" ] && ! grep -q "??" "$scratch/rebuilt.txt" &&
    ! grep -q warning "$scratch/old-after.txt" "$scratch/new-deleted.txt" "$scratch/diff.err"
check $? "a program rebuilt in place, then deleted: each capture names its own build's lines; the diff has names on both sides, no ?? and no warning" \
    "rebuilt: missing:
$missing$(cat "$scratch/old-after.txt" "$scratch/new-deleted.txt" "$scratch/diff.err" "$scratch/rebuilt.txt")"

# 12. Reports that add up: a site counted once per stack however deep it
#     recurses (no share above 100 %); ties in the order of the tree.
$heapbook run -o "$scratch/recursion.hbcap" $programs/recursion 2>/dev/null
$heapbook summary "$scratch/recursion.hbcap" >"$scratch/recursion.txt"
over=$(awk '/%/ { for (i = 1; i <= NF; i++) if ($i ~ /%$/ && $i + 0 > 100) print }' "$scratch/recursion.txt")
missing=$(expect_in "$scratch/recursion.txt" \
    "     500 B  100.0%        500 B  100.0%        5  nest (tests/profiler/recursion.c:$(line_of tests/profiler/recursion.c ALLOCATES))" \
    "     400 B   80.0%          0 B    0.0%        0  nest (tests/profiler/recursion.c:$(line_of tests/profiler/recursion.c RECURSES))")
$heapbook summary "$scratch/fib.hbcap" | awk 'NR > 3 && NF > 1 && $1 != "Temporary:" { print $NF, $(NF - 1) }' >"$scratch/ties.txt"
[ -z "$over" ] && [ -z "$missing" ] &&
    [ "$(cut -d' ' -f2 "$scratch/ties.txt" | paste -sd' ')" = "main fibonacci_hash sum_of_fibonacci fibonacci" ]
check $? "summary: each stack counted once per site (the recursive call holds 400 B of 500 B, not 1000 B); tied rows in tree order" \
    "summary: above 100 %: ${over:-none}; missing:
$missing$(cat "$scratch/recursion.txt" "$scratch/ties.txt")"

# 12b. The page's table of functions: own and total per function, a
#      recursive function counted once per stack (500 B, not 900 B).
$heapbook flamegraph -o "$scratch/recursion.html" "$scratch/recursion.hbcap" 2>/dev/null
model "$scratch/recursion.html" functions >"$scratch/functions.txt"
grep -qx "nest tests/profiler/recursion.c 500 500 5" "$scratch/functions.txt" &&
    grep -qx "main tests/profiler/recursion.c 0 500 0" "$scratch/functions.txt"
check $? "the page's table of functions: own and total per function, the recursive nest() counted once per stack (500 B of 500 B)" \
    "table of functions: $(cat "$scratch/functions.txt")"

# 13. What the C library keeps for itself is not a leak of the program.
$heapbook tree --leaks "$scratch/fib.hbcap" >"$scratch/fib-leaks.txt"
missing=$(expect_in "$scratch/fib-leaks.txt" "0 B never freed, by call path:" "held by the C library")
[ "$(figure "$scratch/fib.hbcap" leaked_bytes)" = 0 ] && [ "$(figure "$scratch/fib.hbcap" library_blocks)" = 1 ]
check $? "stdout's buffer: counted as the C library's, not as a leak" \
    "library buffers: leaked $(figure "$scratch/fib.hbcap" leaked_bytes), library blocks $(figure "$scratch/fib.hbcap" library_blocks); $(cat "$scratch/fib-leaks.txt")"

# 14. Names and arguments cannot break the page: a symbol "make<int>" and
#     an argument "</script><script>window.pwned=1</script>".
$heapbook run -o "$scratch/odd.hbcap" $programs/odd_names '</script><script>window.pwned=1</script>' 2>/dev/null
$heapbook flamegraph -o "$scratch/odd.html" "$scratch/odd.hbcap" 2>/dev/null
grep -qF 'make\u003cint\u003e' "$scratch/odd.html" && ! grep -qF 'window.pwned=1</script>' "$scratch/odd.html" &&
    [ "$(grep -c '</script>' "$scratch/odd.html")" = "$(grep -c '</script>' profiler/web/page.html)" ]
check $? "flame graph page: names and arguments are escaped" \
    "flame graph page: an unescaped name or argument in $scratch/odd.html"

# 15. export --format collapsed: one line per stack, frames joined by ';'.
$heapbook export --format collapsed "$scratch/fib.hbcap" >"$scratch/fib.collapsed"
grep -qx 'main;fibonacci_hash;sum_of_fibonacci;fibonacci 524288' "$scratch/fib.collapsed"
check $? "export --format collapsed: main;fibonacci_hash;sum_of_fibonacci;fibonacci 524288" \
    "export --format collapsed: $(cat "$scratch/fib.collapsed")"

# 15a. export --format pprof, speedscope and csv, each read by its own
#      format's tools (tests/profiler/exports.mjs): pprof-format's decoder,
#      speedscope's JSON schema; the figures add up to stats' own.
exports=""
for format in pprof speedscope csv; do
    $heapbook export --format $format -o "$scratch/fib.$format" "$scratch/fib.hbcap" 2>>"$scratch/exports.err" ||
        exports+="  export --format $format: $(cat "$scratch/exports.err")"$'\n'
done
node tests/profiler/exports.mjs pprof "$scratch/fib.pprof" >"$scratch/pprof.txt" 2>&1 || exports+="  pprof: $(cat "$scratch/pprof.txt")"$'\n'
node tests/profiler/exports.mjs speedscope "$scratch/fib.speedscope" >"$scratch/speedscope.txt" 2>&1 ||
    exports+="  speedscope: $(cat "$scratch/speedscope.txt")"$'\n'
sums=$(awk 'NR > 1 { a += $(NF - 2); i += $NF } END { print a, i }' "$scratch/pprof.txt")
[ "$(head -n 1 "$scratch/pprof.txt")" = "alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes" ] &&
    [ "$sums" = "$(figure "$scratch/fib.hbcap" total_bytes) 524288" ] &&
    grep -q '^main;fibonacci_hash;sum_of_fibonacci;fibonacci [0-9]* [0-9]* 1 524288$' "$scratch/pprof.txt" ||
    exports+="  pprof (allocated and at the peak: $sums): $(cat "$scratch/pprof.txt")"$'\n'
[ "$(cat "$scratch/speedscope.txt")" = "main;fibonacci_hash;sum_of_fibonacci;fibonacci 524288" ] ||
    exports+="  speedscope: $(cat "$scratch/speedscope.txt")"$'\n'
[ "$(head -n 1 "$scratch/fib.csv")" = $'function,file,line,module,total_bytes,own_bytes,own_blocks\r' ] &&
    grep -qx $'fibonacci,exercises/01-fibonacci/fibonacci.c,25,program,524288,524288,1\r' "$scratch/fib.csv" ||
    exports+="  csv: $(cat "$scratch/fib.csv")"$'\n'
for format in pprof speedscope csv; do # each rewrites its own file, and no other format's
    other=pprof
    [ $format = pprof ] && other=csv
    $heapbook export --format $format -o "$scratch/fib.$format" "$scratch/fib.hbcap" 2>/dev/null ||
        exports+="  export --format $format -o its own file: refused"$'\n'
    cp "$scratch/fib.$other" "$scratch/other"
    $heapbook export --format $format -o "$scratch/other" "$scratch/fib.hbcap" 2>/dev/null &&
        exports+="  export --format $format -o a $other export: written"$'\n'
    cmp -s "$scratch/other" "$scratch/fib.$other" || exports+="  export --format $format changed a $other export"$'\n'
done
[ -z "$exports" ]
check $? "export --format pprof (decoded by pprof-format), speedscope (valid against speedscope's schema) and csv: fibonacci's 512 KiB at the peak, the run's bytes allocated; each -o rewrites only its own format" \
    "exports:
$exports"

# 15b. No report overwrites a file that is not its own output: a source
#      file, the capture being read (by name or through a link), another
#      command's output; each refused with status 2, the file untouched.
#      Their own earlier output, an empty file and /dev/null are written.
cp "$scratch/fib.hbcap" "$scratch/same.hbcap"
ln -s same.hbcap "$scratch/link.html"
: >"$scratch/empty.txt"
errors=""
try_report() { # want_text ARGS...
    local want=$1
    shift
    $heapbook "$@" >/dev/null 2>"$scratch/report.err"
    local status=$?
    grep -qF -- "$want" "$scratch/report.err" && [ "$status" -eq 2 ] ||
        errors+="  heapbook $* (status $status): $(cat "$scratch/report.err")"$'\n'
}
for again in 1 2; do
    $heapbook flamegraph -o "$scratch/again.html" "$scratch/fib.hbcap" 2>/dev/null || errors+="  flamegraph -o its own page ($again)"$'\n'
    $heapbook export --format collapsed -o "$scratch/again.txt" "$scratch/fib.hbcap" || errors+="  export -o its own export ($again)"$'\n'
done
not_theirs="that file exists and is not"
being_read="that is the capture being read"
try_report "$not_theirs a flame graph page heapbook wrote" flamegraph -o "$scratch/main.c" "$scratch/fib.hbcap"
try_report "$being_read;" flamegraph -o "$scratch/same.hbcap" "$scratch/same.hbcap"
try_report "$being_read ($scratch/same.hbcap)" flamegraph -o "$scratch/link.html" "$scratch/same.hbcap"
try_report "$being_read;" flamegraph --diff "$scratch/same.hbcap" "$scratch/fib.hbcap" -o "$scratch/same.hbcap"
try_report "$not_theirs collapsed stacks heapbook wrote" export --format collapsed -o "$scratch/main.c" "$scratch/fib.hbcap"
try_report "$being_read;" export --format collapsed -o "$scratch/same.hbcap" "$scratch/same.hbcap"
try_report "$not_theirs collapsed stacks heapbook wrote" export --format collapsed -o "$scratch/again.html" "$scratch/fib.hbcap"
try_report "$not_theirs a flame graph page heapbook wrote" flamegraph -o "$scratch/fib.collapsed" "$scratch/fib.hbcap"
$heapbook export --format collapsed -o "$scratch/empty.txt" "$scratch/fib.hbcap" &&
    $heapbook export --format collapsed -o /dev/null "$scratch/fib.hbcap" || errors+="  export -o an empty file or /dev/null"$'\n'
[ -z "$errors" ] && [ "$(cat "$scratch/main.c")" = "int main(void) {}" ] && cmp -s "$scratch/same.hbcap" "$scratch/fib.hbcap" &&
    grep -q "heapbook's flame graph page" "$scratch/again.html" && cmp -s "$scratch/again.txt" "$scratch/fib.collapsed" && cmp -s "$scratch/empty.txt" "$scratch/fib.collapsed"
check $? "flamegraph -o and export -o refuse a source file, the capture they read (or a link to it), another command's output: status 2, untouched; their own output is rewritten" \
    "report outputs:
$errors"

# 15c. One option parser for every command: each mistake is one line
#      saying what is wrong, then the command's usage once, status 2.
parser=""
try_options() { # "heapbook CMD: MESSAGE" ARGS...
    local want=$1
    shift
    $heapbook "$@" >"$scratch/options.out" 2>"$scratch/options.err"
    local status=$?
    [ "$status" -eq 2 ] && [ "$(head -n 1 "$scratch/options.err")" = "$want" ] &&
        [ "$(sed -n 2p "$scratch/options.err")" = "usage: heapbook $1 $($heapbook "$1" --help | sed "s/^usage: heapbook $1 //")" ] &&
        [ "$(wc -l <"$scratch/options.err")" -eq 2 ] && [ ! -s "$scratch/options.out" ] ||
        parser+="  heapbook $* (status $status): $(cat "$scratch/options.err")"$'\n'
}
fib=$scratch/fib.hbcap
try_options "heapbook run: which program?" run
try_options "heapbook run: which program?" run -o "$scratch/x.hbcap" --follow-fork
try_options "heapbook run: -o needs a file" run -o
try_options "heapbook run: unknown option --bogus" run --bogus $programs/peaks
try_options "heapbook run: --mimalloc takes no value" run --mimalloc=yes $programs/peaks
try_options "heapbook summary: which capture? (heapbook run writes one)" summary --leaks
try_options "heapbook summary: unexpected argument $fib: it reads one capture" summary "$fib" "$fib"
try_options "heapbook stats: unknown option --leaks" stats --leaks "$fib"
try_options "heapbook tree: --depth needs a number of levels (1 or more), not \"x\"" tree --depth x "$fib"
try_options "heapbook tree: --lines needs a number of lines" tree "$fib" --lines
try_options "heapbook export: which format? (--format collapsed, pprof, speedscope or csv)" export "$fib"
try_options "heapbook export: no such format; the formats are collapsed, pprof, speedscope and csv" export --format=svg "$fib"
try_options "heapbook flamegraph: --diff needs the capture before (--diff BEFORE AFTER)" flamegraph "$fib" --diff
try_options "heapbook flamegraph: --diff compares two captures: BEFORE and one AFTER" flamegraph --diff "$fib" "$fib" "$fib"
$heapbook tree --help >"$scratch/help.out" 2>&1 && [ "$(cat "$scratch/help.out")" = "usage: heapbook tree [--leaks] [--depth N] [--lines N] CAPTURE" ] ||
    parser+="  heapbook tree --help: $(cat "$scratch/help.out")"$'\n'
# tree --depth and --lines, and options given after the capture
$heapbook tree "$fib" --depth 2 >"$scratch/depth.txt" 2>&1
$heapbook tree --lines=3 "$fib" >"$scratch/lines.txt" 2>&1
[ "$(grep -c '─' "$scratch/depth.txt")" -eq 2 ] && grep -q "fibonacci_hash" "$scratch/depth.txt" &&
    [ "$(grep -c '─' "$scratch/lines.txt")" -eq 3 ] && grep -qF "... (the first 3 lines: --lines N shows more" "$scratch/lines.txt" ||
    parser+="  tree --depth 2 / --lines=3: $(cat "$scratch/depth.txt" "$scratch/lines.txt")"$'\n'
[ -z "$parser" ]
check $? "options: every mistake (no program, -o without a file, unknown option, a flag given a value, no capture, two captures, not a number, no format) is one line and the usage once, status 2; tree --depth/--lines" \
    "options:
$parser"

# 16. The page's views, folded by the page's own model: the peak; every
#     moment of the curve (the temporal view) holding what the curve
#     shows there, the largest below the peak among them; the diff of the
#     starter and the solution of exercise 01.
$heapbook flamegraph -o "$scratch/fib.html" "$scratch/fib.hbcap" 2>/dev/null
model "$scratch/fib.html" peak >"$scratch/fib-peak.txt"
model "$scratch/fib.html" moments >"$scratch/fib-moments.txt"
below=$(model "$scratch/fib.html" curve | awk '$2 < 524288' | sort -k2,2n | tail -n 1)
model "$scratch/fib.html" moment "${below% *}" >"$scratch/fib-moment.txt"
$heapbook run -o "$scratch/after.hbcap" build/solutions/01-fibonacci/program >/dev/null 2>&1
$heapbook flamegraph --diff "$scratch/fib.hbcap" "$scratch/after.hbcap" -o "$scratch/diff.html" 2>/dev/null
model "$scratch/diff.html" peak >"$scratch/diff.txt"
missing=$(expect_in "$scratch/fib-peak.txt" "      fibonacci (exercises/01-fibonacci/fibonacci.c:25) 524288")
missing+=$(expect_in "$scratch/fib-moments.txt" "moments, each the heap of its point")
missing+=$(expect_in "$scratch/fib-moment.txt" "all ${below#* }")
missing+=$(expect_in "$scratch/diff.txt" "    sum_of_fibonacci (exercises/01-fibonacci/fibonacci.c:38) 524288 -524288")
[ -n "$below" ] && [ -z "$missing" ]
check $? "page: the peak (512 KiB); each of $(grep -o '^[0-9]*' "$scratch/fib-moments.txt") moments holds what the curve shows; the diff (-512 KiB in sum_of_fibonacci)" \
    "page views: missing:
$missing$(cat "$scratch/fib-moments.txt" "$scratch/fib-moment.txt" "$scratch/diff.txt")"

# 16b. Every moment holds what the curve shows there, whatever the order
#      of samples and ticks: a sample has its own clock (to the ns), the
#      events after it the capture's ticks (10 us), which may be earlier
#      (a tick's counted events are written after a sample taken in it).
#      A sample in the microsecond before a tick; one between a tick's
#      first events and the rest; one before a tick's groups and its top.
moment_layout() { # LAYOUT: a capture of 16 B, 64 B and 128 KiB blocks
    hello
    module /nonexistent/prog
    stack 1
    info 16 1
    info 131072 1
    info 64 1
    case $1 in
    sample-before-tick) sample 329600; tick 330000; event A 2 ;;
    sample-inside-tick) tick 330000; event A 1; event F 1; sample 334200; event A 2 ;;
    sample-before-groups) tick 330000; group 1 1 1; sample 331500; event A 2; group 3 3 2; tick 10000; group 0 3 1; sample 345000; event A 1 ;;
    esac
    printf E
}
missing=""
for layout in sample-before-tick sample-inside-tick sample-before-groups; do
    moment_layout $layout | $programs/craft_capture >"$scratch/$layout.hbcap"
    $heapbook flamegraph -o "$scratch/$layout.html" "$scratch/$layout.hbcap" 2>/dev/null
    model "$scratch/$layout.html" moments >"$scratch/$layout.txt"
    grep -q "moments, each the heap of its point" "$scratch/$layout.txt" ||
        missing+="  $layout: $(cat "$scratch/$layout.txt")"$'\n'
done
[ -z "$missing" ]
check $? "page: each moment holds what the curve shows there, a sample before a tick, inside one, before its groups" \
    "page moments around samples:
$missing"

# 17. --follow-fork: a capture per process, CAPTURE.PID for the child,
#     readable, and one page with each process as a top frame; without
#     it, one capture.
mkdir -p "$scratch/fork" "$scratch/nofork"
$heapbook run --follow-fork -o "$scratch/fork/f.hbcap" $programs/forks 2>"$scratch/fork.err"
$heapbook run -o "$scratch/nofork/f.hbcap" $programs/forks 2>/dev/null
child=$(find "$scratch/fork" -name 'f.hbcap.*' | head -n 1)
$heapbook flamegraph -o "$scratch/fork.html" "$scratch/fork/f.hbcap" "$child" 2>/dev/null
model "$scratch/fork.html" peak >"$scratch/fork.txt"
missing=$(expect_in "$scratch/fork.err" "and 1 capture of the processes it started: $child")
missing+=$(expect_in "$scratch/fork.txt" "all 3000" "  $programs/forks (pid " ") 1000" ") 2000" \
    "main (tests/profiler/forks.c:$(line_of tests/profiler/forks.c CHILD_ALLOCATES)) 2000")
# A page of several processes is titled after the one heapbook run
# started, in whatever order the captures are given.
mkdir -p "$scratch/titled"
$heapbook run --follow-fork -o "$scratch/titled/t.hbcap" sh -c "$programs/peaks; true" 2>/dev/null
$heapbook flamegraph -o "$scratch/titled.html" "$scratch/titled/t.hbcap" "$scratch/titled/t.hbcap".* 2>/dev/null
missing+=$(expect_in "$scratch/titled.html" "\"title\": \"heapbook flamegraph: 2 processes of sh -c $programs/peaks; true\"")
# shellcheck disable=SC2012 # counts our own captures: names without newlines
[ -n "$child" ] && [ "$(ls "$scratch/nofork" | wc -l)" -eq 1 ] && [ -z "$missing" ]
check $? "--follow-fork: the child's capture is CAPTURE.PID; one page with both processes as top frames (1000 + 2000 B), titled after the first; without it, one capture" \
    "--follow-fork: child ${child:-none}; without: $(ls "$scratch/nofork"); missing:
$missing$(cat "$scratch/fork.txt")"

# 18. Damaged captures: cut short or with a byte flipped, every command
#     says what and where, and never crashes (status 128 and above) or
#     hangs (timeout's 124).
capture=$scratch/peaks.hbcap
size=$(stat -c %s "$capture")
crashes=""
run_all() { # CAPTURE: every reading command, each bounded in time and memory
    local c=$1 status
    for command in "summary" "tree --leaks" "stats --json" "export --format collapsed" \
        "flamegraph -o $scratch/damaged.html" "flamegraph -o $scratch/damaged.html --diff $c"; do
        # shellcheck disable=SC2086 # the command is words
        (ulimit -v 2000000; timeout 20 $heapbook $command "$c") >/dev/null 2>>"$scratch/damaged.err"
        status=$?
        [ "$status" -ne 0 ] && [ "$status" -ne 2 ] && crashes+=" $(basename "$c"): $command: status $status;"
    done
}
for ((cut = 0; cut < size; cut += 7)); do
    head -c "$cut" "$capture" >"$scratch/cut.hbcap"
    $heapbook stats "$scratch/cut.hbcap" >/dev/null 2>&1
    [ $? -ge 124 ] && crashes+=" cut at $cut"
done
# A flipped byte gives an error, a warning, or the same page: never other
# figures said as if they were right (the records' checks and zstd's
# checksum of them).
$heapbook flamegraph -o "$scratch/whole.html" "$capture" 2>/dev/null
silent=""
for ((at = 0; at < size; at++)); do
    cp "$capture" "$scratch/flip.hbcap"
    printf '\xa5' | dd of="$scratch/flip.hbcap" bs=1 seek="$at" conv=notrunc status=none
    $heapbook flamegraph -o "$scratch/flip.html" "$scratch/flip.hbcap" >/dev/null 2>"$scratch/flip.err"
    status=$?
    [ $status -ge 124 ] && crashes+=" byte $at flipped"
    [ $status -eq 0 ] && ! cmp -s "$scratch/flip.html" "$scratch/whole.html" &&
        ! grep -q warning "$scratch/flip.err" && silent+=" $at"
done
[ -z "$silent" ] || crashes+=" other figures without a warning, with byte${silent} flipped;"
head -c 100 "$capture" >"$scratch/short.hbcap"
printf 'HBCAP3\n\0\3\0\0\0' >"$scratch/tiny.hbcap"
printf 'HBCAP1\n\0\2\0\0\0' >"$scratch/old.hbcap"
echo "not a capture" >"$scratch/text.hbcap"
mkfifo "$scratch/fifo.hbcap" "$scratch/module.fifo"
# A capture whose only module is a FIFO: its frames are read from no file.
{ hello; module "$scratch/module.fifo"; stack 1; info 64 1; event A 1; printf E; } |
    $programs/craft_capture >"$scratch/module.hbcap"
# A capture of format 3 (its frames unnamed: read from the modules on
# disk) whose module has changed since: a warning, and an address.
{ hello; module "$programs/peaks"; stack 1; info 64 1; event A 1; printf E; } |
    $programs/craft_capture >"$scratch/version3.hbcap"
printf 'HBCAP3\n\0\3' | dd of="$scratch/version3.hbcap" bs=1 conv=notrunc status=none
for c in short tiny old text fifo module; do
    timeout 20 $heapbook tree "$scratch/$c.hbcap" >/dev/null 2>"$scratch/$c.txt"
done
$heapbook tree "$scratch/version3.hbcap" >"$scratch/version3.txt" 2>&1
missing=$(expect_in "$scratch/short.txt" "$scratch/short.hbcap: cut short: its compressed data stops in the middle")
missing+=$(expect_in "$scratch/tiny.txt" "$scratch/tiny.hbcap: truncated: the file header needs 16 bytes, there are 12")
missing+=$(expect_in "$scratch/old.txt" "$scratch/old.hbcap: a capture of another heapbook (format \"HBCAP1\"); this one reads formats 3 to 6: record it again with heapbook run")
missing+=$(expect_in "$scratch/text.txt" "$scratch/text.hbcap: not a heapbook capture")
missing+=$(expect_in "$scratch/fifo.txt" "$scratch/fifo.hbcap: not a regular file")
missing+=$(expect_in "$scratch/module.txt" "heapbook: warning: cannot read $scratch/module.fifo (not a regular file)")
missing+=$(expect_in "$scratch/version3.txt" "heapbook: warning: $programs/peaks changed since $scratch/version3.hbcap was recorded (its build-id differs): its frames are shown as addresses" \
    "0x1000 in peaks")
[ -z "$crashes" ] && [ -z "$missing" ]
check $? "damaged captures (a $size-byte capture cut every 7 bytes, each byte flipped: an error, a warning or the same page; short, old, text, a FIFO, a FIFO as a library; format 3 read against a changed module): clear errors, no crash, no wait" \
    "damaged captures:${crashes:- no crash} missing:
$missing"

# 18b. The frames' names in each format heapbook run has written: format 4
#      ('N' with its id and length, each 'R' address whole) still reads, and
#      format 5 ('n' ended by a 0 byte, each 'R' address from the last).
named_capture() { # NAMES SECOND-R-ADDRESS: a stack main -> leaf, named
    hello
    module /nonexistent/prog
    printf S; varint 1; varint 2; varint 4198500; varint 4198400
    info 64 1; event A 1; printf E
    "$1"
    printf R; varint 4198400; varint 1; varint 1; varint 0; varint 7; varint 0; varint 0
    printf R; varint "$2"; varint 1; varint 2; varint 0; varint 9; varint 0; varint 0
}
names_4() { printf N; varint 1; varint 4; printf main; printf N; varint 2; varint 4; printf leaf; }
names_5() { printf 'nmain\0nleaf\0'; }
named_capture names_4 4198500 | $programs/craft_capture >"$scratch/format4.hbcap"
printf 'HBCAP4\n\0\4' | dd of="$scratch/format4.hbcap" bs=1 conv=notrunc status=none
named_capture names_5 100 | $programs/craft_capture >"$scratch/format5.hbcap"
printf 'HBCAP5\n\0\5' | dd of="$scratch/format5.hbcap" bs=1 conv=notrunc status=none
missing=""
for format in 4 5; do
    $heapbook tree "$scratch/format$format.hbcap" >"$scratch/format$format.txt" 2>&1
    missing+=$(expect_in "$scratch/format$format.txt" "64 B 100.0%  main" "64 B 100.0%  leaf")
    grep -q "warning\|corrupt" "$scratch/format$format.txt" && missing+="  format $format: $(cat "$scratch/format$format.txt")"$'\n'
done
[ -z "$missing" ]
check $? "captures of format 4 and 5 name their frames from the names they hold (main -> leaf), the program's file gone" \
    "format 4 or 5 names:
$missing"

# 18c. Format 6's groups (capture.h's 'G': a tick's events counted by
#      (size, stack) pair), played as the reader hands them out: 64 B x 3
#      and 32 B x 2 allocated (320 B, the peak), one 64 B block and one 32
#      B block allocated and freed, a 64 B block freed, a 32 B block
#      allocated and freed at once; then each way a group can be wrong.
groups() {
    hello
    module /nonexistent/prog
    stack 1
    info 64 1
    info 32 1
    group 3 1 3 1 2 # allocations: 3 of info 1, 2 of info 2
    group 1 1 1 1 1 # allocated and freed: one of each
    group 0 1 1     # a free of info 1
    group 2 2 1     # a temporary allocation of info 2
    "$@"
    printf E
}
groups | $programs/craft_capture >"$scratch/groups.hbcap"
$heapbook stats --json "$scratch/groups.hbcap" >"$scratch/groups.json" 2>&1
missing=$(expect_in "$scratch/groups.json" '"allocations": 8,' '"frees": 4,' '"peak_bytes": 320,' \
    '"leaked_bytes": 192,' '"leaked_blocks": 4,' '"temporary_allocations": 1,')
wrong_group() { # WHAT-THE-ERROR-SAYS RECORDS...: a capture with them after the groups
    local want=$1
    shift
    groups "$@" | $programs/craft_capture >"$scratch/wrong.hbcap"
    $heapbook stats "$scratch/wrong.hbcap" >/dev/null 2>"$scratch/wrong.err" &&
        missing+="  stats read a capture with a wrong group ($*)"$'\n'
    missing+=$(expect_in "$scratch/wrong.err" "$want")
}
wrong_group "a group record uses a (size, stack) pair never written, after 0" group 3 3 1
wrong_group "a group record uses a (size, stack) pair never written, after 1" group 3 1 1 0 1
wrong_group "a group record counts 0" group 3 1 0
wrong_group "a group record counts 4097" group 3 1 4097
wrong_group "a group record counts events of kind 4" group 4 1 1
wrong_group "it frees more blocks of 64 bytes" group 0 1 5
cp "$scratch/groups.hbcap" "$scratch/groups5.hbcap"
printf 'HBCAP5\n\0\5' | dd of="$scratch/groups5.hbcap" bs=1 conv=notrunc status=none
$heapbook stats "$scratch/groups5.hbcap" >/dev/null 2>"$scratch/groups5.err"
missing+=$(expect_in "$scratch/groups5.err" "a group record is in a capture of version 5")
[ -z "$missing" ]
check $? "format 6's groups read as the events they count (8 allocations, 4 frees, peak 320 B, 192 B in 4 blocks never freed, 1 temporary); a wrong group, or one in a capture of format 5, is refused" \
    "format 6's groups:
$missing"

# 18d. What format 6's counts save: bench/tenmillion.c draws each
#      allocation's (size, stack) pair among 8,192 at random and frees a
#      random live block, so a capture that says which pair each event was
#      needs 13 bits an allocation and 13 its free, 3.25 bytes (format 5
#      took 4); counted by tick, a capture of 300,000 is below that.
$heapbook run -o "$scratch/random.hbcap" $programs/random_pairs 300000 2>/dev/null
bytes=$(stat -c %s "$scratch/random.hbcap")
[ "$bytes" -lt $((300000 * 13 * 2 / 8)) ] && [ "$(figure "$scratch/random.hbcap" frees)" = 300000 ]
check $? "300,000 random (size, stack) pairs allocated and freed: a $bytes-byte capture, less than the 975,000 any capture of each event's pair needs" \
    "random pairs: a $bytes-byte capture, not below the 975,000 bytes of a capture of each event's pair"

# 19. Hostile captures, each a regression kept in the fuzzer's corpus
#     (tests/profiler/corpus/regression-*: a selector byte, then the
#     capture): every command gives a report or its clear error, in
#     bounded time and memory.
crashes=""
errors=""
while IFS=$'\t' read -r name want; do
    # shellcheck disable=SC2015 # skip a blank or comment line: [ ] cannot fail otherwise
    [ -n "$name" ] && [ "${name:0:1}" != "#" ] || continue
    tail -c +2 "tests/profiler/corpus/$name" >"$scratch/$name.hbcap"
    run_all "$scratch/$name.hbcap"
    $heapbook stats "$scratch/$name.hbcap" >/dev/null 2>"$scratch/regression.err"
    grep -qF -- "$want" "$scratch/regression.err" || errors+="  $name: $(cat "$scratch/regression.err")"$'\n'
done <tests/profiler/regressions.tsv
[ -z "$crashes" ] && [ -z "$errors" ]
check $? "hostile captures ($(grep -c '^regression' tests/profiler/regressions.tsv) regressions): every command ends with a report or a clear error" \
    "hostile captures:${crashes:- no crash}
$errors"

echo "profiler: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
