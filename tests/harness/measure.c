#include "measure.h"

#include <string.h>

hb_usage measure(void (*code)(void)) {
    hb_scope *scope = hb_scope_begin(HB_SCOPE_COUNTS_ONLY);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scope);
    code();
    CU_ASSERT_TRUE(hb_scope_end(scope));
    hb_usage usage = hb_scope_usage(scope);
    hb_scope_release(scope);
    return usage;
}

hb_scope *measure_with_stacks(void (*code)(void)) {
    hb_scope *scope = hb_scope_begin(HB_SCOPE_STACKS);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scope);
    code();
    CU_ASSERT_TRUE(hb_scope_end(scope));
    return scope;
}

void touch(void *block, size_t size) { memset(block, 0xA5, size); }
