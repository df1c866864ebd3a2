/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/ovsdb/datum.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ovsdb_uuid_parse(struct ovsdb_uuid *u, const char *s)
{
	unsigned i, j = 0;

	if (s == NULL || strlen(s) != OVSDB_UUID_LEN)
		return -EINVAL;
	for (i = 0; i < OVSDB_UUID_LEN;) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -EINVAL;
			i++;
			continue;
		}
		hi = hexval(s[i]);
		lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		u->b[j++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return 0;
}

void ovsdb_uuid_format(const struct ovsdb_uuid *u, char *buf)
{
	const uint8_t *b = u->b;

	snprintf(buf, OVSDB_UUID_LEN + 1,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
	         b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
	         b[15]);
}

int ovsdb_uuid_from_json(struct ovsdb_uuid *u, const json_t *atom)
{
	if (!json_is_array(atom) || json_array_size(atom) != 2 ||
	    !json_is_string(json_array_get(atom, 0)) ||
	    strcmp(json_string_value(json_array_get(atom, 0)), "uuid") != 0)
		return -EINVAL;
	return ovsdb_uuid_parse(u, json_string_value(json_array_get(atom, 1)));
}

json_t *ovsdb_uuid_to_json(const struct ovsdb_uuid *u)
{
	char buf[OVSDB_UUID_LEN + 1];

	ovsdb_uuid_format(u, buf);
	return json_pack("[ss]", "uuid", buf);
}

