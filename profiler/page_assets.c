#include "page_assets.h"

#include <string.h>

extern const char page_css[], page_d3[], page_flamegraph[], page_model[], page_js[];

static const struct {
    const char *placeholder;
    const char *content;
} assets[] = {
    {"/*HEAPBOOK_CSS*/", page_css},
    {"/*HEAPBOOK_D3*/", page_d3},
    {"/*HEAPBOOK_FLAMEGRAPH*/", page_flamegraph},
    {"/*HEAPBOOK_MODEL_JS*/", page_model},
    {"/*HEAPBOOK_PAGE_JS*/", page_js},
};

const char *page_asset_for(const char *line, size_t length) {
    while (length > 0 && (*line == ' ' || *line == '\t')) {
        line++;
        length--;
    }
    while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == ' '))
        length--;
    for (size_t i = 0; i < sizeof assets / sizeof assets[0]; i++)
        if (strlen(assets[i].placeholder) == length &&
            memcmp(line, assets[i].placeholder, length) == 0)
            return assets[i].content;
    return NULL;
}
