/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ferryd: read the configuration, start DPDK, start the workers, add the
 * configured ports, then serve the control socket until SIGTERM/SIGINT or
 * `ferryctl exit`, and undo all of it in reverse order.
 */
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_version.h>

#include "control/chassis/chassis.h"
#include "control/conf/conf.h"
#include "control/ctl/ctl.h"
#include "control/daemon/crash.h"
#include "control/daemon/eal.h"
#include "control/lflow/agent.h"
#include "control/pipeline/pipeline.h"
#include "control/log/log.h"
#include "control/port/port.h"

static struct event_base *base;
static struct ferry_conf conf;
static struct eal_info eal_info;
static time_t started_at;

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ferryd [-c FILE] [--set SECTION.KEY=VALUE]... [--KEY VALUE]... [-- EAL "
	        "ARGS]\n"
	        "\n"
	        "  -c, --config FILE     configuration file (default: /etc/ferry/ferryd.conf if "
	        "it\n"
	        "                        exists, else config/ferryd.conf if it exists, else none)\n"
	        "  -s, --set S.K=V       override one key, e.g. --set chassis.system-id=hv1,\n"
	        "                        --set port.vm1.devargs=net_tap0,iface=vm1\n"
	        "  --KEY VALUE           same as --set for any non-port key: --system-id hv1\n"
	        "  --check-config        validate the configuration and exit\n"
	        "  --help-config         list every configuration key\n"
	        "  -V, --version         print the version\n"
	        "  -h, --help            this text\n"
	        "Arguments after -- go to DPDK's EAL unchanged.\n");
}

static const char *default_config(void)
{
	static const char *const candidates[] = {"/etc/ferry/ferryd.conf", "config/ferryd.conf"};

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (access(candidates[i], R_OK) == 0)
			return candidates[i];
	return NULL;
}

enum {
	OPT_CHECK = 256,
	OPT_HELP_CONFIG,
	OPT_KEY_BASE, /* one option per configuration key from here on */
};

/* Parse the command line: the file first, then overrides in order. */
static int parse_args(int argc, char **argv, int *eal_first, bool *check_only)
{
	const char *const *keys;
	unsigned n_keys = conf_cli_keys(&keys);
	struct option *opts = calloc(n_keys + 8, sizeof(*opts));
	const char *path = NULL;
	char err[512];
	int n = 0, c, rc = 0;
	char **sets = calloc(argc, sizeof(*sets));
	int n_sets = 0;

	if (opts == NULL || sets == NULL) {
		free(opts);
		free(sets);
		return -ENOMEM;
	}
	opts[n++] = (struct option){"config", required_argument, NULL, 'c'};
	opts[n++] = (struct option){"set", required_argument, NULL, 's'};
	opts[n++] = (struct option){"check-config", no_argument, NULL, OPT_CHECK};
	opts[n++] = (struct option){"help-config", no_argument, NULL, OPT_HELP_CONFIG};
	opts[n++] = (struct option){"version", no_argument, NULL, 'V'};
	opts[n++] = (struct option){"help", no_argument, NULL, 'h'};
	for (unsigned i = 0; i < n_keys; i++)
		opts[n++] = (struct option){strchr(keys[i], '.') + 1, required_argument, NULL,
		                            OPT_KEY_BASE + i};

	while ((c = getopt_long(argc, argv, "c:s:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 's':
			sets[n_sets++] = strdup(optarg);
			break;
		case OPT_CHECK:
			*check_only = true;
			break;
		case OPT_HELP_CONFIG:
			conf_print_help(stdout);
			exit(0);
		case 'V':
			printf("ferryd %s (%s)\n", FERRY_VERSION, rte_version());
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			if (c >= OPT_KEY_BASE && c < OPT_KEY_BASE + (int)n_keys) {
				size_t len = strlen(keys[c - OPT_KEY_BASE]) + strlen(optarg) + 2;
				char *s = malloc(len);

				if (s)
					snprintf(s, len, "%s=%s", keys[c - OPT_KEY_BASE], optarg);
				sets[n_sets++] = s;
				break;
			}
			usage(stderr);
			rc = -EINVAL;
			goto out;
		}
	}
	*eal_first = optind;

	if (path == NULL)
		path = default_config();
	if (path) {
		rc = conf_load_file(&conf, path, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "ferryd: %s\n", err);
			goto out;
		}
	}
	for (int i = 0; i < n_sets; i++) {
		if (sets[i] == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		rc = conf_set(&conf, sets[i], err, sizeof(err));
		if (rc) {
			fprintf(stderr, "ferryd: %s\n", err);
			goto out;
		}
	}
	rc = conf_validate(&conf, err, sizeof(err));
	if (rc == 0)
		rc = log_check(conf.log_level, err, sizeof(err));
	if (rc)
		fprintf(stderr, "ferryd: %s\n", err);
out:
	for (int i = 0; i < n_sets; i++)
		free(sets[i]);
	free(sets);
	free(opts);
	return rc;
}

static void on_signal(evutil_socket_t sig, short events, void *arg)
{
	(void)events;
	(void)arg;
	LOG(NOTICE, MAIN, "signal %d: shutting down", (int)sig);
	event_base_loopbreak(base);
}

static void on_tick(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
	port_link_poll();
}

static int exit_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	LOG(NOTICE, MAIN, "exit requested over the control socket");
	ctl_printf(req, "ferryd exiting\n");
	event_base_loopbreak(base);
	return 0;
}

