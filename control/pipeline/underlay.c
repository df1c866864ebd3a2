/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The underlay as the control thread keeps it: which port carries our
 * encap IP, its subnet and gateway, and the next hops' MACs: static ones
 * from the port's neighbours key, and those workers learned from ARP and
 * ND on it (see docs/underlay.md). A static entry is never replaced by
 * what ARP says, nor aged, so an operator's choice holds. A change that
 * workers must see rebuilds the snapshot.
 *
 * Next hops age as neighbours do in an IP stack, with no timer on the
 * fast path: an entry confirmed (an ARP or ND message from it to us) less
 * than reachable-time ago is reachable. Past that it is stale: still used,
 * and the snapshot marks the peers behind it, so that the next packet a
 * worker sends to one of them also sends a unicast request to the next hop
 * (and says so: the entry is then probing). An answer makes it reachable
 * again without a packet lost; no answer within UL_PROBE_MS forgets it, and
 * the next packet finds the next hop unresolved (counted) and asks by
 * broadcast. A stale entry nobody sends to stays until someone does.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <rte_ethdev.h>

#include "control/conf/conf.h"
#include "control/pipeline/pipeline_int.h"
#include "dataplane/geneve/geneve.h"

#define UL_NEIGH_MAX           1024
#define UL_PROBE_MS            3000 /* a probed next hop has this long to answer */
#define UL_TICK_MS             250
#define UL_REACHABLE_S_DEFAULT 300

enum ul_state { UL_REACHABLE, UL_STALE, UL_PROBE, UL_STATIC };
static const char *const state_names[] = {"reachable", "stale", "probe", "static"};

struct ul_neigh {
	uint8_t ip[16];
	uint8_t mac[6];
	uint8_t state; /* enum ul_state: UL_STATIC for the port's neighbours */
	uint64_t confirmed_ms, probe_ms;
	uint64_t refreshes; /* stale or probing, then confirmed again */
};

static struct {
	bool have_port;
	uint16_t port;
	uint64_t tx_offloads;
	bool ip6, have_ip;
	uint8_t ip[16];
	unsigned prefix_len; /* as configured; 0: every peer on-link */
	bool have_gw;
	uint8_t gw[16];
	unsigned reachable_s;
	char exception[16]; /* single-NIC mode: the host interface, "" none */
	struct event *tick;
	uint64_t n_forgotten; /* probed and not answering */
	unsigned n;
	struct ul_neigh neigh[UL_NEIGH_MAX];
} ul = {.reachable_s = UL_REACHABLE_S_DEFAULT};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void ip_text(const uint8_t *ip, char *buf, size_t n)
{
	inet_ntop(ul.ip6 ? AF_INET6 : AF_INET, ip, buf, (socklen_t)n);
}

void pipeline_underlay_set_ip(const char *encap_ip)
{
	ul.have_ip = false;
	if (encap_ip == NULL)
		return;
	memset(ul.ip, 0, sizeof(ul.ip));
	if (inet_pton(AF_INET, encap_ip, ul.ip) == 1)
		ul.have_ip = true, ul.ip6 = false;
	else if (inet_pton(AF_INET6, encap_ip, ul.ip) == 1)
		ul.have_ip = true, ul.ip6 = true;
}

/* Replace the static entries by @p neighbours (NULL: none); learned
 * entries for the same addresses give way. */
static void set_static(const char *neighbours)
{
	struct conf_neigh e[CONF_NEIGH_MAX];
	char err[160];
	int n = 0;
	unsigned j = 0;

	if (neighbours != NULL) {
		n = conf_neighbours_parse(neighbours, e, CONF_NEIGH_MAX, err, sizeof(err));
		if (n < 0) { /* validated with the configuration: cannot happen */
			PL_LOG(ERR, "underlay: neighbours: %s", err);
			n = 0;
		}
	}
	/* The encap IP's family only: conf_validate() says so, but a port
	 * added at run time was checked alone. */
	int m = 0;
	for (int k = 0; k < n; k++)
		if (e[k].ip6 == ul.ip6)
			e[m++] = e[k];
		else
			PL_LOG(ERR,
			       "underlay: a static next hop not of the encap IP's family: ignored");
	n = m;
	uint8_t ip[CONF_NEIGH_MAX][16];
	for (int k = 0; k < n; k++)
		memcpy(ip[k], e[k].ip, 16);
	for (unsigned i = 0; i < ul.n; i++) {
		bool keep = ul.neigh[i].state != UL_STATIC;
		for (int k = 0; keep && k < n; k++)
			keep = memcmp(ul.neigh[i].ip, ip[k], 16) != 0;
		if (keep)
			ul.neigh[j++] = ul.neigh[i];
	}
	ul.n = j;
	/* Static entries first, so that a full table still holds them all. */
	unsigned room = UL_NEIGH_MAX - (unsigned)n;
	if (ul.n > room)
		ul.n = room;
	memmove(&ul.neigh[n], &ul.neigh[0], ul.n * sizeof(ul.neigh[0]));
	for (int k = 0; k < n; k++) {
		memset(&ul.neigh[k], 0, sizeof(ul.neigh[k]));
		memcpy(ul.neigh[k].ip, ip[k], 16);
		memcpy(ul.neigh[k].mac, e[k].mac, 6);
		ul.neigh[k].state = UL_STATIC;
	}
	ul.n += (unsigned)n;
	if (n > 0)
		PL_LOG(INFO, "underlay: %d static next hop(s)", n);
}

