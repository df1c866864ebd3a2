/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "control/conf/conf.h"
#include "control/conf/conf_priv.h"

enum conf_type {
	T_STR,
	T_UINT,
	T_BOOL,
	T_ENUM,
	T_CPUS,
	T_NAME, /* a port name reference: string, validated later */
};

struct conf_key {
	const char *section; /* "chassis", "dataplane", "conntrack", "control", "port" */
	const char *key;
	enum conf_type type;
	size_t offset;              /* into struct ferry_conf, or struct port_conf for "port" */
	unsigned min, max;          /* T_UINT */
	const char *const *choices; /* T_ENUM, indexed by value */
	const char *def;            /* default as text, for help and conf_init() */
	const char *help;
};

static const char *const mode_names[] = {"cross-connect", "ovn", NULL};
static const char *const huge_names[] = {"auto", "on", "off", NULL};
static const char *const role_names[] = {"vif", "underlay", "uplink", NULL};

#define C(f) offsetof(struct ferry_conf, f)
#define P(f) offsetof(struct port_conf, f)

static const struct conf_key conf_keys[] = {
        {"chassis", "system-id", T_STR, C(system_id), 0, 0, NULL, NULL,
         "chassis name in the Southbound database"},
        {"chassis", "hostname", T_STR, C(hostname), 0, 0, NULL, NULL,
         "hostname published in the Chassis row (default: the system's)"},
        {"chassis", "ovn-remote", T_STR, C(ovn_remote), 0, 0, NULL, NULL,
         "Southbound remotes, comma separated: unix:PATH, tcp:IP:PORT, ssl:IP:PORT"},
        {"chassis", "ovn-encap-type", T_STR, C(ovn_encap_type), 0, 0, NULL, "geneve",
         "tunnel encapsulations offered: geneve[,vxlan]"},
        {"chassis", "ovn-encap-ip", T_STR, C(ovn_encap_ip), 0, 0, NULL, NULL,
         "tunnel endpoint address on the underlay port"},
        {"chassis", "ovn-encap-csum", T_BOOL, C(ovn_encap_csum), 0, 0, NULL, "true",
         "ask other chassis to checksum the Geneve UDP header"},
        {"chassis", "ovn-bridge-mappings", T_STR, C(ovn_bridge_mappings), 0, 0, NULL, NULL,
         "physical networks: NETWORK:PORT[,NETWORK:PORT...]"},
        {"chassis", "ovn-remote-probe-interval", T_UINT, C(ovn_remote_probe_interval), 0, INT_MAX,
         NULL, "5000", "inactivity probe to the Southbound database, ms (0: off)"},
        {"chassis", "ovn-monitor-all", T_BOOL, C(ovn_monitor_all), 0, 0, NULL, "false",
         "replicate the whole Southbound database, not just what this chassis needs"},
        {"chassis", "ssl-private-key", T_STR, C(ssl_private_key), 0, 0, NULL, NULL,
         "private key file for ssl: remotes"},
        {"chassis", "ssl-certificate", T_STR, C(ssl_certificate), 0, 0, NULL, NULL,
         "certificate file for ssl: remotes"},
        {"chassis", "ssl-ca-cert", T_STR, C(ssl_ca_cert), 0, 0, NULL, NULL,
         "CA certificate file for ssl: remotes"},

        {"dataplane", "workers", T_CPUS, C(workers), 0, 0, NULL, "auto",
         "CPUs for worker lcores: a list like 1,3-4, or auto (the last CPU)"},
        {"dataplane", "mode", T_ENUM, C(mode), 0, 0, mode_names, "cross-connect",
         "what workers do with packets: cross-connect (forward to the port's peer) or ovn"},
        {"dataplane", "mbufs", T_UINT, C(mbufs), 0, 1u << 24, NULL, "0",
         "packet buffers in the pool (0: sized from ports, queues and workers)"},
        {"dataplane", "mbuf-cache", T_UINT, C(mbuf_cache), 0, 512, NULL, "256",
         "per-lcore mbuf cache"},
        {"dataplane", "rx-desc", T_UINT, C(rx_desc), 64, 32768, NULL, "1024",
         "descriptors per rx queue"},
        {"dataplane", "tx-desc", T_UINT, C(tx_desc), 64, 32768, NULL, "1024",
         "descriptors per tx queue"},
        {"dataplane", "burst", T_UINT, C(burst), 1, 256, NULL, "32", "packets per rx burst"},
        {"dataplane", "idle-sleep-us", T_UINT, C(idle_sleep_us), 0, 100000, NULL, "1000",
         "longest sleep of a worker that sees no packets, us (0: busy poll)"},
        {"dataplane", "hugepages", T_ENUM, C(hugepages), 0, 0, huge_names, "auto",
         "auto: use hugepages when enough are free; on: require them; off: never"},
        {"dataplane", "memory", T_UINT, C(memory_mb), 0, 1u << 20, NULL, "0",
         "DPDK memory in MiB (0: sized from mbufs)"},
        {"dataplane", "xc-parse", T_BOOL, C(xc_parse), 0, 0, NULL, "false",
         "cross-connect parses every packet and drops malformed ones with a reason"},
        {"dataplane", "cache-entries", T_UINT, C(cache_entries), 0, 1u << 22, NULL, "8192",
         "flow cache entries per worker, rounded up to a power of two (0: no cache)"},
        {"dataplane", "cache-check", T_BOOL, C(cache_check), 0, 0, NULL, "false",
         "run the pipeline beside every cache hit and count disagreements (tests)"},

        {"conntrack", "max-connections", T_UINT, C(ct_max_conns), 64, 1u << 24, NULL, "262144",
         "connections the tracker holds at most (memory is taken at start: about 200 bytes "
         "each); a new connection over it is refused (ct.inv) and counted"},
        {"conntrack", "tcp-liberal", T_BOOL, C(ct_tcp_liberal), 0, 0, NULL, "false",
         "accept TCP segments of known connections outside the window (as Linux's "
         "nf_conntrack_tcp_be_liberal)"},
        {"conntrack", "zones-file", T_STR, C(ct_zones_file), 0, 0, NULL, NULL,
         "where zone numbers are kept across restarts (default: ct-zones beside the control "
         "socket)"},
        {"conntrack", "zone-limit", T_UINT, C(ct_zone_limit), 0, 1u << 24, NULL, "0",
         "connections a zone holds at most, unless ferryctl ct limit gives it its own (0: "
         "no limit); a new connection over it is refused (ct.inv) and counted in its zone"},
        {"conntrack", "fragments", T_UINT, C(ct_fragments), 64, 1u << 22, NULL, "4096",
         "fragmented datagrams followed at once: later fragments get the result of their "
         "first (one slot each, about 200 bytes)"},
        {"conntrack", "timeout-fragment", T_UINT, C(ct_timeouts_frag), 1, 60, NULL, "5",
         "seconds the later fragments of a datagram are recognised after its first"},
#define CT_TIMEOUT(name, f, def)                                                                 \
	{                                                                                        \
		"conntrack", "timeout-" name, T_UINT, C(ct_timeouts.f), 1, 7 * 86400, NULL, def, \
		        "seconds an idle connection is kept: " name                              \
	}
        CT_TIMEOUT("tcp-syn", tcp_syn, "30"),
        CT_TIMEOUT("tcp-established", tcp_established, "86400"),
        CT_TIMEOUT("tcp-closing", tcp_closing, "900"),
        CT_TIMEOUT("tcp-fin-wait", tcp_fin_wait, "45"),
        CT_TIMEOUT("tcp-closed", tcp_closed, "30"),
        CT_TIMEOUT("udp-first", udp_first, "60"),
        CT_TIMEOUT("udp-multiple", udp_multiple, "60"),
        CT_TIMEOUT("udp-replied", udp_replied, "30"),
        CT_TIMEOUT("icmp-first", icmp_first, "60"),
        CT_TIMEOUT("icmp-reply", icmp_reply, "30"),
        CT_TIMEOUT("other-first", other_first, "60"),
        CT_TIMEOUT("other-replied", other_replied, "30"),
        CT_TIMEOUT("sctp-closed", sctp_closed, "10"),
        CT_TIMEOUT("sctp-cookie-wait", sctp_cookie_wait, "3"),
        CT_TIMEOUT("sctp-cookie-echoed", sctp_cookie_echoed, "3"),
        CT_TIMEOUT("sctp-established", sctp_established, "210"),
        CT_TIMEOUT("sctp-shutdown-sent", sctp_shutdown_sent, "3"),
        CT_TIMEOUT("sctp-shutdown-recd", sctp_shutdown_recd, "3"),
        CT_TIMEOUT("sctp-shutdown-ack-sent", sctp_shutdown_ack_sent, "3"),
#undef CT_TIMEOUT

        {"control", "socket", T_STR, C(socket), 0, 0, NULL, "/run/ferry/ferryd.sock",
         "ferryctl's unix socket"},
        {"control", "log-level", T_STR, C(log_level), 0, 0, NULL, "info",
         "LEVEL, or TYPE:LEVEL[,TYPE:LEVEL...] with TYPE like ferry.port or ferry.*"},

        {"port", "devargs", T_STR, P(devargs), 0, 0, NULL, NULL,
         "DPDK device: net_af_packet0,iface=veth0 | 0000:03:00.0 | net_vhost0,iface=PATH ..."},
        {"port", "role", T_ENUM, P(role), 0, 0, role_names, "vif", "vif, underlay or uplink"},
        {"port", "iface-id", T_STR, P(iface_id), 0, 0, NULL, NULL,
         "vif: the OVN logical switch port this port is"},
        {"port", "network", T_STR, P(network), 0, 0, NULL, NULL,
         "uplink: the physical network (see ovn-bridge-mappings)"},
        {"port", "peer", T_NAME, P(peer), 0, 0, NULL, NULL,
         "cross-connect: the port that receives what this one receives"},
        {"port", "neighbours", T_STR, P(neighbours), 0, 0, NULL, NULL,
         "underlay: static next hops IP=MAC[,IP=MAC...], used as they are, never ARPed for"},
        {"port", "prefix-length", T_UINT, P(prefix_len), 1, 128, NULL, NULL,
         "underlay: the length of the encap IP's prefix on this port; peers outside it are "
         "reached through the gateway"},
        {"port", "gateway", T_STR, P(gateway), 0, 0, NULL, NULL,
         "underlay: the router to peers outside the encap IP's prefix (needs prefix-length)"},
        {"port", "reachable-time", T_UINT, P(reachable_time), 1, 86400, NULL, NULL,
         "underlay: seconds a next hop's MAC is trusted before it is asked again [300]"},
        {"port", "exception", T_STR, P(exception), 0, 0, NULL, NULL,
         "underlay: single-NIC mode; the host interface (tap) made for what is not ferry's"},
        {"port", "rxqs", T_UINT, P(rxqs), 1, 64, NULL, "1", "rx queues"},
        {"port", "mtu", T_UINT, P(mtu), 0, 9702, NULL, "0",
         "the port's MTU (0: the device's own); on the underlay it sets the overlay MTU"},
        {"port", "txqs", T_UINT, P(txqs), 0, 64, NULL, "0",
         "tx queues (0: one per worker, or what the device offers; fewer than the workers "
         "are shared under a lock)"},
};