static int show_cmd(struct ctl_req *req, void *arg)
{
	uint64_t requests, bad;
	long uptime = (long)(time(NULL) - started_at);

	(void)arg;
	ctl_counters(&requests, &bad);
	req->result = json_pack(
	        "{s:s, s:s, s:i, s:I, s:s, s:s, s:b, s:i, s:i, s:i, s:s, s:I, s:I}", "version",
	        FERRY_VERSION, "dpdk", rte_version(), "pid", (int)getpid(), "uptime_s",
	        (json_int_t)uptime, "config", conf.path ? conf.path : "", "mode",
	        conf.mode == CONF_MODE_CROSS_CONNECT ? "cross-connect" : "ovn", "hugepages",
	        eal_info.hugepages, "memory_mb", eal_info.memory_mb, "mbufs", eal_info.mbufs,
	        "workers", conf.n_workers, "workers_cpus", conf.workers, "ctl_requests",
	        (json_int_t)requests, "ctl_bad_requests", (json_int_t)bad);
	if (conf.system_id)
		json_object_set_new(req->result, "system_id", json_string(conf.system_id));
	ctl_printf(req,
	           "ferryd %s (%s), pid %d, up %lds\n"
	           "config:  %s\n"
	           "mode:    %s\n"
	           "memory:  %u MiB %s, %u mbufs\n"
	           "workers: %u (CPUs %s)\n",
	           FERRY_VERSION, rte_version(), (int)getpid(), uptime,
	           conf.path ? conf.path : "(none)",
	           conf.mode == CONF_MODE_CROSS_CONNECT ? "cross-connect" : "ovn",
	           eal_info.memory_mb, eal_info.hugepages ? "on hugepages" : "without hugepages",
	           eal_info.mbufs, conf.n_workers, conf.workers);
	return 0;
}

/* Without ovn-remote the Southbound verbs are not registered; say why
 * rather than "unknown command". */
static int no_sb_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	return ctl_error(req, -ENOTCONN,
	                 "the Southbound agent is off: ferryd has no chassis.ovn-remote");
}

static const struct ctl_cmd no_sb_cmds[] = {
        {"sb", "...", "Southbound connection (needs ovn-remote)", 0, UINT32_MAX, no_sb_cmd, NULL},
        {"chassis", "...", "chassis and bindings (needs ovn-remote)", 0, UINT32_MAX, no_sb_cmd,
         NULL},
        {"lflow", "...", "compiled logical flows (needs ovn-remote)", 0, UINT32_MAX, no_sb_cmd,
         NULL},
};

