/* entry_points.c: every allocation entry point of the C library, and of C++,
 * defined here and forwarded to mimalloc's mi_* functions.
 *
 * Each block carries the harness's header in front of what the caller gets
 * (core.h: Blocks), so every entry point asks mimalloc for the header too.
 *
 * Defining malloc & co. in the executable interposes them for the whole
 * process: libc, CUnit and every other library call these.  Debian's
 * libmimalloc.so exports its own malloc, calloc, ... too, so an entry point
 * missing here would reach mimalloc directly and bypass the counters; the
 * harness's tests compare this list with what libmimalloc.so exports.
 *
 * Semantics follow glibc where the C standard leaves a choice:
 *   - malloc(0) returns a unique pointer, counted as a 0-byte allocation;
 *   - realloc(p, 0) with p != NULL frees p and returns NULL;
 *   - a failed realloc leaves the old block (and its accounting) unchanged;
 *   - realloc counts as a free of the old block, then an allocation of the
 *     new size, whether it moves the block or not (resize());
 *   - calloc/reallocarray whose size overflows return NULL with ENOMEM;
 *   - pvalloc counts the size rounded up to whole pages (the caller may use
 *     all of it); every other function counts exactly the size requested.
 * free() or realloc() of a pointer that is not a live block stops the
 * program with a report (hb_track_bad_free) instead of corrupting the heap.
 *
 * Every entry point keeps default visibility: the harness is sealed
 * (core.h's HB_API), and these are what it exists to export. */
#include "internal.h"

#if HB_SANITIZED
/* make memcheck: AddressSanitizer owns malloc, and no entry point is
 * defined here, or the two would fight over every allocation.  No block
 * then has a header, nor reaches the core; the release functions the core
 * links to are never called with one. */
#include <stdlib.h>

void hb_release(const hb_block *block, void *allocation, uintptr_t caller, const void *frame) {
    (void)block;
    (void)caller;
    (void)frame;
    free(allocation);
}

void hb_release_now(void *allocation) { free(allocation); }

#else

#include <errno.h>
#include <malloc.h>
#include <mimalloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* mimalloc gives an emptied page back to the kernel (decommits it) a set
 * time after it empties (25 ms by default), so whether a realloc or free in
 * a test took that path depended on the clock, and with it how deep the
 * allocation path's calls went: a memory test's stack figure read 1408 or
 * 1416 B from one run to the next (starter 04).  A test process lives for
 * milliseconds, so what it keeps committed costs nothing, and every run
 * takes the same path.  Set before main(), before the first allocation
 * could empty a page; the environment (MIMALLOC_ALLOW_DECOMMIT) cannot
 * change it back. */
static void never_decommit(void) { mi_option_disable(mi_option_allow_decommit); }
__attribute__((section(".preinit_array"),
               used)) static void (*const never_decommit_first)(void) = never_decommit;

/* mimalloc's block `start`, with the header written, becomes the payload
 * the caller gets (core.h: Blocks).  The common cases inline (internal.h): the
 * program's own code counted in the plain scope, or no scope open at all;
 * the rest through the tracker. */
static inline __attribute__((always_inline)) void *tracked(void *start, size_t size,
                                                           uintptr_t caller) {
    if (start == NULL)
        return NULL;
    void *ptr = hb_blocks_payload(start);
    if (!hb_scopes_any_open()) {
        hb_blocks_insert((uintptr_t)ptr, size, 0, 0, 0);
        return ptr;
    }
    hb_scope *plain = hb_plain_scope_for(caller);
    if (plain != NULL)
        return hb_counted_plainly(plain, start, size);
    return hb_track_alloc(ptr, size, 0, caller); /* a tail call: see mk/harness.mk */
}

/* mimalloc leaves room before an aligned block only up to an alignment of
 * its own (16 MiB in mimalloc 2.0).  Beyond it the payload goes
 * `alignment` bytes into a block aligned so, with the header just before
 * it, and the header records the gap so free() finds the block's start. */
__attribute__((noinline, cold)) static void *allocate_with_gap(size_t size, size_t alignment,
                                                               uintptr_t caller) {
    size_t gross;
    if (__builtin_add_overflow(size, alignment + HB_BLOCK_GUARD, &gross) || gross > PTRDIFF_MAX) {
        errno = ENOMEM;
        return NULL;
    }
    char *start = mi_malloc_aligned(gross, alignment);
    if (start == NULL)
        return NULL;
    return hb_track_alloc(start + alignment, size, (uint32_t)__builtin_ctzll(alignment), caller);
}