#define N_KEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))

void conf_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const struct conf_key *key_find(const char *section, const char *key)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (!strcmp(conf_keys[i].section, section) && !strcmp(conf_keys[i].key, key))
			return &conf_keys[i];
	return NULL;
}

static int parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (*s == '\0' || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on") ||
	    !strcmp(s, "1"))
		*out = true;
	else if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off") ||
	         !strcmp(s, "0"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

/* "auto" or a list of CPUs and ranges: "1", "2-3,6". */
static int parse_cpus(const char *s, unsigned *cpus, unsigned *n)
{
	const char *p = s;

	*n = 0;
	if (!strcmp(s, "auto"))
		return 0;
	while (*p) {
		char *end;
		unsigned long lo, hi;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		lo = strtoul(p, &end, 10);
		hi = lo;
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				return -EINVAL;
			hi = strtoul(p, &end, 10);
		}
		if (hi < lo || hi >= CPU_SETSIZE)
			return -EINVAL;
		for (unsigned long c = lo; c <= hi; c++) {
			for (unsigned i = 0; i < *n; i++)
				if (cpus[i] == c)
					return -EINVAL;
			if (*n == CONF_WORKERS_MAX)
				return -E2BIG;
			cpus[(*n)++] = c;
		}
		if (*end == ',' && end[1] != '\0')
			end++;
		else if (*end != '\0')
			return -EINVAL;
		p = end;
	}
	return *n ? 0 : -EINVAL;
}

