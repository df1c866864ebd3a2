/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The symbol table: every name a match or action may use, as ovn-sb(5) and
 * OVN 23.03's northd use them. A symbol is a field (a run of bits of a
 * physical field, LFLOW_F_*), a string field (inport, outport), a predicate
 * (a name for an expression) or an OVN-only field that actions may set.
 */
#ifndef FERRY_LFLOW_SYMTAB_H
#define FERRY_LFLOW_SYMTAB_H

#include <stdbool.h>
#include <stdint.h>

enum sym_kind {
	SYM_FIELD,
	SYM_STRING,
	SYM_PREDICATE,
	SYM_OVN_FIELD, /* settable by actions only (icmp4.frag_mtu) */
};

struct lf_symbol {
	const char *name;
	enum sym_kind kind;
	uint16_t field;        /* enum lflow_field; register overlays: base REGn */
	uint8_t ofs;           /* first bit in the physical field (or overlay) */
	uint8_t width;         /* bits, 1..128 */
	bool nominal;          /* only == (in a positive sense) */
	bool rw;               /* actions may assign it */
	const char *prereq;    /* expression ANDed to every use, or NULL */
	const char *expansion; /* SYM_PREDICATE */
	int index;             /* position in the table, for caches */
};

/** The symbol called @p name, or NULL. */
const struct lf_symbol *symtab_lookup(const char *name);
/** Number of symbols and the i-th, for listing. */
int symtab_count(void);
const struct lf_symbol *symtab_at(int i);
/** Width of physical field @p f. */
unsigned lflow_field_width(unsigned f);
/** Name of physical field @p f. */
const char *lflow_field_name(unsigned f);
/** Display format of physical field @p f ('D', 'H', 'E', '4', '6', 'S'). */
char lflow_field_format(unsigned f);

#endif
