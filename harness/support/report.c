/* report.c: what the runner reports in words: stacks and sites laid out
 * for a terminal, the memory errors the core finds, the growing text they
 * are written into, and the names of the code's addresses they show
 * (support.h: Text, Reports, Misuse, Symbols). */
#include "support.h"

#include <elfutils/libdwfl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the text of a report */

void hb_text_printf(hb_text *text, const char *format, ...) {
    va_list args;
    va_start(args, format);
    va_list again;
    va_copy(again, args);
    int needed = vsnprintf(NULL, 0, format, args);
    va_end(args);
    hb_guard_enter();
    if (needed > 0 && text->length + (size_t)needed + 1 > text->capacity) {
        size_t capacity = text->capacity ? text->capacity : 256;
        while (capacity < text->length + (size_t)needed + 1)
            capacity *= 2;
        char *grown = realloc(text->data, capacity);
        if (grown != NULL) {
            text->data = grown;
            text->capacity = capacity;
        }
    }
    if (needed > 0 && text->length + (size_t)needed + 1 <= text->capacity) {
        vsnprintf(text->data + text->length, (size_t)needed + 1, format, again);
        text->length += (size_t)needed;
    }
    hb_guard_leave();
    va_end(again);
}

const char *hb_text_get(const hb_text *text) { return text->data ? text->data : ""; }

void hb_text_free(hb_text *text) {
    hb_guard_enter();
    free(text->data);
    hb_guard_leave();
    *text = (hb_text){0};
}

/* ---- stacks and sites */

/* The module's state: whether reports are coloured. */
static struct { bool colour; } style;

void hb_report_use_colour(bool colour) { style.colour = colour; }

enum { ESCAPE = '\033' };
#define BOLD "\033[1m"
#define DIM "\033[2m"
#define PLAIN "\033[0m"

void hb_report_strip_colour(const char *text, char *plain) {
    while (*text != '\0') {
        if (*text == ESCAPE && text[1] == '[') {
            text += 2;
            while (*text != '\0' && *text != 'm')
                text++;
            if (*text == 'm')
                text++;
            continue;
        }
        *plain++ = *text++;
    }
    *plain = '\0';
}

/* Whose code a frame is: a shared library's (libc, CUnit), by the file it
 * was loaded from; else the executable's, whose files the build recorded
 * relative to the repository: the student's, the harness's, or the test's
 * (tests/, or a program of its own). */
typedef enum owner { YOURS, TEST, HARNESS, LIBRARY } owner;

static bool is_shared_library(const char *module) {
    return module[0] == '\0' || strstr(module, ".so") != NULL;
}

static owner owner_of(const hb_location *location) {
    static const char *const yours[] = {"exercises/", "solutions/"};
    if (is_shared_library(location->module))
        return LIBRARY;
    for (size_t i = 0; i < sizeof yours / sizeof yours[0]; i++)
        if (strncmp(location->file, yours[i], strlen(yours[i])) == 0)
            return YOURS;
    if (strncmp(location->file, "harness/", 8) == 0 || strncmp(location->function, "hb_", 3) == 0)
        return HARNESS;
    return TEST;
}

/* What a folded line calls the code: "the harness", "CUnit", "libc". */
static void owner_name(const hb_location *location, owner whose, char *name, size_t size) {
    if (whose == HARNESS) {
        snprintf(name, size, "the harness");
    } else if (strncmp(location->module, "libcunit.", 9) == 0) {
        snprintf(name, size, "CUnit");
    } else if (location->module[0] == '\0') {
        snprintf(name, size, "unknown code");
    } else { /* "libc.so.6" reads "libc" */
        size_t length = strcspn(location->module, ".");
        snprintf(name, size, "%.*s", (int)length, location->module);
    }
}

/* The frames of one stack, symbolized. */
typedef struct frame {
    hb_location location;
    owner whose;
    size_t repeats; /* deep recursion: how many more times in a row */
} frame;

static void start_line(hb_text *text, unsigned indent) {
    hb_text_printf(text, "\n%*s", indent, "");
}

