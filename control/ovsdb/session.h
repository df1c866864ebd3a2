/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A JSON-RPC session with one of several OVSDB servers, kept up forever.
 *
 *            +---------+  timer   +------------+  connected  +--------+
 *   start -> | BACKOFF | -------> | CONNECTING | ----------> | ACTIVE |
 *            +---------+          +------------+             +--------+
 *                 ^      error / timeout |     error, EOF, probe  |
 *                 +----------------------+------------------------+
 *
 * Remotes ("unix:PATH", "tcp:IP:PORT", "ssl:IP:PORT", comma-separated, as
 * ovn-remote takes them) are tried in turn from a random starting point, so
 * that chassis spread over the members of a RAFT cluster. After a failure
 * the next remote is tried at once until every remote has failed in a row;
 * from then on each attempt waits twice as long as the last, from
 * backoff_min_ms up to backoff_max_ms. The run of failures ends when the
 * layer above calls ovsdb_session_healthy() (the database answered, not
 * just the socket).
 *
 * Inactivity probe: when nothing has been received for probe_ms the
 * session sends "echo"; if nothing arrives during another probe_ms it
 * drops the connection. Echo requests from the server are answered here.
 * Replies are matched to requests by id; requests outstanding when the
 * connection drops are completed with -ECONNRESET.
 */
#ifndef FERRY_OVSDB_SESSION_H
#define FERRY_OVSDB_SESSION_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct event_base;
struct ovsdb_session;

enum ovsdb_session_state {
	OVSDB_S_BACKOFF,
	OVSDB_S_CONNECTING,
	OVSDB_S_ACTIVE,
	OVSDB_S_STOPPED,
};

struct ovsdb_session_cfg {
	const char *remotes;         /* "tcp:10.0.0.1:6642,tcp:10.0.0.2:6642" */
	unsigned probe_ms;           /* 0 disables */
	unsigned backoff_min_ms;     /* 0: default 250 */
	unsigned backoff_max_ms;     /* 0: default 8000 */
	unsigned connect_timeout_ms; /* 0: default 5000 */
	const char *ssl_private_key; /* PEM files, for ssl: remotes */
	const char *ssl_certificate;
	const char *ssl_ca_cert;
};

struct ovsdb_session_ops {
	/* Transport is up; send the first requests. */
	void (*connected)(void *arg);
	/* Connection lost (-errno); the session retries by itself. */
	void (*disconnected)(void *arg, int err);
	/* A notification or a request other than echo; @p params borrowed. */
	void (*notify)(void *arg, const char *method, json_t *params, json_t *id);
};

/* Called once per request: a result (err 0), a JSON-RPC error (err -EREMOTEIO), or -ECONNRESET. */
typedef void (*ovsdb_reply_fn)(void *arg, int err, json_t *result, json_t *error);

struct ovsdb_session_stats {
	enum ovsdb_session_state state;
	const char *remote; /* current or last remote */
	char last_error[256];
	uint64_t connected_at_ms; /* monotonic, 0 when not ACTIVE */
	uint64_t n_connects;
	uint64_t n_disconnects;
	uint64_t n_connect_failures;
	uint64_t n_msgs_rx;
	uint64_t n_msgs_tx;
	uint64_t n_bytes_rx;
	uint64_t n_bad_json; /* framing or parse errors */
	uint64_t n_bad_msgs; /* well-formed JSON, not JSON-RPC */
	uint64_t n_probes;   /* echo requests sent */
	uint64_t n_probe_timeouts;
	uint64_t n_errors_rx; /* JSON-RPC error replies */
	unsigned backoff_ms;  /* delay before the next attempt */
};

/**
 * Parse and check @p remotes.
 * @return the number of remotes (> 0), or -EINVAL with @p err set
 */
int ovsdb_remotes_check(const char *remotes, char *err, size_t errlen);

/** Create a session and start connecting. @return 0 or -errno (bad remote: -EINVAL). */
int ovsdb_session_create(struct event_base *base, const struct ovsdb_session_cfg *cfg,
                         const struct ovsdb_session_ops *ops, void *arg, struct ovsdb_session **out,
                         char *err, size_t errlen);

/** Close and free (accepts NULL); pending requests are completed with -ECONNRESET. */
void ovsdb_session_destroy(struct ovsdb_session *s);

/**
 * Send a request; @p fn is called once with the outcome.
 * @param params stolen
 * @return 0, or -ENOTCONN (then @p fn is not called)
 */
int ovsdb_session_request(struct ovsdb_session *s, const char *method, json_t *params,
                          ovsdb_reply_fn fn, void *arg);

/** Send a message as is (stolen). @return 0 or -ENOTCONN. */
int ovsdb_session_send(struct ovsdb_session *s, json_t *msg);

/** Drop the connection now and try the next remote (@p why is recorded). */
void ovsdb_session_reset(struct ovsdb_session *s, const char *why);

/** The server answered as a database should: end the run of failures. */
void ovsdb_session_healthy(struct ovsdb_session *s);

/** Forget every pending request's callback argument @p arg (its owner goes away). */
void ovsdb_session_forget(struct ovsdb_session *s, void *arg);

bool ovsdb_session_is_active(const struct ovsdb_session *s);

const struct ovsdb_session_stats *ovsdb_session_stats(const struct ovsdb_session *s);

const char *ovsdb_session_state_name(enum ovsdb_session_state st);

#endif