static void choices_text(const char *const *choices, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned i = 0; choices[i] && o < len; i++)
		o += snprintf(buf + o, len - o, "%s%s", i ? ", " : "", choices[i]);
}

/* Store @p value for key @p k into the struct at @p base. */
static int key_store(const struct conf_key *k, void *base, struct ferry_conf *c, const char *value,
                     char *err, size_t errlen)
{
	void *field = (char *)base + k->offset;
	char buf[128];
	unsigned u;
	bool b;
	int rc;

	switch (k->type) {
	case T_STR:
	case T_NAME:
		if (*value == '\0') {
			conf_errf(err, errlen, "'%s' needs a value", k->key);
			return -EINVAL;
		}
		free(*(char **)field);
		*(char **)field = strdup(value);
		return *(char **)field ? 0 : -ENOMEM;
	case T_UINT:
		if (parse_uint(value, k->min, k->max, &u) < 0) {
			conf_errf(err, errlen, "'%s' must be an integer from %u to %u, not '%s'",
			          k->key, k->min, k->max, value);
			return -EINVAL;
		}
		*(unsigned *)field = u;
		return 0;
	case T_BOOL:
		if (parse_bool(value, &b) < 0) {
			conf_errf(err, errlen, "'%s' must be true or false, not '%s'", k->key,
			          value);
			return -EINVAL;
		}
		*(bool *)field = b;
		return 0;
	case T_ENUM:
		for (unsigned i = 0; k->choices[i]; i++) {
			if (!strcmp(k->choices[i], value)) {
				/* enums are int-sized in every field using T_ENUM */
				*(int *)field = i;
				return 0;
			}
		}
		choices_text(k->choices, buf, sizeof(buf));
		conf_errf(err, errlen, "'%s' must be one of %s, not '%s'", k->key, buf, value);
		return -EINVAL;
	case T_CPUS:
		rc = parse_cpus(value, c->worker_cpus, &c->n_workers);
		if (rc < 0) {
			conf_errf(err, errlen,
			          "'%s' must be auto or a CPU list like 1,3-4 (at most %d, no "
			          "repeats), "
			          "not '%s'",
			          k->key, CONF_WORKERS_MAX, value);
			return -EINVAL;
		}
		free(c->workers);
		c->workers = strdup(value);
		return c->workers ? 0 : -ENOMEM;
	}
	abort(); /* the table holds only the types above */
}

