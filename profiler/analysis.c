#include "analysis.h"

#include <stdio.h>

bool analysis_open(const char *path, analysis *a) {
    char error[CAPTURE_ERROR];
    *a = (analysis){0};
    if (!capture_open(path, &a->capture, error)) {
        fprintf(stderr, "heapbook: %s\n", error);
        return false;
    }
    if (!a->capture.ended)
        fprintf(stderr,
                "heapbook: %s has no end record: the program was killed or called _exit(); "
                "the figures cover what it recorded until then\n",
                path);
    if (!replay_run(&a->capture, &a->replay, error)) {
        fprintf(stderr, "heapbook: %s\n", error);
        analysis_close(a);
        return false;
    }
    a->symbols = symbols_open(&a->capture);
    if (a->symbols == NULL) {
        fprintf(stderr, "heapbook: out of memory reading %s\n", path);
        analysis_close(a);
        return false;
    }
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
