/* libheapbook-preload.so: records a program's heap for `heapbook run`.
 *
 * Loaded with LD_PRELOAD, it brings the harness's allocator (every entry
 * point, counting requested bytes, forwarding to mimalloc) into any
 * dynamically linked program, opens one measured scope with stacks for the
 * whole run, and writes every allocation and free, each new call stack, a
 * memory sample every 10 ms and the loaded modules to the capture file
 * named by HEAPBOOK_CAPTURE (format: capture.h).  Without that variable it
 * does nothing but count.
 *
 * HEAPBOOK_FOLLOW_FORK=1: forked and exec'd children record too, each into
 * "<capture>.<pid>"; otherwise children record nothing. */
#include "capture.h"

#include "support/support.h"

#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
    BUFFER_SIZE = 1 << 20,
    SAMPLE_INTERVAL_NS = 10 * 1000 * 1000,  /* memray's default, too */
    SAMPLES_PER_FLUSH = 10,                 /* so a killed program loses at most ~100 ms */
    CALIBRATION_NS = 50 * 1000,             /* the first tick rate, until the first sample */
    MAX_EVENT = 1 + 4 * CAPTURE_MAX_VARINT, /* the longest 'A' or 'F' record */
};

/* One writer: every event goes through one buffer, in the order the lock
 * is taken, so a block's free always follows its allocation.  A spinlock:
 * it is held for a few stores, and taken twice per allocation/free pair. */
static hb_spinlock writer = HB_SPINLOCK_INIT;
static int fd = -1;
static unsigned char buffer[BUFFER_SIZE];
static size_t used;
static uint32_t stacks_written;
static uint64_t start_ns;
static uint64_t last_ticks, last_address; /* of the last 'A' or 'F': the deltas' base */
static hb_scope *whole_run;
static pthread_t sampler;
static atomic_bool sampling;
/* The sampler sleeps on this, so that the end of the program wakes it at
 * once instead of waiting out its 10 ms. */
static pthread_mutex_t sampler_sleep = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sampler_wake;
static bool follow_fork;
static char capture_path[PATH_MAX];

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec - start_ns;
}

/* The events' clock: the CPU's time-stamp counter where it has one (a third
 * of the cost of clock_gettime here, and an event happens at every malloc),
 * else nanoseconds.  The reader turns ticks into time by the clock records
 * (capture.h). */
static uint64_t now_ticks(void) {
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_ia32_rdtsc();
#elif defined(__aarch64__)
    uint64_t ticks;
    __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(ticks));
    return ticks;
#else
    return now_ns();
#endif
}

/* ---- the buffered writer; every function here runs with `writer` held */

static void flush_locked(void) {
    size_t done = 0;
    while (fd >= 0 && done < used) {
        ssize_t n = write(fd, buffer + done, used - done);
        if (n <= 0)
            break; /* disk full or closed: the reader will say the capture is short */
        done += (size_t)n;
    }
    used = 0;
}

/* Makes room for a whole record, so a flush never splits one. */
static void reserve(size_t size) {
    if (used + size > BUFFER_SIZE)
        flush_locked();
}

static void put(const void *data, size_t size) {
    memcpy(buffer + used, data, size);
    used += size;
}

static void put_u8(uint8_t v) { put(&v, 1); }
static void put_u16(uint16_t v) { put(&v, 2); }
static void put_u32(uint32_t v) { put(&v, 4); }
static void put_u64(uint64_t v) { put(&v, 8); }

