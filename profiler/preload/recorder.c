/* recorder.c: what the preload records and where it goes (recorder.h).
 *
 * Recording starts at the first allocation the process makes, whoever
 * makes it (the dynamic linker, a library's constructor), or at this
 * library's constructor if that comes first; `heapbook run` says where to
 * send it in the environment:
 *
 *   HEAPBOOK_CHANNEL       the channel to attach (channel.h)
 *   HEAPBOOK_ROOT_PID      the process heapbook run started
 *   HEAPBOOK_FOLLOW_FORK   "1": every process started from it records too
 *
 * Without HEAPBOOK_CHANNEL, or in a process not followed, it records
 * nothing and the hooks only forward.
 *
 * Each event is written as a record (capture.h) into the channel, under
 * one lock, in the order the lock is taken: a block's free is recorded
 * before the allocator gets it back (recorder_freeing), and its allocation
 * after the allocator handed it out, so no other thread's allocation of the
 * same address can come between them.  A call stack is captured with the
 * harness's core (libunwind, each distinct stack stored once,
 * harness/core/stacks.c), unless stack_memo.c knows it already, and written
 * the first time it is used. */
#include "recorder.h"

#include "capture.h"
#include "channel.h"
#include "core/core.h"
#include "stack_memo.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

__thread int recorder_guard __attribute__((tls_model("initial-exec")));

enum {
    MAX_EVENT = 1 + 3 * CAPTURE_MAX_VARINT,
    MAX_TIME = 1 + CAPTURE_MAX_VARINT,
    MAX_STACK = 1 + 2 * CAPTURE_MAX_VARINT + HB_STACK_MAX_FRAMES * CAPTURE_MAX_VARINT,
    MAX_SAMPLE = 1 + 8 + CAPTURE_MAX_VARINT,
    /* The hello and the module map, built before they are written. */
    MAX_PREPARED = 256 * 1024,
    MAX_PREPARED_RECORDS = 1024,
    /* glibc's libio flag for a buffer the program gave with setvbuf()
     * (libio/libio.h: _IO_USER_BUF, "don't deallocate buffer on close"). */
    LIBIO_USER_BUFFER = 0x0001,
};

/* An event's time is the last 'T' before it; a 'T' is written when this
 * many ticks of the events' clock have passed: about 10 us at 3 GHz. */
static const uint64_t TICK = 1 << 15;

enum recorder_state { UNSTARTED, STARTING, RECORDING, OFF };

/* The module's state. */
static struct {
    _Atomic int state;
    hb_spinlock lock; /* the writer: every record goes out under it */
    channel_writer channel;
    bool follow_fork;
    bool stream_due;  /* a forked child: its own stream begins at its next record */
    pid_t stream_pid; /* the process the stream is of */
    enum capture_allocator allocator;
    uint32_t stacks_written;
    uint64_t last_address;
    uint64_t last_ns, last_tick;
    unsigned long long module_adds, module_subs; /* of the module map last written */
} recorder = {.lock = HB_SPINLOCK_INIT};

/* Records built before the writer's lock is taken: reading the command
 * line and the module list may wait for the dynamic linker's lock, and a
 * thread holding that lock may be allocating. */
static struct {
    hb_spinlock lock;
    unsigned char bytes[MAX_PREPARED];
    size_t used;
    size_t ends[MAX_PREPARED_RECORDS]; /* where each record ends */
    size_t count;
} prepared = {.lock = HB_SPINLOCK_INIT};

/* ---- clocks */

static uint64_t monotonic_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* The events' clock: the CPU's counter where there is one, a few cycles
 * to read at every event, else the monotonic clock. */
static uint64_t now_ticks(void) {
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_ia32_rdtsc();
#elif defined(__aarch64__)
    uint64_t ticks;
    __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(ticks));
    return ticks;
#else
    return monotonic_ns();
#endif
}

/* ---- prepared records (under prepared.lock) */

