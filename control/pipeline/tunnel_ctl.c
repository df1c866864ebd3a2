/* SPDX-License-Identifier: Apache-2.0 */
/* ferryctl tunnel list | underlay: the other chassis we tunnel to, and the
 * underlay that carries the tunnels (docs/geneve.md). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <rte_ethdev.h>

#include "control/ctl/ctl.h"
#include "control/pipeline/pipeline_int.h"
#include "control/port/port.h"
#include "dataplane/geneve/geneve.h"
#include "dataplane/pipeline/underlay.h"

static void ip_text(const uint8_t *ip, bool ip6, char *buf, size_t n)
{
	inet_ntop(ip6 ? AF_INET6 : AF_INET, ip, buf, (socklen_t)n);
}

void pipeline_mac_text(const uint8_t m[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static int tunnel_list_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	if (pl_state.cur == NULL)
		return ctl_error(req, -ENOTCONN, "no pipeline snapshot yet (mode ovn)");
	const struct pl_snapshot *s = &pl_state.cur->s;
	json_t *out = json_array();
	ctl_printf(req, "%-20s %-16s %-5s %-18s %12s %12s %12s %12s %8s\n", "CHASSIS", "ENCAP-IP",
	           "CSUM", "NEXT-HOP", "TX-PKTS", "TX-BYTES", "RX-PKTS", "RX-BYTES", "DROPS");
	for (uint16_t i = 0; i < s->n_peers; i++) {
		const struct pl_peer *p = &s->peers[i];
		struct pl_peer_stats t;
		char ip[INET6_ADDRSTRLEN], mac[18] = "unresolved";
		pipeline_peer_totals(i, &t);
		uint64_t drops = 0;
		json_t *why = json_object();
		for (unsigned d = 0; d < PL_PD_N; d++) {
			drops += t.drops[d];
			if (t.drops[d])
				json_object_set_new(why, drop_reason_name(pl_peer_drop_reason(d)),
				                    json_integer((json_int_t)t.drops[d]));
		}
		ip_text(p->ip, p->ip6, ip, sizeof(ip));
		if (p->resolved)
			pipeline_mac_text(p->mac, mac);
		ctl_printf(req, "%-20s %-16s %-5s %-18s %12llu %12llu %12llu %12llu %8llu\n",
		           p->chassis, ip, p->csum ? "yes" : "no", mac,
		           (unsigned long long)t.tx_packets, (unsigned long long)t.tx_bytes,
		           (unsigned long long)t.rx_packets, (unsigned long long)t.rx_bytes,
		           (unsigned long long)drops);
		for (unsigned d = 0; d < PL_PD_N; d++)
			if (t.drops[d])
				ctl_printf(req, "%-20s   %s: %llu\n", "",
				           drop_reason_name(pl_peer_drop_reason(d)),
				           (unsigned long long)t.drops[d]);
		json_t *j =
		        json_pack("{s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I}", "chassis",
		                  p->chassis, "type", "geneve", "encap_ip", ip, "csum", p->csum,
		                  "tx_packets", (json_int_t)t.tx_packets, "tx_bytes",
		                  (json_int_t)t.tx_bytes, "rx_packets", (json_int_t)t.rx_packets,
		                  "rx_bytes", (json_int_t)t.rx_bytes, "drops", (json_int_t)drops);
		json_object_set_new(j, "drops_by_reason", why);
		json_object_set_new(j, "next_hop_mac",
		                    p->resolved ? json_string(mac) : json_null());
		json_array_append_new(out, j);
	}
	if (s->n_peers == 0)
		ctl_printf(req, "no other chassis with a geneve encap\n");
	req->result = out;
	return 0;
}

/* Single-NIC mode: the host exception interface's counters, or null. */
static json_t *exception_json(struct ctl_req *req)
{
	const char *name = pipeline_underlay_exception();
	struct dp_port_stats h;
	if (name == NULL) {
		ctl_printf(req, "dedicated underlay: no host exception interface\n");
		return json_null();
	}
	if (!port_counters(name, &h)) {
		ctl_printf(req, "single-NIC mode: host interface %s is missing\n", name);
		return json_pack("{s:s, s:b}", "iface", name, "present", 0);
	}
	uint64_t to_drops = h.drops[DROP_TX_FULL];
	uint64_t from_drops = h.drops[DROP_UL_HOST_TX_FULL] + h.drops[DROP_NO_PEER];
	ctl_printf(
	        req,
	        "single-NIC mode: host interface %s\n"
	        "  to host   %llu packets %llu bytes, %llu dropped (host interface down or full)\n"
	        "  from host %llu packets %llu bytes, %llu dropped (underlay queue full)\n",
	        name, (unsigned long long)h.tx_packets, (unsigned long long)h.tx_bytes,
	        (unsigned long long)to_drops, (unsigned long long)h.rx_packets,
	        (unsigned long long)h.rx_bytes, (unsigned long long)from_drops);
	return json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I}", "iface", name, "present", 1,
	                 "to_host_packets", (json_int_t)h.tx_packets, "to_host_bytes",
	                 (json_int_t)h.tx_bytes, "to_host_drops", (json_int_t)to_drops,
	                 "from_host_packets", (json_int_t)h.rx_packets, "from_host_bytes",
	                 (json_int_t)h.rx_bytes, "from_host_drops", (json_int_t)from_drops);
}

