/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bump allocator: everything one compilation builds (tokens, trees,
 * conjunctions) is freed at once. Allocation failure aborts: the control
 * plane cannot do anything useful without memory.
 */
#ifndef FERRY_LFLOW_ARENA_H
#define FERRY_LFLOW_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	char *cur, *end;
};

void arena_init(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);
void *arena_zalloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Keep the first chunk, free the rest: cheap reuse between flows. */
void arena_reset(struct arena *a);
void arena_destroy(struct arena *a);

#endif