/* The bytes to ask mimalloc for, header included; false with errno ENOMEM
 * if no block that big can exist. */
static bool gross_size(size_t size, size_t *gross) {
    if (hb_blocks_gross_size(size, gross))
        return true;
    errno = ENOMEM;
    return false;
}

static bool is_power_of_two(size_t n) { return n != 0 && (n & (n - 1)) == 0; }

/* An injected failure (fault.c): behave as if memory had run out. */
static inline bool injected_failure(uintptr_t caller) {
    if (atomic_load_explicit(&hb_hot.fault_armed, memory_order_relaxed) == 0 ||
        !hb_fault_should_fail(caller))
        return false;
    errno = ENOMEM;
    return true;
}

/* Every allocation: a block with room for the header before the payload. */
static void *allocate(size_t size, bool zeroed, uintptr_t caller) {
    size_t gross;
    if (!gross_size(size, &gross))
        return NULL;
    return tracked(zeroed ? mi_zalloc(gross) : mi_malloc(gross), size, caller);
}

/* allocate() while a fault is armed: out of line, so that the common case
 * below saves no register for it. */
__attribute__((noinline, cold)) static void *allocate_unless_injected(size_t size, bool zeroed,
                                                                      uintptr_t caller) {
    if (injected_failure(caller))
        return NULL;
    return allocate(size, zeroed, caller);
}

/* malloc() and calloc() beyond the plain scope's case (fast_paths.c).
 * Both ways out are tail calls (the stack walk needs the caller's frame
 * pointer kept: fast_paths.c). */
void *hb_allocate_generally(size_t size, bool zeroed, uintptr_t caller) {
    if (atomic_load_explicit(&hb_hot.fault_armed, memory_order_relaxed) != 0)
        return allocate_unless_injected(size, zeroed, caller);
    return allocate(size, zeroed, caller);
}

/* The same with the payload aligned to `alignment`. */
static void *allocate_aligned(size_t size, size_t alignment, uintptr_t caller) {
    size_t gross;
    if (!gross_size(size, &gross))
        return NULL;
    int saved_errno = errno;
    void *start = mi_malloc_aligned_at(gross, alignment, HB_BLOCK_HEADER);
    if (start != NULL)
        return tracked(start, size, caller);
    /* Out of memory, or an alignment beyond the offset limit.  A gap is
     * only for the latter: below HB_BLOCK_HEADER it could not even hold
     * the header, and it is counted in whole powers of two. */
    if (alignment < HB_BLOCK_HEADER || !is_power_of_two(alignment))
        return NULL;
    errno = saved_errno; /* untouched if the second way succeeds */
    return allocate_with_gap(size, alignment, caller);
}

/* Will the quarantine take `block` when it is released?  Only a block a
 * scope counted, not too big, and not from code that interrupted the
 * harness (hb_counting_plainly: the quarantine's lock may be held). */
static bool quarantine_takes(const hb_block *block) {
    return atomic_load_explicit(&hb_hot.quarantine_on, memory_order_relaxed) &&
           block->scope_id != 0 && block->size <= HB_QUARANTINE_BYTES && !hb_counting_plainly();
}

/* To the quarantine if it takes the block, else back to mimalloc; `whole`
 * poisons every byte of it, not only the first ones.  Inlined into
 * hb_release() by force: GCC stops doing it of itself once the
 * quarantine's switch is an atomic load, and a free in a scope with
 * stacks would pay the call. */
static inline __attribute__((always_inline)) void
release(const hb_block *block, void *allocation, uintptr_t caller, bool whole, const void *frame) {
    if (quarantine_takes(block)) {
        hb_guard_enter(); /* the quarantine captures the free's stack */
        bool kept = hb_quarantine_keep(block, allocation, caller, whole, frame);
        hb_guard_leave();
        if (kept)
            return;
    }
    mi_free(allocation);
}

void hb_release(const hb_block *block, void *allocation, uintptr_t caller, const void *frame) {
    release(block, allocation, caller, false, frame);
}

void hb_release_now(void *allocation) { mi_free(allocation); }

