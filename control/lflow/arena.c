/* SPDX-License-Identifier: Apache-2.0 */
#include "arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	max_align_t data[];
};

#define ARENA_CHUNK (64 * 1024)

void arena_init(struct arena *a)
{
	a->head = NULL;
	a->cur = a->end = NULL;
}

static void arena_grow(struct arena *a, size_t n)
{
	size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
	struct arena_chunk *c = malloc(sizeof(*c) + size);
	if (c == NULL)
		abort();
	c->size = size;
	c->next = a->head;
	a->head = c;
	a->cur = (char *)c->data;
	a->end = a->cur + size;
}

void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (a->cur == NULL || (size_t)(a->end - a->cur) < n)
		arena_grow(a, n);
	void *p = a->cur;
	a->cur += n;
	return p;
}

void *arena_zalloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_reset(struct arena *a)
{
	if (a->head == NULL)
		return;
	/* Keep the most recent chunk only if it is a normal-sized one. */
	struct arena_chunk *keep = a->head;
	struct arena_chunk *c = keep->next;
	while (c != NULL) {
		struct arena_chunk *n = c->next;
		free(c);
		c = n;
	}
	keep->next = NULL;
	a->cur = (char *)keep->data;
	a->end = a->cur + keep->size;
}

void arena_destroy(struct arena *a)
{
	struct arena_chunk *c = a->head;
	while (c != NULL) {
		struct arena_chunk *n = c->next;
		free(c);
		c = n;
	}
	arena_init(a);
}
