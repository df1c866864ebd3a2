/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket: ferryctl's way in.
 *
 * Protocol: one JSON object per line each way, over a unix stream socket.
 *   request  {"argv": ["port", "add", "vm1", "net_tap0"], "format": "text"|"json"}
 *   reply    {"ok": true, "result": <json>, "text": "..."}
 *            {"ok": false, "error": "port 'vm1' exists"}
 * Modules register commands by name ("port add"); the longest registered
 * name that prefixes argv wins and receives the remaining words. Every
 * command answers JSON; a command may also write a human-readable text,
 * which ferryctl prints unless asked for --json. So ferryctl itself knows
 * no command and new modules add verbs without touching it.
 */
#ifndef FERRY_CTL_H
#define FERRY_CTL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;

struct ctl_req {
	unsigned argc; /* words after the command name */
	const char *const *argv;
	bool want_text; /* the client asked for text */
	json_t *result; /* set by the handler (owned reference), or null */
	char *text;     /* appended by ctl_printf() */
	size_t text_len;
	char err[512]; /* the handler's message when it fails */
};

/**
 * A command handler.
 * @return 0, or -errno with req->err set (ctl_error() does both)
 */
typedef int (*ctl_handler_fn)(struct ctl_req *req, void *arg);

struct ctl_cmd {
	const char *name;  /* words separated by one space: "port add" */
	const char *usage; /* arguments: "NAME DEVARGS [KEY=VALUE...]" */
	const char *help;  /* one line */
	unsigned min_args;
	unsigned max_args; /* UINT32_MAX: any */
	ctl_handler_fn fn;
	void *arg;
};

/** Register @p cmd (the struct must outlive the server). @return 0 or -EEXIST. */
int ctl_register(const struct ctl_cmd *cmd);

/** Listen on @p path (its directory is created); @return 0 or -errno. */
int ctl_server_start(struct event_base *base, const char *path);

/** Close the socket, drop clients, unlink the path. Safe to call twice. */
void ctl_server_stop(void);

/** Requests served, and requests refused as malformed, since start. */
void ctl_counters(uint64_t *requests, uint64_t *bad);

/** Append human-readable output to the reply. */
void ctl_printf(struct ctl_req *req, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Fail the request with a message; @return @p rc (a negative errno) for tail calls. */
int ctl_error(struct ctl_req *req, int rc, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#endif
