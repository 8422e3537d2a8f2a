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

problems=0
problem() { # source message
    echo "heapbook: $1: $2" >&2
    problems=$((problems + 1))
}

# The file the object was compiled from, as the build recorded it
# (relative to the repository).
source_of() {
    readelf --debug-dump=info "$1" 2>/dev/null |
        awk '/DW_AT_name/ { sub(/.*: /, ""); print; exit }'
}

harness_names=$(nm -g --defined-only "$sealed" | awk '{ print $3 }')

why_undefined() { # symbol
    case "$1" in
    mi_* | _mi_*) echo "mimalloc's own allocator, which the harness does not count: use malloc" ;;
    __libc_* | __mmap | __sbrk | __brk | __curbrk | __morecore | __default_morecore)
        echo "glibc's internal allocator, which the harness does not count: use malloc" ;;
    dlsym | dlvsym)
        echo "looking functions up at run time can reach an allocator the harness does not count: call them by name" ;;
    syscall) echo "a raw system call can map memory the harness cannot see: use malloc" ;;
    hb_*) echo "the harness's internals are the tests' business, not the exercise's" ;;
    CU_*) echo "CUnit is the tests' business, not the exercise's" ;;
    esac
}

for object in "$@"; do
    source=$(source_of "$object")
    source=${source:-$object}
    while read -r symbol; do
        why=$(why_undefined "$symbol")
        [ -n "$why" ] && problem "$source" "uses $symbol: $why"
    done < <(nm -u "$object" | awk '{ print $2 }')
    while read -r symbol type size; do
        if [[ $symbol == CU_* ]] || grep -qxF -- "$symbol" <<<"$harness_names"; then
            problem "$source" "defines $symbol, which the harness or CUnit defines: rename it"
        elif [[ $type == [BbDdRr] ]] && [ -n "$size" ] && [ $((16#$size)) -gt $MAX_STATIC ]; then
            problem "$source" "keeps $((16#$size)) bytes in the static or global '$symbol': the memory tests count the heap; allocate it with malloc (the limit is $MAX_STATIC bytes)"
        fi
    done < <(nm -S --defined-only "$object" | awk 'NF == 4 { print $4, $3, $2 } NF == 3 { print $3, $2, "" }')
    if readelf -S "$object" 2>/dev/null | grep -q '\.preinit_array'; then
        problem "$source" "has a .preinit_array: code that runs before the harness has decided how to run the tests"
    fi
done
[ "$problems" -eq 0 ]
