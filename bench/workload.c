/* workload: the allocation patterns `make bench` times.
 *
 *   workload-BUILD [--scope none|counts|stacks] [--only NAME,...] [--once]
 *
 * --only runs the named workloads alone; --once runs each one time, with no
 * warm-up (for timing a whole process from outside: bench/profilers.sh runs
 * it under heaptrack, massif, memusage and heapbook run).
 *
 * One source, linked three ways by bench/Makefile: with glibc's malloc, with
 * libmimalloc.so's, and with the heapbook harness (whose --scope picks the
 * measuring, see scope.h).  Each workload runs once untimed, to bring the
 * allocator to its steady state, then REPETITIONS times; its line gives the
 * median.  The workloads do little besides allocating, so their ratios are
 * the harness's worst case, not what a real program pays.
 *
 * Output, tab-separated:
 *   malloc     <file that defines the malloc this process calls>
 *   median_of  <REPETITIONS>
 *   row        <workload>  <median ns>  <checksum>
 * The checksum depends on sizes and on bytes written and read back, never on
 * addresses: every build must print the same, or they did not do the same
 * work.  Everything is seeded, so every run makes the same calls. */
#include "scope.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Sized so that the slowest build (stacks) keeps `make bench` well under
 * two minutes on two cores, while glibc's runs stay long enough to time. */
enum {
    REPETITIONS = 7, /* odd: the median is one measured run */
    MIN_SIZE = 16,   /* small blocks, the common case in C programs */
    MAX_SIZE = 512,
    PAIRS = 2000000,
    GROWTH_ROUNDS = 2000,
    GROWING = 4,              /* buffers grown side by side */
    BUFFER_BYTES = 16 * 1024, /* the first buffer's final size */
    POOL_SLOTS = 4096,        /* live blocks of the churn: beyond any thread cache */
    CHURN_STEPS = 1000000,
    THREADS = 2,      /* one per core of the machine in docs/performance.md */
    MEDIUM_MIN = 512, /* medium blocks: past glibc's tcache, within mimalloc's small pages */
    MEDIUM_MAX = 64 * 1024,
    MEDIUM_SLOTS = 256,
    MEDIUM_STEPS = 200000,
    CFRAC_STEPS = 250000,  /* expressions evaluated */
    CFRAC_TEMPORARIES = 8, /* at most, per expression */
    CFRAC_KEPT = 64,       /* results kept, replaced in turn */
};

static const uint64_t SEED = UINT64_C(0x68656170626f6f6b); /* "heapbook" */

static _Noreturn void out_of_memory(const char *workload) {
    fprintf(stderr, "workload: %s: out of memory\n", workload);
    exit(EXIT_FAILURE);
}

/* xorshift64*: cheap next to an allocation, and the same on every build. */
static uint64_t next_random(uint64_t *state) {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * UINT64_C(0x2545F4914F6CDD1D);
}

static size_t random_size(uint64_t *state) {
    return MIN_SIZE + (size_t)(next_random(state) % (MAX_SIZE - MIN_SIZE + 1));
}

/* Writes the first and last byte: enough to touch the block without
 * burying the allocator's cost under memset's. */
static void mark(unsigned char *block, size_t size, uint64_t tag) {
    block[0] = (unsigned char)tag;
    block[size - 1] = (unsigned char)(tag >> 8);
}

static uint64_t read_back(const unsigned char *block, size_t size) {
    return size + block[0] + block[size - 1];
}

/* (a) malloc then free at once, sizes MIN_SIZE..MAX_SIZE. */
static uint64_t small_pairs(uint64_t seed) {
    uint64_t state = seed, sum = 0;
    for (uint64_t i = 0; i < PAIRS; i++) {
        size_t size = random_size(&state);
        unsigned char *block = malloc(size);
        if (block == NULL)
            out_of_memory("small-pairs");
        mark(block, size, i);
        sum += read_back(block, size);
        free(block);
    }
    return sum;
}

/* Appends MIN_SIZE..MAX_SIZE bytes to *buffer by realloc. */
static uint64_t grow(unsigned char **buffer, size_t *size, uint64_t *state) {
    size_t grown = *size + random_size(state);
    unsigned char *moved = realloc(*buffer, grown);
    if (moved == NULL)
        out_of_memory("realloc-growth");
    uint64_t sum = *size > 0 ? moved[*size - 1] : 0; /* the old contents came along */
    moved[grown - 1] = (unsigned char)grown;
    *buffer = moved;
    *size = grown;
    return sum;
}

/* (b) GROWING buffers appended to in turn, as arrays or strings being filled
 * side by side: each stands in the others' way, so growth cannot always
 * happen in place. */
