#include "analysis.h"

#include "base/base.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static void warn_how_it_ended(const char *path, const capture *c) {
    if (c->ended)
        return;
    if (c->ended_kind == CAPTURE_ENDED_SIGNAL)
        fprintf(stderr,
                "heapbook: %s: the program was killed by signal %llu (%s); the figures cover it "
                "until then\n",
                path, (unsigned long long)c->ended_value, strsignal((int)c->ended_value));
    else if (c->ended_kind == CAPTURE_ENDED_EXIT)
        fprintf(stderr,
                "heapbook: %s: the program ended without exit() (with _exit(%llu)); the figures "
                "cover it until then\n",
                path, (unsigned long long)c->ended_value);
    else
        fprintf(stderr,
                "heapbook: %s has no end record: the program was killed or called _exit(); the "
                "figures cover what it recorded until then\n",
                path);
}

bool analysis_open(const char *path, analysis *a) {
    char error[CAPTURE_ERROR];
    *a = (analysis){0};
    if (!capture_open(path, &a->capture, error)) {
        fprintf(stderr, "heapbook: %s\n", error);
        return false;
    }
    if (!replay_run(&a->capture, &a->replay, error)) {
        fprintf(stderr, "heapbook: %s\n", error);
        analysis_close(a);
        return false;
    }
    warn_how_it_ended(path, &a->capture);
    a->symbols = symbols_open(&a->capture);
    if (a->symbols == NULL) {
        fprintf(stderr, "heapbook: out of memory reading %s\n", path);
        analysis_close(a);
        return false;
    }
    /* What the runtimes allocated for themselves (libstdc++'s emergency
     * pool, the loader's thread tables) is not the program's leak. */
    for (uint32_t id = 1; id <= a->replay.stack_count; id++)
        if (a->replay.leaked[id].blocks > 0 && calltree_in_runtime(&a->capture, id))
            replay_count_as_library(&a->replay, id);
    return true;
}

void analysis_close(analysis *a) {
    symbols_close(a->symbols);
    replay_free(&a->replay);
    capture_close(&a->capture);
    *a = (analysis){0};
}

const stack_figures *analysis_figures(const analysis *a, bool leaks) {
    return leaks ? a->replay.leaked : a->replay.at_peak;
}

const char *analysis_what(bool leaks) { return leaks ? "never freed" : "live at the peak"; }

bool analysis_library_note(const analysis *a, char *text, size_t size) {
    if (a->replay.library_bytes == 0)
        return false;
    char bytes[HB_SIZE_TEXT];
    snprintf(text, size,
             "not counted as leaks: %s in %llu block%s the C library and C++ runtime allocated "
             "for themselves (stdio's buffers, threads' TLS, the C++ exception pool), which they "
             "keep until the process ends",
             hb_size_format(a->replay.library_bytes, bytes),
             (unsigned long long)a->replay.library_blocks,
             a->replay.library_blocks == 1 ? "" : "s");
    return true;
}