static unsigned char *prepare(size_t bytes) {
    if (prepared.count == MAX_PREPARED_RECORDS || prepared.used + bytes > MAX_PREPARED)
        return NULL;
    return prepared.bytes + prepared.used;
}

static void prepared_end(const unsigned char *end) {
    prepared.used = (size_t)(end - prepared.bytes);
    prepared.ends[prepared.count++] = prepared.used;
}

static void prepare_hello(void) {
    unsigned char *p = prepare(64 + CAPTURE_MAX_ARGUMENTS);
    if (p == NULL)
        return;
    char arguments[CAPTURE_MAX_ARGUMENTS];
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
    *p++ = TAG_HELLO;
    p = capture_put_varint(p, (uint64_t)getpid());
    p = capture_put_varint(p, (uint64_t)getppid());
    p = capture_put_u64(p, (uint64_t)wall.tv_sec * 1000000000u + (uint64_t)wall.tv_nsec);
    recorder.last_ns = monotonic_ns();
    recorder.last_tick = now_ticks();
    p = capture_put_u64(p, recorder.last_ns);
    *p++ = (unsigned char)recorder.allocator;
    p = capture_put_varint(p, length);
    /* cppcheck-suppress legacyUninitvar ; read() wrote its first `length` bytes */
    memcpy(p, arguments, length);
    prepared_end(p + length);
}

/* The module's build-id, from its notes in memory. */
static size_t build_id(const struct dl_phdr_info *info, const unsigned char **id) {
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const unsigned char *note = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
        const unsigned char *end = note + ph->p_memsz;
        while (note + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *header = (const ElfW(Nhdr) *)note;
            const unsigned char *name = note + sizeof *header;
            const unsigned char *desc = name + ((header->n_namesz + 3) & ~3u);
            if (header->n_type == NT_GNU_BUILD_ID && header->n_namesz == 4 &&
                memcmp(name, "GNU", 4) == 0 && header->n_descsz <= CAPTURE_MAX_BUILD_ID) {
                *id = desc;
                return header->n_descsz;
            }
            note = desc + ((header->n_descsz + 3) & ~3u);
        }
    }
    return 0;
}

/* This library itself: no stack ever holds its frames (the core's stack
 * capture starts at the hook's caller), so the map leaves it out. */
static bool is_this_library(const struct dl_phdr_info *info) {
    Dl_info self;
    return dladdr((void *)is_this_library, &self) != 0 &&
           info->dlpi_addr == (ElfW(Addr))self.dli_fbase;
}

static int prepare_module(struct dl_phdr_info *info, size_t size, void *unused) {
    (void)size;
    (void)unused;
    static char exe[PATH_MAX];
    const char *path = info->dlpi_name;
    if (is_this_library(info))
        return 0;
    if (path == NULL || path[0] == '\0') { /* the program itself */
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0)
            return 0;
        exe[n] = '\0';
        path = exe;
    }
    if (path[0] != '/') /* linux-vdso.so.1 and the like: no file to read */
        return 0;
    uint64_t low = UINT64_MAX, high = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD) {
            low = ph->p_vaddr < low ? ph->p_vaddr : low;
            high = ph->p_vaddr + ph->p_memsz > high ? ph->p_vaddr + ph->p_memsz : high;
        }
    }
    const unsigned char *id = NULL;
    size_t id_length = build_id(info, &id);
    size_t length = strnlen(path, CAPTURE_MAX_PATH);
    unsigned char *p = prepare(1 + 4 * CAPTURE_MAX_VARINT + 1 + id_length + length);
    if (p == NULL || low > high)
        return 0;
    *p++ = TAG_MODULE;
    p = capture_put_varint(p, info->dlpi_addr);
    p = capture_put_varint(p, low);
    p = capture_put_varint(p, high - low);
    *p++ = (unsigned char)id_length;
    if (id_length > 0) /* id is NULL without a build-id: memcpy() may not be given it */
        memcpy(p, id, id_length);
    p = capture_put_varint(p + id_length, length);
    memcpy(p, path, length);
    prepared_end(p + length);
    return 0;
}

