/* SPDX-License-Identifier: Apache-2.0 */
#include "dataplane/pipeline/emit.h"

#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#define ICMP4_QUOTE_MAX 548  /* an ICMPv4 error stays within 576 bytes */
#define ICMP6_QUOTE_MAX 1232 /* an ICMPv6 error stays within 1280 bytes */

static uint16_t ip4_l4_cksum(const struct rte_ipv4_hdr *ip, const void *l4, uint16_t l4_len,
                             bool pseudo)
{
	uint32_t sum = rte_raw_cksum(l4, l4_len);
	if (pseudo) {
		sum += rte_raw_cksum(&ip->src_addr, 8);
		sum += rte_cpu_to_be_16(ip->next_proto_id) + rte_cpu_to_be_16(l4_len);
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	uint16_t c = (uint16_t)~sum;
	return c;
}

static uint16_t ip6_l4_cksum(const struct rte_ipv6_hdr *ip, const void *l4, uint32_t l4_len,
                             uint8_t proto)
{
	uint32_t sum = rte_raw_cksum(l4, l4_len);
	sum += rte_raw_cksum(ip->src_addr, 32);
	sum += rte_cpu_to_be_16((uint16_t)(l4_len >> 16)) + rte_cpu_to_be_16((uint16_t)l4_len);
	sum += rte_cpu_to_be_16(proto);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Rewrite L4 ports and fix the L4 checksum when the packet carries one. */
static void rewrite_l4(uint8_t *l4, uint32_t l4_len, const struct flow_key *o,
                       const struct flow_key *k, void *ip, bool ip6, bool l3_changed)
{
	bool ports = o->tp_src != k->tp_src || o->tp_dst != k->tp_dst;
	uint16_t *csum = NULL;
	bool pseudo = true;

	if (o->nw_frag & FLOW_FRAG_LATER)
		return;
	switch (k->nw_proto) {
	case IPPROTO_TCP:
		if (l4_len < 20)
			return;
		memcpy(l4, &k->tp_src, 2);
		memcpy(l4 + 2, &k->tp_dst, 2);
		csum = (uint16_t *)(l4 + 16);
		break;
	case IPPROTO_UDP:
		if (l4_len < 8)
			return;
		memcpy(l4, &k->tp_src, 2);
		memcpy(l4 + 2, &k->tp_dst, 2);
		csum = (uint16_t *)(l4 + 6);
		if (!ip6 && *csum == 0)
			return; /* no checksum in use */
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (l4_len < 4)
			return;
		l4[0] = (uint8_t)rte_be_to_cpu_16(k->tp_src);
		l4[1] = (uint8_t)rte_be_to_cpu_16(k->tp_dst);
		csum = (uint16_t *)(l4 + 2);
		pseudo = ip6;
		/* Only what the pipeline changed: rewriting an unchanged ND
		 * would recompute the checksum of a packet it never touched. */
		if (ip6 && (k->flags & FLOW_F_ND) && l4_len >= 24 &&
		    (memcmp(o->nd_target, k->nd_target, 16) != 0 ||
		     memcmp(o->arp_sha, k->arp_sha, 6) != 0 ||
		     memcmp(o->arp_tha, k->arp_tha, 6) != 0)) {
			memcpy(l4 + 8, k->nd_target, 16);
			/* Link-layer address options. */
			for (uint32_t o2 = 24; o2 + 8 <= l4_len && l4[o2 + 1];
			     o2 += 8u * l4[o2 + 1]) {
				if (l4[o2] == 1 && l4[0] == 135)
					memcpy(l4 + o2 + 2, k->arp_sha, 6);
				else if (l4[o2] == 2 && l4[0] == 136)
					memcpy(l4 + o2 + 2, k->arp_tha, 6);
			}
			ports = true;
		}
		break;
	default:
		return;
	}
	if (!ports && !l3_changed && memcmp(o->nd_target, k->nd_target, 16) == 0)
		return;
	if (!pseudo && !ports)
		return; /* ICMPv4: no pseudo-header, addresses do not matter */
	*csum = 0;
	uint16_t c = ip6 ? ip6_l4_cksum(ip, l4, l4_len, k->nw_proto)
	                 : ip4_l4_cksum(ip, l4, (uint16_t)l4_len, pseudo);
	if (c == 0 && k->nw_proto == IPPROTO_UDP)
		c = 0xffff;
	*csum = c;
}

int pl_rewrite(struct rte_mbuf *m, const struct flow_key *o, const struct flow_offsets *ofs,
               const struct flow_key *k)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);

	memcpy(p + ofs->l2, k->eth_dst, 6);
	memcpy(p + ofs->l2 + 6, k->eth_src, 6);
	if (ofs->l3 == 0)
		return 0;
	uint8_t *l3 = p + ofs->l3;
	if (k->flags & FLOW_F_ARP) {
		if (ofs->l3 + sizeof(struct rte_arp_hdr) > len)
			return -EINVAL;
		struct rte_arp_hdr *a = (struct rte_arp_hdr *)l3;
		/* Only an opcode the pipeline set: the key holds no opcode
		 * above 0xff (parse.c), so writing it back would clear one. */
		if (k->nw_proto != o->nw_proto)
			a->arp_opcode = rte_cpu_to_be_16(k->nw_proto);
		memcpy(&a->arp_data.arp_sha, k->arp_sha, 6);
		memcpy(&a->arp_data.arp_sip, k->ip_src, 4);
		memcpy(&a->arp_data.arp_tha, k->arp_tha, 6);
		memcpy(&a->arp_data.arp_tip, k->ip_dst, 4);
		return 0;
	}
	if (k->flags & FLOW_F_IP4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;
		bool addrs = memcmp(o->ip_src, k->ip_src, 4) || memcmp(o->ip_dst, k->ip_dst, 4);
		if (!addrs && o->nw_tos == k->nw_tos && o->nw_ttl != k->nw_ttl) {
			/* A router's hop: only the TTL changed, so the checksum is
			 * updated incrementally (RFC 1624: HC' = ~(~HC + ~m + m')). */
			pl_csum_replace((uint8_t *)&ip->hdr_checksum,
			                (uint16_t)(o->nw_ttl << 8 | ip->next_proto_id),
			                (uint16_t)(k->nw_ttl << 8 | ip->next_proto_id));
			ip->time_to_live = k->nw_ttl;
		} else if (addrs || o->nw_ttl != k->nw_ttl || o->nw_tos != k->nw_tos) {
			memcpy(&ip->src_addr, k->ip_src, 4);
			memcpy(&ip->dst_addr, k->ip_dst, 4);
			ip->time_to_live = k->nw_ttl;
			ip->type_of_service = k->nw_tos;
			ip->hdr_checksum = 0;
			ip->hdr_checksum = rte_ipv4_cksum(ip);
		}
		if (ofs->l4 && (k->flags & FLOW_F_L4)) {
			uint32_t end = ofs->l3 + rte_be_to_cpu_16(ip->total_length);
			if (end > len || end < ofs->l4)
				return -EINVAL;
			rewrite_l4(p + ofs->l4, end - ofs->l4, o, k, ip, false, addrs);
		}
		return 0;
	}
	if (k->flags & FLOW_F_IP6) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)l3;
		bool addrs = memcmp(o->ip_src, k->ip_src, 16) || memcmp(o->ip_dst, k->ip_dst, 16);
		memcpy(ip->src_addr, k->ip_src, 16);
		memcpy(ip->dst_addr, k->ip_dst, 16);
		ip->hop_limits = k->nw_ttl;
		if (ofs->l4 && (k->flags & FLOW_F_L4)) {
			uint32_t end = ofs->l3 + 40 + rte_be_to_cpu_16(ip->payload_len);
			if (end > len || end < ofs->l4)
				return -EINVAL;
			rewrite_l4(p + ofs->l4, end - ofs->l4, o, k, ip, true, addrs);
		}
	}
	return 0;
}

