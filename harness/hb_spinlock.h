/* hb_spinlock: the lock of the harness's hot path (the stack table, the
 * scopes' site figures, hb_misuse's ring, the profiler's writer).
 *
 * Why not pthread_mutex_t: an allocation or a free may take one of these
 * locks, almost always uncontended and for a few dozen instructions.
 * A glibc mutex costs two calls and two locked instructions per lock and
 * unlock; this costs one exchange and one plain store, inline.
 *
 * Why it still yields: on two cores a holder can be preempted, and a waiter
 * that only spun would burn its whole time slice.  After a short spin the
 * waiter calls sched_yield(), so the holder gets the core back.
 *
 * While the process has one thread (glibc's __libc_single_threaded, true
 * until the first pthread_create and never set back), no other thread can
 * take the lock, so taking it is skipped: a single-threaded test pays no
 * locked instruction at all, as glibc's own malloc does.  Unlocking always
 * stores, so a lock taken before a fork is released in the child.
 *
 * Not re-entrant, no owner, no fairness: hold it for a few lines, never
 * across a call that may allocate or block. */
#ifndef HB_SPINLOCK_H
#define HB_SPINLOCK_H

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/single_threaded.h>

/* True while no second thread was ever started: no one to race with. */
static inline bool hb_single_threaded(void) { return __libc_single_threaded; }

typedef struct hb_spinlock {
    atomic_uchar held;
} hb_spinlock;

#define HB_SPINLOCK_INIT                                                                           \
    { 0 }

enum { HB_SPIN_BEFORE_YIELD = 64 }; /* pauses, about a microsecond */

/* Tells the core this is a wait loop (saves power, and the other hardware
 * thread of the core runs faster). */
static inline void hb_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static inline void hb_spin_lock(hb_spinlock *lock) {
    if (hb_single_threaded())
        return;
    while (atomic_exchange_explicit(&lock->held, 1, memory_order_acquire)) {
        /* Wait on a plain load, so the cache line stays shared while held. */
        for (unsigned spins = 0; atomic_load_explicit(&lock->held, memory_order_relaxed);) {
            if (++spins < HB_SPIN_BEFORE_YIELD) {
                hb_spin_pause();
            } else {
                sched_yield();
                spins = 0;
            }
        }
    }
}

static inline void hb_spin_unlock(hb_spinlock *lock) {
    atomic_store_explicit(&lock->held, 0, memory_order_release);
}

#endif