static void show_frame(hb_text *text, const frame *f, unsigned indent) {
    char line[HB_FUNCTION_NAME + HB_FILE_NAME + 16];
    hb_location_format(&f->location, line, sizeof line);
    start_line(text, indent);
    bool marked = f->whose == YOURS;
    if (f->whose == LIBRARY) /* its own sources are no help: where it is */
        snprintf(line, sizeof line, "%s in %s", f->location.function,
                 f->location.module[0] != '\0' ? f->location.module : "unknown code");
    hb_text_printf(text, "%s%s%s%s", marked ? "> " : "  ", marked && style.colour ? BOLD : "", line,
                   marked && style.colour ? PLAIN : "");
    if (f->repeats > 0)
        hb_text_printf(text, " [%zu more times]", f->repeats);
}

/* "  ... 3 frames in the harness and CUnit" for frames [from, to). */
static void fold(hb_text *text, const frame *frames, size_t from, size_t to, unsigned indent) {
    enum { NAMES = 4, NAME = 32 };
    char names[NAMES][NAME];
    size_t named = 0, count = 0;
    for (size_t i = from; i < to; i++) {
        count += 1 + frames[i].repeats;
        char name[NAME];
        owner_name(&frames[i].location, frames[i].whose, name, sizeof name);
        bool seen = false;
        for (size_t n = 0; n < named && !seen; n++)
            seen = strcmp(names[n], name) == 0;
        if (!seen && named < NAMES)
            snprintf(names[named++], NAME, "%s", name);
    }
    start_line(text, indent);
    hb_text_printf(text, "%s  ... %zu %s in ", style.colour ? DIM : "", count,
                   count == 1 ? "frame" : "frames");
    for (size_t n = 0; n < named; n++)
        hb_text_printf(text, "%s%s", n == 0 ? "" : n + 1 == named ? " and " : ", ", names[n]);
    hb_text_printf(text, "%s", style.colour ? PLAIN : "");
}

void hb_report_frames(hb_text *text, const uintptr_t *addresses, size_t depth, bool first_is_exact,
                      unsigned indent) {
    frame frames[HB_STACK_MAX_FRAMES];
    size_t count = 0;
    for (size_t i = 0; i < depth && count < HB_STACK_MAX_FRAMES; i++) {
        if (count > 0 && addresses[i] == addresses[i - 1]) {
            frames[count - 1].repeats++;
            continue;
        }
        frame *f = &frames[count++];
        hb_symbolize(addresses[i], !(i == 0 && first_is_exact), &f->location);
        f->whose = owner_of(&f->location);
        f->repeats = 0;
    }
    /* The allocator's own frames (of a crash inside it) come first: left
     * out.  A library's frames before the program's say what allocated or
     * crashed: the one the program called is shown (strdup, abort), those
     * it called folded.  Every later run of frames that are neither the
     * student's nor the test's is folded, and nothing after main is shown. */
    size_t first = 0;
    while (first < count && frames[first].whose == HARNESS)
        first++;
    size_t program = first;
    while (program < count && frames[program].whose == LIBRARY)
        program++;
    if (program > first + 1 && program < count) {
        fold(text, frames, first, program - 1, indent);
        first = program - 1;
    }
    size_t shown = 0;
    bool in_program = false;
    for (size_t i = first; i < count; i++) {
        bool ours = frames[i].whose == YOURS || frames[i].whose == TEST;
        bool is_main = strcmp(frames[i].location.function, "main") == 0;
        in_program |= ours;
        if (!ours && in_program) {
            size_t end = i + 1;
            while (!is_main && end < count && frames[end].whose != YOURS &&
                   frames[end].whose != TEST) {
                is_main = strcmp(frames[end].location.function, "main") == 0;
                end++;
            }
            fold(text, frames, i, end, indent);
            shown++;
            i = end - 1;
        } else {
            show_frame(text, &frames[i], indent);
            shown++;
        }
        if (is_main)
            break;
    }
    if (shown == 0) {
        start_line(text, indent);
        hb_text_printf(text, "  (no stack recorded)");
    }
}

void hb_report_stack(hb_text *text, uint32_t stack_id, unsigned indent) {
    uintptr_t frames[HB_STACK_MAX_FRAMES];
    size_t depth = hb_stacks_frames(stack_id, frames);
    hb_report_frames(text, frames, depth, false, indent);
}

