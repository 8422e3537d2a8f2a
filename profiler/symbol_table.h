/* symbol_table: a module's function symbols sorted by address, read once,
 * so that naming an address costs a binary search where libdwfl's
 * dwfl_module_addrinfo() reads the whole symbol table each time (15,000
 * symbols in libpython, for each of the thousand addresses a Python
 * capture holds).
 *
 * It answers only where libdwfl's choice is not in doubt: an address held
 * by exactly one sized symbol, which no other symbol overlaps (no alias at
 * its address, no symbol inside it).  libdwfl picks that symbol too; for
 * any other address the caller asks libdwfl. */
#ifndef HEAPBOOK_SYMBOL_TABLE_H
#define HEAPBOOK_SYMBOL_TABLE_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct symbol_entry {
    GElf_Addr start, end; /* [start, end): the symbol's addresses in the process */
    const char *name;     /* libdwfl's, valid as long as the module */
    bool alone;           /* no other symbol overlaps it */
} symbol_entry;

typedef struct symbol_table {
    Dwfl_Module *module;
    symbol_entry *entries;
    size_t count;
} symbol_table;

/* Reads the symbols of `module` into *table.  False if memory runs out
 * (the table is then empty: every lookup goes to libdwfl). */
bool symbol_table_read(symbol_table *table, Dwfl_Module *module);

/* The symbol alone at `address`, or NULL if there is none or it is not
 * alone (ask libdwfl). */
const symbol_entry *symbol_table_find(const symbol_table *table, GElf_Addr address);

void symbol_table_free(symbol_table *table);

#endif
