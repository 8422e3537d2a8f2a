/* mappings.c: memory the measured code gets from the kernel itself, with
 * mmap(), mremap() and sbrk(), instead of malloc (docs/harness.md).
 *
 * A memory test counts the heap; memory mapped around it would pass with
 * 0 B counted.  So inside a scope, for code that is not the harness's nor
 * an excluded library's (mimalloc maps its own segments):
 *
 *   - an anonymous mapping counts as a block of its length, with its call
 *     stack, until munmap() (or mremap()) gives it back, as memray counts
 *     one;
 *   - a mapped file is not heap, but memory the process holds: its bytes
 *     are a figure of their own (hb_usage.mapped_peak_bytes);
 *   - moving the program break (sbrk(), brk()) is refused: a report, and
 *     the test stops, since nothing can say whose memory it is.
 *
 * Each defined here, in the executable, so every call of the program's
 * reaches it; the real work is the system call itself (pages.c). */
#include "core.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#if !HB_SANITIZED /* AddressSanitizer owns the heap there, and nothing is counted */

/* ---- the mappings a scope counted */

enum { MAX_MAPPINGS = 4096 }; /* live at once: far beyond what a test maps */

typedef struct mapping {
    uintptr_t start; /* 0: a free slot */
    size_t length;
    bool file;
    hb_block block; /* an anonymous one, as the scopes counted it */
} mapping;

/* The module's state: a small table, searched linearly (mappings are few,
 * and made far less often than blocks). */
static struct {
    hb_spinlock lock;
    mapping table[MAX_MAPPINGS];
    size_t used; /* slots ever used: the searches stop there */
} mappings = {.lock = HB_SPINLOCK_INIT};

/* Is this call the measured code's? */
static bool counted(uintptr_t caller) {
    return hb_scopes_any_open() && !hb_guard_active() && !hb_in_excluded_library(caller);
}

static void remember(uintptr_t start, size_t length, bool file, uintptr_t caller) {
    mapping m = {.start = start, .length = length, .file = file};
    hb_guard_enter();
    if (file) {
        m.block.scope_id = hb_scopes_innermost_id();
        hb_scopes_count_mapped_file(m.block.scope_id, length, true);
    } else {
        m.block = (hb_block){.address = start, .size = length};
        hb_scopes_count_alloc(&m.block, caller, __builtin_frame_address(0));
    }
    hb_spin_lock(&mappings.lock);
    size_t slot = 0;
    while (slot < mappings.used && mappings.table[slot].start != 0)
        slot++;
    if (slot < MAX_MAPPINGS) {
        mappings.table[slot] = m;
        if (slot == mappings.used)
            mappings.used++;
    }
    hb_spin_unlock(&mappings.lock);
    hb_guard_leave();
}

/* Uncounts what [start, start + length) unmaps of each counted mapping. */
static void forget(uintptr_t start, size_t length) {
    uintptr_t end = start + length;
    hb_guard_enter();
    hb_spin_lock(&mappings.lock);
    for (size_t i = 0; i < mappings.used; i++) {
        mapping *m = &mappings.table[i];
        uintptr_t m_end = m->start + m->length;
        if (m->start == 0 || m_end <= start || m->start >= end)
            continue;
        size_t gone = (m_end < end ? m_end : end) - (m->start > start ? m->start : start);
        if (m->file) {
            hb_scopes_count_mapped_file(m->block.scope_id, gone, false);
        } else {
            hb_block part = m->block;
            part.size = gone;
            hb_scopes_count_free(&part);
            m->block.size -= gone;
        }
        m->length -= gone;
        if (m->start >= start) /* the front went: what is left starts later */
            m->start = m->length != 0 ? end : 0;
    }
    hb_spin_unlock(&mappings.lock);
    hb_guard_leave();
}

#pragma GCC visibility push(default)

void *mmap(void *address, size_t length, int protection, int flags, int fd, off_t offset) {
    void *mapped = hb_sys_mmap(address, length, protection, flags, fd, offset);
    uintptr_t caller = (uintptr_t)__builtin_return_address(0);
    if (mapped != MAP_FAILED && counted(caller))
        remember((uintptr_t)mapped, length, !(flags & MAP_ANONYMOUS), caller);
    return mapped;
}

void *mmap64(void *address, size_t length, int protection, int flags, int fd, off_t offset)
    HB_ALIAS(mmap);

int munmap(void *address, size_t length) {
    int status = hb_sys_munmap(address, length);
    if (status == 0 && mappings.used != 0)
        forget((uintptr_t)address, length);
    return status;
}

void *mremap(void *old_address, size_t old_length, size_t new_length, int flags, ...) {
    void *new_address = NULL;
    if (flags & MREMAP_FIXED) {
        va_list args;
        va_start(args, flags);
        new_address = va_arg(args, void *);
        va_end(args);
    }
    void *moved =
        (void *)syscall(SYS_mremap, old_address, old_length, new_length, flags, new_address);
    uintptr_t caller = (uintptr_t)__builtin_return_address(0);
    if (moved == MAP_FAILED || mappings.used == 0)
        return moved;
    /* A counted mapping, resized: freed at its old size, made at its new. */
    hb_spin_lock(&mappings.lock);
    bool file = false, known = false;
    for (size_t i = 0; i < mappings.used && !known; i++)
        if (mappings.table[i].start == (uintptr_t)old_address) {
            known = true;
            file = mappings.table[i].file;
        }
    hb_spin_unlock(&mappings.lock);
    if (known) {
        forget((uintptr_t)old_address, old_length);
        if (counted(caller))
            remember((uintptr_t)moved, new_length, file, caller);
    }
    return moved;
}

/* The program break: sbrk(0) only asks where it is; anything else, from
 * measured code, is refused. */
extern void *__sbrk(intptr_t increment);

void *sbrk(intptr_t increment) {
    uintptr_t caller = (uintptr_t)__builtin_return_address(0);
    if (increment != 0 && counted(caller))
        hb_track_memory_error(&(hb_memory_error){.kind = HB_HIDDEN_MEMORY,
                                                 .function = "sbrk",
                                                 .caller = caller,
                                                 .bytes = (size_t)increment});
    return __sbrk(increment);
}

int brk(void *address) {
    uintptr_t caller = (uintptr_t)__builtin_return_address(0);
    if (counted(caller))
        hb_track_memory_error(&(hb_memory_error){
            .kind = HB_HIDDEN_MEMORY, .function = "brk", .ptr = address, .caller = caller});
    void *current = __sbrk(0);
    return __sbrk((intptr_t)((uintptr_t)address - (uintptr_t)current)) == (void *)-1 ? -1 : 0;
}

#pragma GCC visibility pop

#endif /* !HB_SANITIZED */