static const struct ctl_cmd daemon_cmds[] = {
        {"show", "", "version, uptime, memory and workers", 0, 0, show_cmd, NULL},
        {"exit", "", "stop ferryd (ports closed, workers stopped)", 0, 0, exit_cmd, NULL},
};

int main(int argc, char **argv)
{
	struct event *ev_term = NULL, *ev_int = NULL, *ev_tick = NULL;
	struct timeval one_second = {1, 0};
	bool check_only = false, eal_up = false;
	int eal_first, rc;
	char err[512];

	conf_init(&conf);
	rc = parse_args(argc, argv, &eal_first, &check_only);
	if (rc || check_only) {
		if (rc == 0)
			printf("ferryd: configuration OK (%u ports, %u workers)\n", conf.n_ports,
			       conf.n_workers);
		conf_fini(&conf);
		return rc ? 2 : 0;
	}
	signal(SIGPIPE, SIG_IGN);

	rc = eal_start(&conf, argv + eal_first, argc - eal_first, &eal_info, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "ferryd: %s\n", err);
		conf_fini(&conf);
		return 1;
	}
	eal_up = true;
	crash_handler_install();
	log_init();
	log_apply(conf.log_level, err, sizeof(err));
	started_at = time(NULL);
	LOG(INFO, MAIN, "ferryd %s starting (%s), config %s", FERRY_VERSION, rte_version(),
	    conf.path ? conf.path : "(none: defaults and command line)");

	base = event_base_new();
	if (base == NULL) {
		LOG(ERR, MAIN, "cannot create the event loop");
		rc = -ENOMEM;
		goto out;
	}
	ev_term = evsignal_new(base, SIGTERM, on_signal, NULL);
	ev_int = evsignal_new(base, SIGINT, on_signal, NULL);
	ev_tick = event_new(base, -1, EV_PERSIST, on_tick, NULL);
	evsignal_add(ev_term, NULL);
	evsignal_add(ev_int, NULL);
	evtimer_add(ev_tick, &one_second);

	for (size_t i = 0; i < sizeof(daemon_cmds) / sizeof(daemon_cmds[0]); i++)
		ctl_register(&daemon_cmds[i]);
	port_ctl_register();
	log_ctl_register();
	rc = ctl_server_start(base, conf.socket);
	if (rc)
		goto out;
	rc = port_init(&conf, err, sizeof(err));
	if (rc) {
		LOG(ERR, MAIN, "%s", err);
		goto out;
	}
	for (unsigned i = 0; i < conf.n_ports; i++) {
		rc = port_add(&conf.ports[i], err, sizeof(err));
		if (rc) {
			LOG(ERR, MAIN, "%s", err);
			goto out;
		}
	}
	if (conf.ovn_remote != NULL) {
		rc = chassis_start(base, &conf);
		if (rc)
			goto out;
		rc = lflow_agent_start(chassis_idl(), conf.system_id);
		if (rc)
			goto out;
		if (conf.mode == CONF_MODE_OVN) {
			rc = pipeline_start(base, chassis_idl(), &conf);
			if (rc)
				goto out;
		}
	} else {
		for (size_t i = 0; i < sizeof(no_sb_cmds) / sizeof(no_sb_cmds[0]); i++)
			ctl_register(&no_sb_cmds[i]);
	}
	LOG(NOTICE, MAIN, "ready: %u ports, %u workers, control socket %s", conf.n_ports,
	    conf.n_workers, conf.socket);
	event_base_dispatch(base);
	rc = 0;
out:
	pipeline_stop();
	chassis_stop(false);
	lflow_agent_stop();
	ctl_server_stop();
	port_fini();
	if (ev_tick)
		event_free(ev_tick);
	if (ev_int)
		event_free(ev_int);
	if (ev_term)
		event_free(ev_term);
	if (base)
		event_base_free(base);
	LOG(INFO, MAIN, "stopped");
	if (eal_up)
		rte_eal_cleanup();
	conf_fini(&conf);
	libevent_global_shutdown();
	return rc ? 1 : 0;
}