static const char *plural(uint64_t n, const char *word, const char *words) {
    return n == 1 ? word : words;
}

/* ---- sites: the biggest first, those whose stacks read the same merged
 * (two call sites can differ only in frames that are folded away). */

enum { SITES_READ = HB_REPORT_SITES_READ, SITE_INDENT = 10 };

typedef struct merged_site {
    uint64_t bytes, blocks;
    hb_text stack;
} merged_site;

static bool ranks_above(const merged_site *a, const merged_site *b, enum hb_site_view view) {
    return view == HB_SITES_ALLOCATED ? a->blocks > b->blocks : a->bytes > b->bytes;
}

void hb_report_sites(hb_text *text, const hb_scope *scope, enum hb_site_view view) {
    hb_site sites[SITES_READ];
    size_t total = hb_scope_sites(scope, view, sites, SITES_READ);
    hb_report_site_list(text, sites, total < SITES_READ ? total : SITES_READ, total, view);
}

void hb_report_site_list(hb_text *text, const hb_site *sites, size_t read, size_t total,
                         enum hb_site_view view) {
    if (read > SITES_READ)
        read = SITES_READ;
    uintptr_t frames[SITES_READ][HB_STACK_MAX_FRAMES];
    hb_site_stack stacks[SITES_READ];
    for (size_t i = 0; i < read; i++)
        stacks[i] = (hb_site_stack){.bytes = sites[i].bytes,
                                    .blocks = sites[i].blocks,
                                    .frames = frames[i],
                                    .depth = hb_stacks_frames(sites[i].stack_id, frames[i])};
    hb_report_site_stacks(text, stacks, read, total, view);
}

void hb_report_site_stacks(hb_text *text, const hb_site_stack *sites, size_t count, size_t total,
                           enum hb_site_view view) {
    size_t read = count < SITES_READ ? count : SITES_READ;
    merged_site merged[SITES_READ];
    size_t rows = 0;
    for (size_t i = 0; i < read; i++) {
        hb_text stack = {0};
        hb_report_frames(&stack, sites[i].frames, sites[i].depth, false, SITE_INDENT);
        size_t row = 0;
        while (row < rows && strcmp(hb_text_get(&merged[row].stack), hb_text_get(&stack)) != 0)
            row++;
        if (row == rows)
            merged[rows++] = (merged_site){.stack = stack};
        else
            hb_text_free(&stack);
        merged[row].bytes += sites[i].bytes;
        merged[row].blocks += sites[i].blocks;
    }
    /* Merging can reorder them: by insertion, a few rows. */
    for (size_t i = 1; i < rows; i++)
        for (size_t j = i; j > 0 && ranks_above(&merged[j], &merged[j - 1], view); j--) {
            merged_site swap = merged[j];
            merged[j] = merged[j - 1];
            merged[j - 1] = swap;
        }
    size_t shown = rows < HB_REPORT_TOP_SITES ? rows : HB_REPORT_TOP_SITES;
    for (size_t i = 0; i < shown; i++) {
        char size[HB_SIZE_TEXT];
        hb_size_format(merged[i].bytes, size);
        if (view == HB_SITES_ALLOCATED)
            hb_text_printf(text, "        %llu %s (%s), made at",
                           (unsigned long long)merged[i].blocks,
                           plural(merged[i].blocks, "allocation", "allocations"), size);
        else
            hb_text_printf(text, "        %s in %llu %s, allocated at", size,
                           (unsigned long long)merged[i].blocks,
                           plural(merged[i].blocks, "block", "blocks"));
        hb_text_printf(text, "%s\n", hb_text_get(&merged[i].stack));
    }
    size_t more = rows - shown + (total - read);
    if (more > 0)
        hb_text_printf(text, "        ... and %zu more %s\n", more, plural(more, "site", "sites"));
    for (size_t i = 0; i < rows; i++)
        hb_text_free(&merged[i].stack);
}

/* ---- memory errors */

/* Where memory errors' reports go (hb_misuse_start). */
static struct { hb_misuse_reporter reporter; } misuse;

