/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control/ctl/ctl.h"
#include "control/log/log.h"

#define CTL_CMDS_MAX    128
#define CTL_ARGV_MAX    64
#define CTL_LINE_MAX    (64 * 1024)
#define CTL_CLIENTS_MAX 64
#define CTL_OUT_HIGH    (1024 * 1024) /* reply bytes queued before we stop reading */
#define CTL_IDLE_S      30            /* seconds a client may stay silent */

static const struct ctl_cmd *ctl_cmds[CTL_CMDS_MAX];
static unsigned n_ctl_cmds;

static struct evconnlistener *ctl_listener;
static char ctl_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static struct bufferevent *ctl_clients[CTL_CLIENTS_MAX];
static unsigned n_clients;

/* Counted so that a misbehaving client shows up in `ferryctl show`. */
static uint64_t ctl_requests, ctl_bad_requests;

static int ctl_help(struct ctl_req *req, void *arg);
static const struct ctl_cmd help_cmd = {"help", "", "list commands", 0, 0, ctl_help, NULL};

int ctl_register(const struct ctl_cmd *cmd)
{
	for (unsigned i = 0; i < n_ctl_cmds; i++)
		if (!strcmp(ctl_cmds[i]->name, cmd->name))
			return -EEXIST;
	if (n_ctl_cmds == CTL_CMDS_MAX)
		return -ENOSPC;
	ctl_cmds[n_ctl_cmds++] = cmd;
	return 0;
}

void ctl_printf(struct ctl_req *req, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	char *t = realloc(req->text, req->text_len + n + 1);
	if (t == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(t + req->text_len, n + 1, fmt, ap);
	va_end(ap);
	req->text = t;
	req->text_len += n;
}

int ctl_error(struct ctl_req *req, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(req->err, sizeof(req->err), fmt, ap);
	va_end(ap);
	return rc;
}

static int ctl_help(struct ctl_req *req, void *arg)
{
	json_t *list = json_array();

	(void)arg;
	for (unsigned i = 0; i < n_ctl_cmds; i++) {
		const struct ctl_cmd *c = ctl_cmds[i];

		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "command", c->name,
		                                      "usage", c->usage, "help", c->help));
		ctl_printf(req, "  %-40s %s\n", c->name, c->help);
		if (c->usage[0])
			ctl_printf(req, "      %s %s\n", c->name, c->usage);
	}
	req->result = list;
	return 0;
}

/* The command whose name is the longest prefix of argv; *used = its words. */
static const struct ctl_cmd *ctl_match(const char *const *argv, unsigned argc, unsigned *used)
{
	const struct ctl_cmd *best = NULL;
	unsigned best_words = 0;

	for (unsigned i = 0; i < n_ctl_cmds; i++) {
		const char *name = ctl_cmds[i]->name;
		unsigned w = 0;
		const char *p = name;

		while (w < argc) {
			size_t len = strlen(argv[w]);

			if (strncmp(p, argv[w], len) || (p[len] != ' ' && p[len] != '\0'))
				break;
			w++;
			p += len;
			if (*p == '\0') {
				if (w > best_words) {
					best = ctl_cmds[i];
					best_words = w;
				}
				break;
			}
			p++;
		}
	}
	*used = best_words;
	return best;
}

/* A JSON string of @p s. Messages are cut to fixed buffers, which can split a
 * UTF-8 sequence; jansson refuses those, so such bytes become '?'. */
static json_t *json_text(const char *s)
{
	json_t *j = json_string(s);
	char *copy;

	if (j)
		return j;
	copy = strdup(s);
	if (copy == NULL)
		return json_string("(out of memory)");
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

static json_t *reply_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_t *reply_error(const char *fmt, ...)
{
	json_t *reply = json_object();
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_set_new(reply, "ok", json_false());
	json_object_set_new(reply, "error", json_text(msg));
	return reply;
}

/* Handle one request line; @return the reply object. */
static json_t *ctl_dispatch(const char *line)
{
	const char *argv[CTL_ARGV_MAX];
	struct ctl_req req = {0};
	const struct ctl_cmd *cmd;
	json_error_t jerr;
	json_t *msg, *jargv, *reply, *v;
	unsigned argc = 0, used;
	size_t i;
	int rc;

	ctl_requests++;
	msg = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	if (msg == NULL || !json_is_object(msg)) {
		ctl_bad_requests++;
		json_decref(msg);
		return reply_error("request is not a JSON object");
	}
	jargv = json_object_get(msg, "argv");
	if (!json_is_array(jargv) || json_array_size(jargv) == 0 ||
	    json_array_size(jargv) > CTL_ARGV_MAX) {
		ctl_bad_requests++;
		json_decref(msg);
		return reply_error("request needs \"argv\": a non-empty array of strings");
	}
	json_array_foreach (jargv, i, v) {
		if (!json_is_string(v)) {
			ctl_bad_requests++;
			json_decref(msg);
			return reply_error("argv holds something other than strings");
		}
		argv[argc++] = json_string_value(v);
	}
	v = json_object_get(msg, "format");
	req.want_text = !(json_is_string(v) && !strcmp(json_string_value(v), "json"));

	cmd = ctl_match(argv, argc, &used);
	if (cmd == NULL) {
		reply = reply_error("unknown command: %s", argv[0]);
		json_object_set_new(reply, "hint", json_string("ferryctl help lists commands"));
		json_decref(msg);
		return reply;
	}
	req.argc = argc - used;
	req.argv = argv + used;
	if (req.argc < cmd->min_args || req.argc > cmd->max_args) {
		reply = reply_error("usage: %s %s", cmd->name, cmd->usage);
		json_decref(msg);
		return reply;
	}
	rc = cmd->fn(&req, cmd->arg);
	if (rc) {
		reply = reply_error("%s", req.err[0] ? req.err : strerror(-rc));
		json_decref(req.result);
	} else {
		reply = json_pack("{s:b}", "ok", 1);
		json_object_set_new(reply, "result", req.result ? req.result : json_null());
		if (req.text)
			json_object_set_new(reply, "text", json_text(req.text));
	}
	free(req.text);
	json_decref(msg);
	return reply;
}

static void ctl_client_close(struct bufferevent *bev)
{
	for (unsigned i = 0; i < n_clients; i++) {
		if (ctl_clients[i] == bev) {
			ctl_clients[i] = ctl_clients[--n_clients];
			break;
		}
	}
	bufferevent_free(bev);
}

static void ctl_read_cb(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	char *line;
	size_t len;

	(void)arg;
	/* A client that sends without reading its replies stops being read
	 * once CTL_OUT_HIGH bytes wait for it; ctl_write_cb resumes it. */
	while (evbuffer_get_length(bufferevent_get_output(bev)) < CTL_OUT_HIGH &&
	       (line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF)) != NULL) {
		json_t *reply = ctl_dispatch(line);
		char *out = json_dumps(reply, JSON_COMPACT);

		free(line);
		json_decref(reply);
		if (out) {
			bufferevent_write(bev, out, strlen(out));
			bufferevent_write(bev, "\n", 1);
			free(out);
		}
	}
	if (evbuffer_get_length(bufferevent_get_output(bev)) >= CTL_OUT_HIGH) {
		bufferevent_disable(bev, EV_READ);
		return;
	}
	if (evbuffer_get_length(in) > CTL_LINE_MAX) {
		ctl_bad_requests++;
		LOG(WARNING, CTL, "control client sent over %d bytes without a newline; closing",
		    CTL_LINE_MAX);
		ctl_client_close(bev);
	}
}