int pl_rewrite_natx(struct rte_mbuf *m, const struct flow_offsets *ofs, const struct pl_natx *x)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), end;
	if (ofs->l3 == 0 || ofs->l4 <= ofs->l3 || (uint32_t)ofs->l3 + 40 > len)
		return -EINVAL;
	const uint8_t *l3 = p + ofs->l3;
	bool v6 = (l3[0] >> 4) == 6;
	if (v6)
		end = ofs->l3 + 40u + ((uint32_t)l3[4] << 8 | l3[5]);
	else
		end = ofs->l3 + ((uint32_t)l3[2] << 8 | l3[3]);
	if (end > len || end < ofs->l4)
		return -EINVAL;
	uint8_t *l4 = p + ofs->l4;
	uint32_t n = end - ofs->l4;
	int rc = 0;
	if (x->what & PL_NATX_ECHO_ID)
		rc = ct_nat_echo_id(l4, n, x->t.sport);
	if (rc == 0 && (x->what & PL_NATX_QUOTE))
		rc = ct_nat_icmp_quote(l4, n, v6 ? l3 + 8 : NULL, &x->t);
	return rc;
}

static uint8_t *put_eth(uint8_t *p, const struct flow_key *k, uint16_t type)
{
	memcpy(p, k->eth_dst, 6);
	memcpy(p + 6, k->eth_src, 6);
	uint16_t t = rte_cpu_to_be_16(type);
	memcpy(p + 12, &t, 2);
	return p + 14;
}