/* A pointer made of the quarantine's poison: read from a freed block. */
static bool is_poison(uintptr_t value) {
    uintptr_t poison;
    memset(&poison, HB_POISON, sizeof poison);
    return value == poison;
}

/* The blocks the address held, oldest first: the stale pointer was kept
 * from one of them, and nothing in an address says which.  One block
 * reads as it always did: where it was first freed, then allocated. */
static void describe_history(hb_text *report, const hb_freed_block *found, size_t n,
                             bool forgotten) {
    char size[HB_SIZE_TEXT];
    unsigned blocks = 0;
    for (size_t i = 0; i < n; i++)
        blocks += found[i].count;
    if (blocks == 1 && !forgotten) {
        hb_text_printf(report, "\n      first freed at:");
        hb_report_stack(report, found[0].freed_at, HB_REPORT_INDENT);
        hb_text_printf(report,
                       "\n      allocated (%s) at:", hb_size_format(found[0].block.size, size));
        hb_report_stack(report, found[0].block.stack_id, HB_REPORT_INDENT);
        return;
    }
    if (forgotten)
        hb_text_printf(report,
                       "\n      the pointer was kept from a block freed here long ago, where is "
                       "no longer remembered, or from one of the %u %s that reused the slot "
                       "since, each freed, oldest first:",
                       blocks, plural(blocks, "block", "blocks"));
    else
        hb_text_printf(report,
                       "\n      this address held %u blocks, each freed; the pointer was kept "
                       "from one of them, oldest first:",
                       blocks);
    for (size_t i = 0; i < n; i++) {
        hb_text_printf(report, "\n      %u %s allocated (%s) at:", found[i].count,
                       plural(found[i].count, "block", "blocks"),
                       hb_size_format(found[i].block.size, size));
        hb_report_stack(report, found[i].block.stack_id, HB_REPORT_INDENT);
        hb_text_printf(
            report, "\n      %s at:", found[i].count == 1 ? "and freed" : "the last of them freed");
        hb_report_stack(report, found[i].freed_at, HB_REPORT_INDENT);
    }
}

static void describe_bad_free(hb_text *report, const hb_memory_error *error) {
    uint32_t here = hb_stacks_capture(error->caller);
    bool frees = strstr(error->function, "free") != NULL || strstr(error->function, "delete");
    const char *what = frees ? "a double free" : "a use after free";
    hb_freed_block found[HB_FREED_HISTORY_MAX];
    bool forgotten;
    size_t n = hb_quarantine_history((uintptr_t)error->ptr, found, &forgotten);
    if (n > 0) {
        hb_text_printf(report, "%s(%p): the block was already freed (%s)\n", error->function,
                       error->ptr, what);
        hb_text_printf(report, "      %s again at:", frees ? "freed" : "used");
        hb_report_stack(report, here, HB_REPORT_INDENT);
        describe_history(report, found, n, forgotten);
    } else if (hb_blocks_was_freed((uintptr_t)error->ptr)) {
        /* Its header says so, but no free at this address is remembered
         * (no quarantine, or the history dropped it for newer ones). */
        hb_text_printf(
            report, "%s(%p): the block was already freed (%s)%s\n      called at:", error->function,
            error->ptr, what, forgotten ? ", long ago: where is no longer remembered" : "");
        hb_report_stack(report, here, HB_REPORT_INDENT);
    } else if (is_poison((uintptr_t)error->ptr)) {
        hb_text_printf(report,
                       "%s(%p): a pointer read from a block already freed (a use after free): "
                       "its bytes are the poison the harness writes over freed blocks\n"
                       "      called at:",
                       error->function, error->ptr);
        hb_report_stack(report, here, HB_REPORT_INDENT);
    } else {
        hb_text_printf(report,
                       "%s(%p): not a block that malloc returned (%s), or the bytes just "
                       "before it were overwritten\n      called at:",
                       error->function, error->ptr,
                       frees ? "an invalid free" : "an invalid pointer");
        hb_report_stack(report, here, HB_REPORT_INDENT);
    }
}

