/* mappings.c: memory the measured code gets from the kernel itself, with
 * mmap(), mremap(), shmat() and sbrk(), instead of malloc
 * (docs/harness.md).
 *
 * A memory test counts the heap; memory mapped around it would pass with
 * 0 B counted.  So inside a scope, for code that is not the harness's nor
 * an excluded library's (mimalloc maps its own segments):
 *
 *   - every mapping counts as a block of its length, with its call stack,
 *     until munmap() (or mremap(), shmdt()) gives it back, as memray
 *     counts one: anonymous or shared, of a file, of a memfd or a POSIX
 *     shared memory object, a System V segment attached with shmat();
 *   - a mapped file counts in the peak like any other memory the process
 *     holds (a whole input mapped is the same memory as a whole input
 *     read into a buffer), and its bytes are also a figure of their own
 *     (hb_usage.mapped_peak_bytes), shown beside the peak;
 *   - a mapping grown with mremap() counts its new length, whoever made
 *     it: a mapping made before the scope counts what it grew by;
 *   - MAP_FIXED over a counted mapping gives back what it replaces;
 *   - moving the program break (sbrk(), brk()) is refused: a report, and
 *     the test stops, since nothing can say whose memory it is.
 *
 * Each defined here, in the executable, so every call of the program's
 * reaches it; the real work is the system call itself (core.h: Pages). */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#if !HB_SANITIZED /* AddressSanitizer owns the heap there, and nothing is counted */

/* ---- the mappings a scope counted */

enum { MAX_MAPPINGS = 4096 }; /* live at once: far beyond what a test maps */

typedef struct mapping {
    uintptr_t start; /* 0: a free slot */
    size_t length;
    bool file;
    hb_block block; /* as the scopes counted it */
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
    m.block = (hb_block){.address = start, .size = length};
    hb_scopes_count_alloc(&m.block, caller, __builtin_frame_address(0));
    if (file && m.block.scope_id != 0)
        hb_scopes_count_mapped_file(m.block.scope_id, length, true);
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
        if (m->file && m->block.scope_id != 0)
            hb_scopes_count_mapped_file(m->block.scope_id, gone, false);
        hb_block part = m->block;
        part.size = gone;
        hb_scopes_count_free(&part);
        m->block.size -= gone;
        m->length -= gone;
        if (m->start >= start) /* the front went: what is left starts later */
            m->start = m->length != 0 ? end : 0;
    }
    hb_spin_unlock(&mappings.lock);
    hb_guard_leave();
}

#pragma GCC visibility push(default)

/* mremap() moved [from, from + length) to `to`: so do the counted
 * mappings inside it. */
static void relocate(uintptr_t from, size_t length, uintptr_t to) {
    hb_spin_lock(&mappings.lock);
    for (size_t i = 0; i < mappings.used; i++) {
        mapping *m = &mappings.table[i];
        if (m->start != 0 && m->start >= from && m->start + m->length <= from + length) {
            m->start = m->start - from + to;
            m->block.address = m->start;
        }
    }
    hb_spin_unlock(&mappings.lock);
}

/* The length of the counted mapping that starts at `start`; 0 if none. */
static size_t counted_length(uintptr_t start, bool *file) {
    size_t length = 0;
    hb_spin_lock(&mappings.lock);
    for (size_t i = 0; i < mappings.used && length == 0; i++)
        if (mappings.table[i].start == start) {
            length = mappings.table[i].length;
            *file = mappings.table[i].file;
        }
    hb_spin_unlock(&mappings.lock);
    return length;
}

void *mmap(void *address, size_t length, int protection, int flags, int fd, off_t offset) {
    void *mapped = hb_sys_mmap(address, length, protection, flags, fd, offset);
    uintptr_t caller = (uintptr_t)__builtin_return_address(0);
    /* Mapped over what was there: that part of a counted mapping is gone. */
    if (mapped != MAP_FAILED && (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && mappings.used != 0)
        forget((uintptr_t)mapped, length);
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
    if (moved == MAP_FAILED)
        return moved;
    /* Shrunk: its tail given back.  Moved: what was counted moves with
     * it.  Grown: the growth counts as a block of its own, in the scopes
     * open now (as a new allocation would), whoever made the mapping. */
    if (new_length < old_length && mappings.used != 0)
        forget((uintptr_t)old_address + new_length, old_length - new_length);
    if ((flags & MREMAP_FIXED) && mappings.used != 0) /* what was at the new place went */
        forget((uintptr_t)moved, new_length);
    size_t kept = new_length < old_length ? new_length : old_length;
    if (moved != old_address && mappings.used != 0)
        relocate((uintptr_t)old_address, kept, (uintptr_t)moved);
    bool file = false;
    if (new_length > old_length && counted(caller)) {
        counted_length((uintptr_t)moved, &file);
        remember((uintptr_t)moved + old_length, new_length - old_length, file, caller);
    }
    return moved;
}

/* System V shared memory: a segment attached counts as a mapping of its
 * size (the size it was created with) until it is detached. */
void *shmat(int id, const void *address, int flags) {
    void *attached = (void *)syscall(SYS_shmat, id, address, flags);
    uintptr_t caller = (uintptr_t)__builtin_return_address(0);
    struct shmid_ds segment;
    if (attached != (void *)-1 && counted(caller) && shmctl(id, IPC_STAT, &segment) == 0)
        remember((uintptr_t)attached, segment.shm_segsz, false, caller);
    return attached;
}

int shmdt(const void *address) {
    bool file = false;
    size_t length = mappings.used != 0 ? counted_length((uintptr_t)address, &file) : 0;
    int status = (int)syscall(SYS_shmdt, address);
    if (status == 0 && length != 0)
        forget((uintptr_t)address, length);
    return status;
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
