/* symbols.c: return addresses as frames (symbols.h). */
#include "symbols.h"

#include "array.h"
#include "function_index.h"
#include "symbol_table.h"

#include "base/base.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The C++ runtime's demangler (libstdc++, and libc++abi alike). */
char *__cxa_demangle(const char *mangled, char *buffer, size_t *length, int *status);

enum {
    MAX_SCOPES = 64,   /* DWARF scopes nested at one address */
    UNITS_INDEXED = 4, /* compile units whose function index is kept */
};

/* A function symbol's addresses, [start, end), and its readable name. */
typedef struct symbol_range {
    Dwfl_Module *module;
    GElf_Addr start, end;
    const char *name;
} symbol_range;

/* Lookups are cached: a capture has few distinct frames, seen often. */
typedef struct cached {
    uint64_t address; /* 0: empty */
    size_t first;     /* into frames */
    uint32_t count;
} cached;

struct symbols {
    Dwfl *dwfl;
    const capture *capture;
    cached *cache;
    size_t mask, used;
    frame_info *frames; /* every lookup's frames */
    size_t frame_count, frame_capacity;
    /* Every name and path handed out, each once (so equal strings are the
     * same pointer), freed at the end. */
    char **strings;
    size_t string_mask, string_count;
    /* Each module's symbols, read the first time an address falls in it
     * (symbol_table.h), and every function symbol libdwfl had to find
     * (its search is linear in the module's symbols), by address. */
    symbol_table *tables;
    size_t table_count, table_capacity;
    symbol_range *symbols;
    size_t symbol_count, symbol_capacity;
    /* The functions of the compile units looked into last (addresses come
     * ascending, so one unit's come together). */
    function_index units[UNITS_INDEXED];
    unsigned next_unit;
    /* The last lookup's function: the next address is often in it, where a
     * walk of its DIEs from the unit's top would find the same again. */
    struct {
        Dwfl_Module *module;
        Dwarf_Off cu; /* the compile unit's offset */
        Dwarf_Die chain[MAX_SCOPES];
        int subprogram; /* chain[subprogram] is the function's DIE; -1: none kept */
    } last_scope;
};

static const Dwfl_Callbacks offline = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
};

/* Modules of the C and C++ runtimes: memory they allocate for
 * themselves, with no frame of the program on the way, is not a leak of
 * the program's (analysis.c). */
static const char *const RUNTIME_MODULES[] = {
    "libc.so",  "ld-linux", "ld64.so",  "libstdc++.so", "libgcc_s.so",  "libpthread.so",
    "libdl.so", "libm.so",  "librt.so", "libc++.so",    "libc++abi.so",
};

static const char *const LOADER_MODULES[] = {"ld-linux", "ld64.so"};

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static bool named_one_of(const char *path, const char *const *names, size_t count) {
    for (size_t i = 0; i < count; i++)
        if (strncmp(base_name(path), names[i], strlen(names[i])) == 0)
            return true;
    return false;
}

bool symbols_is_runtime(const char *path) {
    return named_one_of(path, RUNTIME_MODULES, sizeof RUNTIME_MODULES / sizeof *RUNTIME_MODULES);
}

bool symbols_is_loader(const char *path) {
    return named_one_of(path, LOADER_MODULES, sizeof LOADER_MODULES / sizeof *LOADER_MODULES);
}

static uint64_t string_hash(const char *text) {
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (; *text; text++)
        h = (h ^ (unsigned char)*text) * UINT64_C(0x100000001b3);
    return h;
}

static size_t string_slot(char **strings, size_t mask, const char *text) {
    size_t i = (size_t)string_hash(text) & mask;
    while (strings[i] != NULL && strcmp(strings[i], text) != 0)
        i = (i + 1) & mask;
    return i;
}

static bool grow_strings(symbols *s) {
    size_t count = s->strings ? 2 * (s->string_mask + 1) : 1024;
    char **grown = calloc(count, sizeof *grown);
    if (grown == NULL)
        return false;
    for (size_t i = 0; s->strings && i <= s->string_mask; i++)
        if (s->strings[i] != NULL)
            grown[string_slot(grown, count - 1, s->strings[i])] = s->strings[i];
    free(s->strings);
    s->strings = grown;
    s->string_mask = count - 1;
    return true;
}