static struct port_conf *port_find(struct ferry_conf *c, const char *name)
{
	for (unsigned i = 0; i < c->n_ports; i++)
		if (!strcmp(c->ports[i].name, name))
			return &c->ports[i];
	return NULL;
}

static void port_defaults(struct port_conf *p)
{
	memset(p, 0, sizeof(*p));
	p->role = PORT_ROLE_VIF;
	p->rxqs = 1;
}

static bool port_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= CONF_PORT_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.'))
			return false;
	}
	return true;
}

static struct port_conf *port_get(struct ferry_conf *c, const char *name, unsigned line, char *err,
                                  size_t errlen)
{
	struct port_conf *p = port_find(c, name);

	if (p)
		return p;
	if (!port_name_ok(name)) {
		conf_errf(
		        err, errlen,
		        "port name '%s' must be 1-%d characters of letters, digits, '-', '_', '.'",
		        name, CONF_PORT_NAME_MAX - 1);
		return NULL;
	}
	if (c->n_ports == CONF_PORTS_MAX) {
		conf_errf(err, errlen, "more than %d ports", CONF_PORTS_MAX);
		return NULL;
	}
	p = &c->ports[c->n_ports++];
	port_defaults(p);
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->line = line;
	return p;
}

/* Apply one key of section @p section ("chassis", "port NAME", ...). */
static int conf_apply(struct ferry_conf *c, const char *section, const char *key, const char *value,
                      unsigned line, char *err, size_t errlen)
{
	const struct conf_key *k;
	void *base = c;

	if (!strncmp(section, "port ", 5) || !strcmp(section, "port")) {
		const char *name = section[4] ? section + 5 : "";
		struct port_conf *p;

		while (*name == ' ')
			name++;
		if (*name == '\0') {
			conf_errf(err, errlen, "section [port] needs a name: [port NAME]");
			return -EINVAL;
		}
		p = port_get(c, name, line, err, errlen);
		if (p == NULL)
			return -EINVAL;
		base = p;
		section = "port";
	}
	k = key_find(section, key);
	if (k == NULL) {
		if (strcmp(section, "chassis") && strcmp(section, "dataplane") &&
		    strcmp(section, "conntrack") && strcmp(section, "control") &&
		    strcmp(section, "port"))
			conf_errf(err, errlen,
			          "unknown section [%s] (chassis, dataplane, conntrack, control, "
			          "port NAME)",
			          section);
		else
			conf_errf(err, errlen, "unknown key '%s' in [%s]", key, section);
		return -EINVAL;
	}
	return key_store(k, base, c, value, err, errlen);
}