void pipeline_underlay_port(bool present, uint16_t port, uint64_t tx_offloads,
                            const char *neighbours)
{
	bool same = ul.have_port && present && ul.port == port;
	ul.have_port = present;
	ul.port = port;
	ul.tx_offloads = tx_offloads;
	/* The static entries come and go with the port that carries them
	 * (a link event for the same port changes nothing). */
	if (!same)
		set_static(present ? neighbours : NULL);
}

void pipeline_underlay_route(const struct port_conf *pc)
{
	ul.prefix_len = pc->prefix_len;
	snprintf(ul.exception, sizeof(ul.exception), "%s", pc->exception ? pc->exception : "");
	ul.reachable_s = pc->reachable_time ? pc->reachable_time : UL_REACHABLE_S_DEFAULT;
	ul.have_gw = false;
	memset(ul.gw, 0, sizeof(ul.gw));
	if (pc->gateway == NULL)
		return;
	/* conf_validate() checked the pair against the encap IP; a port added
	 * at run time was checked alone. */
	if (inet_pton(ul.ip6 ? AF_INET6 : AF_INET, pc->gateway, ul.gw) == 1)
		ul.have_gw = true;
	else
		PL_LOG(ERR, "underlay: gateway %s is not of the encap IP's family: ignored",
		       pc->gateway);
}

/* Whether @p a is in the encap IP's subnet (everything is, without one). */
static bool on_link(const uint8_t *a)
{
	unsigned plen = ul.prefix_len;
	if (plen > (ul.ip6 ? 128u : 32u))
		plen = ul.ip6 ? 128 : 32;
	for (unsigned i = 0; i < plen; i++)
		if (((a[i / 8] ^ ul.ip[i / 8]) >> (7 - i % 8)) & 1)
			return false;
	return true;
}

void pipeline_underlay_next_hop(const uint8_t peer[16], bool ip6, uint8_t nh[16])
{
	if (ip6 == ul.ip6 && ul.have_gw && !on_link(peer))
		memcpy(nh, ul.gw, 16);
	else
		memcpy(nh, peer, 16);
}

struct pl_underlay pipeline_underlay(void)
{
	struct pl_underlay u = {
	        .present = ul.have_port && ul.have_ip, .dpdk = ul.port, .ip6 = ul.ip6};
	struct rte_ether_addr a;
	memcpy(u.ip, ul.ip, sizeof(u.ip));
	u.prefix_len = (uint8_t)ul.prefix_len;
	u.have_gw = ul.have_gw;
	memcpy(u.gw, ul.gw, sizeof(u.gw));
	if (u.present && rte_eth_macaddr_get(ul.port, &a) == 0)
		memcpy(u.mac, a.addr_bytes, 6);
	unsigned overhead = u.ip6 ? GENEVE_ENCAP_LEN6 : GENEVE_ENCAP_LEN4;
	u.max_inner = UINT32_MAX;
	if (u.present && rte_eth_dev_get_mtu(ul.port, &u.mtu) == 0 && u.mtu > overhead) {
		u.overlay_mtu = (uint16_t)(u.mtu - overhead);
		u.max_inner = u.overlay_mtu + 14u;
	}
	uint64_t need = RTE_ETH_TX_OFFLOAD_UDP_CKSUM | (u.ip6 ? 0 : RTE_ETH_TX_OFFLOAD_IPV4_CKSUM);
	u.tx_csum = u.present && (ul.tx_offloads & need) == need;
	return u;
}

