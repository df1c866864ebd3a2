/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "control/ovsdb/jsonrpc.h"
#include "control/ovsdb/log.h"
#include "control/ovsdb/session.h"

#define OVSDB_DEFAULT_PORT 6642
#define READ_CHUNK         (1u << 20)
#define WRITE_NOW_MAX      (256u << 10)
#define RX_MIN             (64u << 10)
#define RX_KEEP            (1u << 20) /* rx buffers larger are freed when empty */

enum remote_kind { REMOTE_UNIX, REMOTE_TCP, REMOTE_SSL };

struct remote {
	enum remote_kind kind;
	char *text; /* as configured */
	char *host; /* tcp/ssl */
	int port;
	char *path; /* unix */
};

struct pending {
	struct pending *next;
	json_int_t id;
	ovsdb_reply_fn fn;
	void *arg;
};

struct ovsdb_session {
	struct event_base *base;
	struct evdns_base *dns;
	SSL_CTX *ssl_ctx;
	struct ovsdb_session_ops ops;
	void *arg;
	struct remote *remotes;
	unsigned n_remotes;
	unsigned cur; /* index of the current remote */
	unsigned probe_ms, backoff_min_ms, backoff_max_ms, connect_timeout_ms;
	unsigned n_fail; /* attempts failed since the last healthy session */

	struct bufferevent *bev;
	unsigned gen;        /* bumped whenever bev is closed */
	struct event *timer; /* backoff, then connect timeout */
	struct event *probe;
	uint64_t last_rx_ms;
	bool probe_sent;
	struct jsonrpc_framer framer;
	char *rx;       /* bytes received and not yet parsed, contiguous */
	size_t rx_len;  /* bytes in rx */
	size_t rx_cap;  /* allocated */
	size_t scanned; /* bytes of rx already fed to the framer */

	json_int_t next_id;
	struct pending *pending;
	struct ovsdb_session_stats st;
};

static void start_connect(struct ovsdb_session *s);
static void session_fail(struct ovsdb_session *s, int err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

const char *ovsdb_session_state_name(enum ovsdb_session_state st)
{
	switch (st) {
	case OVSDB_S_BACKOFF:
		return "backoff";
	case OVSDB_S_CONNECTING:
		return "connecting";
	case OVSDB_S_ACTIVE:
		return "active";
	case OVSDB_S_STOPPED:
		return "stopped";
	}
	return "?";
}

static void remotes_free(struct remote *r, unsigned n)
{
	unsigned i;

	for (i = 0; r && i < n; i++) {
		free(r[i].text);
		free(r[i].host);
		free(r[i].path);
	}
	free(r);
}

/* "HOST:PORT", "[V6]:PORT", "HOST" (default port). */
static int parse_hostport(struct remote *r, const char *s, char *err, size_t errlen)
{
	const char *colon;
	char *end;
	long port = OVSDB_DEFAULT_PORT;

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (rb == NULL)
			goto bad;
		r->host = strndup(s + 1, (size_t)(rb - s - 1));
		colon = rb[1] == ':' ? rb + 1 : NULL;
		if (rb[1] != '\0' && colon == NULL)
			goto bad;
	} else {
		colon = strrchr(s, ':');
		r->host = colon ? strndup(s, (size_t)(colon - s)) : strdup(s);
	}
	if (r->host == NULL || r->host[0] == '\0')
		goto bad;
	if (colon) {
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (errno || *end != '\0' || port <= 0 || port > 65535)
			goto bad;
	}
	r->port = (int)port;
	return 0;
bad:
	snprintf(err, errlen, "bad address '%s' in remote '%s'", s, r->text);
	return -EINVAL;
}