struct ini_ctx {
	struct ferry_conf *c;
	char err[256];
	int rc;
	/* "section\nkey" of every key seen, to refuse duplicates */
	char **seen;
	unsigned n_seen;
	unsigned line;    /* counted by the reader: the line being handled */
	int too_long;     /* a line exceeded this many characters */
	FILE *file;       /* source: a file ... */
	const char *text; /* ... or a string */
};

/* inih reads line by line through this, which lets us count lines. */
static char *conf_ini_read(char *buf, int size, void *stream)
{
	struct ini_ctx *ctx = stream;
	char *r;

	if (ctx->file) {
		r = fgets(buf, size, ctx->file);
	} else {
		const char *nl;
		size_t n;

		if (*ctx->text == '\0')
			return NULL;
		nl = strchr(ctx->text, '\n');
		n = nl ? (size_t)(nl - ctx->text) + 1 : strlen(ctx->text);
		if (n > (size_t)size - 1)
			n = size - 1;
		memcpy(buf, ctx->text, n);
		buf[n] = '\0';
		ctx->text += n;
		r = buf;
	}
	if (r == NULL)
		return NULL;
	ctx->line++;
	/* inih reads lines into a fixed buffer: a longer one would come back
	 * as two, the tail parsed as a line of its own. Stop and say so. */
	if (strlen(buf) == (size_t)size - 1 && buf[size - 2] != '\n' &&
	    (ctx->file ? !feof(ctx->file) : *ctx->text != '\0')) {
		ctx->too_long = size - 1;
		return NULL;
	}
	return r;
}

static int conf_ini_key(void *user, const char *section, const char *name, const char *value)
{
	struct ini_ctx *ctx = user;
	size_t len = strlen(section) + strlen(name) + 2;
	char *id;

	if (ctx->rc)
		return 0; /* report only the first error */
	id = malloc(len);
	if (id == NULL) {
		ctx->rc = -ENOMEM;
		return 0;
	}
	snprintf(id, len, "%s\n%s", section, name);
	for (unsigned i = 0; i < ctx->n_seen; i++) {
		if (!strcmp(ctx->seen[i], id)) {
			snprintf(ctx->err, sizeof(ctx->err), "key '%s' repeated in [%s]", name,
			         section);
			free(id);
			ctx->rc = -EINVAL;
			return 0;
		}
	}
	char **seen = realloc(ctx->seen, (ctx->n_seen + 1) * sizeof(*seen));
	if (seen == NULL) {
		free(id);
		ctx->rc = -ENOMEM;
		return 0;
	}
	ctx->seen = seen;
	ctx->seen[ctx->n_seen++] = id;

	if (*section == '\0') {
		snprintf(ctx->err, sizeof(ctx->err), "key '%s' outside any [section]", name);
		ctx->rc = -EINVAL;
		return 0;
	}
	ctx->rc = conf_apply(ctx->c, section, name, value, ctx->line, ctx->err, sizeof(ctx->err));
	return ctx->rc ? 0 : 1;
}

static int ini_finish(struct ini_ctx *ctx, int line, const char *name, char *err, size_t errlen)
{
	int rc = ctx->rc;

	for (unsigned i = 0; i < ctx->n_seen; i++)
		free(ctx->seen[i]);
	free(ctx->seen);
	if (line < 0) {
		conf_errf(err, errlen, "%s: cannot read: %s", name, strerror(errno ? errno : EIO));
		return -(errno ? errno : EIO);
	}
	if (ctx->too_long && rc == 0) {
		conf_errf(err, errlen,
		          "%s:%u: line longer than %d characters (set long values with --set)",
		          name, ctx->line, ctx->too_long);
		return -EINVAL;
	}
	if (line > 0) {
		if (rc)
			conf_errf(err, errlen, "%s:%d: %s", name, line, ctx->err);
		else
			conf_errf(err, errlen,
			          "%s:%d: syntax error: expected '[section]' or 'key = value'",
			          name, line);
		return rc ? rc : -EINVAL;
	}
	if (rc) {
		conf_errf(err, errlen, "%s: %s", name, rc == -ENOMEM ? "out of memory" : ctx->err);
		return rc;
	}
	return 0;
}