static uint64_t realloc_growth(uint64_t seed) {
    uint64_t state = seed, sum = 0;
    for (uint64_t round = 0; round < GROWTH_ROUNDS; round++) {
        unsigned char *buffers[GROWING] = {NULL};
        size_t sizes[GROWING] = {0};
        while (sizes[0] < BUFFER_BYTES)
            for (int b = 0; b < GROWING; b++)
                sum += grow(&buffers[b], &sizes[b], &state);
        for (int b = 0; b < GROWING; b++) {
            sum += sizes[b];
            free(buffers[b]);
        }
    }
    return sum;
}

typedef struct slot {
    unsigned char *block;
    size_t size;
} slot;

static void fill_slot(slot *s, uint64_t *state, uint64_t tag) {
    s->size = random_size(state);
    s->block = malloc(s->size);
    if (s->block == NULL)
        out_of_memory("churn");
    mark(s->block, s->size, tag);
}

static uint64_t empty_slot(slot *s) {
    uint64_t sum = read_back(s->block, s->size);
    free(s->block);
    return sum;
}

/* (c) larson-like: a pool of live blocks; a random one is freed and
 * replaced at every step, so frees come in no particular order. */
static uint64_t churn(uint64_t seed) {
    uint64_t state = seed, sum = 0;
    slot *pool = malloc(POOL_SLOTS * sizeof *pool);
    if (pool == NULL)
        out_of_memory("churn");
    for (uint64_t i = 0; i < POOL_SLOTS; i++)
        fill_slot(&pool[i], &state, i);
    for (uint64_t step = 0; step < CHURN_STEPS; step++) {
        slot *s = &pool[next_random(&state) % POOL_SLOTS];
        sum += empty_slot(s);
        fill_slot(s, &state, step);
    }
    for (uint64_t i = 0; i < POOL_SLOTS; i++)
        sum += empty_slot(&pool[i]);
    free(pool);
    return sum;
}

/* (e) the churn with medium blocks, MEDIUM_MIN..MEDIUM_MAX bytes: buffers,
 * lines, small arrays.  Most of glibc's requests here bypass its tcache. */
static uint64_t medium_churn(uint64_t seed) {
    uint64_t state = seed, sum = 0;
    slot pool[MEDIUM_SLOTS];
    for (int i = 0; i < MEDIUM_SLOTS; i++)
        pool[i] = (slot){0};
    for (uint64_t step = 0; step < MEDIUM_STEPS; step++) {
        slot *s = &pool[next_random(&state) % MEDIUM_SLOTS];
        if (s->block != NULL)
            sum += empty_slot(s);
        s->size = MEDIUM_MIN + (size_t)(next_random(&state) % (MEDIUM_MAX - MEDIUM_MIN + 1));
        s->block = malloc(s->size);
        if (s->block == NULL)
            out_of_memory("medium-churn");
        mark(s->block, s->size, step);
    }
    for (int i = 0; i < MEDIUM_SLOTS; i++)
        if (pool[i].block != NULL)
            sum += empty_slot(&pool[i]);
    return sum;
}

/* (f) cfrac-like, after the bignum benchmark of the allocator papers: each
 * step evaluates an expression through 1..CFRAC_TEMPORARIES short-lived
 * numbers of 8..64 bytes, freed in reverse order (a stack of temporaries),
 * and keeps its result, which replaces one of CFRAC_KEPT older results. */
static uint64_t cfrac_like(uint64_t seed) {
    uint64_t state = seed, sum = 0;
    slot kept[CFRAC_KEPT] = {{0}};
    for (uint64_t step = 0; step < CFRAC_STEPS; step++) {
        slot temporaries[CFRAC_TEMPORARIES];
        int count = 1 + (int)(next_random(&state) % CFRAC_TEMPORARIES);
        for (int t = 0; t < count; t++) {
            temporaries[t].size = 8 + (size_t)(next_random(&state) % 57);
            temporaries[t].block = malloc(temporaries[t].size);
            if (temporaries[t].block == NULL)
                out_of_memory("cfrac-like");
            mark(temporaries[t].block, temporaries[t].size, step + (uint64_t)t);
        }
        slot *result = &kept[step % CFRAC_KEPT];
        if (result->block != NULL)
            sum += empty_slot(result);
        fill_slot(result, &state, step);
        for (int t = count - 1; t >= 0; t--)
            sum += empty_slot(&temporaries[t]);
    }
    for (int i = 0; i < CFRAC_KEPT; i++)
        if (kept[i].block != NULL)
            sum += empty_slot(&kept[i]);
    return sum;
}

typedef struct churn_job {
    uint64_t seed;
    uint64_t sum;
} churn_job;

static void *run_churn_job(void *arg) {
    churn_job *job = arg;
    job->sum = churn(job->seed);
    return NULL;
}