/* `text`, kept for as long as `s`, and the same pointer for equal texts. */
static const char *keep(symbols *s, const char *text) {
    if (text == NULL || ((s->strings == NULL || 2 * (s->string_count + 1) > s->string_mask + 1) &&
                         !grow_strings(s)))
        return NULL;
    size_t slot = string_slot(s->strings, s->string_mask, text);
    if (s->strings[slot] == NULL) {
        s->strings[slot] = strdup(text);
        s->string_count += s->strings[slot] != NULL;
    }
    return s->strings[slot];
}

/* ---- the modules */

static bool same_build_id(const capture_module *m, Elf *elf) {
    const void *id = NULL;
    ssize_t length = elf ? dwelf_elf_gnu_build_id(elf, &id) : -1;
    if (m->build_id_length == 0) /* nothing recorded to compare with */
        return true;
    return length == (ssize_t)m->build_id_length && memcmp(id, m->build_id, (size_t)length) == 0;
}

/* Reports module `m` to libdwfl if it is the file that was loaded. */
static void report_module(symbols *s, const capture_module *m) {
    int fd = open(m->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr,
                "heapbook: warning: cannot read %s (%s): its frames in %s are shown as addresses\n",
                m->path, fd < 0 ? strerror(errno) : "not a regular file", s->capture->file);
        if (fd >= 0)
            close(fd);
        return;
    }
    Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    bool same = same_build_id(m, elf);
    if (elf != NULL)
        elf_end(elf);
    if (!same) {
        fprintf(stderr,
                "heapbook: warning: %s changed since %s was recorded (its build-id differs): its "
                "frames are shown as addresses\n",
                m->path, s->capture->file);
        close(fd);
        return;
    }
    /* libdwfl keeps the descriptor and closes it at dwfl_end(). */
    if (dwfl_report_elf(s->dwfl, base_name(m->path), m->path, fd, m->bias, false) == NULL)
        close(fd);
}

symbols *symbols_open(const capture *c) {
    symbols *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->capture = c;
    s->last_scope.subprogram = -1;
    if (c->resolved_count > 0)
        return s; /* named when it was recorded: the modules on disk are not read */
    /* Only what is on this machine: never a network lookup. */
    unsetenv("DEBUGINFOD_URLS");
    s->dwfl = dwfl_begin(&offline);
    if (s->dwfl != NULL) {
        dwfl_report_begin(s->dwfl);
        for (size_t i = 0; i < c->module_count; i++)
            report_module(s, &c->modules[i]);
        dwfl_report_end(s->dwfl, NULL, NULL);
    }
    return s;
}

/* ---- names */

/* A readable name: C++ demangled, without the suffix GCC gives the copies
 * of a function it specialises ("sum.constprop.0", " [clone .cold]"). */
static const char *readable(symbols *s, const char *raw) {
    if (raw == NULL)
        return NULL;
    char clean[1024];
    int status = -1;
    char *demangled = strncmp(raw, "_Z", 2) == 0 ? __cxa_demangle(raw, NULL, NULL, &status) : NULL;
    snprintf(clean, sizeof clean, "%s", status == 0 && demangled ? demangled : raw);
    free(demangled);
    char *clone = strstr(clean, " [clone ");
    if (clone != NULL)
        *clone = '\0';
    hb_name_without_clone_suffix(clean);
    return keep(s, clean);
}

/* A DWARF function's name: its linkage name demangled, else its name
 * (both through DW_AT_abstract_origin for an inlined instance). */
static const char *die_function_name(symbols *s, Dwarf_Die *die) {
    Dwarf_Attribute attribute;
    const char *linkage =
        dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attribute));
    if (linkage == NULL)
        linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attribute));
    return readable(s, linkage ? linkage : dwarf_diename(die));
}

/* A path as a person reads it: "./tests/x.c" (Clang) as "tests/x.c" (GCC),
 * and "/usr/bin/../lib/gcc/../../include/x.h" as "/usr/include/x.h". */
static const char *source_path(symbols *s, const char *path) {
    if (path == NULL)
        return NULL;
    char clean[PATH_MAX];
    size_t length = path[0] == '/', kept = 0; /* kept: segments that a ".." may remove */
    clean[0] = '/';
    for (const char *p = path + length; *p;) {
        size_t n = strcspn(p, "/");
        if ((n == 1 && p[0] == '.') || (n == 0 && length > 0)) {
            /* "." or an empty segment: nothing */
        } else if (n == 2 && p[0] == '.' && p[1] == '.' && kept > 0) {
            while (length > 0 && clean[length - 1] != '/')
                length--;
            length -= length > 1; /* the slash, unless it is the root */
            kept--;
        } else if (length + n + 2 < sizeof clean) {
            if (length > 0 && clean[length - 1] != '/')
                clean[length++] = '/';
            memcpy(clean + length, p, n);
            length += n;
            kept += !(n == 2 && p[0] == '.' && p[1] == '.') && n > 0;
        }
        p += n + (p[n] == '/');
    }
    clean[length] = '\0';
    return keep(s, clean);
}