static int remotes_parse(const char *text, struct remote **out, unsigned *n_out, char *err,
                         size_t errlen)
{
	char *copy, *save = NULL, *tok;
	struct remote *r = NULL;
	unsigned n = 0;
	int rc = 0;

	if (text == NULL || text[0] == '\0') {
		snprintf(err, errlen, "ovn-remote is empty");
		return -EINVAL;
	}
	copy = strdup(text);
	if (copy == NULL)
		return -ENOMEM;
	for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		struct remote *nr = realloc(r, (n + 1) * sizeof(*r));

		if (nr == NULL) {
			rc = -ENOMEM;
			break;
		}
		r = nr;
		memset(&r[n], 0, sizeof(r[n]));
		r[n].text = strdup(tok);
		n++;
		if (strncmp(tok, "unix:", 5) == 0 && tok[5] != '\0') {
			r[n - 1].kind = REMOTE_UNIX;
			r[n - 1].path = strdup(tok + 5);
			if (strlen(tok + 5) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
				snprintf(err, errlen, "unix socket path too long in '%s'", tok);
				rc = -EINVAL;
				break;
			}
		} else if (strncmp(tok, "tcp:", 4) == 0) {
			r[n - 1].kind = REMOTE_TCP;
			rc = parse_hostport(&r[n - 1], tok + 4, err, errlen);
		} else if (strncmp(tok, "ssl:", 4) == 0) {
			r[n - 1].kind = REMOTE_SSL;
			rc = parse_hostport(&r[n - 1], tok + 4, err, errlen);
		} else {
			snprintf(err, errlen,
			         "remote '%s': expected unix:PATH, tcp:HOST:PORT or ssl:HOST:PORT",
			         tok);
			rc = -EINVAL;
		}
		if (rc < 0)
			break;
	}
	free(copy);
	if (rc == 0 && n == 0) {
		snprintf(err, errlen, "ovn-remote lists no remote");
		rc = -EINVAL;
	}
	if (rc < 0) {
		remotes_free(r, n);
		return rc;
	}
	*out = r;
	*n_out = n;
	return 0;
}

int ovsdb_remotes_check(const char *remotes, char *err, size_t errlen)
{
	struct remote *r;
	unsigned n;
	int rc = remotes_parse(remotes, &r, &n, err, errlen);

	if (rc < 0)
		return rc;
	remotes_free(r, n);
	return (int)n;
}

static void ssl_errors(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();

	if (e == 0)
		snprintf(buf, len, "unknown TLS error");
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
}

static int ssl_ctx_create(struct ovsdb_session *s, const struct ovsdb_session_cfg *cfg, char *err,
                          size_t errlen)
{
	char e[256];

	if (!cfg->ssl_private_key || !cfg->ssl_certificate || !cfg->ssl_ca_cert) {
		snprintf(err, errlen,
		         "ssl remote needs ssl-private-key, ssl-certificate and ssl-ca-cert");
		return -EINVAL;
	}
	s->ssl_ctx = SSL_CTX_new(TLS_client_method());
	if (s->ssl_ctx == NULL)
		return -ENOMEM;
	SSL_CTX_set_min_proto_version(s->ssl_ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(s->ssl_ctx, cfg->ssl_certificate) != 1) {
		ssl_errors(e, sizeof(e));
		snprintf(err, errlen, "ssl-certificate %s: %s", cfg->ssl_certificate, e);
		return -EINVAL;
	}
	if (SSL_CTX_use_PrivateKey_file(s->ssl_ctx, cfg->ssl_private_key, SSL_FILETYPE_PEM) != 1) {
		ssl_errors(e, sizeof(e));
		snprintf(err, errlen, "ssl-private-key %s: %s", cfg->ssl_private_key, e);
		return -EINVAL;
	}
	if (SSL_CTX_load_verify_locations(s->ssl_ctx, cfg->ssl_ca_cert, NULL) != 1) {
		ssl_errors(e, sizeof(e));
		snprintf(err, errlen, "ssl-ca-cert %s: %s", cfg->ssl_ca_cert, e);
		return -EINVAL;
	}
	/* As OVS does: the peer must present a certificate signed by the CA. */
	SSL_CTX_set_verify(s->ssl_ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	return 0;
}

static void fail_pending(struct ovsdb_session *s)
{
	while (s->pending) {
		struct pending *p = s->pending;

		s->pending = p->next;
		if (p->fn)
			p->fn(p->arg, -ECONNRESET, NULL, NULL);
		free(p);
	}
}

static void rx_release(struct ovsdb_session *s)
{
	free(s->rx);
	s->rx = NULL;
	s->rx_len = s->rx_cap = s->scanned = 0;
}

static void close_conn(struct ovsdb_session *s)
{
	if (s->bev) {
		bufferevent_free(s->bev);
		s->bev = NULL;
	}
	s->gen++;
	event_del(s->probe);
	event_del(s->timer);
	jsonrpc_framer_reset(&s->framer);
	rx_release(s);
	s->probe_sent = false;
}

static unsigned next_delay(struct ovsdb_session *s)
{
	unsigned shift, d;

	s->n_fail++;
	if (s->n_fail < s->n_remotes)
		return 0;
	shift = s->n_fail - s->n_remotes;
	if (shift > 16)
		shift = 16;
	d = s->backoff_min_ms << shift;
	return d > s->backoff_max_ms ? s->backoff_max_ms : d;
}

static void schedule(struct ovsdb_session *s, unsigned ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};

	event_add(s->timer, &tv);
}