/* "found at its free: f (...)", "found when the test ended" */
static void describe_where_found(hb_text *report, const hb_memory_error *error, const char *when) {
    if (error->caller == 0) {
        hb_text_printf(report, "\n      found: when the test ended");
        return;
    }
    hb_text_printf(report, "\n      found %s:", when);
    hb_report_stack(report, hb_stacks_capture(error->caller), HB_REPORT_INDENT);
}

static void describe_overflow(hb_text *report, const hb_memory_error *error) {
    hb_text_printf(report,
                   "heap buffer overflow: %s%zu %s written past the end of a %zu-byte block",
                   error->bytes == HB_BLOCK_GUARD ? "at least " : "", error->bytes,
                   plural(error->bytes, "byte", "bytes"), error->block.size);
    hb_text_printf(report, "\n      allocated at:");
    hb_report_stack(report, error->block.stack_id, HB_REPORT_INDENT);
    describe_where_found(report, error,
                         strcmp(error->function ? error->function : "", "realloc") == 0
                             ? "at its realloc"
                             : "at its free");
}

static void describe_write_after_free(hb_text *report, const hb_memory_error *error) {
    hb_text_printf(report, "write after free: %zu %s of a %zu-byte block changed after its free",
                   error->bytes, plural(error->bytes, "byte", "bytes"), error->block.size);
    hb_text_printf(report, "\n      allocated at:");
    hb_report_stack(report, error->block.stack_id, HB_REPORT_INDENT);
    hb_text_printf(report, "\n      freed at:");
    hb_report_stack(report, error->freed_at, HB_REPORT_INDENT);
    describe_where_found(report, error, "later, at a free");
}

static void describe_hidden_memory(hb_text *report, const hb_memory_error *error) {
    hb_text_printf(report,
                   "%s() moves the program break, memory the harness cannot count: use malloc"
                   "\n      called at:",
                   error->function);
    hb_report_stack(report, hb_stacks_capture(error->caller), HB_REPORT_INDENT);
}

/* The core's memory error handler: runs under the guard, never returns. */
static void report_memory_error(const hb_memory_error *error) {
    hb_text report = {0};
    switch (error->kind) {
    case HB_BAD_FREE:
        describe_bad_free(&report, error);
        break;
    case HB_OVERFLOW:
        describe_overflow(&report, error);
        break;
    case HB_WRITE_AFTER_FREE:
        describe_write_after_free(&report, error);
        break;
    case HB_HIDDEN_MEMORY:
        describe_hidden_memory(&report, error);
        break;
    }
    if (misuse.reporter != NULL) {
        misuse.reporter(error->kind, hb_text_get(&report));
    } else {
        /* write(2), not stdio: a broken heap may have broken stdio too. */
        const char *text = hb_text_get(&report);
        if (write(STDERR_FILENO, "heapbook: ", 10) > 0 &&
            write(STDERR_FILENO, text, report.length) > 0)
            (void)write(STDERR_FILENO, "\n", 1);
    }
    abort();
}

void hb_misuse_start(hb_misuse_reporter reporter) {
    misuse.reporter = reporter;
    hb_track_on_memory_error(report_memory_error);
}

/* ---- symbols: addresses to "function (file:line)", and names to code
 * (support.h: Symbols). */

/* The module's state: one libdw session for the process, under a lock. */
static struct {
    pthread_mutex_t lock;
    Dwfl *session;
} dw = {.lock = PTHREAD_MUTEX_INITIALIZER};

static const Dwfl_Callbacks callbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
};

/* fork() copies the lock: held across it, so that a child never starts
 * with it taken by a thread that did not come along. */
static void lock_session(void) { pthread_mutex_lock(&dw.lock); }
static void unlock_session(void) { pthread_mutex_unlock(&dw.lock); }
static void register_fork_handlers(void) {
    pthread_atfork(lock_session, unlock_session, unlock_session);
}

/* Takes the session's lock; the first time, makes it safe across fork. */
static void lock(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_fork_handlers);
    pthread_mutex_lock(&dw.lock);
}

/* Reports the modules mapped now; called again when an address falls in a
 * module loaded (dlopen) after the last report. */
