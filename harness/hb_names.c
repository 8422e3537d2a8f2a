#include "hb_names.h"

#include <string.h>

void hb_name_without_clone_suffix(char *name) {
    static const char *const suffixes[] = {".constprop.", ".isra.", ".part.", ".cold"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char *found = strstr(name, suffixes[i]);
        if (found != NULL && found != name)
            *found = '\0';
    }
}