/* Output drained below the low watermark: serve what is queued, read again. */
static void ctl_write_cb(struct bufferevent *bev, void *arg)
{
	if (bufferevent_get_enabled(bev) & EV_READ)
		return;
	bufferevent_enable(bev, EV_READ);
	ctl_read_cb(bev, arg);
}

static void ctl_event_cb(struct bufferevent *bev, short events, void *arg)
{
	(void)arg;
	if (events & BEV_EVENT_TIMEOUT)
		LOG(INFO, CTL, "control client idle for %d s; closing", CTL_IDLE_S);
	if (events & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		ctl_client_close(bev);
}

static void ctl_accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                          int socklen, void *arg)
{
	struct bufferevent *bev;

	(void)sa;
	(void)socklen;
	(void)arg;
	if (n_clients >= CTL_CLIENTS_MAX) {
		LOG(WARNING, CTL, "more than %d control clients; refusing one", CTL_CLIENTS_MAX);
		evutil_closesocket(fd);
		return;
	}
	bev = bufferevent_socket_new(evconnlistener_get_base(l), fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		evutil_closesocket(fd);
		return;
	}
	ctl_clients[n_clients++] = bev;
	bufferevent_setcb(bev, ctl_read_cb, ctl_write_cb, ctl_event_cb, NULL);
	bufferevent_setwatermark(bev, EV_WRITE, CTL_OUT_HIGH / 2, 0);
	/* A client that holds a slot without talking (or reading) gives it up. */
	bufferevent_set_timeouts(bev, &(struct timeval){CTL_IDLE_S, 0},
	                         &(struct timeval){CTL_IDLE_S, 0});
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

static int mkdir_parents(const char *path)
{
	char buf[sizeof(ctl_path)];
	char *dir;

	snprintf(buf, sizeof(buf), "%s", path);
	dir = dirname(buf);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int ctl_server_start(struct event_base *base, const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int rc, fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		LOG(ERR, CTL, "control socket path too long (max %zu): %s",
		    sizeof(sun.sun_path) - 1, path);
		return -ENAMETOOLONG;
	}
	ctl_register(&help_cmd);
	rc = mkdir_parents(path);
	if (rc) {
		LOG(ERR, CTL, "cannot create the directory of %s: %s", path, strerror(-rc));
		return rc;
	}
	/* A live ferryd answers on the path; refuse to steal it. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		close(fd);
		LOG(ERR, CTL, "another ferryd already listens on %s", path);
		return -EADDRINUSE;
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	ctl_listener = evconnlistener_new_bind(base, ctl_accept_cb, NULL,
	                                       LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1,
	                                       (struct sockaddr *)&sun, sizeof(sun));
	if (ctl_listener == NULL) {
		rc = -errno;
		LOG(ERR, CTL, "cannot listen on %s: %s", path, strerror(errno));
		return rc ? rc : -EIO;
	}
	chmod(path, 0660);
	snprintf(ctl_path, sizeof(ctl_path), "%s", path);
	LOG(INFO, CTL, "control socket %s", path);
	return 0;
}

void ctl_server_stop(void)
{
	/* Flush what is pending (the reply to "exit", say) before closing. */
	while (n_clients) {
		struct bufferevent *bev = ctl_clients[0];

		struct evbuffer *out = bufferevent_get_output(bev);
		size_t len = evbuffer_get_length(out);

		/* The bufferevent owns draining its buffer, so read it in place;
		 * a short or failed write only loses the farewell. */
		if (len && write(bufferevent_getfd(bev), evbuffer_pullup(out, len), len) < 0)
			LOG(DEBUG, CTL, "could not flush a control client: %s", strerror(errno));
		ctl_client_close(bev);
	}
	if (ctl_listener) {
		evconnlistener_free(ctl_listener);
		ctl_listener = NULL;
		unlink(ctl_path);
	}
}

void ctl_counters(uint64_t *requests, uint64_t *bad)
{
	*requests = ctl_requests;
	*bad = ctl_bad_requests;
}
