/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "control/ovsdb/jsonrpc.h"

void jsonrpc_framer_reset(struct jsonrpc_framer *f)
{
	memset(f, 0, sizeof(*f));
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

enum jsonrpc_frame_rc jsonrpc_framer_feed(struct jsonrpc_framer *f, const char *p, size_t n,
                                          size_t *used)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = p[i];

		if (!f->started) {
			if (is_ws(c))
				continue;
			/* RFC 7047: every message is an object. */
			if (c != '{')
				goto error;
			f->started = true;
		}
		f->len++;
		if (f->len > JSONRPC_MAX_MSG)
			goto error;
		if (f->in_string) {
			if (f->escape)
				f->escape = false;
			else if (c == '\\')
				f->escape = true;
			else if (c == '"')
				f->in_string = false;
			continue;
		}
		switch (c) {
		case '"':
			f->in_string = true;
			break;
		case '{':
		case '[':
			if (++f->depth > JSONRPC_MAX_DEPTH)
				goto error;
			break;
		case '}':
		case ']':
			if (f->depth == 0)
				goto error;
			if (--f->depth == 0) {
				*used = i + 1;
				return JSONRPC_FRAME_COMPLETE;
			}
			break;
		default:
			break;
		}
	}
	*used = n;
	return JSONRPC_FRAME_MORE;
error:
	*used = i;
	return JSONRPC_FRAME_ERROR;
}

json_t *jsonrpc_decode(const char *p, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j = json_loadb(p, len, JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &je);

	if (j == NULL) {
		snprintf(err, errlen, "invalid JSON at byte %d: %s", je.position, je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		snprintf(err, errlen, "message is not a JSON object");
		json_decref(j);
		return NULL;
	}
	return j;
}

int jsonrpc_parse(json_t *obj, struct jsonrpc_msg *m, const char **why)
{
	json_t *method = json_object_get(obj, "method");
	json_t *id = json_object_get(obj, "id");

	memset(m, 0, sizeof(*m));
	m->id = id;
	if (!json_is_object(obj)) {
		*why = "not an object";
		return -EPROTO;
	}
	if (method) {
		if (!json_is_string(method)) {
			*why = "method is not a string";
			return -EPROTO;
		}
		m->method = json_string_value(method);
		m->params = json_object_get(obj, "params");
		if (!json_is_array(m->params)) {
			*why = "params is not an array";
			return -EPROTO;
		}
		m->kind = (id == NULL || json_is_null(id)) ? JSONRPC_NOTIFY : JSONRPC_REQUEST;
		return 0;
	}
	if (id == NULL || json_is_null(id)) {
		*why = "reply without id";
		return -EPROTO;
	}
	m->error = json_object_get(obj, "error");
	m->result = json_object_get(obj, "result");
	if (m->error && !json_is_null(m->error)) {
		m->kind = JSONRPC_ERROR;
		return 0;
	}
	if (m->result == NULL) {
		*why = "reply without result";
		return -EPROTO;
	}
	m->kind = JSONRPC_REPLY;
	return 0;
}

json_t *jsonrpc_request(const char *method, json_t *params, json_t *id)
{
	return json_pack("{s:s, s:o, s:o}", "method", method, "params", params, "id",
	                 id ? id : json_null());
}

json_t *jsonrpc_reply(json_t *result, const json_t *id)
{
	return json_pack("{s:o, s:n, s:O}", "result", result, "error", "id", id);
}
