/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ferryctl: send one command to ferryd and print the answer. It knows no
 * command itself (see control/ctl/ctl.h): `ferryctl help` asks ferryd.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/ferry/ferryd.sock"

static void usage(FILE *f)
{
	fprintf(f, "usage: ferryctl [-s SOCKET] [--json] [-t SECONDS] COMMAND [ARGS...]\n"
	           "\n"
	           "  -s, --socket PATH  ferryd's control socket (default $FERRY_SOCKET "
	           "or " DEFAULT_SOCKET ")\n"
	           "  -j, --json         print the JSON result instead of text\n"
	           "  -t, --timeout S    give up after S seconds (default 10)\n"
	           "  -h, --help         this text; `ferryctl help` lists ferryd's commands\n");
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Write all of @p buf, or fail. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Read one line (the reply) within the deadline; caller frees. */
static char *read_line(int fd, int64_t deadline, int *err)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);

	while (buf) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t left = deadline - now_ms();
		ssize_t n;

		if (left <= 0) {
			*err = ETIMEDOUT;
			break;
		}
		if (poll(&pfd, 1, left) <= 0)
			continue;
		if (len + 1 >= cap) {
			char *b = realloc(buf, cap * 2);

			if (b == NULL)
				break;
			buf = b;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*err = n == 0 ? ECONNRESET : errno;
			break;
		}
		len += n;
		buf[len] = '\0';
		if (memchr(buf, '\n', len))
			return buf;
	}
	free(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"socket", required_argument, NULL, 's'},
	        {"json", no_argument, NULL, 'j'},
	        {"timeout", required_argument, NULL, 't'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	const char *path = getenv("FERRY_SOCKET");
	bool json_out = false;
	double timeout = 10;
	json_t *req, *reply, *args;
	char *out, *line;
	int c, fd, err = 0, rc = 0;

	if (path == NULL)
		path = DEFAULT_SOCKET;
	while ((c = getopt_long(argc, argv, "+s:jt:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'j':
			json_out = true;
			break;
		case 't':
			timeout = atof(optarg);
			if (timeout <= 0) {
				fprintf(stderr, "ferryctl: bad timeout '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "ferryctl: socket path too long: %s\n", path);
		return 2;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	args = json_array();
	for (int i = optind; i < argc; i++) {
		json_t *w = json_string(argv[i]);

		if (w == NULL) {
			fprintf(stderr, "ferryctl: argument %d is not valid UTF-8\n",
			        i - optind + 1);
			json_decref(args);
			return 2;
		}
		json_array_append_new(args, w);
	}
again:
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "ferryctl: cannot reach ferryd at %s: %s (is ferryd running?)\n",
		        path, strerror(errno));
		json_decref(args);
		if (fd >= 0)
			close(fd);
		return 3;
	}
	req = json_pack("{s:O, s:s}", "argv", args, "format", json_out ? "json" : "text");
	out = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (out == NULL || write_all(fd, out, strlen(out)) < 0 || write_all(fd, "\n", 1) < 0) {
		fprintf(stderr, "ferryctl: cannot send to ferryd: %s\n", strerror(errno));
		free(out);
		close(fd);
		json_decref(args);
		return 3;
	}
	free(out);
	line = read_line(fd, now_ms() + (int64_t)(timeout * 1000), &err);
	close(fd);
	if (line == NULL) {
		fprintf(stderr, "ferryctl: no answer from ferryd: %s\n", strerror(err));
		json_decref(args);
		return 3;
	}
	reply = json_loads(line, 0, NULL);
	free(line);
	if (!json_is_object(reply)) {
		fprintf(stderr, "ferryctl: ferryd's answer is not JSON\n");
		json_decref(reply);
		json_decref(args);
		return 3;
	}
	/* A command that waits for something (trace --live) answers "ask
	 * again with these words, a little later" until it is done. */
	json_t *more = json_object_get(json_object_get(reply, "result"), "again");
	if (json_is_true(json_object_get(reply, "ok")) && json_is_object(more) &&
	    json_is_array(json_object_get(more, "argv"))) {
		json_int_t ms = json_integer_value(json_object_get(more, "after_ms"));
		struct timespec ts = {0, (long)(ms > 0 && ms < 1000 ? ms : 100) * 1000000L};
		json_decref(args);
		args = json_incref(json_object_get(more, "argv"));
		json_decref(reply);
		nanosleep(&ts, NULL);
		goto again;
	}
	json_decref(args);
	if (!json_is_true(json_object_get(reply, "ok"))) {
		const char *e = json_string_value(json_object_get(reply, "error"));
		const char *hint = json_string_value(json_object_get(reply, "hint"));

		fprintf(stderr, "ferryctl: %s\n", e ? e : "command failed");
		if (hint)
			fprintf(stderr, "ferryctl: %s\n", hint);
		rc = 1;
	} else if (!json_out && json_is_string(json_object_get(reply, "text"))) {
		fputs(json_string_value(json_object_get(reply, "text")), stdout);
	} else {
		json_t *result = json_object_get(reply, "result");

		if (!json_is_null(result) && result) {
			json_dumpf(result, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY);
			putchar('\n');
		}
	}
	json_decref(reply);
	return rc;
}
