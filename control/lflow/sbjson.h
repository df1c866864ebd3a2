/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A Southbound dump as compiler input: `ovsdb-client dump --format=json'
 * of the OVN_Southbound database (one JSON object per table), or any
 * concatenation of `ovn-sbctl --format=json list TABLE' outputs. Tables are
 * recognised by caption, else by columns. Used by ferry-lflow-check and the
 * tests; the chassis agent fills struct lflow_input itself.
 */
#ifndef FERRY_LFLOW_SBJSON_H
#define FERRY_LFLOW_SBJSON_H

#include <stddef.h>

#include "input.h"

struct sb_dump;

/** Read @p path. @return the dump (in sb_dump_input()), or NULL with errno
 *  set and a message on stderr. */
struct sb_dump *sb_dump_read(const char *path);
/** The same from @p len bytes at @p buf (@p name for messages). Malformed
 *  JSON is an error; JSON of an unexpected shape is skipped or read as
 *  empty values, never trusted. */
struct sb_dump *sb_dump_parse(const char *buf, size_t len, const char *name);
const struct lflow_input *sb_dump_input(const struct sb_dump *d);
void sb_dump_free(struct sb_dump *d);

#endif
