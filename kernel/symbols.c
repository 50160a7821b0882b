/* SPDX-License-Identifier: MIT */
/*
 * Looking addresses up in the symbol table the link put into .kite_symtab
 * (layout in scripts/mksymtab.sh). The first link has no table; lookups
 * then find nothing, which is also what a corrupt table gives.
 */
#include <kite/string.h>
#include <kite/symbols.h>

struct sym {
    uint64_t addr;
    uint32_t size;
    uint32_t name; /* offset in the string block after the entries */
};

extern const uint8_t __kite_symtab_start[], __kite_symtab_end[];

static uint64_t count(const struct sym **syms, const char **names)
{
    size_t bytes = (size_t)((uintptr_t)__kite_symtab_end - (uintptr_t)__kite_symtab_start);
    uint64_t n;

    if (bytes < sizeof(uint64_t)) {
        return 0;
    }
    memcpy(&n, __kite_symtab_start, sizeof(n));
    if (n > (bytes - sizeof(n)) / sizeof(struct sym)) {
        return 0;
    }
    *syms = (const struct sym *)(__kite_symtab_start + sizeof(n));
    *names = (const char *)(*syms + n);
    return n;
}

const char *kite_symbol(uint64_t addr, uint64_t *offset)
{
    const struct sym *syms = NULL;
    const char *names = NULL;
    uint64_t n = count(&syms, &names), lo = 0, hi = n;

    /* The last entry at or below @addr. */
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;

        if (syms[mid].addr <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) {
        return NULL;
    }
    /* Of aliases at one address, prefer one that has a size (a function, not a label). */
    while (lo > 1 && syms[lo - 2].addr == syms[lo - 1].addr && !syms[lo - 1].size) {
        lo--;
    }
    lo--;
    if (syms[lo].size && addr - syms[lo].addr >= syms[lo].size) {
        return NULL; /* past its end: padding, or code no symbol covers */
    }
    *offset = addr - syms[lo].addr;
    return names + syms[lo].name;
}

uint64_t kite_symbol_addr(const char *name)
{
    const struct sym *syms = NULL;
    const char *names = NULL;
    uint64_t n = count(&syms, &names);

    for (uint64_t i = 0; i < n; i++) {
        if (strcmp(names + syms[i].name, name) == 0) {
            return syms[i].addr;
        }
    }
    return 0;
}