int conf_load_file(struct ferry_conf *c, const char *path, char *err, size_t errlen)
{
	struct ini_ctx ctx = {.c = c};
	int line, rc;

	ctx.file = fopen(path, "r");
	if (ctx.file == NULL) {
		rc = -errno;
		conf_errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return rc;
	}
	line = ini_parse_stream(conf_ini_read, &ctx, conf_ini_key, &ctx);
	fclose(ctx.file);
	rc = ini_finish(&ctx, line, path, err, errlen);
	if (rc == 0) {
		free(c->path);
		c->path = strdup(path);
	}
	return rc;
}

int conf_load_string(struct ferry_conf *c, const char *text, const char *name, char *err,
                     size_t errlen)
{
	struct ini_ctx ctx = {.c = c, .text = text};
	int line = ini_parse_stream(conf_ini_read, &ctx, conf_ini_key, &ctx);
	int rc = ini_finish(&ctx, line, name, err, errlen);

	if (rc == 0) {
		free(c->path);
		c->path = strdup(name);
	}
	return rc;
}

int conf_set(struct ferry_conf *c, const char *assignment, char *err, size_t errlen)
{
	const char *eq = strchr(assignment, '=');
	char lhs[160], section[64];
	const char *key, *dot;
	char msg[256];
	int rc;

	if (eq == NULL || eq == assignment || (size_t)(eq - assignment) >= sizeof(lhs)) {
		conf_errf(err, errlen, "'%s': expected SECTION.KEY=VALUE", assignment);
		return -EINVAL;
	}
	memcpy(lhs, assignment, eq - assignment);
	lhs[eq - assignment] = '\0';
	if (!strncmp(lhs, "port.", 5)) {
		dot = strrchr(lhs, '.');
		if (dot == lhs + 4 || dot - (lhs + 5) >= CONF_PORT_NAME_MAX) {
			conf_errf(err, errlen, "'%s': expected port.NAME.KEY=VALUE", assignment);
			return -EINVAL;
		}
		snprintf(section, sizeof(section), "port %.*s", (int)(dot - (lhs + 5)), lhs + 5);
	} else {
		dot = strchr(lhs, '.');
		if (dot == NULL || (size_t)(dot - lhs) >= sizeof(section)) {
			conf_errf(err, errlen, "'%s': expected SECTION.KEY=VALUE", assignment);
			return -EINVAL;
		}
		snprintf(section, sizeof(section), "%.*s", (int)(dot - lhs), lhs);
	}
	key = dot + 1;
	rc = conf_apply(c, section, key, eq + 1, 0, msg, sizeof(msg));
	if (rc)
		conf_errf(err, errlen, "command line: %s", msg);
	return rc;
}

static void port_free_strings(struct port_conf *p)
{
	free(p->devargs);
	free(p->iface_id);
	free(p->network);
	free(p->peer);
	free(p->neighbours);
	free(p->gateway);
	free(p->exception);
	p->devargs = p->iface_id = p->network = p->peer = p->neighbours = p->gateway =
	        p->exception = NULL;
}

void conf_port_fini(struct port_conf *p)
{
	if (p)
		port_free_strings(p);
}

static int default_apply(struct ferry_conf *c, const struct conf_key *k, void *base)
{
	char err[8];

	if (k->def == NULL)
		return 0;
	return key_store(k, base, c, k->def, err, sizeof(err));
}

void conf_init(struct ferry_conf *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < N_KEYS; i++)
		if (strcmp(conf_keys[i].section, "port"))
			default_apply(c, &conf_keys[i], c);
}

void conf_fini(struct ferry_conf *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < N_KEYS; i++)
		if (strcmp(conf_keys[i].section, "port") &&
		    (conf_keys[i].type == T_STR || conf_keys[i].type == T_CPUS))
			free(*(char **)((char *)c + conf_keys[i].offset));
	for (unsigned i = 0; i < c->n_ports; i++)
		conf_port_fini(&c->ports[i]);
	free(c->path);
	memset(c, 0, sizeof(*c));
}

