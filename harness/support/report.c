/* report.c: stacks and sites as text (support.h: Reports). */
#include "support.h"

#include <string.h>

/* The harness's own code: its API is named hb_*, and its files are under
 * harness/ (as the build records paths, relative to the repository). */
static bool is_harness_frame(const hb_location *location) {
    return strncmp(location->function, "hb_", 3) == 0 ||
           strncmp(location->file, "harness/", 8) == 0;
}

void hb_report_frames(hb_text *text, const uintptr_t *frames, size_t depth, bool first_is_exact) {
    size_t shown = 0;
    for (size_t i = 0; i < depth && !hb_in_excluded_library(frames[i]); i++) {
        hb_location location;
        hb_symbolize(frames[i], !(i == 0 && first_is_exact), &location);
        /* The allocator's frames of a crash inside it come first: passed
         * over; the runner's come last, where the test's own end. */
        if (is_harness_frame(&location) && shown == 0)
            continue;
        if (is_harness_frame(&location))
            break;
        char line[HB_FUNCTION_NAME + HB_FILE_NAME + 16];
        hb_location_format(&location, line, sizeof line);
        hb_text_printf(text, "%s%s", shown++ > 0 ? " <- " : "", line);
        /* Deep recursion: one frame, and how often it repeats. */
        size_t repeats = 0;
        while (i + 1 < depth && frames[i + 1] == frames[i]) {
            repeats++;
            i++;
        }
        if (repeats > 0)
            hb_text_printf(text, " [%zu more times]", repeats);
        if (strcmp(location.function, "main") == 0)
            break;
    }
    if (shown == 0)
        hb_text_printf(text, "(no stack recorded)");
}

void hb_report_stack(hb_text *text, uint32_t stack_id) {
    uintptr_t frames[HB_STACK_MAX_FRAMES];
    size_t depth = hb_stacks_frames(stack_id, frames);
    hb_report_frames(text, frames, depth, false);
}

static const char *plural(uint64_t n, const char *word, const char *words) {
    return n == 1 ? word : words;
}

void hb_report_sites(hb_text *text, const hb_scope *scope, enum hb_site_view view) {
    hb_site sites[HB_REPORT_TOP_SITES];
    size_t total = hb_scope_sites(scope, view, sites, HB_REPORT_TOP_SITES);
    size_t shown = total < HB_REPORT_TOP_SITES ? total : HB_REPORT_TOP_SITES;
    for (size_t i = 0; i < shown; i++) {
        char size[HB_SIZE_TEXT];
        hb_size_format(sites[i].bytes, size);
        if (view == HB_SITES_ALLOCATED)
            hb_text_printf(text, "        %llu %s (%s): ", (unsigned long long)sites[i].blocks,
                           plural(sites[i].blocks, "allocation", "allocations"), size);
        else
            hb_text_printf(text, "        %s in %llu %s: ", size,
                           (unsigned long long)sites[i].blocks,
                           plural(sites[i].blocks, "block", "blocks"));
        hb_report_stack(text, sites[i].stack_id);
        hb_text_printf(text, "\n");
    }
    if (total > shown)
        hb_text_printf(text, "        ... and %zu more %s\n", total - shown,
                       plural(total - shown, "site", "sites"));
}