static int underlay_cmd(struct ctl_req *req, void *arg)
{
	(void)arg;
	if (pl_state.cur == NULL)
		return ctl_error(req, -ENOTCONN, "no pipeline snapshot yet (mode ovn)");
	const struct pl_underlay *u = &pl_state.cur->s.underlay;
	char ip[INET6_ADDRSTRLEN] = "", mac[18] = "";
	if (!u->present) {
		ctl_printf(req,
		           "no underlay: a port with role=underlay and chassis.ovn-encap-ip are "
		           "both needed\n");
		req->result = json_pack("{s:b}", "present", 0);
		return 0;
	}
	ip_text(u->ip, u->ip6, ip, sizeof(ip));
	pipeline_mac_text(u->mac, mac);
	/* What the workers use: the MTU when the snapshot was built, less the
	 * outer Ethernet, IP, UDP, Geneve and option (GENEVE_ENCAP_LEN4/6). */
	unsigned mtu = u->mtu, overlay = u->overlay_mtu;
	ctl_printf(req, "encap IP %s on DPDK port %u (%s), MTU %u, overlay MTU %u\n", ip, u->dpdk,
	           mac, mtu, overlay);
	ctl_printf(req, "outer checksums: %s\n",
	           u->tx_csum ? "offloaded to the port" : "computed by the workers");
	char gw[INET6_ADDRSTRLEN] = "";
	if (u->have_gw)
		ip_text(u->gw, u->ip6, gw, sizeof(gw));
	if (u->prefix_len)
		ctl_printf(req, "subnet %s/%u, gateway %s\n", ip, u->prefix_len,
		           u->have_gw ? gw : "none (every peer on-link)");
	else
		ctl_printf(req, "no prefix-length: every peer on-link\n");
	static struct ul_neigh_info nh[256];
	uint64_t forgotten;
	unsigned n = pipeline_underlay_neighbours(nh, 256, &forgotten);
	struct pl_ul_stats us;
	pl_underlay_stats(port_n_workers(), &us);
	json_t *nb = json_array();
	ctl_printf(req, "next hops: %u (%llu forgotten unanswered)\n", n,
	           (unsigned long long)forgotten);
	ctl_printf(req, "  %-40s %-18s %-10s %10s %10s\n", "IP", "MAC", "STATE", "AGE-S",
	           "REFRESHES");
	for (unsigned i = 0; i < n; i++) {
		char a[INET6_ADDRSTRLEN], m[18];
		ip_text(nh[i].ip, u->ip6, a, sizeof(a));
		pipeline_mac_text(nh[i].mac, m);
		ctl_printf(req, "  %-40s %-18s %-10s %10.1f %10llu\n", a, m, nh[i].state,
		           nh[i].age_ms / 1000.0, (unsigned long long)nh[i].refreshes);
		bool is_static = strcmp(nh[i].state, "static") == 0;
		json_array_append_new(nb, json_pack("{s:s, s:s, s:s, s:b, s:f, s:I}", "ip", a,
		                                    "mac", m, "state", nh[i].state, "static",
		                                    is_static, "age_s", nh[i].age_ms / 1000.0,
		                                    "refreshes", (json_int_t)nh[i].refreshes));
	}
	ctl_printf(req,
	           "sends to unresolved next hops %llu, requests %llu, probes %llu, "
	           "requests answered %llu, echoes answered %llu\n",
	           (unsigned long long)us.unresolved, (unsigned long long)us.requests,
	           (unsigned long long)us.probes, (unsigned long long)us.answered,
	           (unsigned long long)us.echoes);
	req->result = json_pack("{s:b, s:s, s:s, s:i, s:i, s:i, s:o}", "present", 1, "encap_ip", ip,
	                        "mac", mac, "dpdk_port", u->dpdk, "mtu", mtu, "overlay_mtu",
	                        overlay, "next_hops", nb);
	json_object_set_new(req->result, "tx_csum_offload", json_boolean(u->tx_csum));
	json_object_set_new(req->result, "prefix_length",
	                    u->prefix_len ? json_integer(u->prefix_len) : json_null());
	json_object_set_new(req->result, "gateway", u->have_gw ? json_string(gw) : json_null());
	json_object_set_new(req->result, "forgotten", json_integer((json_int_t)forgotten));
	json_object_set_new(req->result, "exception", exception_json(req));
	json_object_set_new(
	        req->result, "counters",
	        json_pack("{s:I, s:I, s:I, s:I, s:I}", "unresolved", (json_int_t)us.unresolved,
	                  "requests", (json_int_t)us.requests, "probes", (json_int_t)us.probes,
	                  "answered", (json_int_t)us.answered, "echoes", (json_int_t)us.echoes));
	return 0;
}

static const struct ctl_cmd cmds[] = {
        {"tunnel list", "", "other chassis we tunnel to: encap IP, next hop, packets each way", 0,
         0, tunnel_list_cmd, NULL},
        {"underlay", "", "the underlay: encap IP, port, MTU and overlay MTU, next hops", 0, 0,
         underlay_cmd, NULL},
};

void tunnel_ctl_register(void)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		ctl_register(&cmds[i]);
}