static int port_check(const struct port_conf *p, const char *where, char *err, size_t errlen)
{
	if (p->devargs == NULL) {
		conf_errf(err, errlen, "%s: port '%s' has no devargs", where, p->name);
		return -EINVAL;
	}
	if (p->role == PORT_ROLE_UPLINK && p->network == NULL) {
		conf_errf(err, errlen, "%s: uplink port '%s' needs network", where, p->name);
		return -EINVAL;
	}
	if (p->iface_id && p->role != PORT_ROLE_VIF) {
		conf_errf(err, errlen, "%s: port '%s': iface-id is for role vif only", where,
		          p->name);
		return -EINVAL;
	}
	if (p->network && p->role != PORT_ROLE_UPLINK) {
		conf_errf(err, errlen, "%s: port '%s': network is for role uplink only", where,
		          p->name);
		return -EINVAL;
	}
	if (p->neighbours) {
		char why[160];
		if (p->role != PORT_ROLE_UNDERLAY) {
			conf_errf(err, errlen,
			          "%s: port '%s': neighbours is for role underlay only", where,
			          p->name);
			return -EINVAL;
		}
		if (conf_neighbours_parse(p->neighbours, NULL, CONF_NEIGH_MAX, why, sizeof(why)) <
		    0) {
			conf_errf(err, errlen, "%s: port '%s': neighbours: %s", where, p->name,
			          why);
			return -EINVAL;
		}
	}
	return conf_underlay_port_check(p, where, err, errlen);
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Exactly "xx:xx:xx:xx:xx:xx". */
static int parse_mac(const char *s, uint8_t mac[6])
{
	if (strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(s[3 * i]), lo = hex_digit(s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int conf_neighbours_parse(const char *s, struct conf_neigh *out, unsigned max, char *err,
                          size_t errlen)
{
	struct conf_neigh seen[CONF_NEIGH_MAX];
	unsigned n = 0;
	const char *p = s;

	if (max > CONF_NEIGH_MAX)
		max = CONF_NEIGH_MAX;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char item[64], *eq;
		struct conf_neigh e;

		if (len == 0 || len >= sizeof(item)) {
			conf_errf(err, errlen, "expected IP=MAC[,IP=MAC...], not '%s'", s);
			return -EINVAL;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		eq = strchr(item, '=');
		if (eq == NULL) {
			conf_errf(err, errlen, "'%s': expected IP=MAC", item);
			return -EINVAL;
		}
		*eq = '\0';
		memset(&e, 0, sizeof(e));
		if (inet_pton(AF_INET, item, e.ip) == 1)
			e.ip6 = false;
		else if (inet_pton(AF_INET6, item, e.ip) == 1)
			e.ip6 = true;
		else {
			conf_errf(err, errlen, "'%s' is not an IPv4 or IPv6 address", item);
			return -EINVAL;
		}
		if (parse_mac(eq + 1, e.mac) < 0 || (e.mac[0] & 1) ||
		    !memcmp(e.mac, "\0\0\0\0\0\0", 6)) {
			conf_errf(err, errlen, "'%s' is not a unicast MAC like 02:00:00:00:00:01",
			          eq + 1);
			return -EINVAL;
		}
		for (unsigned i = 0; i < n; i++)
			if (seen[i].ip6 == e.ip6 && !memcmp(seen[i].ip, e.ip, 16)) {
				conf_errf(err, errlen, "%s appears twice", item);
				return -EINVAL;
			}
		if (n == max) {
			conf_errf(err, errlen, "more than %u neighbours", max);
			return -EINVAL;
		}
		seen[n] = e;
		if (out)
			out[n] = e;
		n++;
		if (end == NULL)
			return (int)n;
		p = end + 1;
	}
}

int conf_validate(struct ferry_conf *c, char *err, size_t errlen)
{
	const char *file = c->path ? c->path : "configuration";
	cpu_set_t allowed;

	CPU_ZERO(&allowed);
	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0) {
		conf_errf(err, errlen, "cannot read CPU affinity: %s", strerror(errno));
		return -errno;
	}
	if (c->n_workers == 0) {
		/* auto: one worker on the last CPU we may use */
		for (int cpu = CPU_SETSIZE - 1; cpu >= 0; cpu--) {
			if (CPU_ISSET(cpu, &allowed)) {
				c->worker_cpus[0] = cpu;
				c->n_workers = 1;
				break;
			}
		}
	}
	for (unsigned i = 0; i < c->n_workers; i++) {
		if (!CPU_ISSET(c->worker_cpus[i], &allowed)) {
			conf_errf(err, errlen,
			          "%s: workers: CPU %u is not available to this process", file,
			          c->worker_cpus[i]);
			return -EINVAL;
		}
	}
	for (unsigned i = 0; i < c->n_ports; i++) {
		struct port_conf *p = &c->ports[i];
		char where[300];
		int rc;

		if (p->line)
			snprintf(where, sizeof(where), "%s:%u", file, p->line);
		else
			snprintf(where, sizeof(where), "%s", file);
		rc = port_check(p, where, err, errlen);
		if (rc == 0)
			rc = conf_underlay_check(c, p, file, err, errlen);
		if (rc)
			return rc;
		if (p->peer && port_find(c, p->peer) == NULL) {
			conf_errf(err, errlen, "%s: port '%s': peer '%s' is not a configured port",
			          file, p->name, p->peer);
			return -EINVAL;
		}
	}
	if (c->mode == CONF_MODE_OVN && c->ovn_remote == NULL) {
		conf_errf(err, errlen, "%s: mode ovn needs chassis.ovn-remote", file);
		return -EINVAL;
	}
	return 0;
}

int conf_port_parse(struct port_conf *p, const char *name, const char *devargs,
                    const char *const *kv, unsigned n_kv, char *err, size_t errlen)
{
	port_defaults(p);
	if (!port_name_ok(name)) {
		conf_errf(
		        err, errlen,
		        "port name '%s' must be 1-%d characters of letters, digits, '-', '_', '.'",
		        name, CONF_PORT_NAME_MAX - 1);
		return -EINVAL;
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->devargs = strdup(devargs);
	if (p->devargs == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < n_kv; i++) {
		const char *eq = strchr(kv[i], '=');
		const struct conf_key *k;
		char key[64];
		int rc;

		if (eq == NULL || (size_t)(eq - kv[i]) >= sizeof(key)) {
			conf_errf(err, errlen, "'%s': expected KEY=VALUE", kv[i]);
			goto fail;
		}
		snprintf(key, sizeof(key), "%.*s", (int)(eq - kv[i]), kv[i]);
		k = key_find("port", key);
		if (k == NULL || !strcmp(key, "devargs")) {
			conf_errf(
			        err, errlen,
			        "unknown port key '%s' (role, iface-id, network, peer, neighbours, "
			        "prefix-length, gateway, reachable-time, exception, rxqs, txqs, "
			        "mtu)",
			        key);
			goto fail;
		}
		rc = key_store(k, p, NULL, eq + 1, err, errlen);
		if (rc)
			goto fail;
	}
	if (port_check(p, "port", err, errlen))
		goto fail;
	return 0;
fail:
	port_free_strings(p);
	return -EINVAL;
}

const char *conf_port_role_name(enum port_role r)
{
	if (r == PORT_ROLE_HOST)
		return "host";
	return (unsigned)r < 3 ? role_names[r] : "unknown";
}

unsigned conf_mbufs(const struct ferry_conf *c)
{
	unsigned per_port = c->rx_desc + c->n_workers * c->tx_desc;
	unsigned need, size = 1;

	if (c->mbufs)
		return c->mbufs;
	/* 256: the largest burst a worker may hold in flight, twice over */
	need = (c->n_ports + 4) * per_port + (c->n_workers + 1) * (c->mbuf_cache + 2 * 256);
	for (unsigned i = 0; i < c->n_ports; i++)
		need += (c->ports[i].rxqs - 1) * c->rx_desc;
	while (size - 1 < need)
		size <<= 1;
	return size - 1;
}

void conf_print_help(FILE *f)
{
	const char *section = "";

	for (size_t i = 0; i < N_KEYS; i++) {
		const struct conf_key *k = &conf_keys[i];
		char choices[128] = "";

		if (strcmp(section, k->section)) {
			section = k->section;
			fprintf(f, "%s[%s%s]\n", i ? "\n" : "", section,
			        strcmp(section, "port") ? "" : " NAME");
		}
		if (k->type == T_ENUM)
			choices_text(k->choices, choices, sizeof(choices));
		fprintf(f, "  %-26s %s%s%s%s%s\n", k->key, k->help, k->def ? " [default: " : "",
		        k->def ? k->def : "", k->def ? "]" : "", "");
		if (choices[0])
			fprintf(f, "  %-26s one of: %s\n", "", choices);
	}
}

unsigned conf_cli_keys(const char *const **names)
{
	static const char *table[N_KEYS];
	static char storage[N_KEYS][64];
	static unsigned n;

	if (n == 0) {
		for (size_t i = 0; i < N_KEYS; i++) {
			if (!strcmp(conf_keys[i].section, "port"))
				continue;
			snprintf(storage[n], sizeof(storage[n]), "%s.%s", conf_keys[i].section,
			         conf_keys[i].key);
			table[n] = storage[n];
			n++;
		}
	}
	*names = table;
	return n;
}