static struct ul_neigh *find(const uint8_t ip[16])
{
	for (unsigned i = 0; i < ul.n; i++)
		if (memcmp(ul.neigh[i].ip, ip, 16) == 0)
			return &ul.neigh[i];
	return NULL;
}

bool pipeline_underlay_neigh(const uint8_t ip[16], bool ip6, uint8_t mac[6], bool *stale)
{
	const struct ul_neigh *n = ip6 == ul.ip6 ? find(ip) : NULL;
	if (n == NULL)
		return false;
	memcpy(mac, n->mac, 6);
	*stale = n->state == UL_STALE || n->state == UL_PROBE;
	return true;
}

void pipeline_underlay_learn(const uint8_t ip[16], const uint8_t mac[6])
{
	struct ul_neigh *n = find(ip);
	char a[INET6_ADDRSTRLEN];
	if (n == NULL) {
		if (ul.n == UL_NEIGH_MAX)
			return;
		n = &ul.neigh[ul.n++];
		memset(n, 0, sizeof(*n));
		memcpy(n->ip, ip, 16);
	} else if (n->state == UL_STATIC) {
		return; /* the operator's, whatever ARP says */
	} else if (memcmp(n->mac, mac, 6) == 0) {
		n->confirmed_ms = now_ms();
		if (n->state != UL_REACHABLE) {
			n->state = UL_REACHABLE;
			n->refreshes++;
			pipeline_kick(); /* the peers behind it need no more probes */
		}
		return;
	}
	memcpy(n->mac, mac, 6);
	n->state = UL_REACHABLE;
	n->confirmed_ms = now_ms();
	char m[18];
	ip_text(ip, a, sizeof(a));
	pipeline_mac_text(mac, m);
	PL_LOG(INFO, "underlay: next hop %s is %s", a, m);
	pipeline_kick();
}

void pipeline_underlay_probed(const uint8_t ip[16])
{
	struct ul_neigh *n = find(ip);
	if (n != NULL && n->state == UL_STALE) {
		n->state = UL_PROBE;
		n->probe_ms = now_ms();
	}
}

/* Age the table: reachable to stale, unanswered probes forgotten. */
static void tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	uint64_t now = now_ms();
	bool changed = false;
	for (unsigned i = 0; i < ul.n;) {
		struct ul_neigh *n = &ul.neigh[i];
		if (n->state == UL_REACHABLE && now - n->confirmed_ms >= ul.reachable_s * 1000ull) {
			n->state = UL_STALE;
			changed = true;
		} else if (n->state == UL_PROBE && now - n->probe_ms >= UL_PROBE_MS) {
			char a[INET6_ADDRSTRLEN];
			ip_text(n->ip, a, sizeof(a));
			PL_LOG(WARNING, "underlay: next hop %s did not answer: forgotten", a);
			ul.n_forgotten++;
			*n = ul.neigh[--ul.n];
			changed = true;
			continue;
		}
		i++;
	}
	if (changed)
		pipeline_kick();
}

int pipeline_underlay_start(struct event_base *base)
{
	struct timeval tv = {0, UL_TICK_MS * 1000};
	ul.tick = event_new(base, -1, EV_PERSIST, tick, NULL);
	if (ul.tick == NULL)
		return -1;
	return event_add(ul.tick, &tv);
}

void pipeline_underlay_stop(void)
{
	if (ul.tick)
		event_free(ul.tick);
	ul.tick = NULL;
}

unsigned pipeline_underlay_neighbours(struct ul_neigh_info *out, unsigned max, uint64_t *forgotten)
{
	unsigned n = ul.n < max ? ul.n : max;
	uint64_t now = now_ms();
	for (unsigned i = 0; i < n; i++) {
		memcpy(out[i].ip, ul.neigh[i].ip, 16);
		memcpy(out[i].mac, ul.neigh[i].mac, 6);
		out[i].state = state_names[ul.neigh[i].state];
		out[i].age_ms = ul.neigh[i].state == UL_STATIC ? 0 : now - ul.neigh[i].confirmed_ms;
		out[i].refreshes = ul.neigh[i].refreshes;
	}
	*forgotten = ul.n_forgotten;
	return n;
}

const char *pipeline_underlay_exception(void)
{
	return ul.exception[0] ? ul.exception : NULL;
}