/* The bytes a moving realloc adds: nobody wrote them; not 0, not the
 * poison (a freed block's), not the guard's. */
enum { HB_UNWRITTEN = 0xBE };

/* Would mi_realloc() keep `allocation` where it is for `size` bytes?  Its
 * own rule (mimalloc's _mi_heap_realloc_zero): the new size fits in the
 * block and wastes at most half of it.  Sizes alone decide it, so whether
 * a realloc moves is the same on every run; a block that grows one element
 * at a time moves only when it outgrows its size class, as it always did. */
static bool fits_in_place(void *allocation, size_t size) {
    size_t gross, usable = mi_usable_size(allocation);
    return hb_blocks_gross_size(size, &gross) && gross <= usable && gross >= usable / 2;
}

/* The new memory (mimalloc's block, header and all) for the old block's
 * bytes at `size`: the old block's memory grown or shrunk, or when
 * `moving`, a new block they are copied to (the old one left to the
 * caller). */
static void *reallocated(const hb_block *old, void *allocation, size_t size, bool moving,
                         uintptr_t caller) {
    size_t gross;
    if (injected_failure(caller) || !gross_size(size, &gross))
        return NULL;
    if (!moving)
        return mi_realloc(allocation, gross);
    void *start = mi_malloc(gross);
    if (start == NULL)
        return NULL;
    char *payload = hb_blocks_payload(start);
    memcpy(payload, (void *)old->address, old->size < size ? old->size : size);
    /* The bytes it adds are nobody's yet: not the zeros of a fresh page,
     * which would make code that reads them before writing pass by luck
     * (as mimalloc's reuse of the old block's page once did not). */
    if (size > old->size)
        memset(payload + old->size, HB_UNWRITTEN, size - old->size);
    return start;
}

/* realloc and its relatives.  `free_on_failure` gives reallocf. */
static void *resize(void *old, size_t size, uintptr_t caller, const char *function,
                    bool free_on_failure) {
    if (old == NULL)
        return injected_failure(caller) ? NULL : allocate(size, false, caller);
    hb_block taken;
    void *allocation = hb_track_take(old, &taken, function, caller);
    if (allocation == NULL)
        hb_track_bad_free(function, old, caller);
    if (size == 0) {
        hb_track_count_free(&taken, caller);
        hb_release(&taken, allocation, caller, __builtin_frame_address(0));
        return NULL;
    }
    /* A block with a gap moves: mi_realloc() would keep the gap's bytes,
     * not the payload's.  A block the quarantine takes moves where mimalloc
     * would move it (it does not fit in place), but by the harness: the old
     * block is poisoned whole in the quarantine instead of freed, and a
     * pointer kept into it reads the poison, not old bytes right by luck
     * (docs/harness.md: What is guarded).  Counted as glibc's realloc is,
     * the old block freed before the new one is allocated. */
    bool moving =
        taken.gap_shift != 0 || (quarantine_takes(&taken) && !fits_in_place(allocation, size));
    void *start = reallocated(&taken, allocation, size, moving, caller);
    if (start == NULL) {
        hb_track_restore(&taken);
        if (free_on_failure)
            hb_release_quickly(old, function, caller);
        return NULL;
    }
    hb_track_count_free(&taken, caller);
    if (moving)
        release(&taken, allocation, caller, true, __builtin_frame_address(0));
    return tracked(start, size, caller);
}

static void *aligned(size_t alignment, size_t size, uintptr_t caller) {
    if (injected_failure(caller))
        return NULL;
    return allocate_aligned(size, alignment, caller);
}

#pragma GCC visibility push(default)

void *realloc(void *ptr, size_t size) { return resize(ptr, size, HB_CALLER, "realloc", false); }

void *reallocf(void *ptr, size_t size) { return resize(ptr, size, HB_CALLER, "reallocf", true); }

void *reallocarray(void *ptr, size_t count, size_t size) {
    size_t bytes;
    if (!hb_array_bytes(count, size, &bytes))
        return NULL;
    return resize(ptr, bytes, HB_CALLER, "reallocarray", false);
}