typedef struct module_counters {
    unsigned long long adds, subs;
} module_counters;

static int read_counters(struct dl_phdr_info *info, size_t size, void *counters) {
    if (size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs)
        *(module_counters *)counters = (module_counters){info->dlpi_adds, info->dlpi_subs};
    return 1; /* the counters are the same in every entry */
}

static module_counters current_counters(void) {
    module_counters counters = {0, 0};
    dl_iterate_phdr(read_counters, &counters);
    return counters;
}

static void prepare_module_map(void) {
    module_counters counters = current_counters();
    recorder.module_adds = counters.adds;
    recorder.module_subs = counters.subs;
    unsigned char *p = prepare(1);
    if (p == NULL)
        return;
    *p = TAG_MODULE_MAP;
    prepared_end(p + 1);
    dl_iterate_phdr(prepare_module, NULL);
}

/* This process's resident set size in bytes, without the pages of the
 * channel it has written (heapbook's, not the program's); 0 if unknown. */
static uint64_t resident_bytes(void) {
    char text[128];
    int statm = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    ssize_t n = statm >= 0 ? read(statm, text, sizeof text - 1) : -1;
    if (statm >= 0)
        close(statm);
    uint64_t pages = 0;
    const char *p = text;
    for (ssize_t i = 0; i < n && text[i] != ' '; i++) /* skip the size */
        p = text + i + 2;
    for (; n > 0 && p < text + n && *p >= '0' && *p <= '9'; p++)
        pages = pages * 10 + (uint64_t)(*p - '0');
    uint64_t bytes = pages * (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t channel = recorder.channel.chunk ? recorder.channel.chunk->producer_touched : 0;
    return bytes > channel ? bytes - channel : 0;
}

/* ---- writing (under recorder.lock) */

static unsigned char *reserve(size_t bytes) {
    unsigned char *p = channel_reserve(&recorder.channel, bytes);
    if (p == NULL) /* the collector is gone: nothing can be recorded now */
        atomic_store(&recorder.state, OFF);
    return p;
}

static void write_prepared(void) {
    for (size_t i = 0, start = 0; i < prepared.count; start = prepared.ends[i++]) {
        unsigned char *p = reserve(prepared.ends[i] - start);
        if (p == NULL)
            break;
        memcpy(p, prepared.bytes + start, prepared.ends[i] - start);
        channel_commit(&recorder.channel, p + prepared.ends[i] - start);
    }
    prepared.used = prepared.count = 0;
}

static bool write_stacks_up_to(uint32_t id) {
    while (recorder.stacks_written < id) {
        uintptr_t frames[HB_STACK_MAX_FRAMES];
        uint32_t next = recorder.stacks_written + 1;
        size_t depth = hb_stacks_frames(next, frames);
        unsigned char *p = reserve(MAX_STACK);
        if (p == NULL)
            return false;
        *p++ = TAG_STACK;
        p = capture_put_varint(p, next);
        p = capture_put_varint(p, depth);
        for (size_t i = 0; i < depth; i++)
            p = capture_put_varint(p, frames[i]);
        channel_commit(&recorder.channel, p);
        recorder.stacks_written = next;
    }
    return true;
}

/* A 'T' if a tick has passed since the last one. */
static unsigned char *put_time(unsigned char *p) {
    uint64_t ticks = now_ticks();
    if (ticks - recorder.last_tick < TICK)
        return p;
    recorder.last_tick = ticks;
    uint64_t ns = monotonic_ns();
    if (ns <= recorder.last_ns)
        return p;
    *p++ = TAG_TIME;
    p = capture_put_varint(p, ns - recorder.last_ns);
    recorder.last_ns = ns;
    return p;
}

static unsigned char *put_address(unsigned char *p, const void *address) {
    uint64_t now = (uint64_t)(uintptr_t)address;
    p = capture_put_varint(p, capture_zigzag(now - recorder.last_address));
    recorder.last_address = now;
    return p;
}

/* A stream's first records: the hello and the module map. */
static void prepare_stream(void) {
    prepare_hello();
    prepare_module_map();
}

/* The resident set size now: heapbook run samples it every 10 ms, and the
 * process itself at its start and its end, which a short program may
 * reach before heapbook run's first sample. */
static unsigned char *put_sample(unsigned char *p) {
    uint64_t rss = resident_bytes();
    if (rss == 0)
        return p;
    *p++ = TAG_SAMPLE;
    p = capture_put_u64(p, monotonic_ns());
    return capture_put_varint(p, rss);
}

static bool begin_stream_locked(void) {
    recorder.stream_pid = getpid();
    recorder.stacks_written = 0;
    recorder.last_address = 0;
    if (!channel_begin_stream(&recorder.channel))
        return false;
    write_prepared();
    unsigned char *p = reserve(MAX_SAMPLE);
    if (p != NULL)
        channel_commit(&recorder.channel, put_sample(p));
    channel_nudge(&recorder.channel); /* so heapbook run samples it from now on */
    return atomic_load(&recorder.state) == RECORDING;
}

/* Before an event is written, outside the writer's lock: a forked child's
 * new stream, or a new module map when a new stack may name a library
 * loaded since the last one. */
static void before_writing(uint32_t stack) {
    if (recorder.stream_due) { /* only in a forked child, with one thread */
        hb_spin_lock(&prepared.lock);
        prepare_stream();
        hb_spin_lock(&recorder.lock);
        recorder.stream_due = false;
        if (!begin_stream_locked())
            atomic_store(&recorder.state, OFF);
        hb_spin_unlock(&recorder.lock);
        hb_spin_unlock(&prepared.lock);
        return;
    }
    if (stack <= recorder.stacks_written)
        return;
    module_counters now = current_counters();
    if ((now.adds == recorder.module_adds && now.subs == recorder.module_subs) ||
        atomic_exchange_explicit(&prepared.lock.held, 1, memory_order_acquire))
        return; /* unchanged, or another thread is writing a map already */
    prepare_module_map();
    hb_spin_lock(&recorder.lock);
    write_prepared();
    hb_spin_unlock(&recorder.lock);
    hb_spin_unlock(&prepared.lock);
}

/* ---- start, fork, end */

static void before_fork(void) {
    hb_spin_lock(&recorder.lock);
    hb_stacks_lock();
}

static void after_fork_in_parent(void) {
    hb_stacks_unlock();
    hb_spin_unlock(&recorder.lock);
}

static void after_fork_in_child(void) {
    hb_stacks_unlock();
    channel_forget_chunk(&recorder.channel); /* the chunk being filled is the parent's */
    if (recorder.follow_fork)
        recorder.stream_due = true;
    else
        atomic_store(&recorder.state, OFF);
    hb_spin_unlock(&recorder.lock);
}

/* ---- the environment before the C library has it
 *
 * The program's .preinit_array functions run before the C library's own
 * initialisation sets `environ`, and may allocate; so does the dynamic
 * loader, for itself, earlier still.  An allocation from anywhere but the
 * loader with `environ` not yet set reads heapbook run's variables from
 * /proc/self/environ (the environment the program was started with),
 * without allocating. */

enum { EARLY_ENVIRONMENT = 64 * 1024 };
static struct {
    char text[EARLY_ENVIRONMENT];
    size_t length; /* 0: not read */
} early;

/* True if `address` is in the dynamic loader's code, from its program
 * headers in memory (its base from the auxiliary vector). */
static bool in_loader(uintptr_t address) {
    uintptr_t base = (uintptr_t)getauxval(AT_BASE);
    if (base == 0 || address < base)
        return false;
    const ElfW(Ehdr) *header = (const ElfW(Ehdr) *)base;
    const ElfW(Phdr) *segments = (const ElfW(Phdr) *)(base + header->e_phoff);
    for (unsigned i = 0; i < header->e_phnum; i++)
        if (segments[i].p_type == PT_LOAD && address - base >= segments[i].p_vaddr &&
            address - base < segments[i].p_vaddr + segments[i].p_memsz)
            return true;
    return false;
}

/* False if it cannot be read whole (no /proc, or larger than the buffer):
 * recording then waits for `environ`. */
static bool read_early_environment(void) {
    int fd = open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
    size_t length = 0;
    ssize_t n = 1;
    while (fd >= 0 && n > 0 && length < sizeof early.text) {
        n = read(fd, early.text + length, sizeof early.text - length);
        length += n > 0 ? (size_t)n : 0;
    }
    if (fd >= 0)
        close(fd);
    if (fd < 0 || n < 0 || length == 0 || length == sizeof early.text)
        return false;
    early.text[length] = '\0';
    early.length = length;
    return true;
}

/* getenv(), or the early environment's value before `environ` is set. */
static const char *environment(const char *name) {
    if (environ != NULL)
        return getenv(name);
    size_t name_length = strlen(name);
    for (size_t at = 0; at < early.length; at += strlen(early.text + at) + 1)
        if (strncmp(early.text + at, name, name_length) == 0 && early.text[at + name_length] == '=')
            return early.text + at + name_length + 1;
    return NULL;
}

/* Whether this process records, and its channel: OFF, or RECORDING with
 * the stream begun; UNSTARTED if it is too early to tell (the dynamic
 * linker allocating before the C library has its environment). */
static int start(uintptr_t caller) {
    if (environ == NULL && (caller == 0 || in_loader(caller) || !read_early_environment()))
        return UNSTARTED;
    const char *channel = environment("HEAPBOOK_CHANNEL");
    const char *root = environment("HEAPBOOK_ROOT_PID");
    const char *follow = environment("HEAPBOOK_FOLLOW_FORK");
    if (channel == NULL)
        return OFF;
    recorder.follow_fork = follow != NULL && strcmp(follow, "1") == 0;
    if (!recorder.follow_fork && (root == NULL || atoi(root) != (int)getpid()))
        return OFF; /* a process the recorded one started */
    recorder.allocator = (enum capture_allocator)hooks_allocator;
    char error[PATH_MAX + 64];
    /* Not recorded: heapbook run says so, from the exec that started this
     * program (exec_hooks.c) or from the capture that never began, and
     * nothing is written into the program's own output. */
    if (!channel_attach(&recorder.channel, channel, error, sizeof error))
        return OFF;
    pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
    hb_spin_lock(&prepared.lock);
    prepare_stream();
    hb_spin_lock(&recorder.lock);
    atomic_store(&recorder.state, RECORDING);
    bool begun = begin_stream_locked();
    hb_spin_unlock(&recorder.lock);
    hb_spin_unlock(&prepared.lock);
    return begun ? RECORDING : OFF;
}

/* True if this event is to be recorded; the first call starts recording.
 * `caller`: the code that allocates, or 0. */
static bool recording(uintptr_t caller) {
    int state = atomic_load_explicit(&recorder.state, memory_order_acquire);
    if (__builtin_expect(state == RECORDING, 1))
        return true;
    if (state == UNSTARTED && atomic_compare_exchange_strong(&recorder.state, &state, STARTING)) {
        recorder_guard++;
        atomic_store(&recorder.state, start(caller));
        recorder_guard--;
    }
    /* Another thread may be starting: wait for it, it never waits for us. */
    while ((state = atomic_load(&recorder.state)) == STARTING)
        sched_yield();
    return state == RECORDING;
}

/* A program that never allocates still gets a capture, started here. */
__attribute__((constructor)) static void start_at_load(void) { recording(0); }

/* The standard streams' buffers: the C library allocated them for itself
 * and never frees them; the reader shows them apart from leaks. */
static unsigned char *put_library_buffers(unsigned char *p) {
    FILE *streams[] = {stdin, stdout, stderr};
    for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++) {
        if (streams[i] == NULL || streams[i]->_IO_buf_base == NULL ||
            (streams[i]->_flags & LIBIO_USER_BUFFER))
            continue;
        *p++ = TAG_BUFFER;
        p = capture_put_varint(p, (uint64_t)(uintptr_t)streams[i]->_IO_buf_base);
    }
    return p;
}