/* (d) the churn in THREADS threads at once, each with its own pool and the
 * same number of steps as (c): perfect scaling gives (c)'s time.  Threads
 * never free each other's blocks. */
static uint64_t churn_threads(uint64_t seed) {
    pthread_t threads[THREADS];
    churn_job jobs[THREADS];
    for (int t = 0; t < THREADS; t++) {
        jobs[t] = (churn_job){.seed = seed + (uint64_t)t};
        if (pthread_create(&threads[t], NULL, run_churn_job, &jobs[t]) != 0) {
            fprintf(stderr, "workload: churn-2threads: cannot create a thread\n");
            exit(EXIT_FAILURE);
        }
    }
    uint64_t sum = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        sum += jobs[t].sum;
    }
    return sum;
}

typedef struct workload {
    const char *name;
    uint64_t (*run)(uint64_t seed);
} workload;

static const workload workloads[] = {
    {"small-pairs", small_pairs},
    {"realloc-growth", realloc_growth},
    {"churn", churn},
    {"churn-2threads", churn_threads},
    {"medium-churn", medium_churn},
    {"cfrac-like", cfrac_like},
};

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int compare_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Runs `w` in a scope of its own; stores its time in *ns. */
static uint64_t timed_run(const workload *w, uint64_t *ns) {
    bench_scope_open();
    uint64_t start = now_ns();
    uint64_t sum = w->run(SEED);
    *ns = now_ns() - start;
    bench_scope_close();
    return sum;
}

static void measure(const workload *w, bool once) {
    uint64_t times[REPETITIONS];
    if (once) {
        uint64_t sum = timed_run(w, &times[0]);
        printf("row\t%s\t%" PRIu64 "\t%016" PRIx64 "\n", w->name, times[0], sum);
        fflush(stdout);
        return;
    }
    uint64_t sum = timed_run(w, &times[0]); /* the warm-up: its time is overwritten */
    for (int i = 0; i < REPETITIONS; i++) {
        if (timed_run(w, &times[i]) != sum) {
            fprintf(stderr, "workload: %s: checksum changed between runs\n", w->name);
            exit(EXIT_FAILURE);
        }
    }
    qsort(times, REPETITIONS, sizeof times[0], compare_u64);
    printf("row\t%s\t%" PRIu64 "\t%016" PRIx64 "\n", w->name, times[REPETITIONS / 2], sum);
    fflush(stdout);
}

/* The file whose malloc this process calls, so that report.sh can check that
 * each build uses the allocator its column is named after. */
static const char *malloc_provider(void) {
    void *(*volatile entry)(size_t) = malloc; /* the address the calls resolve to */
    Dl_info info;
    if (dladdr((void *)entry, &info) == 0 || info.dli_fname == NULL)
        return "unknown";
    const char *slash = strrchr(info.dli_fname, '/');
    return slash != NULL ? slash + 1 : info.dli_fname;
}

/* True if `name` is in the comma-separated `list` (NULL: every name). */
static bool chosen(const char *list, const char *name) {
    if (list == NULL)
        return true;
    size_t length = strlen(name);
    for (const char *p = list; p != NULL; p = strchr(p, ',')) {
        if (*p == ',')
            p++;
        if (strncmp(p, name, length) == 0 && (p[length] == ',' || p[length] == '\0'))
            return true;
    }
    return false;
}

static bool known_workloads(const char *list) {
    for (const char *p = list; p != NULL; p = strchr(p, ',')) {
        if (*p == ',')
            p++;
        bool known = false;
        for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++) {
            size_t length = strlen(workloads[i].name);
            known |= strncmp(p, workloads[i].name, length) == 0 &&
                     (p[length] == ',' || p[length] == '\0');
        }
        if (!known)
            return false;
    }
    return true;
}

int main(int argc, char **argv) {
    const char *mode = "none", *only = NULL;
    bool once = false, usage = false;
    for (int i = 1; i < argc && !usage; i++) {
        if (strcmp(argv[i], "--scope") == 0 && i + 1 < argc)
            mode = argv[++i];
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--once") == 0)
            once = true;
        else
            usage = true;
    }
    if (usage || !bench_scope_choose(mode) || (only != NULL && !known_workloads(only))) {
        fprintf(stderr,
                "usage: %s [--scope none|counts|stacks] [--only NAME,...] [--once]\n"
                "(counts and stacks only in the harness build; workloads:",
                argv[0]);
        for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
            fprintf(stderr, " %s", workloads[i].name);
        fprintf(stderr, ")\n");
        return EXIT_FAILURE;
    }
    printf("malloc\t%s\nmedian_of\t%d\n", malloc_provider(), once ? 1 : REPETITIONS);
    for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
        if (chosen(only, workloads[i].name))
            measure(&workloads[i], once);
    return EXIT_SUCCESS;
}
