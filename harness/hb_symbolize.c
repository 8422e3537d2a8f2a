#include "hb_symbolize.h"

#include "hb_guard.h"
#include "hb_names.h"

#include <elfutils/libdwfl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static Dwfl *session;

static const Dwfl_Callbacks callbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
};

/* Reports the modules mapped now; called again when an address falls in a
 * module loaded (dlopen) after the last report. */
static void report_modules(void) {
    if (session == NULL)
        session = dwfl_begin(&callbacks);
    if (session == NULL)
        return;
    dwfl_report_begin(session);
    dwfl_linux_proc_report(session, getpid());
    dwfl_report_end(session, NULL, NULL);
}

static Dwfl_Module *module_of(Dwarf_Addr address) {
    if (session == NULL)
        report_modules();
    Dwfl_Module *module = session ? dwfl_addrmodule(session, address) : NULL;
    if (module == NULL && session != NULL) {
        report_modules();
        module = dwfl_addrmodule(session, address);
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

    hb_guard_enter(); /* libdw allocates: not the student's memory */
    pthread_mutex_lock(&lock);
    Dwfl_Module *module = module_of(lookup);
    if (module != NULL) {
        const char *name = dwfl_module_addrname(module, lookup);
        if (name != NULL) {
            copy_text(location->function, sizeof location->function, name);
            hb_name_without_clone_suffix(location->function);
        }
        Dwfl_Line *line = dwfl_module_getsrc(module, lookup);
        int number = 0;
        const char *file = line ? dwfl_lineinfo(line, NULL, &number, NULL, NULL, NULL) : NULL;
        if (file != NULL) {
            copy_text(location->file, sizeof location->file, file);
            location->line = number;
        }
    }
    pthread_mutex_unlock(&lock);
    hb_guard_leave();
}

size_t hb_location_format(const hb_location *location, char *text, size_t size) {
    int n = location->file[0] != '\0' ? snprintf(text, size, "%s (%s:%d)", location->function,
                                                 location->file, location->line)
                                      : snprintf(text, size, "%s", location->function);
    if (n < 0)
        return 0;
    return (size_t)n < size ? (size_t)n : size - 1;
}