__attribute__((destructor)) static void finish_at_exit(void) {
    if (atomic_load(&recorder.state) != RECORDING)
        return;
    recorder_guard++;
    hb_spin_lock(&recorder.lock);
    unsigned char *p = reserve(MAX_TIME + MAX_SAMPLE + 3 * (1 + CAPTURE_MAX_VARINT) + 1);
    if (p != NULL) {
        recorder.last_tick -= TICK; /* a last 'T': the time of the end */
        p = put_time(p);
        p = put_sample(p);
        p = put_library_buffers(p);
        *p++ = TAG_END;
        channel_commit(&recorder.channel, p);
        channel_flush(&recorder.channel, true);
    }
    /* Later frees (other libraries' destructors) are not recorded: the
     * capture ends here. */
    atomic_store(&recorder.state, OFF);
    hb_spin_unlock(&recorder.lock);
    recorder_guard--;
}

/* ---- the events */

void recorder_allocated(void *ptr, size_t size, uintptr_t caller, const uintptr_t *caller_slot) {
    if (!recording(caller))
        return;
    recorder_guard++;
    uint32_t stack = stack_memo_capture(caller, caller_slot);
    before_writing(stack);
    hb_spin_lock(&recorder.lock);
    unsigned char *p;
    if (atomic_load_explicit(&recorder.state, memory_order_relaxed) == RECORDING &&
        write_stacks_up_to(stack) && (p = reserve(MAX_TIME + MAX_EVENT)) != NULL) {
        p = put_time(p);
        *p++ = TAG_ALLOC;
        p = put_address(p, ptr);
        p = capture_put_varint(p, size);
        p = capture_put_varint(p, stack);
        channel_commit(&recorder.channel, p);
    }
    hb_spin_unlock(&recorder.lock);
    recorder_guard--;
}

