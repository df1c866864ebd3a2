/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A string-keyed hash map (open addressing, linear probing) for the
 * compiler's name indexes. Keys are copied; values are borrowed pointers.
 */
#ifndef FERRY_LFLOW_STRMAP_H
#define FERRY_LFLOW_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
	char *key; /* NULL: empty */
	void *val;
	uint32_t hash;
	uint32_t tomb; /* deleted */
};

struct strmap {
	struct strmap_slot *s;
	size_t cap, n, used; /* used: live + tombstones */
};

void strmap_init(struct strmap *m);
void strmap_destroy(struct strmap *m);
/** The value for @p key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);
/** Insert or replace. @return the previous value or NULL. */
void *strmap_put(struct strmap *m, const char *key, void *val);
/** Remove. @return the removed value or NULL. */
void *strmap_del(struct strmap *m, const char *key);
/** Iterate: start with *i = 0; NULL at the end. */
void *strmap_next(const struct strmap *m, size_t *i, const char **key);

uint32_t strmap_hash(const char *s);

#endif
