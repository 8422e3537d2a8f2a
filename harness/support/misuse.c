/* misuse.c: the reports of memory errors (support.h: Misuse). */
#include "support.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The module's state. */
static struct { hb_misuse_reporter reporter; } misuse;

static const char *plural(size_t n, const char *one, const char *many) {
    return n == 1 ? one : many;
}

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