/* A free or a failed realloc's block: the tag and the address. */
static void record_address(enum capture_tag tag, const void *ptr) {
    if (!recording(0))
        return;
    recorder_guard++;
    if (recorder.stream_due)
        before_writing(0);
    hb_spin_lock(&recorder.lock);
    unsigned char *p;
    if (atomic_load_explicit(&recorder.state, memory_order_relaxed) == RECORDING &&
        (p = reserve(MAX_TIME + MAX_EVENT)) != NULL) {
        p = put_time(p);
        *p++ = (unsigned char)tag;
        p = put_address(p, ptr);
        channel_commit(&recorder.channel, p);
    }
    hb_spin_unlock(&recorder.lock);
    recorder_guard--;
}

void recorder_freeing(void *ptr) { record_address(TAG_FREE, ptr); }

void recorder_kept(void *ptr) { record_address(TAG_KEPT, ptr); }

void recorder_exec(const char *path, bool failed) {
    if (atomic_load(&recorder.state) != RECORDING || path == NULL)
        return;
    /* A vfork()ed child runs here in its parent's memory, with no stream of
     * its own: its exec is written into the parent's, with its pid, if
     * heapbook run follows it. */
    pid_t pid = getpid();
    if (pid != recorder.stream_pid && !recorder.stream_due && !recorder.follow_fork)
        return;
    recorder_guard++;
    size_t length = strnlen(path, CAPTURE_MAX_PATH);
    if (recorder.stream_due) /* a forked child that execs before it allocates */
        before_writing(0);
    hb_spin_lock(&recorder.lock);
    unsigned char *p;
    if (atomic_load_explicit(&recorder.state, memory_order_relaxed) == RECORDING &&
        (p = reserve(2 + 2 * CAPTURE_MAX_VARINT + length)) != NULL) {
        *p++ = TAG_EXEC;
        *p++ = failed;
        p = capture_put_varint(p, (uint64_t)pid);
        p = capture_put_varint(p, length);
        memcpy(p, path, length);
        channel_commit(&recorder.channel, p + length);
    }
    hb_spin_unlock(&recorder.lock);
    recorder_guard--;
}
