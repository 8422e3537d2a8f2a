#include "symbols.h"

#include "support/support.h"

#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lookups are cached: a capture has few distinct frames, seen often. */
typedef struct cached {
    uint64_t address; /* 0: empty */
    frame_info info;
} cached;

struct symbols {
    Dwfl *dwfl;
    cached *cache;
    size_t mask, used;
    char **strings; /* every name and path handed out, freed at the end */
    size_t string_count, string_capacity;
};

static const Dwfl_Callbacks offline = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
};

symbols *symbols_open(const capture *c) {
    symbols *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->dwfl = dwfl_begin(&offline);
    if (s->dwfl != NULL) {
        dwfl_report_begin(s->dwfl);
        for (size_t i = 0; i < c->module_count; i++) {
            char path[CAPTURE_MAX_PATH + 1];
            snprintf(path, sizeof path, "%.*s", (int)c->modules[i].path_length, c->modules[i].path);
            dwfl_report_elf(s->dwfl, path, path, -1, c->modules[i].bias, false);
        }
        dwfl_report_end(s->dwfl, NULL, NULL);
    }
    return s;
}

static const char *keep(symbols *s, const char *text) {
    if (text == NULL)
        return NULL;
    if (s->string_count == s->string_capacity) {
        size_t n = s->string_capacity ? 2 * s->string_capacity : 256;
        char **grown = realloc(s->strings, n * sizeof *grown);
        if (grown == NULL)
            return NULL;
        s->strings = grown;
        s->string_capacity = n;
    }
    char *copy = strdup(text);
    if (copy != NULL)
        s->strings[s->string_count++] = copy;
    return copy;
}

static frame_info resolve(symbols *s, uint64_t address) {
    frame_info info = {.function = "??", .file = "", .line = 0};
    Dwarf_Addr lookup = address - 1; /* the call, not the return address */
    Dwfl_Module *module = s->dwfl ? dwfl_addrmodule(s->dwfl, lookup) : NULL;
    if (module == NULL)
        return info;
    char clean[512];
    const char *raw = dwfl_module_addrname(module, lookup);
    if (raw != NULL) {
        snprintf(clean, sizeof clean, "%s", raw);
        hb_name_without_clone_suffix(clean);
    }
    const char *name = raw ? keep(s, clean) : NULL;
    if (name != NULL)
        info.function = name;
    Dwfl_Line *line = dwfl_module_getsrc(module, lookup);
    int number = 0;
    const char *file = line ? dwfl_lineinfo(line, NULL, &number, NULL, NULL, NULL) : NULL;
    const char *kept = keep(s, file);
    if (kept != NULL) {
        info.file = kept;
        info.line = number;
    }
    return info;
}

static size_t slot_of(const symbols *s, uint64_t address) {
    size_t i = (size_t)(address * UINT64_C(0x9E3779B97F4A7C15) >> 17) & s->mask;
    while (s->cache[i].address != 0 && s->cache[i].address != address)
        i = (i + 1) & s->mask;
    return i;
}

static bool grow_cache(symbols *s) {
    size_t count = s->cache ? 2 * (s->mask + 1) : 4096;
    cached *old = s->cache;
    size_t old_count = old ? s->mask + 1 : 0;
    s->cache = calloc(count, sizeof *s->cache);
    if (s->cache == NULL) {
        s->cache = old;
        return false;
    }
    s->mask = count - 1;
    for (size_t i = 0; i < old_count; i++)
        if (old[i].address != 0)
            s->cache[slot_of(s, old[i].address)] = old[i];
    free(old);
    return true;
}

frame_info symbols_lookup(symbols *s, uint64_t address) {
    if ((s->cache == NULL || 2 * (s->used + 1) > s->mask + 1) && !grow_cache(s))
        return resolve(s, address);
    cached *slot = &s->cache[slot_of(s, address)];
    if (slot->address != address) {
        slot->address = address;
        slot->info = resolve(s, address);
        s->used++;
    }
    return slot->info;
}

void symbols_close(symbols *s) {
    if (s == NULL)
        return;
    if (s->dwfl != NULL)
        dwfl_end(s->dwfl);
    for (size_t i = 0; i < s->string_count; i++)
        free(s->strings[i]);
    free(s->strings);
    free(s->cache);
    free(s);
}