static void report_modules(void) {
    if (dw.session == NULL)
        dw.session = dwfl_begin(&callbacks);
    if (dw.session == NULL)
        return;
    dwfl_report_begin(dw.session);
    dwfl_linux_proc_report(dw.session, getpid());
    dwfl_report_end(dw.session, NULL, NULL);
}

static Dwfl_Module *module_of(Dwarf_Addr address) {
    if (dw.session == NULL)
        report_modules();
    Dwfl_Module *module = dw.session ? dwfl_addrmodule(dw.session, address) : NULL;
    if (module == NULL && dw.session != NULL) {
        report_modules();
        module = dwfl_addrmodule(dw.session, address);
    }
    return module;
}

static void copy_text(char *to, size_t size, const char *from) {
    snprintf(to, size, "%s", from ? from : "");
}

void hb_symbolize(uintptr_t address, bool is_return_address, hb_location *location) {
    Dwarf_Addr lookup = is_return_address ? address - 1 : address;
    copy_text(location->function, sizeof location->function, "??");
    location->file[0] = '\0';
    location->line = 0;
    location->module[0] = '\0';

    hb_guard_enter(); /* libdw allocates: not the student's memory */
    lock();
    Dwfl_Module *module = module_of(lookup);
    if (module != NULL) {
        const char *path = dwfl_module_info(module, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
        const char *slash = path != NULL ? strrchr(path, '/') : NULL;
        copy_text(location->module, sizeof location->module, slash != NULL ? slash + 1 : path);
        const char *name = dwfl_module_addrname(module, lookup);
        if (name != NULL) {
            copy_text(location->function, sizeof location->function, name);
            hb_name_without_clone_suffix(location->function);
        }
        Dwfl_Line *line = dwfl_module_getsrc(module, lookup);
        int number = 0;
        const char *file = line ? dwfl_lineinfo(line, NULL, &number, NULL, NULL, NULL) : NULL;
        if (file != NULL) {
            if (strncmp(file, "./", 2) == 0) /* relative to the repository, as built */
                file += 2;
            copy_text(location->file, sizeof location->file, file);
            location->line = number;
        }
    }
    pthread_mutex_unlock(&dw.lock);
    hb_guard_leave();
}

typedef struct range_request {
    const char *name;
    hb_code_range *ranges;
    size_t max, found;
} range_request;

static int add_ranges_of_module(Dwfl_Module *module, void **userdata, const char *module_name,
                                Dwarf_Addr base, void *arg) {
    (void)userdata;
    (void)module_name;
    (void)base;
    range_request *request = arg;
    int count = dwfl_module_getsymtab(module);
    for (int i = 1; i < count && request->found < request->max; i++) {
        GElf_Sym symbol;
        GElf_Addr address;
        const char *name = dwfl_module_getsym_info(module, i, &symbol, &address, NULL, NULL, NULL);
        if (name == NULL || GELF_ST_TYPE(symbol.st_info) != STT_FUNC || symbol.st_size == 0)
            continue;
        char plain[HB_FUNCTION_NAME];
        copy_text(plain, sizeof plain, name);
        hb_name_without_clone_suffix(plain);
        if (strcmp(plain, request->name) == 0)
            request->ranges[request->found++] =
                (hb_code_range){(uintptr_t)address, (uintptr_t)(address + symbol.st_size)};
    }
    return DWARF_CB_OK;
}

size_t hb_symbols_ranges(const char *name, hb_code_range *ranges, size_t max) {
    range_request request = {.name = name, .ranges = ranges, .max = max};
    hb_guard_enter();
    lock();
    report_modules();
    if (dw.session != NULL)
        dwfl_getmodules(dw.session, add_ranges_of_module, &request, 0);
    pthread_mutex_unlock(&dw.lock);
    hb_guard_leave();
    return request.found;
}

size_t hb_location_format(const hb_location *location, char *text, size_t size) {
    int n = location->file[0] != '\0' ? snprintf(text, size, "%s (%s:%d)", location->function,
                                                 location->file, location->line)
                                      : snprintf(text, size, "%s", location->function);
    if (n < 0)
        return 0;
    return (size_t)n < size ? (size_t)n : size - 1;
}
