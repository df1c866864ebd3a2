/* SPDX-License-Identifier: Apache-2.0 */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

void strmap_init(struct strmap *m)
{
	memset(m, 0, sizeof(*m));
}

void strmap_destroy(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->s[i].key);
	free(m->s);
	memset(m, 0, sizeof(*m));
}

/* FNV-1a: short keys, no adversary (the database is trusted for content,
 * and a slow lookup is all a collision costs). */
uint32_t strmap_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static size_t find(const struct strmap *m, const char *key, uint32_t h)
{
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const struct strmap_slot *s = &m->s[i];
		if (s->key == NULL && !s->tomb)
			return i;
		if (s->key != NULL && s->hash == h && strcmp(s->key, key) == 0)
			return i;
	}
}

void *strmap_get(const struct strmap *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	size_t i = find(m, key, strmap_hash(key));
	return m->s[i].key ? m->s[i].val : NULL;
}

static void grow(struct strmap *m)
{
	size_t cap = m->cap ? m->cap : 16;
	while (m->n * 2 >= cap)
		cap *= 2;
	struct strmap_slot *old = m->s;
	size_t old_cap = m->cap;
	m->s = calloc(cap, sizeof(*m->s));
	if (m->s == NULL)
		abort();
	m->cap = cap;
	m->used = m->n;
	for (size_t i = 0; i < old_cap; i++) {
		if (old[i].key == NULL)
			continue;
		size_t j = find(m, old[i].key, old[i].hash);
		m->s[j] = old[i];
	}
	free(old);
}

void *strmap_put(struct strmap *m, const char *key, void *val)
{
	if ((m->used + 1) * 4 >= m->cap * 3)
		grow(m);
	uint32_t h = strmap_hash(key);
	size_t i = find(m, key, h);
	struct strmap_slot *s = &m->s[i];
	if (s->key != NULL) {
		void *prev = s->val;
		s->val = val;
		return prev;
	}
	s->key = strdup(key);
	if (s->key == NULL)
		abort();
	s->val = val;
	s->hash = h;
	s->tomb = 0;
	m->n++;
	m->used++;
	return NULL;
}

void *strmap_del(struct strmap *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	size_t i = find(m, key, strmap_hash(key));
	struct strmap_slot *s = &m->s[i];
	if (s->key == NULL)
		return NULL;
	void *v = s->val;
	free(s->key);
	s->key = NULL;
	s->val = NULL;
	s->tomb = 1;
	m->n--;
	return v;
}

void *strmap_next(const struct strmap *m, size_t *i, const char **key)
{
	for (; *i < m->cap; (*i)++) {
		if (m->s[*i].key != NULL) {
			if (key)
				*key = m->s[*i].key;
			return m->s[(*i)++].val;
		}
	}
	return NULL;
}
