/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The underlay port's keys checked: alone (port_check, also for ferryctl
 * port add), and against ovn-encap-ip once everything is loaded
 * (conf_validate). See docs/underlay.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "control/conf/conf.h"
#include "control/conf/conf_priv.h"

/* A Linux interface name ferryd may create (IFNAMSIZ less the NUL). */
static bool ifname_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 15 || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.'))
			return false;
	}
	return true;
}

int conf_underlay_port_check(const struct port_conf *p, const char *where, char *err, size_t errlen)
{
	if ((p->gateway || p->prefix_len || p->reachable_time || p->exception) &&
	    p->role != PORT_ROLE_UNDERLAY) {
		conf_errf(err, errlen, "%s: port '%s': %s is for role underlay only", where,
		          p->name,
		          p->gateway      ? "gateway"
		          : p->prefix_len ? "prefix-length"
		          : p->exception  ? "exception"
		                          : "reachable-time");
		return -EINVAL;
	}
	if (p->exception && p->peer) {
		conf_errf(err, errlen, "%s: port '%s': exception makes the peer; do not set both",
		          where, p->name);
		return -EINVAL;
	}
	if (p->exception && !ifname_ok(p->exception)) {
		conf_errf(err, errlen,
		          "%s: port '%s': exception '%s' must be an interface name: 1-15 letters, "
		          "digits, '-', '_', '.'",
		          where, p->name, p->exception);
		return -EINVAL;
	}
	if (p->gateway) {
		uint8_t a[16];
		bool v4 = inet_pton(AF_INET, p->gateway, a) == 1;
		if (!v4 && inet_pton(AF_INET6, p->gateway, a) != 1) {
			conf_errf(err, errlen,
			          "%s: port '%s': gateway '%s' is not an IPv4 or IPv6 address",
			          where, p->name, p->gateway);
			return -EINVAL;
		}
		if (p->prefix_len == 0) {
			conf_errf(err, errlen,
			          "%s: port '%s': gateway needs prefix-length (the encap IP's "
			          "subnet, "
			          "where the gateway is)",
			          where, p->name);
			return -EINVAL;
		}
		if (v4 && p->prefix_len > 32) {
			conf_errf(err, errlen,
			          "%s: port '%s': prefix-length %u is over 32 for IPv4", where,
			          p->name, p->prefix_len);
			return -EINVAL;
		}
	}
	return 0;
}

/* Whether @p a and @p b share their first @p plen bits. */
static bool same_prefix(const uint8_t *a, const uint8_t *b, unsigned plen)
{
	for (unsigned i = 0; i < plen; i++)
		if (((a[i / 8] ^ b[i / 8]) >> (7 - i % 8)) & 1)
			return false;
	return true;
}

/* An underlay's prefix and gateway against the encap IP. */
int conf_underlay_check(const struct ferry_conf *c, const struct port_conf *p, const char *file,
                        char *err, size_t errlen)
{
	uint8_t ip[16] = {0}, gw[16] = {0};
	bool v6;

	if (p->neighbours && c->ovn_encap_ip) {
		struct conf_neigh e[CONF_NEIGH_MAX];
		bool enc6 = inet_pton(AF_INET, c->ovn_encap_ip, ip) != 1;
		int n = conf_neighbours_parse(p->neighbours, e, CONF_NEIGH_MAX, NULL, 0);
		for (int i = 0; i < n; i++)
			if (e[i].ip6 != enc6) {
				char a[INET6_ADDRSTRLEN];
				inet_ntop(e[i].ip6 ? AF_INET6 : AF_INET, e[i].ip, a, sizeof(a));
				conf_errf(err, errlen,
				          "%s: port '%s': neighbour %s and ovn-encap-ip %s are not "
				          "of "
				          "one family",
				          file, p->name, a, c->ovn_encap_ip);
				return -EINVAL;
			}
	}
	if (p->prefix_len == 0)
		return 0;
	if (c->ovn_encap_ip == NULL) {
		conf_errf(err, errlen, "%s: port '%s': prefix-length needs chassis.ovn-encap-ip",
		          file, p->name);
		return -EINVAL;
	}
	if (inet_pton(AF_INET, c->ovn_encap_ip, ip) == 1)
		v6 = false;
	else if (inet_pton(AF_INET6, c->ovn_encap_ip, ip) == 1)
		v6 = true;
	else {
		conf_errf(err, errlen, "%s: ovn-encap-ip '%s' is not an IPv4 or IPv6 address", file,
		          c->ovn_encap_ip);
		return -EINVAL;
	}
	if (p->prefix_len > (v6 ? 128u : 32u)) {
		conf_errf(err, errlen, "%s: port '%s': prefix-length %u is over %u for %s", file,
		          p->name, p->prefix_len, v6 ? 128 : 32, c->ovn_encap_ip);
		return -EINVAL;
	}
	if (p->gateway == NULL)
		return 0;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, p->gateway, gw) != 1) {
		conf_errf(err, errlen,
		          "%s: port '%s': gateway %s and ovn-encap-ip %s are not of one family",
		          file, p->name, p->gateway, c->ovn_encap_ip);
		return -EINVAL;
	}
	if (!same_prefix(ip, gw, p->prefix_len) || memcmp(ip, gw, v6 ? 16 : 4) == 0) {
		conf_errf(err, errlen, "%s: port '%s': gateway %s is not another address of %s/%u",
		          file, p->name, p->gateway, c->ovn_encap_ip, p->prefix_len);
		return -EINVAL;
	}
	return 0;
}
