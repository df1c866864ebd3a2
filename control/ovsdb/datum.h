/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OVSDB values as they travel in JSON (RFC 7047 section 5.1), kept in that
 * form in the replica: an atom is a string, a number, a boolean or
 * ["uuid", "..."]; a set is one atom or ["set", [atoms]]; a map is
 * ["map", [[key, value]...]]. Keeping the wire form means an update is
 * stored without conversion and a value can be sent back in a "wait"
 * operation as it was read. A NULL value stands for the column's default
 * (servers omit defaults in update2 rows): "" / 0 / false / the empty set.
 *
 * The readers below accept every legal spelling, so callers never look at
 * the JSON shape themselves.
 */
#ifndef FERRY_OVSDB_DATUM_H
#define FERRY_OVSDB_DATUM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ovsdb_uuid {
	uint8_t b[16];
};

#define OVSDB_UUID_LEN 36

enum ovsdb_atype {
	OVSDB_T_VOID, /* no value type: a set, not a map */
	OVSDB_T_INTEGER,
	OVSDB_T_REAL,
	OVSDB_T_BOOLEAN,
	OVSDB_T_STRING,
	OVSDB_T_UUID,
};

/* A column's type, from the server's schema. */
struct ovsdb_type {
	enum ovsdb_atype key;
	enum ovsdb_atype value; /* OVSDB_T_VOID unless a map */
	unsigned min;           /* 0 or 1 */
	unsigned max;           /* UINT32_MAX for "unlimited" */
};

/** Parse 36 characters of text. @return 0 or -EINVAL. */
int ovsdb_uuid_parse(struct ovsdb_uuid *u, const char *s);

/** Write @p u as text into @p buf (at least OVSDB_UUID_LEN + 1 bytes). */
void ovsdb_uuid_format(const struct ovsdb_uuid *u, char *buf);

/** Parse the atom ["uuid", "..."]. @return 0 or -EINVAL. */
int ovsdb_uuid_from_json(struct ovsdb_uuid *u, const json_t *atom);

/** @return a new ["uuid", "..."] atom. */
json_t *ovsdb_uuid_to_json(const struct ovsdb_uuid *u);

bool ovsdb_uuid_equals(const struct ovsdb_uuid *a, const struct ovsdb_uuid *b);
bool ovsdb_uuid_is_zero(const struct ovsdb_uuid *u);

/** A column holds a set or map (anything but one mandatory atom)? */
bool ovsdb_type_is_multi(const struct ovsdb_type *t);

/** Number of elements of a set/map value (1 for a bare atom, 0 for NULL). */
size_t ovsdb_datum_n(const json_t *v);

/** Element @p i of a set value (an atom), or of a map value (a [key, value] pair). */
const json_t *ovsdb_datum_at(const json_t *v, size_t i);

/** The string of a string column or of a 0/1-string set; "" when empty or not a string. */
const char *ovsdb_datum_string(const json_t *v);

/** The integer of an integer column or a 0/1 set; @p def when empty. */
int64_t ovsdb_datum_int(const json_t *v, int64_t def);

/** The boolean of a boolean column or 0/1 set; @p def when empty. */
bool ovsdb_datum_bool(const json_t *v, bool def);

/** The uuid of a uuid column or 0/1 set. @return 0, or -ENOENT when empty. */
int ovsdb_datum_uuid(const json_t *v, struct ovsdb_uuid *u);

/** Does the set value @p v hold the atom @p atom? */
bool ovsdb_datum_contains(const json_t *v, const json_t *atom);

/** The string value for string @p key of a map value, or NULL. */
const char *ovsdb_map_get(const json_t *v, const char *key);

/**
 * Check @p v against type @p t (shape and atom types, not enum or ranges).
 * @return 0 or -EINVAL
 */
int ovsdb_datum_check(const json_t *v, const struct ovsdb_type *t);

/**
 * Apply an update2 "modify" difference @p diff to @p old (either may be
 * NULL = default) for a column of type @p t.
 * @return the new value (a new reference), or NULL with errno set: EINVAL
 *         when @p diff does not fit @p t
 */
json_t *ovsdb_datum_apply_diff(const json_t *old, const json_t *diff, const struct ovsdb_type *t);

/** Value equality, treating NULL as the default of @p t and "x" as ["set",["x"]]. */
bool ovsdb_datum_equals(const json_t *a, const json_t *b, const struct ovsdb_type *t);

/** A new empty set ["set", []]. */
json_t *ovsdb_set_empty(void);

/** A new map value from @p n string pairs (keys[i] -> values[i]). */
json_t *ovsdb_map_strings(const char *const *keys, const char *const *values, size_t n);

#endif
