/* Four threads allocate and free at once, each from its own stack: a
 * block's free must reach the capture after its allocation, whichever
 * thread is handed the address next (tests/profiler/check.sh).
 *
 *   each thread: 20000 times malloc(100) and free it, then keeps
 *   malloc(1000): 4000 B in 4 blocks never freed.  pthread_create() has
 *   the dynamic loader allocate each thread's TLS table, kept with the
 *   thread's stack for the next thread: 4 blocks the C library keeps for
 *   itself, not leaks.  80008 allocations, 80000 frees.  (The peak depends
 *   on how the threads interleave: unchecked.) */
#include <pthread.h>
#include <stdlib.h>

enum { THREADS = 4, ROUNDS = 20000 };

static void *kept[THREADS];

static void *work(void *slot) {
    for (int i = 0; i < ROUNDS; i++)
        free(malloc(100));
    *(void **)slot = malloc(1000);
    return NULL;
}

int main(void) {
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&threads[i], NULL, work, &kept[i]) != 0)
            return 1;
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    return 0;
}