/* NetBSD's: *(void **)ptr_address is resized in place; 0 or an errno. */
int reallocarr(void *ptr_address, size_t count, size_t size) {
    size_t bytes;
    if (!hb_array_bytes(count, size, &bytes))
        return ENOMEM;
    void **slot = ptr_address;
    int saved_errno = errno;
    void *ptr = resize(*slot, bytes, HB_CALLER, "reallocarr", false);
    if (ptr == NULL && bytes != 0) {
        int error = errno;
        errno = saved_errno;
        return error;
    }
    *slot = ptr;
    return 0;
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    if (!is_power_of_two(alignment) || alignment % sizeof(void *) != 0)
        return EINVAL;
    void *ptr = aligned(alignment, size, HB_CALLER);
    if (ptr == NULL)
        return ENOMEM;
    *result = ptr;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size) {
    if (!is_power_of_two(alignment)) {
        errno = EINVAL;
        return NULL;
    }
    return aligned(alignment, size, HB_CALLER);
}

void *_aligned_malloc(size_t size, size_t alignment) { return aligned_alloc(alignment, size); }

/* glibc's memalign rounds an alignment that is not a power of two up. */
void *memalign(size_t alignment, size_t size) {
    size_t power = sizeof(void *);
    while (power < alignment && power != 0)
        power <<= 1;
    if (power == 0) {
        errno = EINVAL;
        return NULL;
    }
    return aligned(power, size, HB_CALLER);
}

void *valloc(size_t size) { return aligned((size_t)sysconf(_SC_PAGESIZE), size, HB_CALLER); }

void *pvalloc(size_t size) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t rounded = (size + page - 1) & ~(page - 1);
    if (rounded < size) {
        errno = ENOMEM;
        return NULL;
    }
    return aligned(page, rounded == 0 ? page : rounded, HB_CALLER);
}

/* Exactly the size requested: what mimalloc rounds up beyond it starts
 * with the block's guard, which is not the caller's to write. */
size_t malloc_usable_size(void *ptr) {
    hb_block block;
    if (ptr == NULL)
        return 0;
    if (!hb_blocks_find((uintptr_t)ptr, &block))
        hb_track_bad_free("malloc_usable_size", ptr, HB_CALLER);
    return block.size;
}

/* The request that fills mimalloc's block, header and guard aside. */
size_t malloc_good_size(size_t size) {
    size_t gross;
    if (!hb_blocks_gross_size(size, &gross))
        return size;
    return mi_good_size(gross) - HB_BLOCK_HEADER - HB_BLOCK_GUARD;
}

/* Old and foreign spellings that libmimalloc.so exports too. */
size_t malloc_size(const void *ptr) HB_ALIAS(malloc_usable_size);
void *__libc_realloc(void *ptr, size_t size) HB_ALIAS(realloc);
void *__libc_memalign(size_t alignment, size_t size) HB_ALIAS(memalign);
void *__libc_valloc(size_t size) HB_ALIAS(valloc);
void *__libc_pvalloc(size_t size) HB_ALIAS(pvalloc);
int __posix_memalign(void **result, size_t alignment, size_t size) HB_ALIAS(posix_memalign);

/* C++'s operator new and delete, by their mangled names, so a C++ program
 * linked with the harness is counted too; new_block() follows C++'s rules
 * on failure. */
typedef const void *nothrow_ref; /* const std::nothrow_t & */

void *hb_new(size_t size) __asm__("_Znwm");
void *hb_new_array(size_t size) __asm__("_Znam");
void *hb_new_nothrow(size_t size, nothrow_ref tag) __asm__("_ZnwmRKSt9nothrow_t");
void *hb_new_array_nothrow(size_t size, nothrow_ref tag) __asm__("_ZnamRKSt9nothrow_t");
void *hb_new_aligned(size_t size, size_t alignment) __asm__("_ZnwmSt11align_val_t");
void *hb_new_array_aligned(size_t size, size_t alignment) __asm__("_ZnamSt11align_val_t");
void *hb_new_aligned_nothrow(size_t size, size_t alignment,
                             nothrow_ref tag) __asm__("_ZnwmSt11align_val_tRKSt9nothrow_t");
void *hb_new_array_aligned_nothrow(size_t size, size_t alignment,
                                   nothrow_ref tag) __asm__("_ZnamSt11align_val_tRKSt9nothrow_t");