bool ovsdb_uuid_equals(const struct ovsdb_uuid *a, const struct ovsdb_uuid *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

bool ovsdb_uuid_is_zero(const struct ovsdb_uuid *u)
{
	static const struct ovsdb_uuid zero;

	return ovsdb_uuid_equals(u, &zero);
}

bool ovsdb_type_is_multi(const struct ovsdb_type *t)
{
	return t->value != OVSDB_T_VOID || t->max > 1 || t->min == 0;
}

/* ["set", [...]] or ["map", [...]]: the inner array, else NULL. */
static const json_t *tagged(const json_t *v, const char *tag)
{
	const json_t *t;

	if (!json_is_array(v) || json_array_size(v) != 2)
		return NULL;
	t = json_array_get(v, 0);
	if (!json_is_string(t) || strcmp(json_string_value(t), tag) != 0)
		return NULL;
	t = json_array_get(v, 1);
	return json_is_array(t) ? t : NULL;
}

static const json_t *elems(const json_t *v)
{
	const json_t *e = tagged(v, "set");

	return e ? e : tagged(v, "map");
}

size_t ovsdb_datum_n(const json_t *v)
{
	const json_t *e;

	if (v == NULL)
		return 0;
	e = elems(v);
	return e ? json_array_size(e) : 1;
}

const json_t *ovsdb_datum_at(const json_t *v, size_t i)
{
	const json_t *e;

	if (v == NULL)
		return NULL;
	e = elems(v);
	if (e)
		return json_array_get(e, i);
	return i == 0 ? v : NULL;
}

const char *ovsdb_datum_string(const json_t *v)
{
	const json_t *a = ovsdb_datum_at(v, 0);

	return json_is_string(a) ? json_string_value(a) : "";
}

int64_t ovsdb_datum_int(const json_t *v, int64_t def)
{
	const json_t *a = ovsdb_datum_at(v, 0);

	return json_is_integer(a) ? (int64_t)json_integer_value(a) : def;
}

bool ovsdb_datum_bool(const json_t *v, bool def)
{
	const json_t *a = ovsdb_datum_at(v, 0);

	return json_is_boolean(a) ? json_is_true(a) : def;
}

int ovsdb_datum_uuid(const json_t *v, struct ovsdb_uuid *u)
{
	const json_t *a = ovsdb_datum_at(v, 0);

	if (a == NULL)
		return -ENOENT;
	return ovsdb_uuid_from_json(u, a);
}

bool ovsdb_datum_contains(const json_t *v, const json_t *atom)
{
	size_t i, n = ovsdb_datum_n(v);

	for (i = 0; i < n; i++)
		if (json_equal((json_t *)ovsdb_datum_at(v, i), (json_t *)atom))
			return true;
	return false;
}

const char *ovsdb_map_get(const json_t *v, const char *key)
{
	const json_t *e = tagged(v, "map");
	size_t i;

	for (i = 0; e && i < json_array_size(e); i++) {
		const json_t *p = json_array_get(e, i);
		const json_t *k = json_array_get(p, 0), *val = json_array_get(p, 1);

		if (json_is_string(k) && strcmp(json_string_value(k), key) == 0)
			return json_is_string(val) ? json_string_value(val) : NULL;
	}
	return NULL;
}

static int atom_check(const json_t *a, enum ovsdb_atype t)
{
	struct ovsdb_uuid u;

	switch (t) {
	case OVSDB_T_INTEGER:
		return json_is_integer(a) ? 0 : -EINVAL;
	case OVSDB_T_REAL:
		return json_is_number(a) ? 0 : -EINVAL;
	case OVSDB_T_BOOLEAN:
		return json_is_boolean(a) ? 0 : -EINVAL;
	case OVSDB_T_STRING:
		return json_is_string(a) ? 0 : -EINVAL;
	case OVSDB_T_UUID:
		return ovsdb_uuid_from_json(&u, a);
	case OVSDB_T_VOID:
		break;
	}
	return -EINVAL;
}

int ovsdb_datum_check(const json_t *v, const struct ovsdb_type *t)
{
	const json_t *e;
	size_t i;

	if (v == NULL)
		return 0;
	if (t->value != OVSDB_T_VOID) {
		e = tagged(v, "map");
		if (e == NULL)
			return -EINVAL;
		for (i = 0; i < json_array_size(e); i++) {
			const json_t *p = json_array_get(e, i);

			if (!json_is_array(p) || json_array_size(p) != 2 ||
			    atom_check(json_array_get(p, 0), t->key) < 0 ||
			    atom_check(json_array_get(p, 1), t->value) < 0)
				return -EINVAL;
		}
		return 0;
	}
	e = tagged(v, "set");
	if (e == NULL)
		return atom_check(v, t->key);
	if (!ovsdb_type_is_multi(t))
		return -EINVAL;
	for (i = 0; i < json_array_size(e); i++)
		if (atom_check(json_array_get(e, i), t->key) < 0)
			return -EINVAL;
	return 0;
}

/*
 * A small open-addressing index over the elements of a diff, so applying a
 * diff to a set or map of n elements is O(n + m), not O(n * m): address
 * sets and port groups can hold thousands of entries.
 */
struct atom_index {
	size_t mask;
	long *slot; /* element index + 1; 0 = empty */
};

static uint32_t atom_hash(const json_t *a)
{
	uint32_t h = 2166136261u;
	const char *s = NULL;
	char buf[32];
	size_t i;

	if (json_is_string(a)) {
		s = json_string_value(a);
	} else if (json_is_integer(a)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(a));
		s = buf;
	} else if (json_is_array(a) && json_array_size(a) == 2 &&
	           json_is_string(json_array_get(a, 1))) {
		s = json_string_value(json_array_get(a, 1));
	} else if (json_is_true(a)) {
		s = "t";
	} else {
		s = "";
	}
	for (i = 0; s[i]; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

/* @p keys[i] is the atom to index for element i. */
static int atom_index_build(struct atom_index *ix, const json_t *const *keys, size_t n)
{
	size_t size = 8, i;

	while (size < 2 * n)
		size <<= 1;
	ix->slot = calloc(size, sizeof(*ix->slot));
	if (ix->slot == NULL)
		return -ENOMEM;
	ix->mask = size - 1;
	for (i = 0; i < n; i++) {
		size_t s = atom_hash(keys[i]) & ix->mask;

		while (ix->slot[s])
			s = (s + 1) & ix->mask;
		ix->slot[s] = (long)i + 1;
	}
	return 0;
}

/* @return the element index of @p key, or -1. With duplicates, the first unused one. */
static long atom_index_find(const struct atom_index *ix, const json_t *const *keys,
                            const bool *used, const json_t *key)
{
	size_t s = atom_hash(key) & ix->mask;

	while (ix->slot[s]) {
		long i = ix->slot[s] - 1;

		if (!used[i] && json_equal((json_t *)keys[i], (json_t *)key))
			return i;
		s = (s + 1) & ix->mask;
	}
	return -1;
}

static json_t *wrap(const char *tag, json_t *arr)
{
	json_t *v;

	if (arr == NULL)
		return NULL;
	v = json_pack("[so]", tag, arr);
	return v;
}

/* Set or map difference: see ovsdb-server(7), update2. */
static json_t *apply_multi(const json_t *old, const json_t *diff, bool is_map)
{
	size_t n_old = ovsdb_datum_n(old), n_diff = ovsdb_datum_n(diff), i;
	const json_t **keys = NULL;
	bool *used = NULL;
	struct atom_index ix = {0};
	json_t *out = json_array();

	keys = calloc(n_diff + 1, sizeof(*keys));
	used = calloc(n_diff + 1, sizeof(*used));
	if (out == NULL || keys == NULL || used == NULL)
		goto nomem;
	for (i = 0; i < n_diff; i++) {
		const json_t *e = ovsdb_datum_at(diff, i);

		keys[i] = is_map ? json_array_get(e, 0) : e;
	}
	if (atom_index_build(&ix, keys, n_diff) < 0)
		goto nomem;
	for (i = 0; i < n_old; i++) {
		const json_t *e = ovsdb_datum_at(old, i);
		const json_t *k = is_map ? json_array_get(e, 0) : e;
		long d = atom_index_find(&ix, keys, used, k);

		if (d < 0) {
			json_array_append(out, (json_t *)e);
			continue;
		}
		used[d] = true;
		if (is_map) {
			const json_t *nv = json_array_get(ovsdb_datum_at(diff, (size_t)d), 1);

			if (!json_equal((json_t *)json_array_get(e, 1), (json_t *)nv))
				json_array_append_new(out, json_pack("[OO]", k, nv));
		}
	}
	for (i = 0; i < n_diff; i++)
		if (!used[i])
			json_array_append(out, (json_t *)ovsdb_datum_at(diff, i));
	free(ix.slot);
	free(keys);
	free(used);
	return wrap(is_map ? "map" : "set", out);
nomem:
	free(ix.slot);
	free(keys);
	free(used);
	json_decref(out);
	errno = ENOMEM;
	return NULL;
}

json_t *ovsdb_datum_apply_diff(const json_t *old, const json_t *diff, const struct ovsdb_type *t)
{
	json_t *v;

	if (diff == NULL || ovsdb_datum_check(diff, t) < 0) {
		errno = EINVAL;
		return NULL;
	}
	if (t->value != OVSDB_T_VOID || t->max > 1) {
		v = apply_multi(old, diff, t->value != OVSDB_T_VOID);
		return v;
	}
	if (t->min == 1)
		return json_incref((json_t *)diff); /* a single atom: the new value */
	/*
	 * An optional atom (0 or 1 element). Servers have sent both the new
	 * value and the set difference here, so accept both readings: an empty
	 * set empties, the old atom again removes it, a pair of atoms replaces
	 * the old one with the other.
	 */
	switch (ovsdb_datum_n(diff)) {
	case 0:
		return ovsdb_set_empty();
	case 1:
		if (ovsdb_datum_n(old) == 1 &&
		    json_equal((json_t *)ovsdb_datum_at(old, 0), (json_t *)ovsdb_datum_at(diff, 0)))
			return ovsdb_set_empty();
		return json_incref((json_t *)diff);
	case 2:
		if (ovsdb_datum_n(old) == 1) {
			const json_t *o = ovsdb_datum_at(old, 0);
			const json_t *a = ovsdb_datum_at(diff, 0), *b = ovsdb_datum_at(diff, 1);

			if (json_equal((json_t *)o, (json_t *)a))
				return json_incref((json_t *)b);
			if (json_equal((json_t *)o, (json_t *)b))
				return json_incref((json_t *)a);
		}
		break;
	default:
		break;
	}
	errno = EINVAL;
	return NULL;
}

bool ovsdb_datum_equals(const json_t *a, const json_t *b, const struct ovsdb_type *t)
{
	size_t n = ovsdb_datum_n(a), i;

	if (a == b)
		return true;
	if (a == NULL || b == NULL) {
		const json_t *x = a ? a : b;

		if (ovsdb_type_is_multi(t))
			return ovsdb_datum_n(x) == 0;
		switch (t->key) {
		case OVSDB_T_STRING:
			return json_is_string(x) && json_string_length(x) == 0;
		case OVSDB_T_INTEGER:
		case OVSDB_T_REAL:
			return json_is_number(x) && json_number_value(x) == 0;
		case OVSDB_T_BOOLEAN:
			return json_is_false(x);
		default:
			return false;
		}
	}
	if (n != ovsdb_datum_n(b))
		return false;
	if (n == 1)
		return json_equal((json_t *)ovsdb_datum_at(a, 0), (json_t *)ovsdb_datum_at(b, 0));
	/* Order may differ: equal sizes and every element of a present in b. */
	for (i = 0; i < n; i++)
		if (!ovsdb_datum_contains(b, ovsdb_datum_at(a, i)))
			return false;
	return true;
}

json_t *ovsdb_set_empty(void)
{
	return json_pack("[s[]]", "set");
}

json_t *ovsdb_map_strings(const char *const *keys, const char *const *values, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < n; i++)
		json_array_append_new(arr, json_pack("[ss]", keys[i], values[i]));
	return wrap("map", arr);
}
