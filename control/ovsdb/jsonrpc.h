/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON-RPC 1.0 as OVSDB uses it (RFC 7047 section 4): a stream of JSON
 * objects with no delimiter between them. The framer finds where one
 * object ends by tracking nesting and strings byte by byte, so a message
 * is parsed (by jansson) exactly once, when it is complete, whatever way
 * the stream was cut into reads. Classification checks the envelope so
 * the layers above only see well-formed requests, notifications and
 * replies.
 */
#ifndef FERRY_OVSDB_JSONRPC_H
#define FERRY_OVSDB_JSONRPC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define JSONRPC_MAX_DEPTH 256
#define JSONRPC_MAX_MSG   (512u << 20) /* a full Southbound dump fits many times over */

struct jsonrpc_framer {
	size_t len;     /* bytes of the current message seen so far */
	unsigned depth; /* open { and [ */
	bool started;   /* the current message's first byte was seen */
	bool in_string;
	bool escape;
};

enum jsonrpc_frame_rc {
	JSONRPC_FRAME_MORE,     /* every byte consumed, message incomplete */
	JSONRPC_FRAME_COMPLETE, /* a message ends after *used bytes */
	JSONRPC_FRAME_ERROR,    /* not a JSON-RPC stream: reset the connection */
};

void jsonrpc_framer_reset(struct jsonrpc_framer *f);

/**
 * Scan @p n more bytes of the stream.
 * @param used  bytes of @p p consumed (whitespace before a message included)
 * @param skip  leading whitespace bytes that are not part of the message
 *              (only meaningful on COMPLETE: the message is the last
 *              f->len bytes consumed)
 */
enum jsonrpc_frame_rc jsonrpc_framer_feed(struct jsonrpc_framer *f, const char *p, size_t n,
                                          size_t *used);

enum jsonrpc_kind {
	JSONRPC_REQUEST, /* method, params, non-null id */
	JSONRPC_NOTIFY,  /* method, params, null id */
	JSONRPC_REPLY,   /* result, error == null, id */
	JSONRPC_ERROR,   /* error != null, id */
};

struct jsonrpc_msg {
	enum jsonrpc_kind kind;
	const char *method; /* request, notify */
	json_t *params;     /* request, notify: an array */
	json_t *result;     /* reply */
	json_t *error;      /* error */
	json_t *id;
};

/**
 * Classify @p obj (borrowed; @p m points into it).
 * @return 0 or -EPROTO with @p why set to a static description
 */
int jsonrpc_parse(json_t *obj, struct jsonrpc_msg *m, const char **why);

/** Parse one complete message of @p len bytes. @return new reference, or NULL (malformed). */
json_t *jsonrpc_decode(const char *p, size_t len, char *err, size_t errlen);

/** Build {"method": M, "params": P, "id": ID}; steals @p params and @p id (NULL id = notify). */
json_t *jsonrpc_request(const char *method, json_t *params, json_t *id);

/** Build {"result": R, "error": null, "id": ID}; steals @p result, borrows @p id. */
json_t *jsonrpc_reply(json_t *result, const json_t *id);

#endif