static struct rte_ipv4_hdr *put_ip4(uint8_t *p, const struct flow_key *k, uint16_t l4_len,
                                    uint16_t frag)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->type_of_service = k->nw_tos;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + l4_len));
	ip->fragment_offset = rte_cpu_to_be_16(frag);
	ip->time_to_live = k->nw_ttl;
	ip->next_proto_id = k->nw_proto;
	memcpy(&ip->src_addr, k->ip_src, 4);
	memcpy(&ip->dst_addr, k->ip_dst, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return ip;
}

static struct rte_ipv6_hdr *put_ip6(uint8_t *p, const struct flow_key *k, uint16_t l4_len)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)p;
	memset(ip, 0, sizeof(*ip));
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(l4_len);
	ip->proto = k->nw_proto;
	ip->hop_limits = k->nw_ttl;
	memcpy(ip->src_addr, k->ip_src, 16);
	memcpy(ip->dst_addr, k->ip_dst, 16);
	return ip;
}

/* The original IP datagram, without the Ethernet padding after it. */
static uint32_t orig_l3(const struct rte_mbuf *m, const struct flow_offsets *ofs,
                        const uint8_t **at)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	if (ofs->l3 == 0 || (uint32_t)ofs->l3 + 20 > len)
		return 0;
	const uint8_t *q = rte_pktmbuf_mtod(m, const uint8_t *) + ofs->l3;
	uint32_t n = len - ofs->l3, ip;
	if ((q[0] >> 4) == 4)
		ip = ((uint32_t)q[2] << 8) | q[3];
	else if ((q[0] >> 4) == 6 && n >= 40)
		ip = 40 + (((uint32_t)q[4] << 8) | q[5]);
	else
		ip = n;
	*at = q;
	return ip < n ? ip : n;
}

/* The original's L4 header (at least @p min bytes of it) and its length
 * to the datagram's end; NULL when the packet is shorter. */
static const uint8_t *orig_l4(const struct rte_mbuf *m, const struct flow_offsets *ofs,
                              uint32_t min, uint32_t *len)
{
	const uint8_t *q;
	uint32_t ol3 = orig_l3(m, ofs, &q);
	*len = 0;
	if (!ofs->l4 || ofs->l4 <= ofs->l3 || ol3 < (uint32_t)(ofs->l4 - ofs->l3) + min)
		return NULL;
	*len = ol3 - (uint32_t)(ofs->l4 - ofs->l3);
	return q + (ofs->l4 - ofs->l3);
}

/* The original's don't-fragment bit: an ICMPv4 packet keeps the IPv4
 * fields the actions do not set (ovn-sb(5), icmp4). */