static void session_fail(struct ovsdb_session *s, int err, const char *fmt, ...)
{
	bool was_active = s->st.state == OVSDB_S_ACTIVE;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->st.last_error, sizeof(s->st.last_error), fmt, ap);
	va_end(ap);
	close_conn(s);
	if (was_active)
		s->st.n_disconnects++;
	else
		s->st.n_connect_failures++;
	s->st.connected_at_ms = 0;
	s->st.state = OVSDB_S_BACKOFF;
	s->st.backoff_ms = next_delay(s);
	OVSDB_LOG_RL(WARNING, "%s: %s%s (retry in %u ms)", s->st.remote, s->st.last_error,
	             was_active ? ", disconnected" : "", s->st.backoff_ms);
	s->cur = (s->cur + 1) % s->n_remotes;
	schedule(s, s->st.backoff_ms);
	fail_pending(s);
	if (was_active && s->ops.disconnected)
		s->ops.disconnected(s->arg, err);
}

static void probe_arm(struct ovsdb_session *s, uint64_t now)
{
	uint64_t due = s->last_rx_ms + s->probe_ms;
	unsigned ms = due > now ? (unsigned)(due - now) : 0;

	if (s->probe_sent)
		ms = s->probe_ms;
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	event_add(s->probe, &tv);
}

static void probe_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ovsdb_session *s = arg;
	uint64_t now = ferry_now_ms();

	(void)fd;
	(void)what;
	if (s->st.state != OVSDB_S_ACTIVE || s->probe_ms == 0)
		return;
	if (now - s->last_rx_ms < s->probe_ms) {
		probe_arm(s, now);
		return;
	}
	if (s->probe_sent) {
		s->st.n_probe_timeouts++;
		session_fail(s, -ETIMEDOUT, "no response to inactivity probe after %u ms",
		             2 * s->probe_ms);
		return;
	}
	s->st.n_probes++;
	s->probe_sent = true;
	ovsdb_session_request(s, "echo", json_array(), NULL, NULL);
	probe_arm(s, now);
}

static void handle_reply(struct ovsdb_session *s, struct jsonrpc_msg *m)
{
	struct pending **pp, *p;
	json_int_t id;

	if (!json_is_integer(m->id))
		goto unknown;
	id = json_integer_value(m->id);
	for (pp = &s->pending; *pp; pp = &(*pp)->next) {
		if ((*pp)->id != id)
			continue;
		p = *pp;
		*pp = p->next;
		if (m->kind == JSONRPC_ERROR)
			s->st.n_errors_rx++;
		if (p->fn)
			p->fn(p->arg, m->kind == JSONRPC_ERROR ? -EREMOTEIO : 0, m->result,
			      m->error);
		free(p);
		return;
	}
unknown:
	s->st.n_bad_msgs++;
	OVSDB_LOG_RL(WARNING, "%s: reply to no request ignored", s->st.remote);
}

static void dispatch(struct ovsdb_session *s, json_t *obj)
{
	struct jsonrpc_msg m;
	const char *why;

	if (jsonrpc_parse(obj, &m, &why) < 0) {
		s->st.n_bad_msgs++;
		OVSDB_LOG_RL(WARNING, "%s: bad JSON-RPC message ignored: %s", s->st.remote, why);
		return;
	}
	switch (m.kind) {
	case JSONRPC_REPLY:
	case JSONRPC_ERROR:
		handle_reply(s, &m);
		break;
	case JSONRPC_REQUEST:
		if (strcmp(m.method, "echo") == 0) {
			ovsdb_session_send(s, jsonrpc_reply(json_incref(m.params), m.id));
			break;
		}
		/* fall through */
	case JSONRPC_NOTIFY:
		if (s->ops.notify)
			s->ops.notify(s->arg, m.method, m.params, m.id);
		break;
	}
}