void hb_delete(void *ptr) __asm__("_ZdlPv");
void hb_delete_array(void *ptr) __asm__("_ZdaPv");
void hb_delete_sized(void *ptr, size_t size) __asm__("_ZdlPvm");
void hb_delete_array_sized(void *ptr, size_t size) __asm__("_ZdaPvm");
void hb_delete_aligned(void *ptr, size_t alignment) __asm__("_ZdlPvSt11align_val_t");
void hb_delete_array_aligned(void *ptr, size_t alignment) __asm__("_ZdaPvSt11align_val_t");
void hb_delete_sized_aligned(void *ptr, size_t size,
                             size_t alignment) __asm__("_ZdlPvmSt11align_val_t");
void hb_delete_array_sized_aligned(void *ptr, size_t size,
                                   size_t alignment) __asm__("_ZdaPvmSt11align_val_t");

typedef void (*new_handler)(void);

/* std::get_new_handler(), if the program loaded libstdc++ (a weak
 * reference: NULL in a C program). */
extern new_handler hb_get_new_handler(void) __asm__("_ZSt15get_new_handlerv") __attribute__((weak));

/* operator new's rules: while memory runs out, call the new handler and try
 * again; with no handler, the nothrow forms return NULL and the others stop
 * the program.  C cannot throw std::bad_alloc, so they abort, as
 * mimalloc's own mi_new does when built as C. */
static void *new_block(size_t size, size_t alignment, bool nothrow, uintptr_t caller) {
    for (;;) {
        void *ptr = alignment != 0 ? allocate_aligned(size, alignment, caller)
                                   : allocate(size, false, caller);
        if (ptr != NULL)
            return ptr;
        new_handler handler = hb_get_new_handler != NULL ? hb_get_new_handler() : NULL;
        if (handler == NULL && nothrow)
            return NULL;
        if (handler == NULL) {
            static const char message[] = "heapbook: out of memory in operator new\n";
            (void)write(STDERR_FILENO, message, sizeof message - 1);
            abort();
        }
        handler();
    }
}

void *hb_new(size_t size) { return new_block(size, 0, false, HB_CALLER); }

void *hb_new_nothrow(size_t size, nothrow_ref tag) {
    (void)tag;
    return new_block(size, 0, true, HB_CALLER);
}

void *hb_new_aligned(size_t size, size_t alignment) {
    return new_block(size, alignment, false, HB_CALLER);
}

void *hb_new_aligned_nothrow(size_t size, size_t alignment, nothrow_ref tag) {
    (void)tag;
    return new_block(size, alignment, true, HB_CALLER);
}

void hb_delete(void *ptr) { hb_release_quickly(ptr, "operator delete", HB_CALLER); }

void hb_delete_sized(void *ptr, size_t size) {
    (void)size;
    hb_release_quickly(ptr, "operator delete", HB_CALLER);
}

void hb_delete_aligned(void *ptr, size_t alignment) {
    (void)alignment;
    hb_release_quickly(ptr, "operator delete", HB_CALLER);
}

void hb_delete_sized_aligned(void *ptr, size_t size, size_t alignment) {
    (void)size;
    (void)alignment;
    hb_release_quickly(ptr, "operator delete", HB_CALLER);
}

/* The array forms behave exactly like the single-object forms (an alias
 * names its target by its assembler name). */
void *hb_new_array(size_t size) __attribute__((alias("_Znwm")));
void *hb_new_array_nothrow(size_t size, nothrow_ref tag)
    __attribute__((alias("_ZnwmRKSt9nothrow_t")));
void *hb_new_array_aligned(size_t size, size_t alignment)
    __attribute__((alias("_ZnwmSt11align_val_t")));
void *hb_new_array_aligned_nothrow(size_t size, size_t alignment, nothrow_ref tag)
    __attribute__((alias("_ZnwmSt11align_val_tRKSt9nothrow_t")));
void hb_delete_array(void *ptr) __attribute__((alias("_ZdlPv")));
void hb_delete_array_sized(void *ptr, size_t size) __attribute__((alias("_ZdlPvm")));
void hb_delete_array_aligned(void *ptr, size_t alignment)
    __attribute__((alias("_ZdlPvSt11align_val_t")));
void hb_delete_array_sized_aligned(void *ptr, size_t size, size_t alignment)
    __attribute__((alias("_ZdlPvmSt11align_val_t")));

#pragma GCC visibility pop

#endif /* HB_SANITIZED */
