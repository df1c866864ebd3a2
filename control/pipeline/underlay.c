/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The underlay as the control thread keeps it: which port carries our
 * encap IP, and the next hops' MACs: static ones from the port's
 * neighbours key, and those workers learned from ARP on it (see
 * docs/geneve.md). A static entry is never replaced by what ARP says, so
 * an operator's choice holds. A change rebuilds the snapshot.
 */
#include <arpa/inet.h>
#include <string.h>

#include <rte_ethdev.h>

#include "control/conf/conf.h"
#include "control/pipeline/pipeline_int.h"
#include "dataplane/geneve/geneve.h"

#define UL_NEIGH_MAX 1024

static struct {
	bool have_port;
	uint16_t port;
	uint64_t tx_offloads;
	bool ip6, have_ip;
	uint8_t ip[16];
	unsigned prefix_len; /* as configured; 0: every peer on-link */
	bool have_gw;
	uint8_t gw[16];
	unsigned n;
	struct {
		uint8_t ip[16];
		uint8_t mac[6];
		bool is_static;
	} neigh[UL_NEIGH_MAX];
} ul;

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
	/* Addresses as the table holds them: IPv4 in the first 4 bytes. */
	uint8_t ip[CONF_NEIGH_MAX][16] = {{0}};
	for (int k = 0; k < n; k++)
		memcpy(ip[k], e[k].ip, 4);
	for (unsigned i = 0; i < ul.n; i++) {
		bool keep = !ul.neigh[i].is_static;
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
		memcpy(ul.neigh[k].ip, ip[k], 16);
		memcpy(ul.neigh[k].mac, e[k].mac, 6);
		ul.neigh[k].is_static = true;
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

void pipeline_underlay_route(unsigned prefix_len, const char *gateway)
{
	ul.prefix_len = prefix_len;
	ul.have_gw = false;
	memset(ul.gw, 0, sizeof(ul.gw));
	if (gateway == NULL)
		return;
	/* conf_validate() checked the pair against the encap IP; a port added
	 * at run time was checked alone. */
	if (inet_pton(ul.ip6 ? AF_INET6 : AF_INET, gateway, ul.gw) == 1)
		ul.have_gw = true;
	else
		PL_LOG(ERR, "underlay: gateway %s is not of the encap IP's family: ignored",
		       gateway);
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

bool pipeline_underlay_neigh(const uint8_t ip[16], bool ip6, uint8_t mac[6])
{
	unsigned len = ip6 ? 16 : 4;
	for (unsigned i = 0; i < ul.n; i++)
		if (memcmp(ul.neigh[i].ip, ip, len) == 0) {
			memcpy(mac, ul.neigh[i].mac, 6);
			return true;
		}
	return false;
}

void pipeline_underlay_learn(const uint8_t ip[16], const uint8_t mac[6])
{
	unsigned i;
	for (i = 0; i < ul.n; i++)
		if (memcmp(ul.neigh[i].ip, ip, 16) == 0)
			break;
	if (i < ul.n && (ul.neigh[i].is_static || memcmp(ul.neigh[i].mac, mac, 6) == 0))
		return;
	if (i == ul.n) {
		if (ul.n == UL_NEIGH_MAX)
			return;
		ul.n++;
	}
	memcpy(ul.neigh[i].ip, ip, 16);
	memcpy(ul.neigh[i].mac, mac, 6);
	PL_LOG(INFO, "underlay: next hop %u.%u.%u.%u is %02x:%02x:%02x:%02x:%02x:%02x", ip[0],
	       ip[1], ip[2], ip[3], mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	pipeline_kick();
}

unsigned pipeline_underlay_neighbours(uint8_t (*ip)[16], uint8_t (*mac)[6], bool *is_static,
                                      unsigned max)
{
	unsigned n = ul.n < max ? ul.n : max;
	for (unsigned i = 0; i < n; i++) {
		memcpy(ip[i], ul.neigh[i].ip, 16);
		memcpy(mac[i], ul.neigh[i].mac, 6);
		is_static[i] = ul.neigh[i].is_static;
	}
	return n;
}
