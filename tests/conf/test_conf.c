/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Configuration: good files load with the values written, every kind of bad
 * input is refused with a message naming file, line and key, and command
 * line overrides win over the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "control/conf/conf.h"

static struct ferry_conf c;
static char err[512];

static int setup(void **state)
{
	(void)state;
	conf_init(&c);
	err[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	conf_fini(&c);
	return 0;
}

static int load(const char *text)
{
	return conf_load_string(&c, text, "ferryd.conf", err, sizeof(err));
}

/* Assert that @p text is refused and the message contains @p needle. */
static void refused(const char *text, const char *needle)
{
	conf_fini(&c);
	conf_init(&c);
	err[0] = '\0';
	assert_int_not_equal(load(text), 0);
	if (strstr(err, needle) == NULL)
		fail_msg("message '%s' lacks '%s'", err, needle);
}

static void test_defaults(void **state)
{
	(void)state;
	assert_string_equal(c.ovn_encap_type, "geneve");
	assert_true(c.ovn_encap_csum);
	assert_int_equal(c.ovn_remote_probe_interval, 5000);
	assert_false(c.ovn_monitor_all);
	assert_int_equal(c.mode, CONF_MODE_CROSS_CONNECT);
	assert_int_equal(c.hugepages, CONF_HUGE_AUTO);
	assert_int_equal(c.burst, 32);
	assert_int_equal(c.n_workers, 0); /* auto until validated */
	assert_string_equal(c.socket, "/run/ferry/ferryd.sock");
	assert_null(c.system_id);
	assert_int_equal(conf_validate(&c, err, sizeof(err)), 0);
	assert_int_equal(c.n_workers, 1);
}

static void test_good_file(void **state)
{
	(void)state;
	assert_int_equal(load("# a comment\n"
	                      "[chassis]\n"
	                      "system-id = hv1\n"
	                      "hostname = host-1\n"
	                      "ovn-remote = tcp:10.0.0.1:6642,tcp:10.0.0.2:6642\n"
	                      "ovn-encap-ip = 192.0.2.10\n"
	                      "ovn-encap-csum = false\n"
	                      "ovn-bridge-mappings = physnet1:up0\n"
	                      "ovn-remote-probe-interval = 0\n"
	                      "ovn-monitor-all = yes\n"
	                      "\n"
	                      "[dataplane]\n"
	                      "workers = 0\n"
	                      "mbufs = 8191\n"
	                      "burst = 64\n"
	                      "hugepages = off\n"
	                      "xc-parse = on\n"
	                      "\n"
	                      "[control]\n"
	                      "socket = /tmp/x.sock\n"
	                      "log-level = ferry.port:debug,info\n"
	                      "\n"
	                      "[port vm1]\n"
	                      "devargs = net_af_packet0,iface=veth0\n"
	                      "iface-id = lsp1\n"
	                      "rxqs = 2\n"
	                      "\n"
	                      "[port up0]\n"
	                      "devargs = 0000:03:00.0\n"
	                      "role = uplink\n"
	                      "network = physnet1\n"),
	                 0);
	assert_string_equal(c.system_id, "hv1");
	assert_string_equal(c.hostname, "host-1");
	assert_string_equal(c.ovn_remote, "tcp:10.0.0.1:6642,tcp:10.0.0.2:6642");
	assert_string_equal(c.ovn_encap_ip, "192.0.2.10");
	assert_false(c.ovn_encap_csum);
	assert_int_equal(c.ovn_remote_probe_interval, 0);
	assert_true(c.ovn_monitor_all);
	assert_int_equal(c.n_workers, 1);
	assert_int_equal(c.worker_cpus[0], 0);
	assert_int_equal(c.mbufs, 8191);
	assert_int_equal(c.burst, 64);
	assert_int_equal(c.rx_desc, 1024);
	assert_int_equal(c.hugepages, CONF_HUGE_OFF);
	assert_true(c.xc_parse);
	assert_string_equal(c.log_level, "ferry.port:debug,info");
	assert_int_equal(c.n_ports, 2);
	assert_string_equal(c.ports[0].name, "vm1");
	assert_string_equal(c.ports[0].devargs, "net_af_packet0,iface=veth0");
	assert_int_equal(c.ports[0].role, PORT_ROLE_VIF);
	assert_string_equal(c.ports[0].iface_id, "lsp1");
	assert_int_equal(c.ports[0].rxqs, 2);
	assert_int_equal(c.ports[0].line, 24); /* its first key */
	assert_int_equal(c.ports[1].role, PORT_ROLE_UPLINK);
	assert_string_equal(c.ports[1].network, "physnet1");
	assert_int_equal(conf_validate(&c, err, sizeof(err)), 0);
}

static void test_bad_files(void **state)
{
	(void)state;
	refused("[chassis]\nsystem-id = a\nbogus = 1\n",
	        "ferryd.conf:3: unknown key 'bogus' in [chassis]");
	refused("[nope]\nx = 1\n", "ferryd.conf:2: unknown section [nope]");
	refused("system-id = a\n", "ferryd.conf:1: key 'system-id' outside any [section]");
	refused("[dataplane]\nburst = 0\n",
	        "ferryd.conf:2: 'burst' must be an integer from 1 to 256, not '0'");
	refused("[dataplane]\nburst = 12x\n", "'burst' must be an integer");
	refused("[dataplane]\nburst = -3\n", "'burst' must be an integer");
	refused("[dataplane]\nburst = 99999999999999999999\n", "'burst' must be an integer");
	refused("[dataplane]\nmode = fast\n",
	        "'mode' must be one of cross-connect, ovn, not 'fast'");
	refused("[chassis]\novn-monitor-all = maybe\n", "'ovn-monitor-all' must be true or false");
	refused("[dataplane]\nworkers = 1-\n", "'workers' must be auto or a CPU list");
	refused("[dataplane]\nworkers = 3-1\n", "'workers' must be auto or a CPU list");
	refused("[dataplane]\nworkers = 1,1\n", "'workers' must be auto or a CPU list");
	refused("[dataplane]\nworkers = a\n", "'workers' must be auto or a CPU list");
	refused("[chassis]\nsystem-id = a\nsystem-id = b\n",
	        "ferryd.conf:3: key 'system-id' repeated in [chassis]");
	refused("[chassis]\nthis line has no equals sign\n", "ferryd.conf:2: syntax error");
	refused("[port]\ndevargs = x\n", "section [port] needs a name");
	refused("[port a/b]\ndevargs = x\n", "port name 'a/b' must be");
	refused("[port p]\nrole = router\n", "'role' must be one of vif, underlay, uplink");
	refused("[chassis]\nhostname =\n", "'hostname' needs a value");
	refused("[dataplane]\nburst = 0x20\n", "'burst' must be an integer");
	refused("[dataplane]\nworkers = 0,\n", "'workers' must be auto or a CPU list");
	{
		char text[512];

		snprintf(text, sizeof(text),
		         "[port v]\ndevargs = net_vhost0,iface=/%0300d\nrole = vif\n", 0);
		refused(text, "ferryd.conf:2: line longer than 199 characters");
	}
}

static void test_validate(void **state)
{
	(void)state;
	assert_int_equal(load("[port a]\nrole = uplink\ndevargs = net_null0\n"), 0);
	assert_int_not_equal(conf_validate(&c, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "ferryd.conf:2: uplink port 'a' needs network"));

	conf_fini(&c);
	conf_init(&c);
	assert_int_equal(load("[port a]\npeer = b\n"), 0);
	assert_int_not_equal(conf_validate(&c, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "port 'a' has no devargs"));

	conf_fini(&c);
	conf_init(&c);
	assert_int_equal(load("[port a]\ndevargs = net_null0\npeer = b\n"), 0);
	assert_int_not_equal(conf_validate(&c, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "peer 'b' is not a configured port"));

	conf_fini(&c);
	conf_init(&c);
	assert_int_equal(load("[port a]\ndevargs = net_null0\nrole = underlay\niface-id = x\n"), 0);
	assert_int_not_equal(conf_validate(&c, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "iface-id is for role vif only"));

	conf_fini(&c);
	conf_init(&c);
	assert_int_equal(load("[dataplane]\nworkers = 1000\n"), 0);
	assert_int_not_equal(conf_validate(&c, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "CPU 1000 is not available"));
}

/* Validate @p text; @return the message, "" when it passes. */
static const char *validated(const char *text)
{
	conf_fini(&c);
	conf_init(&c);
	err[0] = '\0';
	assert_int_equal(load(text), 0);
	if (conf_validate(&c, err, sizeof(err)) == 0)
		return "";
	assert_true(err[0] != '\0');
	return err;
}

#define UL4 \
	"[chassis]\novn-encap-ip = 192.0.2.10\n[port ul]\ndevargs = net_null0\nrole = underlay\n"
#define UL6 "[chassis]\novn-encap-ip = fd00::10\n[port ul]\ndevargs = net_null0\nrole = underlay\n"

/* The underlay's keys: prefix-length, gateway, reachable-time, exception. */
static void test_underlay(void **state)
{
	(void)state;
	assert_string_equal(validated(UL4 "prefix-length = 24\ngateway = 192.0.2.1\n"), "");
	assert_string_equal(c.ports[0].gateway, "192.0.2.1");
	assert_int_equal(c.ports[0].prefix_len, 24);
	assert_string_equal(validated(UL6 "prefix-length = 64\ngateway = fd00::1\n"), "");
	assert_string_equal(validated(UL4 "prefix-length = 32\n"), "");
	assert_string_equal(validated(UL4 "reachable-time = 30\nexception = host0\n"), "");
	assert_int_equal(c.ports[0].reachable_time, 30);
	assert_string_equal(c.ports[0].exception, "host0");

	assert_non_null(
	        strstr(validated(UL4 "gateway = 192.0.2.1\n"), "gateway needs prefix-length"));
	assert_non_null(strstr(validated(UL4 "prefix-length = 24\ngateway = 192.0.3.1\n"),
	                       "gateway 192.0.3.1 is not another address of 192.0.2.10/24"));
	assert_non_null(strstr(validated(UL4 "prefix-length = 24\ngateway = 192.0.2.10\n"),
	                       "is not another address"));
	assert_non_null(strstr(validated(UL4 "prefix-length = 24\ngateway = fd00::1\n"),
	                       "are not of one family"));
	assert_non_null(strstr(validated(UL4 "prefix-length = 24\ngateway = router\n"),
	                       "gateway 'router' is not an IPv4 or IPv6 address"));
	assert_non_null(
	        strstr(validated(UL4 "prefix-length = 33\n"), "prefix-length 33 is over 32"));
	assert_non_null(strstr(validated(UL6 "prefix-length = 64\ngateway = fe80::1\n"),
	                       "is not another address of fd00::10/64"));
	assert_non_null(strstr(validated("[port ul]\ndevargs = net_null0\nrole = underlay\n"
	                                 "prefix-length = 24\n"),
	                       "prefix-length needs chassis.ovn-encap-ip"));
	assert_non_null(strstr(validated("[port v]\ndevargs = net_null0\nreachable-time = 5\n"),
	                       "reachable-time is for role underlay only"));
	assert_non_null(
	        strstr(validated(UL4 "exception = has/slash\n"), "must be an interface name"));
	assert_non_null(strstr(validated(UL4 "exception = sixteen-chars-xx\n"),
	                       "must be an interface name"));
	assert_string_equal(validated(UL6 "neighbours = fd00::1=02:00:00:00:00:01\n"), "");
	assert_non_null(
	        strstr(validated(UL4 "neighbours = fd00::1=02:00:00:00:00:01\n"),
	               "neighbour fd00::1 and ovn-encap-ip 192.0.2.10 are not of one family"));
	assert_non_null(
	        strstr(validated(UL6 "neighbours = 10.0.0.1=02:00:00:00:00:01\n"),
	               "neighbour 10.0.0.1 and ovn-encap-ip fd00::10 are not of one family"));
	assert_non_null(strstr(validated(UL4 "exception = host0\npeer = ul\n"),
	                       "exception makes the peer; do not set both"));
	refused("[port ul]\nprefix-length = 0\n",
	        "'prefix-length' must be an integer from 1 to 128");
	refused("[port ul]\nreachable-time = 0\n", "'reachable-time' must be an integer from 1");
}

static void test_overrides(void **state)
{
	(void)state;
	assert_int_equal(load("[chassis]\nsystem-id = from-file\n[port a]\ndevargs = net_null0\n"),
	                 0);
	assert_int_equal(conf_set(&c, "chassis.system-id=from-cli", err, sizeof(err)), 0);
	assert_string_equal(c.system_id, "from-cli");
	assert_int_equal(conf_set(&c, "port.a.devargs=net_af_packet0,iface=v0", err, sizeof(err)),
	                 0);
	assert_string_equal(c.ports[0].devargs, "net_af_packet0,iface=v0");
	assert_int_equal(conf_set(&c, "port.b.devargs=net_null1", err, sizeof(err)), 0);
	assert_int_equal(c.n_ports, 2);
	assert_int_equal(conf_set(&c, "dataplane.burst=16", err, sizeof(err)), 0);
	assert_int_equal(c.burst, 16);

	assert_int_not_equal(conf_set(&c, "chassis.nothing=1", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "command line: unknown key 'nothing' in [chassis]"));
	assert_int_not_equal(conf_set(&c, "system-id", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "expected SECTION.KEY=VALUE"));
	assert_int_not_equal(conf_set(&c, "nodot=1", err, sizeof(err)), 0);
	assert_int_not_equal(conf_set(&c, "port.devargs=x", err, sizeof(err)), 0);
	assert_int_not_equal(conf_set(&c, "dataplane.burst=1000", err, sizeof(err)), 0);
	assert_int_equal(c.burst, 16);
}

static void test_port_parse(void **state)
{
	const char *good[] = {"role=vif", "iface-id=lsp9", "rxqs=4"};
	const char *bad_key[] = {"colour=red"};
	const char *bad_val[] = {"rxqs=0"};
	const char *no_eq[] = {"role"};
	struct port_conf p;

	(void)state;
	assert_int_equal(conf_port_parse(&p, "vm9", "net_tap0,iface=t9", good, 3, err, sizeof(err)),
	                 0);
	assert_string_equal(p.iface_id, "lsp9");
	assert_int_equal(p.rxqs, 4);
	conf_port_fini(&p);
	assert_int_not_equal(conf_port_parse(&p, "vm9", "x", bad_key, 1, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "unknown port key 'colour'"));
	assert_int_not_equal(conf_port_parse(&p, "vm9", "x", bad_val, 1, err, sizeof(err)), 0);
	assert_int_not_equal(conf_port_parse(&p, "vm9", "x", no_eq, 1, err, sizeof(err)), 0);
	assert_int_not_equal(conf_port_parse(&p, "", "x", NULL, 0, err, sizeof(err)), 0);
	assert_int_not_equal(conf_port_parse(&p, "this-name-is-far-too-long-for-a-port", "x", NULL,
	                                     0, err, sizeof(err)),
	                     0);
}

/* Refused at validation, with @p needle in the message. */
static void invalid(const char *text, const char *needle)
{
	conf_fini(&c);
	conf_init(&c);
	err[0] = '\0';
	assert_int_equal(load(text), 0);
	assert_int_not_equal(conf_validate(&c, err, sizeof(err)), 0);
	if (strstr(err, needle) == NULL)
		fail_msg("message '%s' lacks '%s'", err, needle);
}

static void test_neighbours(void **state)
{
	struct conf_neigh e[4];
	const char *kv[] = {"role=underlay", "neighbours=10.1.0.2=02:00:00:00:00:02"};
	struct port_conf p;

	(void)state;
	assert_int_equal(conf_neighbours_parse("192.168.100.2=02:00:00:00:00:22,192.168.100.3=0a:"
	                                       "bc:DE:f0:00:01",
	                                       e, 4, err, sizeof(err)),
	                 2);
	assert_memory_equal(e[0].ip, "\xc0\xa8\x64\x02", 4);
	assert_memory_equal(e[0].mac, "\x02\0\0\0\0\x22", 6);
	assert_memory_equal(e[1].mac, "\x0a\xbc\xde\xf0\0\x01", 6);
	assert_int_equal(conf_neighbours_parse("10.0.0.1=02:00:00:00:00:01,10.0.0.2=02:00:00:00:00:"
	                                       "02",
	                                       e, 1, err, sizeof(err)),
	                 -22);
	assert_non_null(strstr(err, "more than 1 neighbours"));

	assert_int_equal(load("[port ul]\ndevargs = net_null0\nrole = underlay\n"
	                      "neighbours = 192.168.100.2=02:00:00:00:00:22\n"),
	                 0);
	assert_int_equal(conf_validate(&c, err, sizeof(err)), 0);
	assert_string_equal(c.ports[0].neighbours, "192.168.100.2=02:00:00:00:00:22");

	invalid("[port a]\ndevargs = net_null0\nneighbours = 10.0.0.1=02:00:00:00:00:01\n",
	        "ferryd.conf:2: port 'a': neighbours is for role underlay only");
	const char *bad[][2] = {
	        {"10.0.0.1", "'10.0.0.1': expected IP=MAC"},
	        {"10.0.0.1=02:00:00:00:00:01,", "expected IP=MAC[,IP=MAC...]"},
	        {"fd00::g=02:00:00:00:00:01", "'fd00::g' is not an IPv4 or IPv6 address"},
	        {"10.0.0.300=02:00:00:00:00:01", "'10.0.0.300' is not an IPv4 or IPv6 address"},
	        {"10.0.0.1=02:00:00:00:00", "'02:00:00:00:00' is not a unicast MAC"},
	        {"10.0.0.1=02:00:00:00:00:01:02", "is not a unicast MAC"},
	        {"10.0.0.1=01:00:5e:00:00:01", "'01:00:5e:00:00:01' is not a unicast MAC"},
	        {"10.0.0.1=00:00:00:00:00:00", "is not a unicast MAC"},
	        {"10.0.0.1=2:0:0:0:0:1", "is not a unicast MAC"},
	        {"10.0.0.1=0x:00:00:00:00:01", "is not a unicast MAC"},
	        {"10.0.0.1=02-00-00-00-00-01", "is not a unicast MAC"},
	        {"10.0.0.1=02:00:00:00:00:01,10.0.0.1=02:00:00:00:00:02", "10.0.0.1 appears twice"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text),
		         "[port ul]\ndevargs = net_null0\nrole = underlay\nneighbours = %s\n",
		         bad[i][0]);
		invalid(text, bad[i][1]);
		assert_non_null(strstr(err, "port 'ul': neighbours: "));
	}

	/* ferryctl port add takes the key too, checked the same way. */
	assert_int_equal(conf_port_parse(&p, "ul", "net_null0", kv, 2, err, sizeof(err)), 0);
	assert_string_equal(p.neighbours, "10.1.0.2=02:00:00:00:00:02");
	conf_port_fini(&p);
	kv[0] = "role=vif";
	assert_int_not_equal(conf_port_parse(&p, "ul", "net_null0", kv, 2, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "neighbours is for role underlay only"));
}

static void test_file_errors(void **state)
{
	char path[] = "/tmp/ferry-conf-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("[dataplane]\nburst = 8\n\n[control]\nwhat = 1\n", f);
	fclose(f);
	assert_int_not_equal(conf_load_file(&c, path, err, sizeof(err)), 0);
	{
		char want[128];

		snprintf(want, sizeof(want), "%s:5: unknown key 'what' in [control]", path);
		assert_string_equal(err, want);
	}
	unlink(path);
	assert_int_not_equal(conf_load_file(&c, "/nonexistent/ferryd.conf", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "/nonexistent/ferryd.conf: cannot open"));
}

static void test_mbufs(void **state)
{
	(void)state;
	assert_int_equal(conf_validate(&c, err, sizeof(err)), 0);
	/* 2^n - 1 and enough for four runtime ports of 1024 + 1024 descriptors */
	assert_int_equal(conf_mbufs(&c) & (conf_mbufs(&c) + 1), 0);
	assert_true(conf_mbufs(&c) >= 4 * 2048);
	c.mbufs = 1000;
	assert_int_equal(conf_mbufs(&c), 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_good_file, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_validate, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_underlay, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_overrides, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_port_parse, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_neighbours, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_file_errors, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_mbufs, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
