#include "hb_report.h"

#include "hb_size.h"
#include "hb_stacks.h"
#include "hb_symbolize.h"
#include "hb_track.h"

#include <string.h>

static bool is_harness_frame(const hb_location *location) {
    return strncmp(location->function, "hb_", 3) == 0;
}

void hb_report_stack(hb_text *text, uint32_t stack_id) {
    uintptr_t frames[HB_STACK_MAX_FRAMES];
    size_t depth = hb_stacks_frames(stack_id, frames);
    for (size_t i = 0; i < depth && !hb_track_in_excluded_library(frames[i]); i++) {
        hb_location location;
        hb_symbolize(frames[i], true, &location);
        if (is_harness_frame(&location))
            break;
        char line[HB_FUNCTION_NAME + HB_FILE_NAME + 16];
        hb_location_format(&location, line, sizeof line);
        hb_text_printf(text, "%s%s", i > 0 ? " <- " : "", line);
        if (strcmp(location.function, "main") == 0)
            break;
    }
    if (depth == 0)
        hb_text_printf(text, "(no stack recorded)");
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