/* Where the inlined call `die` was made from: its caller's line. */
static void call_site(symbols *s, Dwarf_Die *cu, Dwarf_Die *die, frame_info *f) {
    Dwarf_Attribute attribute;
    Dwarf_Word file = 0, line = 0;
    Dwarf_Files *files;
    size_t count;
    f->file = "";
    f->line = 0;
    if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attribute), &file) != 0 ||
        dwarf_getsrcfiles(cu, &files, &count) != 0 || file >= count)
        return;
    const char *name = source_path(s, dwarf_filesrc(files, file, NULL, NULL));
    if (name == NULL)
        return;
    dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attribute), &line);
    f->file = name;
    f->line = (int)line;
}

/* ---- one address */

static bool add_frame(symbols *s, frame_info f) {
    if (!array_grow((void **)&s->frames, &s->frame_capacity, s->frame_count + 1, sizeof *s->frames))
        return false;
    s->frames[s->frame_count++] = f;
    return true;
}

/* The scopes holding `pc` in the DWARF tree under `parent`, outermost
 * first, into `chain`; returns how many.  Unlike dwarf_getscopes(), it
 * looks into namespaces and classes, where Clang puts a C++ function's
 * definition (GCC puts it at the top). */
static int scopes_at(Dwarf_Die *parent, Dwarf_Addr pc, Dwarf_Die *chain, int depth, int max) {
    Dwarf_Die child;
    if (depth == max || dwarf_child(parent, &child) != 0)
        return depth;
    do {
        int tag = dwarf_tag(&child);
        if (dwarf_haspc(&child, pc) > 0) {
            chain[depth] = child;
            return scopes_at(&child, pc, chain, depth + 1, max);
        }
        if (tag == DW_TAG_namespace || tag == DW_TAG_class_type || tag == DW_TAG_structure_type ||
            tag == DW_TAG_union_type) {
            int found = scopes_at(&child, pc, chain, depth, max);
            if (found > depth)
                return found;
        }
    } while (dwarf_siblingof(&child, &child) == 0);
    return depth;
}

/* The function index of compile unit `cu` of `module`, built the first
 * time; NULL if it cannot be used (scopes_at() walks the unit then). */
static function_index *unit_index(symbols *s, Dwfl_Module *module, Dwarf_Die *cu) {
    Dwarf_Off offset = dwarf_dieoffset(cu);
    for (unsigned i = 0; i < UNITS_INDEXED; i++)
        if (s->units[i].owner == module && s->units[i].cu == offset)
            return s->units[i].usable ? &s->units[i] : NULL;
    function_index *unit = &s->units[s->next_unit++ % UNITS_INDEXED];
    return function_index_build(unit, cu, module) ? unit : NULL;
}

/* The scopes holding `pc` in compile unit `cu`, outermost first, into
 * `chain`, from the last lookup's function DIE if it holds `pc` too. */
static int scopes_of(symbols *s, Dwfl_Module *module, Dwarf_Die *cu, Dwarf_Addr pc,
                     Dwarf_Die chain[MAX_SCOPES]) {
    int depth = 0, kept = s->last_scope.subprogram;
    Dwarf_Off cu_offset = dwarf_dieoffset(cu);
    if (kept >= 0 && s->last_scope.module == module && s->last_scope.cu == cu_offset &&
        dwarf_haspc(&s->last_scope.chain[kept], pc) > 0) {
        memcpy(chain, s->last_scope.chain, (size_t)(kept + 1) * sizeof *chain);
        depth = scopes_at(&chain[kept], pc, chain, kept + 1, MAX_SCOPES);
    } else {
        function_index *unit = unit_index(s, module, cu);
        Dwarf_Die *top = unit != NULL ? function_index_find(unit, pc) : NULL;
        if (unit == NULL) {
            depth = scopes_at(cu, pc, chain, 0, MAX_SCOPES);
        } else if (top != NULL) {
            chain[0] = *top;
            depth = scopes_at(&chain[0], pc, chain, 1, MAX_SCOPES);
        }
    }
    s->last_scope.subprogram = -1;
    for (int i = 0; i < depth; i++)
        if (dwarf_tag(&chain[i]) == DW_TAG_subprogram) {
            s->last_scope.module = module;
            s->last_scope.cu = cu_offset;
            memcpy(s->last_scope.chain, chain, (size_t)(i + 1) * sizeof *chain);
            s->last_scope.subprogram = i;
            break;
        }
    return depth;
}

