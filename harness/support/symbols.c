/* symbols.c: addresses to "function (file:line)", and names to code
 * (support.h: Symbols). */
#include "support.h"

#include <elfutils/libdwfl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The module's state: one libdw session for the process, under a lock. */
static struct {
    pthread_mutex_t lock;
    Dwfl *session;
} dw = {.lock = PTHREAD_MUTEX_INITIALIZER};

static const Dwfl_Callbacks callbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
};

/* fork() copies the lock: held across it, so that a child never starts
 * with it taken by a thread that did not come along. */
static void lock_session(void) { pthread_mutex_lock(&dw.lock); }
static void unlock_session(void) { pthread_mutex_unlock(&dw.lock); }
static void register_fork_handlers(void) {
    pthread_atfork(lock_session, unlock_session, unlock_session);
}

/* Takes the session's lock; the first time, makes it safe across fork. */
static void lock(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_fork_handlers);
    pthread_mutex_lock(&dw.lock);
}

/* Reports the modules mapped now; called again when an address falls in a
 * module loaded (dlopen) after the last report. */
static void report_modules(void) {
    if (dw.session == NULL)
        dw.session = dwfl_begin(&callbacks);
    if (dw.session == NULL)
        return;
    dwfl_report_begin(dw.session);
    dwfl_linux_proc_report(dw.session, getpid());
    dwfl_report_end(dw.session, NULL, NULL);
}

static Dwfl_Module *module_of(Dwarf_Addr address) {
    if (dw.session == NULL)
        report_modules();
    Dwfl_Module *module = dw.session ? dwfl_addrmodule(dw.session, address) : NULL;
    if (module == NULL && dw.session != NULL) {
        report_modules();
        module = dwfl_addrmodule(dw.session, address);
    }
    return module;
}

static void copy_text(char *to, size_t size, const char *from) {
    snprintf(to, size, "%s", from ? from : "");
}

void hb_symbolize(uintptr_t address, bool is_return_address, hb_location *location) {
    Dwarf_Addr lookup = is_return_address ? address - 1 : address;
    copy_text(location->function, sizeof location->function, "??");
    location->file[0] = '\0';
    location->line = 0;
    location->module[0] = '\0';

    hb_guard_enter(); /* libdw allocates: not the student's memory */
    lock();
    Dwfl_Module *module = module_of(lookup);
    if (module != NULL) {
        const char *path = dwfl_module_info(module, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
        const char *slash = path != NULL ? strrchr(path, '/') : NULL;
        copy_text(location->module, sizeof location->module, slash != NULL ? slash + 1 : path);
        const char *name = dwfl_module_addrname(module, lookup);
        if (name != NULL) {
            copy_text(location->function, sizeof location->function, name);
            hb_name_without_clone_suffix(location->function);
        }
        Dwfl_Line *line = dwfl_module_getsrc(module, lookup);
        int number = 0;
        const char *file = line ? dwfl_lineinfo(line, NULL, &number, NULL, NULL, NULL) : NULL;
        if (file != NULL) {
            if (strncmp(file, "./", 2) == 0) /* relative to the repository, as built */
                file += 2;
            copy_text(location->file, sizeof location->file, file);
            location->line = number;
        }
    }
    pthread_mutex_unlock(&dw.lock);
    hb_guard_leave();
}

typedef struct range_request {
    const char *name;
    hb_code_range *ranges;
    size_t max, found;
} range_request;

static int add_ranges_of_module(Dwfl_Module *module, void **userdata, const char *module_name,
                                Dwarf_Addr base, void *arg) {
    (void)userdata;
    (void)module_name;
    (void)base;
    range_request *request = arg;
    int count = dwfl_module_getsymtab(module);
    for (int i = 1; i < count && request->found < request->max; i++) {
        GElf_Sym symbol;
        GElf_Addr address;
        const char *name = dwfl_module_getsym_info(module, i, &symbol, &address, NULL, NULL, NULL);
        if (name == NULL || GELF_ST_TYPE(symbol.st_info) != STT_FUNC || symbol.st_size == 0)
            continue;
        char plain[HB_FUNCTION_NAME];
        copy_text(plain, sizeof plain, name);
        hb_name_without_clone_suffix(plain);
        if (strcmp(plain, request->name) == 0)
            request->ranges[request->found++] =
                (hb_code_range){(uintptr_t)address, (uintptr_t)(address + symbol.st_size)};
    }
    return DWARF_CB_OK;
}

size_t hb_symbols_ranges(const char *name, hb_code_range *ranges, size_t max) {
    range_request request = {.name = name, .ranges = ranges, .max = max};
    hb_guard_enter();
    lock();
    report_modules();
    if (dw.session != NULL)
        dwfl_getmodules(dw.session, add_ranges_of_module, &request, 0);
    pthread_mutex_unlock(&dw.lock);
    hb_guard_leave();
    return request.found;
}

size_t hb_location_format(const hb_location *location, char *text, size_t size) {
    int n = location->file[0] != '\0' ? snprintf(text, size, "%s (%s:%d)", location->function,
                                                 location->file, location->line)
                                      : snprintf(text, size, "%s", location->function);
    if (n < 0)
        return 0;
    return (size_t)n < size ? (size_t)n : size - 1;
}
