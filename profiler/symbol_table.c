/* symbol_table.c: a module's function symbols by address (symbol_table.h). */
#include "symbol_table.h"

#include "array.h"

#include <stdlib.h>

static int by_start(const void *a, const void *b) {
    const symbol_entry *x = a, *y = b;
    if (x->start != y->start)
        return (x->start > y->start) - (x->start < y->start);
    return (x->end > y->end) - (x->end < y->end);
}

/* Every symbol that could name an address: libdwfl's candidates (a name,
 * not a section or file symbol), sized or not; a sizeless one only marks
 * its neighbours as not alone. */
bool symbol_table_read(symbol_table *table, Dwfl_Module *module) {
    *table = (symbol_table){.module = module};
    int count = dwfl_module_getsymtab(module);
    size_t capacity = 0;
    for (int i = 1; i < count; i++) {
        GElf_Sym symbol;
        GElf_Addr address;
        GElf_Word section;
        const char *name =
            dwfl_module_getsym_info(module, i, &symbol, &address, &section, NULL, NULL);
        int type = GELF_ST_TYPE(symbol.st_info);
        if (name == NULL || name[0] == '\0' || type == STT_SECTION || type == STT_FILE ||
            section == SHN_UNDEF)
            continue;
        if (!array_grow((void **)&table->entries, &capacity, table->count + 1,
                        sizeof *table->entries)) {
            symbol_table_free(table);
            return false;
        }
        table->entries[table->count++] =
            (symbol_entry){address, address + symbol.st_size, name, false};
    }
    if (table->count > 1)
        qsort(table->entries, table->count, sizeof *table->entries, by_start);
    /* Alone: sized, and starting after every earlier symbol has ended and
     * ending before (or where) the next one starts. */
    GElf_Addr reach = 0; /* the furthest end of the symbols before */
    for (size_t i = 0; i < table->count; i++) {
        symbol_entry *e = &table->entries[i];
        bool after_previous = i == 0 || e->start >= reach;
        bool before_next = i + 1 == table->count || e[1].start >= e->end;
        e->alone = e->end > e->start && after_previous && before_next;
        GElf_Addr end = e->end > e->start ? e->end : e->start + 1; /* a label takes its byte */
        if (i == 0 || end > reach)
            reach = end;
    }
    return true;
}

const symbol_entry *symbol_table_find(const symbol_table *table, GElf_Addr address) {
    size_t low = 0, high = table->count; /* the first symbol starting after address */
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (table->entries[middle].start <= address)
            low = middle + 1;
        else
            high = middle;
    }
    if (low == 0)
        return NULL;
    const symbol_entry *e = &table->entries[low - 1];
    return e->alone && address < e->end ? e : NULL;
}

void symbol_table_free(symbol_table *table) {
    free(table->entries);
    table->entries = NULL;
    table->count = 0;
}