/* The frames of the inlined calls at `lookup`, innermost first, then the
 * function they are all inside, whose name is `outer` (its ELF symbol). */
static size_t resolve_inlined(symbols *s, Dwfl_Module *module, Dwarf_Addr lookup, frame_info where,
                              const char *outer) {
    Dwarf_Addr bias;
    Dwarf_Die *cu = dwfl_module_addrdie(module, lookup, &bias);
    Dwarf_Die chain[MAX_SCOPES];
    int n = cu ? scopes_of(s, module, cu, lookup - bias, chain) : 0;
    size_t added = 0;
    for (int i = n - 1; i >= 0 && added + 1 < CAPTURE_MAX_INLINED; i--) {
        int tag = dwarf_tag(&chain[i]);
        if (tag == DW_TAG_subprogram)
            break;
        if (tag != DW_TAG_inlined_subroutine)
            continue;
        const char *name = die_function_name(s, &chain[i]);
        where.function = name ? name : "??";
        if (!add_frame(s, where))
            break;
        added++;
        call_site(s, cu, &chain[i], &where); /* the caller is at the call */
    }
    where.function = outer;
    return add_frame(s, where) ? added + 1 : added;
}

/* The frames heapbook run named for `address` (capture.h's 'R'); the
 * module and offset alone if it named none. */
static size_t recorded_frames(symbols *s, uint64_t address, frame_info unnamed) {
    const capture *c = s->capture;
    const capture_resolved *r = capture_resolved_of(c, address);
    if (r == NULL)
        return add_frame(s, unnamed) ? 1 : 0;
    size_t added = 0;
    for (unsigned i = 0; i < r->count; i++) {
        const capture_named_frame *n = &c->named[r->first + i];
        const char *function = keep(s, n->function ? capture_name(c, n->function) : "??");
        const char *file = keep(s, capture_name(c, n->file));
        const char *module = keep(s, capture_name(c, n->module));
        frame_info f = {function ? function : "??", file ? file : "", n->line, module ? module : "",
                        n->offset};
        if (!add_frame(s, f))
            break;
        added++;
    }
    return added;
}

/* The index in s->symbols of the last range starting at or before `lookup`
 * (s->symbol_count if none). */
static size_t symbol_before(const symbols *s, GElf_Addr lookup) {
    size_t low = 0, high = s->symbol_count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (s->symbols[middle].start <= lookup)
            low = middle + 1;
        else
            high = middle;
    }
    return low > 0 ? low - 1 : s->symbol_count;
}

/* Remembers a function symbol libdwfl found (nothing if memory runs out:
 * the next lookup asks libdwfl again). */
static void remember_symbol(symbols *s, symbol_range range) {
    if (!array_grow((void **)&s->symbols, &s->symbol_capacity, s->symbol_count + 1,
                    sizeof *s->symbols))
        return;
    size_t before = symbol_before(s, range.start), at = before == s->symbol_count ? 0 : before + 1;
    memmove(&s->symbols[at + 1], &s->symbols[at], (s->symbol_count - at) * sizeof *s->symbols);
    s->symbols[at] = range;
    s->symbol_count++;
}

/* The symbol table of `module`, read the first time; NULL if memory runs
 * out. */
static const symbol_table *table_of(symbols *s, Dwfl_Module *module) {
    for (size_t i = 0; i < s->table_count; i++)
        if (s->tables[i].module == module)
            return &s->tables[i];
    if (!array_grow((void **)&s->tables, &s->table_capacity, s->table_count + 1, sizeof *s->tables))
        return NULL;
    symbol_table_read(&s->tables[s->table_count], module); /* empty if memory runs out */
    return &s->tables[s->table_count++];
}

/* The readable name of the function holding `lookup`, and the offset
 * into it; NULL if no symbol holds it. */