/* Move what the socket buffer holds to the end of rx. @return 0 or -ENOMEM. */
static int rx_fill(struct ovsdb_session *s, struct evbuffer *in)
{
	size_t avail = evbuffer_get_length(in);

	if (avail == 0)
		return 0;
	if (s->rx_len + avail > s->rx_cap) {
		size_t cap = s->rx_cap ? s->rx_cap : RX_MIN;
		char *p;

		while (cap < s->rx_len + avail)
			cap *= 2;
		p = realloc(s->rx, cap);
		if (p == NULL)
			return -ENOMEM;
		s->rx = p;
		s->rx_cap = cap;
	}
	evbuffer_remove(in, s->rx + s->rx_len, avail);
	s->rx_len += avail;
	return 0;
}

/*
 * Drop the parsed bytes from rx, keeping the message in progress. A buffer
 * grown for a large message (the initial dump) is given back once that
 * message is parsed, so a replica's RSS does not keep a copy of its bytes.
 */
static void rx_compact(struct ovsdb_session *s)
{
	size_t keep_from = s->scanned - s->framer.len;

	if (keep_from == s->rx_len && s->rx_cap > RX_KEEP) {
		rx_release(s);
		return;
	}
	if (keep_from > 0) {
		memmove(s->rx, s->rx + keep_from, s->rx_len - keep_from);
		s->rx_len -= keep_from;
		s->scanned -= keep_from;
	}
}

/*
 * The socket's bytes are appended to one contiguous buffer and scanned
 * once by the framer; a complete message is parsed in place. (Scanning the
 * bufferevent's chain of chunks from its start on each read made a large
 * dump cost quadratic time, and pulling it up copied it once more.)
 */
static void read_cb(struct bufferevent *bev, void *arg)
{
	struct ovsdb_session *s = arg;
	unsigned gen = s->gen;

	s->last_rx_ms = ferry_now_ms();
	s->probe_sent = false;
	if (rx_fill(s, bufferevent_get_input(bev)) < 0) {
		session_fail(s, -ENOMEM, "out of memory for a %zu byte message", s->rx_len);
		return;
	}
	while (s->scanned < s->rx_len) {
		size_t used = 0, start;
		enum jsonrpc_frame_rc rc;
		char err[160];
		json_t *obj;

		rc = jsonrpc_framer_feed(&s->framer, s->rx + s->scanned, s->rx_len - s->scanned,
		                         &used);
		s->scanned += used;
		s->st.n_bytes_rx += used;
		if (rc == JSONRPC_FRAME_MORE)
			break;
		if (rc == JSONRPC_FRAME_ERROR) {
			s->st.n_bad_json++;
			session_fail(s, -EPROTO, "malformed JSON-RPC stream at byte %zu",
			             s->scanned);
			return;
		}
		start = s->scanned - s->framer.len;
		obj = jsonrpc_decode(s->rx + start, s->framer.len, err, sizeof(err));
		jsonrpc_framer_reset(&s->framer);
		if (s->scanned == s->rx_len)
			rx_compact(s); /* before the callbacks, which may take long */
		if (obj == NULL) {
			s->st.n_bad_json++;
			session_fail(s, -EPROTO, "%s", err);
			return;
		}
		s->st.n_msgs_rx++;
		dispatch(s, obj);
		json_decref(obj);
		if (s->gen != gen)
			return; /* the connection was closed by a callback */
	}
	rx_compact(s);
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ovsdb_session *s = arg;
	char e[256] = "";
	int err;

	if (what & BEV_EVENT_CONNECTED) {
		event_del(s->timer);
		s->st.state = OVSDB_S_ACTIVE;
		s->st.n_connects++;
		s->st.connected_at_ms = ferry_now_ms();
		s->last_rx_ms = s->st.connected_at_ms;
		s->st.last_error[0] = '\0';
		OVSDB_LOG(INFO, "%s: connected", s->st.remote);
		if (s->probe_ms)
			probe_arm(s, s->last_rx_ms);
		if (s->ops.connected)
			s->ops.connected(s->arg);
		return;
	}
	err = EVUTIL_SOCKET_ERROR();
	if (s->ssl_ctx && bufferevent_get_openssl_error(bev)) {
		ERR_error_string_n(bufferevent_get_openssl_error(bev), e, sizeof(e));
		session_fail(s, -EPROTO, "TLS: %s", e);
	} else if (what & BEV_EVENT_EOF) {
		session_fail(s, -ECONNRESET, "connection closed by server");
	} else if (what & BEV_EVENT_ERROR) {
		int dns = bufferevent_socket_get_dns_error(bev);

		if (dns)
			session_fail(s, -EHOSTUNREACH, "%s", evutil_gai_strerror(dns));
		else
			session_fail(s, err ? -err : -EIO, "%s",
			             err ? evutil_socket_error_to_string(err) : "I/O error");
	}
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ovsdb_session *s = arg;

	(void)fd;
	(void)what;
	if (s->st.state == OVSDB_S_CONNECTING)
		session_fail(s, -ETIMEDOUT, "connection timed out after %u ms",
		             s->connect_timeout_ms);
	else if (s->st.state == OVSDB_S_BACKOFF)
		start_connect(s);
}