static void put_varint(uint64_t v) {
    while (v >= 0x80) {
        buffer[used++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    buffer[used++] = (unsigned char)v;
}

/* A signed difference, zigzag-encoded: small either way, small varint. */
static void put_delta(uint64_t now, uint64_t *last) {
    uint64_t d = now - *last;
    *last = now;
    put_varint((d << 1) ^ (uint64_t)((int64_t)d >> 63));
}

/* A time in both clocks, for the reader to convert event ticks. */
static void put_clock(void) {
    put_u64(now_ns());
    put_u64(now_ticks());
}

static void write_stacks_up_to(uint32_t id) {
    while (stacks_written < id) {
        uintptr_t frames[HB_STACK_MAX_FRAMES];
        uint32_t next = stacks_written + 1;
        size_t depth = hb_stacks_frames(next, frames);
        reserve(1 + 4 + 2 + depth * 8);
        put_u8(TAG_STACK);
        put_u32(next);
        put_u16((uint16_t)depth);
        for (size_t i = 0; i < depth; i++)
            put_u64(frames[i]);
        stacks_written = next;
    }
}

static int write_module(struct dl_phdr_info *info, size_t size, void *unused) {
    (void)size;
    (void)unused;
    char exe[PATH_MAX];
    const char *path = info->dlpi_name;
    if (path == NULL || path[0] == '\0') { /* the program itself */
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0)
            return 0;
        exe[n] = '\0';
        path = exe;
    }
    if (path[0] != '/') /* linux-vdso.so.1 and the like: no file to read */
        return 0;
    size_t length = strnlen(path, CAPTURE_MAX_PATH);
    reserve(1 + 8 + 2 + length);
    put_u8(TAG_MODULE);
    put_u64(info->dlpi_addr);
    put_u16((uint16_t)length);
    put(path, length);
    return 0;
}

static void write_module_map_locked(void) {
    reserve(1 + 8 + 8);
    put_u8(TAG_MODULE_MAP);
    put_clock();
    dl_iterate_phdr(write_module, NULL);
}

static void write_header_locked(void) {
    char arguments[CAPTURE_MAX_ARGUMENTS / 16];
    size_t length = 0;
    int cmdline = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (cmdline >= 0) {
        ssize_t n;
        while (length < sizeof arguments &&
               (n = read(cmdline, arguments + length, sizeof arguments - length)) > 0)
            length += (size_t)n;
        close(cmdline);
    }
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    reserve(CAPTURE_MAGIC_SIZE + 4 + 4 + 8 + 4 + length);
    put(CAPTURE_MAGIC, CAPTURE_MAGIC_SIZE);
    put_u32(CAPTURE_VERSION);
    put_u32((uint32_t)getpid());
    put_u64((uint64_t)wall.tv_sec * 1000000000u + (uint64_t)wall.tv_nsec);
    put_u32((uint32_t)length);
    put(arguments, length);
}

/* ---- what the tracker tells us */

static void on_allocated(const hb_block *block) {
    uint64_t ticks = now_ticks();
    hb_spin_lock(&writer);
    if (fd >= 0) {
        write_stacks_up_to(block->stack_id);
        reserve(MAX_EVENT);
        put_u8(TAG_ALLOC);
        put_delta(ticks, &last_ticks);
        put_delta(block->address, &last_address);
        put_varint(block->size);
        put_varint(block->stack_id);
    }
    hb_spin_unlock(&writer);
}

static void on_freed(const hb_block *block, uintptr_t caller) {
    (void)caller;
    uint64_t ticks = now_ticks();
    hb_spin_lock(&writer);
    if (fd >= 0) {
        reserve(MAX_EVENT);
        put_u8(TAG_FREE);
        put_delta(ticks, &last_ticks);
        put_delta(block->address, &last_address);
    }
    hb_spin_unlock(&writer);
}

static const hb_track_observer recorder = {.allocated = on_allocated, .freed = on_freed};

/* ---- samples */

static uint64_t resident_bytes(void) {
    char text[128];
    int statm = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (statm < 0)
        return 0;
    ssize_t n = read(statm, text, sizeof text - 1);
    close(statm);
    if (n <= 0)
        return 0;
    text[n] = '\0';
    unsigned long long size = 0, resident = 0;
    if (sscanf(text, "%llu %llu", &size, &resident) != 2)
        return 0;
    return resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void write_sample(void) {
    uint64_t heap = hb_scope_usage(whole_run).live_bytes, rss = resident_bytes();
    hb_spin_lock(&writer);
    reserve(1 + 8 + 8 + 8 + 8);
    put_u8(TAG_SAMPLE);
    put_clock();
    put_u64(heap);
    put_u64(rss);
    hb_spin_unlock(&writer);
}

static void *sample_every_interval(void *unused) {
    (void)unused;
    hb_guard_enter(); /* this thread is the profiler's, not the program's */
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (unsigned n = 1; atomic_load(&sampling); n++) {
        next.tv_nsec += SAMPLE_INTERVAL_NS;
        if (next.tv_nsec >= 1000000000) {
            next.tv_sec++;
            next.tv_nsec -= 1000000000;
        }
        pthread_mutex_lock(&sampler_sleep);
        while (atomic_load(&sampling) &&
               pthread_cond_timedwait(&sampler_wake, &sampler_sleep, &next) == 0) {
        }
        pthread_mutex_unlock(&sampler_sleep);
        if (!atomic_load(&sampling))
            break;
        write_sample();
        if (n % SAMPLES_PER_FLUSH == 0) {
            hb_spin_lock(&writer);
            flush_locked();
            hb_spin_unlock(&writer);
        }
    }
    return NULL;
}

/* ---- start, fork, end */

static bool open_capture(const char *path) {
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        char message[PATH_MAX + 64];
        int n = snprintf(message, sizeof message, "heapbook: cannot write the capture %s\n", path);
        if (n > 0 && write(STDERR_FILENO, message, (size_t)n) < 0)
            return false;
        return false;
    }
    used = 0;
    stacks_written = 0; /* a new file: every stack is written again as used */
    last_ticks = last_address = 0;
    write_header_locked();
    write_module_map_locked();
    return true;
}

static void start_sampler(void) {
    pthread_condattr_t clock;
    pthread_condattr_init(&clock);
    pthread_condattr_setclock(&clock, CLOCK_MONOTONIC);
    pthread_cond_init(&sampler_wake, &clock);
    pthread_condattr_destroy(&clock);
    atomic_store(&sampling, true);
    if (pthread_create(&sampler, NULL, sample_every_interval, NULL) != 0)
        atomic_store(&sampling, false);
}

static void before_fork(void) { hb_spin_lock(&writer); }
static void after_fork_in_parent(void) { hb_spin_unlock(&writer); }

static void after_fork_in_child(void) {
    fd = -1; /* the parent's file stays the parent's */
    atomic_store(&sampling, false);
    /* The parent's sampler may have held it at the fork; it is not here. */
    pthread_mutex_init(&sampler_sleep, NULL);
    if (follow_fork) {
        char path[PATH_MAX + 16];
        snprintf(path, sizeof path, "%s.%d", capture_path, (int)getpid());
        if (open_capture(path))
            start_sampler();
    } else {
        hb_track_unobserve(&recorder);
    }
    hb_spin_unlock(&writer);
}

/* A forked child inherits the scope; an exec'd child starts afresh and
 * records into "<capture>.<pid>" when following forks. */
static const char *path_for_this_process(const char *capture, char *path, size_t size) {
    const char *root = getenv("HEAPBOOK_ROOT_PID");
    if (root == NULL || atoi(root) == (int)getpid())
        return capture;
    snprintf(path, size, "%s.%d", capture, (int)getpid());
    return path;
}

__attribute__((constructor)) static void start_recording(void) {
    const char *capture = getenv("HEAPBOOK_CAPTURE");
    if (capture == NULL)
        return;
    hb_guard_enter();
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    start_ns = (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
    follow_fork = getenv("HEAPBOOK_FOLLOW_FORK") != NULL;
    char own_path[PATH_MAX + 16];
    snprintf(capture_path, sizeof capture_path, "%s", capture);
    const char *path = path_for_this_process(capture_path, own_path, sizeof own_path);
    if (!follow_fork) { /* programs it starts are not recorded */
        unsetenv("LD_PRELOAD");
        unsetenv("HEAPBOOK_CAPTURE");
    }
    hb_spin_lock(&writer);
    bool opened = open_capture(path);
    hb_spin_unlock(&writer);
    if (opened) {
        /* Bad frees reported with their stacks; no quarantine, which would
         * keep freed memory from the program and take a stack per free. */
        hb_misuse_start(NULL);
        whole_run = hb_scope_begin(HB_SCOPE_STACKS | HB_SCOPE_NO_SITES);
        /* A second clock record soon after the first, so that the ticks of
         * a program that ends within 10 ms can be read as time too. */
        for (uint64_t until = now_ns() + CALIBRATION_NS; now_ns() < until;) {
        }
        write_sample();
        pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
        hb_track_observe(&recorder);
        start_sampler();
    }
    hb_guard_leave();
}

__attribute__((destructor)) static void finish_recording(void) {
    if (fd < 0)
        return;
    hb_guard_enter();
    if (atomic_exchange(&sampling, false)) {
        pthread_mutex_lock(&sampler_sleep);
        pthread_cond_signal(&sampler_wake);
        pthread_mutex_unlock(&sampler_sleep);
        pthread_join(sampler, NULL);
    }
    write_sample();
    hb_spin_lock(&writer);
    write_module_map_locked(); /* again: libraries opened since the start */
    reserve(1 + 8 + 8);
    put_u8(TAG_END);
    put_clock();
    flush_locked();
    close(fd);
    fd = -1;
    hb_spin_unlock(&writer);
    hb_guard_leave();
}
