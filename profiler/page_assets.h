/* page_assets: the flame graph page's template and the files it inlines,
 * built into heapbook itself (page_assets.S), so the program needs nothing
 * beside it at run time. */
#ifndef HEAPBOOK_PAGE_ASSETS_H
#define HEAPBOOK_PAGE_ASSETS_H

#include <stddef.h>

/* profiler/web/page.html */
extern const char page_template[];

/* If the template line `line` (of `length` bytes, with its newline) is one
 * of the placeholders HEAPBOOK_CSS, HEAPBOOK_D3, HEAPBOOK_FLAMEGRAPH,
 * HEAPBOOK_MODEL_JS or HEAPBOOK_PAGE_JS (each written as a C comment, alone
 * on its line), the
 * text that replaces it; else NULL. */
const char *page_asset_for(const char *line, size_t length);

#endif