static void start_connect(struct ovsdb_session *s)
{
	struct remote *r = &s->remotes[s->cur];
	struct sockaddr_storage ss;
	int sslen = sizeof(ss), rc;

	s->st.remote = r->text;
	s->st.state = OVSDB_S_CONNECTING;
	if (r->kind == REMOTE_SSL) {
		SSL *ssl = SSL_new(s->ssl_ctx);

		if (ssl == NULL) {
			session_fail(s, -ENOMEM, "cannot create TLS session");
			return;
		}
		s->bev = bufferevent_openssl_socket_new(
		        s->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	} else {
		s->bev = bufferevent_socket_new(s->base, -1, BEV_OPT_CLOSE_ON_FREE);
	}
	if (s->bev == NULL) {
		session_fail(s, -ENOMEM, "cannot create socket buffer");
		return;
	}
	bufferevent_setcb(s->bev, read_cb, NULL, event_cb, s);
	bufferevent_set_max_single_read(s->bev, READ_CHUNK);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);
	schedule(s, s->connect_timeout_ms);
	if (r->kind == REMOTE_UNIX) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&ss;

		memset(sun, 0, sizeof(*sun));
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, r->path, strlen(r->path));
		rc = bufferevent_socket_connect(s->bev, (struct sockaddr *)sun, (int)sizeof(*sun));
	} else {
		char hp[300];

		snprintf(hp, sizeof(hp), strchr(r->host, ':') ? "[%s]:%d" : "%s:%d", r->host,
		         r->port);
		if (evutil_parse_sockaddr_port(hp, (struct sockaddr *)&ss, &sslen) == 0) {
			rc = bufferevent_socket_connect(s->bev, (struct sockaddr *)&ss, sslen);
		} else {
			if (s->dns == NULL)
				s->dns = evdns_base_new(s->base, EVDNS_BASE_INITIALIZE_NAMESERVERS);
			rc = s->dns ? bufferevent_socket_connect_hostname(s->bev, s->dns, AF_UNSPEC,
			                                                  r->host, r->port)
			            : -1;
		}
	}
	if (rc < 0) {
		int e = EVUTIL_SOCKET_ERROR();

		session_fail(s, e ? -e : -EIO, "connect: %s",
		             e ? evutil_socket_error_to_string(e) : "failed");
	}
}

