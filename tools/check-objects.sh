#!/usr/bin/env bash
# Checks an exercise's objects before its test binary is linked: code under
# test may not reach memory the harness cannot count, nor the harness's or
# CUnit's internals (docs/harness.md, "What is rejected").
#
#   tools/check-objects.sh SEALED_HARNESS OBJECT...
#
# Each problem is one line naming the source file, the symbol and why;
# exit status 1 if there is any.  SEALED_HARNESS (build/lib/heapbook.o)
# gives the names the harness defines, which exercise code may not.
set -u

sealed=$1
shift

# Objects larger than this in static or global storage hide memory from the
# memory tests (the heap is what they count).  Scaffolding files that must
# hold big data are not checked (mk/exercises.mk's SCAFFOLDING).
MAX_STATIC=1024

# The file an object was compiled from, as the build recorded it (relative
# to the repository): asked only for an object with a problem.
source_of() {
    local source
    source=$(readelf --debug-dump=info "$1" 2>/dev/null |
        awk '/DW_AT_name/ { sub(/.*: /, ""); print; exit }')
    echo "${source:-$1}"
}

# nm once over all the objects, one awk for every verdict (a grep per
# symbol made this a second of each rebuild of a many-file exercise): each
# problem is a line "OBJECT<TAB>MESSAGE".
problems=$(
    {
        nm -g --defined-only "$sealed" | awk '{ print "harness", $3 }'
        nm -A -u "$@" | awk '{ sub(/:$/, "", $1); print "undefined", $1, $NF }'
        # "file:value size type name", or "file:value type name" (no size).
        nm -A -S --defined-only "$@" | awk '{ sub(/:[0-9a-f]+$/, "", $1) }
            NF == 4 { print "defined", $1, $4, $3, $2 } NF == 3 { print "defined", $1, $3, $2, "" }'
        for object in "$@"; do
            readelf -S "$object" 2>/dev/null | grep -q '\.preinit_array' && echo "preinit $object"
        done
    } | awk -v max_static="$MAX_STATIC" '
        function problem(object, message) { printf "%s\t%s\n", object, message }
        function hex(digits,    value, i) { # mawk has no strtonum
            value = 0
            for (i = 1; i <= length(digits); i++)
                value = value * 16 + index("0123456789abcdef", tolower(substr(digits, i, 1))) - 1
            return value
        }
        function why_undefined(symbol) {
            if (symbol ~ /^_?mi_/) return "mimalloc'"'"'s own allocator, which the harness does not count: use malloc"
            if (symbol ~ /^__libc_/ || symbol ~ /^(__mmap|__sbrk|__brk|__curbrk|__morecore|__default_morecore)$/)
                return "glibc'"'"'s internal allocator, which the harness does not count: use malloc"
            if (symbol == "dlsym" || symbol == "dlvsym")
                return "looking functions up at run time can reach an allocator the harness does not count: call them by name"
            if (symbol == "syscall") return "a raw system call can map memory the harness cannot see: use malloc"
            if (symbol ~ /^hb_/) return "the harness'"'"'s internals are the tests'"'"' business, not the exercise'"'"'s"
            if (symbol ~ /^CU_/) return "CUnit is the tests'"'"' business, not the exercise'"'"'s"
            return ""
        }
        $1 == "harness" { harness[$2] = 1 }
        $1 == "undefined" && (why = why_undefined($3)) != "" { problem($2, "uses " $3 ": " why) }
        $1 == "defined" {
            object = $2; symbol = $3; type = $4; size = $5
            if (symbol ~ /^CU_/ || symbol in harness)
                problem(object, "defines " symbol ", which the harness or CUnit defines: rename it")
            else if (type ~ /^[BbDdRr]$/ && size != "" && hex(size) > max_static)
                problem(object, "keeps " hex(size) " bytes in the static or global '"'"'" symbol "'"'"': the memory tests count the heap; allocate it with malloc (the limit is " max_static " bytes)")
        }
        $1 == "preinit" { problem($2, "has a .preinit_array: code that runs before the harness has decided how to run the tests") }'
)

[ -z "$problems" ] && exit 0
while IFS=$'\t' read -r object message; do
    echo "heapbook: $(source_of "$object"): $message" >&2
done <<<"$problems"
exit 1