static uint16_t orig_df(const struct rte_mbuf *m, const struct flow_offsets *ofs)
{
	const uint8_t *q;
	if (orig_l3(m, ofs, &q) < 20 || (q[0] >> 4) != 4)
		return 0;
	return (uint16_t)(((q[6] << 8) | q[7]) & 0x4000);
}

struct rte_mbuf *pl_generate(const struct pl_out *o, const struct rte_mbuf *orig,
                             const struct flow_offsets *ofs)
{
	const struct flow_key *k = &o->h.k;
	struct rte_mbuf *m = rte_pktmbuf_alloc(orig->pool);
	if (m == NULL)
		return NULL;
	uint8_t *base = (uint8_t *)rte_pktmbuf_append(m, 14);
	uint8_t *p;
	if (base == NULL)
		goto fail;
	uint16_t len;
	const uint8_t *q = NULL;
	uint32_t qlen;

	switch (o->kind) {
	case PL_KIND_ARP: {
		p = put_eth(base, k, RTE_ETHER_TYPE_ARP);
		struct rte_arp_hdr *a = (struct rte_arp_hdr *)rte_pktmbuf_append(m, sizeof(*a));
		if (a == NULL)
			break;
		a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
		a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		a->arp_hlen = 6;
		a->arp_plen = 4;
		a->arp_opcode = rte_cpu_to_be_16(k->nw_proto);
		memcpy(&a->arp_data.arp_sha, k->arp_sha, 6);
		memcpy(&a->arp_data.arp_sip, k->ip_src, 4);
		memcpy(&a->arp_data.arp_tha, k->arp_tha, 6);
		memcpy(&a->arp_data.arp_tip, k->ip_dst, 4);
		(void)p;
		return m;
	}
	case PL_KIND_ND_NS:
	case PL_KIND_ND_NA:
	case PL_KIND_ND_NA_ROUTER: {
		bool ns = o->kind == PL_KIND_ND_NS;
		static const uint8_t zero[6];
		const uint8_t *ll = ns ? k->arp_sha : k->arp_tha;
		len = (uint16_t)(24 + (memcmp(ll, zero, 6) ? 8 : 0));
		p = put_eth(base, k, RTE_ETHER_TYPE_IPV6);
		p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(40 + len));
		if (p == NULL)
			break;
		struct rte_ipv6_hdr *ip = put_ip6(p, k, len);
		uint8_t *icmp = p + 40;
		memset(icmp, 0, len);
		icmp[0] = ns ? 135 : 136;
		if (!ns)
			icmp[4] = (uint8_t)(0x60 | (o->kind == PL_KIND_ND_NA_ROUTER ? 0x80 : 0));
		memcpy(icmp + 8, k->nd_target, 16);
		if (len > 24) {
			icmp[24] = ns ? 1 : 2;
			icmp[25] = 1;
			memcpy(icmp + 26, ll, 6);
		}
		uint16_t c = ip6_l4_cksum(ip, icmp, len, IPPROTO_ICMPV6);
		memcpy(icmp + 2, &c, 2);
		return m;
	}
	case PL_KIND_ICMP4:
	case PL_KIND_ICMP4_ERROR:
	case PL_KIND_ICMP6:
	case PL_KIND_ICMP6_ERROR: {
		bool v6 = o->kind == PL_KIND_ICMP6 || o->kind == PL_KIND_ICMP6_ERROR;
		uint16_t l3 = v6 ? 40 : 20;
		qlen = orig_l3(orig, ofs, &q);
		qlen = RTE_MIN(qlen, (uint32_t)(v6 ? ICMP6_QUOTE_MAX : ICMP4_QUOTE_MAX));
		len = (uint16_t)(8 + qlen);
		p = put_eth(base, k, v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
		p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(l3 + len));
		if (p == NULL)
			break;
		void *ip = v6 ? (void *)put_ip6(p, k, len)
		              : (void *)put_ip4(p, k, len, orig_df(orig, ofs));
		uint8_t *icmp = p + l3;
		memset(icmp, 0, 8);
		icmp[0] = (uint8_t)rte_be_to_cpu_16(k->tp_src);
		icmp[1] = (uint8_t)rte_be_to_cpu_16(k->tp_dst);
		/* The MTU of "fragmentation needed" (v4 3/4) or "packet too big" (v6 2). */
		if (!v6 && icmp[0] == 3 && icmp[1] == 4) {
			uint16_t mtu = rte_cpu_to_be_16((uint16_t)o->h.frag_mtu);
			memcpy(icmp + 6, &mtu, 2);
		} else if (v6 && icmp[0] == 2) {
			uint32_t mtu = rte_cpu_to_be_32(o->h.frag_mtu);
			memcpy(icmp + 4, &mtu, 4);
		}
		if (qlen)
			memcpy(icmp + 8, q, qlen);
		uint16_t c = v6 ? ip6_l4_cksum(ip, icmp, len, IPPROTO_ICMPV6)
		                : ip4_l4_cksum(ip, icmp, len, false);
		memcpy(icmp + 2, &c, 2);
		return m;
	}
	case PL_KIND_TCP_RST: {
		uint32_t seq, ack, seg;
		const uint8_t *t = orig_l4(orig, ofs, 20, &seg);
		bool v6 = (k->flags & FLOW_F_IP6) != 0;
		uint16_t l3 = v6 ? 40 : 20;
		uint8_t flags;
		pl_rst_for(t, seg, &seq, &ack, &flags);
		p = put_eth(base, k, v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
		p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(l3 + 20));
		if (p == NULL)
			break;
		struct flow_key hk = *k;
		hk.nw_proto = IPPROTO_TCP;
		void *ip = v6 ? (void *)put_ip6(p, &hk, 20) : (void *)put_ip4(p, &hk, 20, 0);
		uint8_t *tcp = p + l3;
		memset(tcp, 0, 20);
		memcpy(tcp, &k->tp_src, 2);
		memcpy(tcp + 2, &k->tp_dst, 2);
		memcpy(tcp + 4, &seq, 4);
		memcpy(tcp + 8, &ack, 4);
		tcp[12] = 5 << 4;
		tcp[13] = flags;
		uint16_t c = v6 ? ip6_l4_cksum(ip, tcp, 20, IPPROTO_TCP)
		                : ip4_l4_cksum(ip, tcp, 20, true);
		memcpy(tcp + 16, &c, 2);
		return m;
	}
	case PL_KIND_SCTP_ABORT: {
		/* A common header and one ABORT chunk, CRC32c as RFC 9260
		 * appendix A computes it (stored least significant byte first). */
		uint32_t vtag, seg;
		const uint8_t *s = orig_l4(orig, ofs, 12, &seg);
		bool v6 = (k->flags & FLOW_F_IP6) != 0;
		uint16_t l3 = v6 ? 40 : 20;
		uint8_t flags;
		pl_abort_for(s, seg, &vtag, &flags);
		p = put_eth(base, k, v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
		p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(l3 + 16));
		if (p == NULL)
			break;
		struct flow_key hk = *k;
		hk.nw_proto = IPPROTO_SCTP;
		if (v6)
			put_ip6(p, &hk, 16);
		else
			put_ip4(p, &hk, 16, 0);
		/* Built aligned: rte_hash_crc() reads 8 bytes at a time. */
		uint64_t words[2] = {0, 0};
		uint8_t *sc = (uint8_t *)words;
		memcpy(sc, &k->tp_src, 2);
		memcpy(sc + 2, &k->tp_dst, 2);
		memcpy(sc + 4, &vtag, 4);
		sc[12] = 6;
		sc[13] = flags;
		sc[15] = 4;
		uint32_t crc = ~rte_hash_crc(sc, 16, 0xffffffffu);
		uint8_t le[4] = {(uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16),
		                 (uint8_t)(crc >> 24)};
		memcpy(sc + 8, le, 4);
		memcpy(p + l3, sc, 16);
		return m;
	}
	default:
		break;
	}
fail:
	rte_pktmbuf_free(m);
	return NULL;
}