int ovsdb_session_create(struct event_base *base, const struct ovsdb_session_cfg *cfg,
                         const struct ovsdb_session_ops *ops, void *arg, struct ovsdb_session **out,
                         char *err, size_t errlen)
{
	struct ovsdb_session *s = calloc(1, sizeof(*s));
	unsigned i;
	int rc;

	if (s == NULL)
		return -ENOMEM;
	rc = remotes_parse(cfg->remotes, &s->remotes, &s->n_remotes, err, errlen);
	if (rc < 0)
		goto fail;
	for (i = 0; i < s->n_remotes; i++) {
		if (s->remotes[i].kind != REMOTE_SSL || s->ssl_ctx)
			continue;
		rc = ssl_ctx_create(s, cfg, err, errlen);
		if (rc < 0)
			goto fail;
	}
	s->base = base;
	s->ops = *ops;
	s->arg = arg;
	s->probe_ms = cfg->probe_ms;
	s->backoff_min_ms = cfg->backoff_min_ms ? cfg->backoff_min_ms : 250;
	s->backoff_max_ms = cfg->backoff_max_ms ? cfg->backoff_max_ms : 8000;
	if (s->backoff_max_ms < s->backoff_min_ms)
		s->backoff_max_ms = s->backoff_min_ms;
	s->connect_timeout_ms = cfg->connect_timeout_ms ? cfg->connect_timeout_ms : 5000;
	s->cur = (unsigned)random() % s->n_remotes;
	s->next_id = 1;
	s->timer = evtimer_new(base, timer_cb, s);
	s->probe = evtimer_new(base, probe_cb, s);
	if (s->timer == NULL || s->probe == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	s->st.state = OVSDB_S_BACKOFF;
	s->st.remote = s->remotes[s->cur].text;
	schedule(s, 0);
	*out = s;
	return 0;
fail:
	ovsdb_session_destroy(s);
	return rc;
}

void ovsdb_session_destroy(struct ovsdb_session *s)
{
	if (s == NULL)
		return;
	close_conn(s);
	s->st.state = OVSDB_S_STOPPED;
	fail_pending(s);
	if (s->timer)
		event_free(s->timer);
	if (s->probe)
		event_free(s->probe);
	if (s->dns)
		evdns_base_free(s->dns, 0);
	if (s->ssl_ctx)
		SSL_CTX_free(s->ssl_ctx);
	remotes_free(s->remotes, s->n_remotes);
	free(s);
}

static int write_cb(const char *buf, size_t size, void *data)
{
	return evbuffer_add(data, buf, size);
}

/*
 * A bufferevent writes on its next loop iteration, which a long callback
 * (the flow compiler after a full sync) delays. Plain sockets get what
 * fits written at once; the bufferevent writes the rest, and notices errors.
 */
static void write_now(struct ovsdb_session *s)
{
	struct evbuffer *out = bufferevent_get_output(s->bev);
	size_t len = evbuffer_get_length(out);
	evutil_socket_t fd = bufferevent_getfd(s->bev);
	unsigned char *p;
	ssize_t n;

	if (s->remotes[s->cur].kind == REMOTE_SSL || fd < 0 || len == 0 || len > WRITE_NOW_MAX)
		return;
	p = evbuffer_pullup(out, (ev_ssize_t)len);
	if (p == NULL)
		return;
	n = send(fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n > 0)
		evbuffer_drain(out, (size_t)n);
}

int ovsdb_session_send(struct ovsdb_session *s, json_t *msg)
{
	int rc;

	if (msg == NULL)
		return -ENOMEM;
	if (s == NULL || s->st.state != OVSDB_S_ACTIVE) {
		json_decref(msg);
		return -ENOTCONN;
	}
	rc = json_dump_callback(msg, write_cb, bufferevent_get_output(s->bev), JSON_COMPACT);
	json_decref(msg);
	if (rc < 0)
		return -ENOMEM;
	s->st.n_msgs_tx++;
	write_now(s);
	return 0;
}

int ovsdb_session_request(struct ovsdb_session *s, const char *method, json_t *params,
                          ovsdb_reply_fn fn, void *arg)
{
	struct pending *p;
	json_int_t id;
	int rc;

	if (s == NULL || s->st.state != OVSDB_S_ACTIVE) {
		json_decref(params);
		return -ENOTCONN;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		json_decref(params);
		return -ENOMEM;
	}
	id = s->next_id++;
	rc = ovsdb_session_send(s, jsonrpc_request(method, params, json_integer(id)));
	if (rc < 0) {
		free(p);
		return rc;
	}
	p->id = id;
	p->fn = fn;
	p->arg = arg;
	p->next = s->pending;
	s->pending = p;
	return 0;
}

void ovsdb_session_reset(struct ovsdb_session *s, const char *why)
{
	if (s && (s->st.state == OVSDB_S_ACTIVE || s->st.state == OVSDB_S_CONNECTING))
		session_fail(s, -ECONNRESET, "%s", why);
}

void ovsdb_session_healthy(struct ovsdb_session *s)
{
	if (s == NULL)
		return;
	s->n_fail = 0;
	s->st.backoff_ms = 0;
}

void ovsdb_session_forget(struct ovsdb_session *s, void *arg)
{
	struct pending *p;

	if (s == NULL)
		return;
	for (p = s->pending; p; p = p->next)
		if (p->arg == arg)
			p->fn = NULL;
}

bool ovsdb_session_is_active(const struct ovsdb_session *s)
{
	return s && s->st.state == OVSDB_S_ACTIVE;
}

const struct ovsdb_session_stats *ovsdb_session_stats(const struct ovsdb_session *s)
{
	return &s->st;
}