static const char *function_at(symbols *s, Dwfl_Module *module, Dwarf_Addr lookup,
                               GElf_Off *offset) {
    size_t known = symbol_before(s, lookup);
    if (known < s->symbol_count && s->symbols[known].module == module &&
        lookup < s->symbols[known].end) {
        *offset = lookup - s->symbols[known].start;
        return s->symbols[known].name;
    }
    const symbol_table *table = table_of(s, module);
    const symbol_entry *alone = table != NULL ? symbol_table_find(table, lookup) : NULL;
    if (alone != NULL) {
        *offset = lookup - alone->start;
        return readable(s, alone->name);
    }
    GElf_Sym symbol;
    const char *name =
        readable(s, dwfl_module_addrinfo(module, lookup, offset, &symbol, NULL, NULL, NULL));
    if (name != NULL && symbol.st_size > 0 && *offset < symbol.st_size)
        remember_symbol(
            s, (symbol_range){module, lookup - *offset, lookup - *offset + symbol.st_size, name});
    return name;
}

static size_t resolve(symbols *s, uint64_t address) {
    Dwarf_Addr lookup = address - 1; /* the call, not the return address */
    Dwfl_Module *module = s->dwfl ? dwfl_addrmodule(s->dwfl, lookup) : NULL;
    const capture_module *recorded = capture_module_of(s->capture, lookup);
    frame_info f = {.function = "??", .file = "", .module = ""};
    if (recorded != NULL) {
        f.module = keep(s, base_name(recorded->path));
        f.module = f.module ? f.module : "";
        f.offset = address - recorded->bias;
    }
    if (s->capture->resolved_count > 0)
        return recorded_frames(s, address, f);
    if (module == NULL)
        return add_frame(s, f) ? 1 : 0;
    GElf_Off offset = 0;
    const char *name = function_at(s, module, lookup, &offset);
    if (name != NULL) {
        f.function = name;
        f.offset = offset + 1; /* from the function's start to the return address */
    }
    int number = 0;
    Dwfl_Line *line = dwfl_module_getsrc(module, lookup);
    const char *file = line ? dwfl_lineinfo(line, NULL, &number, NULL, NULL, NULL) : NULL;
    const char *kept = source_path(s, file);
    if (kept != NULL) {
        f.file = kept;
        f.line = number;
        f.offset = 0;
    }
    return resolve_inlined(s, module, lookup, f, f.function);
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

/* When memory runs out: one unknown frame. */
static const frame_info UNKNOWN = {.function = "??", .file = "", .module = ""};

size_t symbols_lookup(symbols *s, uint64_t address, const frame_info **frames) {
    if (address == 0 || ((s->cache == NULL || 2 * (s->used + 1) > s->mask + 1) && !grow_cache(s))) {
        *frames = &UNKNOWN;
        return 1;
    }
    cached *slot = &s->cache[slot_of(s, address)];
    if (slot->address != address) {
        size_t first = s->frame_count, count = resolve(s, address);
        if (count == 0) {
            *frames = &UNKNOWN;
            return 1;
        }
        *slot = (cached){.address = address, .first = first, .count = (uint32_t)count};
        s->used++;
    }
    *frames = s->frames + slot->first;
    return slot->count;
}

bool frame_same_place(const frame_info *a, const frame_info *b) {
    return a->line == b->line && a->offset == b->offset && strcmp(a->function, b->function) == 0 &&
           strcmp(a->file, b->file) == 0 && strcmp(a->module, b->module) == 0;
}

uint64_t frame_hash(const frame_info *f) {
    return (string_hash(f->function) ^ string_hash(f->file) * 31 ^ string_hash(f->module) * 7 ^
            (uint64_t)f->line * UINT64_C(0x9E3779B97F4A7C15)) +
           f->offset;
}

const char *frame_display(const frame_info *f, char *text, size_t size) {
    if (f->file[0] != '\0')
        snprintf(text, size, "%s (%s:%d)", f->function, f->file, f->line);
    else if (f->module[0] != '\0' && strcmp(f->function, "??") == 0)
        snprintf(text, size, "0x%llx in %s", (unsigned long long)f->offset, f->module);
    else if (f->module[0] != '\0')
        snprintf(text, size, "%s+0x%llx in %s", f->function, (unsigned long long)f->offset,
                 f->module);
    else
        snprintf(text, size, "%s", f->function);
    return text;
}

void symbols_close(symbols *s) {
    if (s == NULL)
        return;
    if (s->dwfl != NULL)
        dwfl_end(s->dwfl);
    for (size_t i = 0; s->strings && i <= s->string_mask; i++)
        free(s->strings[i]);
    free(s->strings);
    for (unsigned i = 0; i < UNITS_INDEXED; i++)
        function_index_free(&s->units[i]);
    for (size_t i = 0; i < s->table_count; i++)
        symbol_table_free(&s->tables[i]);
    free(s->tables);
    free(s->symbols);
    free(s->frames);
    free(s->cache);
    free(s);
}
