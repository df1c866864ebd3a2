/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The underlay as the control thread keeps it: which port carries our
 * encap IP, and the next hops' MACs that workers learned from ARP on it
 * (see docs/geneve.md). A change rebuilds the snapshot.
 */
#include <arpa/inet.h>
#include <string.h>

#include <rte_ethdev.h>

#include "control/pipeline/pipeline_int.h"
#include "dataplane/geneve/geneve.h"

#define UL_NEIGH_MAX 1024

static struct {
	bool have_port;
	uint16_t port;
	uint64_t tx_offloads;
	bool ip6, have_ip;
	uint8_t ip[16];
	unsigned n;
	struct {
		uint8_t ip[16];
		uint8_t mac[6];
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

void pipeline_underlay_port(bool present, uint16_t port, uint64_t tx_offloads)
{
	ul.have_port = present;
	ul.port = port;
	ul.tx_offloads = tx_offloads;
}

struct pl_underlay pipeline_underlay(void)
{
	struct pl_underlay u = {
	        .present = ul.have_port && ul.have_ip, .dpdk = ul.port, .ip6 = ul.ip6};
	struct rte_ether_addr a;
	memcpy(u.ip, ul.ip, sizeof(u.ip));
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
	if (i < ul.n && memcmp(ul.neigh[i].mac, mac, 6) == 0)
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

unsigned pipeline_underlay_neighbours(uint8_t (*ip)[16], uint8_t (*mac)[6], unsigned max)
{
	unsigned n = ul.n < max ? ul.n : max;
	for (unsigned i = 0; i < n; i++) {
		memcpy(ip[i], ul.neigh[i].ip, 16);
		memcpy(mac[i], ul.neigh[i].mac, 6);
	}
	return n;
}
