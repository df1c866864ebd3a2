/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Geneve encapsulation as OVN uses it (ovn-architecture(7), "Tunnel
 * Encapsulations"; RFC 8926): outer Ethernet, IPv4 or IPv6, UDP to port
 * 6081, an 8-byte Geneve header whose VNI is the logical datapath's tunnel
 * key, and one option, class 0x0102 type 0x80, carrying the logical
 * ingress port key (15 bits, after a reserved bit) and the logical egress
 * port key (16 bits). The UDP source port comes from a hash of the inner
 * flow, in the ephemeral range, so that the underlay spreads flows.
 *
 * This file builds those headers into a buffer; it touches no mbuf and no
 * DPDK state, so unit tests and fuzzers run it as it is, and the parser
 * (dataplane/parse/, PARSE_F_TUNNEL) reads back what it writes.
 */
#ifndef FERRY_DP_GENEVE_H
#define FERRY_DP_GENEVE_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/api/flow_key.h"

#define GENEVE_OPT_OVN_LEN 8 /* option header + 4 bytes of data */
#define GENEVE_HDR_LEN     8
/* Outer headers: Ethernet + IPv4 (20) or IPv6 (40) + UDP (8) + Geneve with the OVN option. */
#define GENEVE_ENCAP_LEN4 (14 + 20 + 8 + GENEVE_HDR_LEN + GENEVE_OPT_OVN_LEN)
#define GENEVE_ENCAP_LEN6 (14 + 40 + 8 + GENEVE_HDR_LEN + GENEVE_OPT_OVN_LEN)
#define GENEVE_ENCAP_MAX  GENEVE_ENCAP_LEN6

/* What stays the same for every packet to one peer over one underlay. */
struct geneve_path {
	uint8_t eth_dst[6]; /* the next hop's MAC */
	uint8_t eth_src[6]; /* the underlay port's */
	bool ip6;
	uint8_t src[16], dst[16]; /* encap IPs (IPv4 in the first 4 bytes) */
	uint8_t ttl;              /* 64 unless configured */
	bool csum;                /* compute the outer UDP checksum (peer's options:csum) */
	bool offload;             /* the port finishes the checksums (see geneve_encap) */
};

/* What changes per packet. */
struct geneve_meta {
	uint32_t vni;      /* datapath tunnel key, 24 bits */
	uint16_t in_port;  /* logical ingress port key, 15 bits */
	uint16_t out_port; /* logical egress port key */
	uint16_t udp_src;
};

/** The UDP source port for an inner flow: a hash of its addresses, protocol
 *  and ports, in 49152..65535. */
uint16_t geneve_udp_src(const struct flow_key *inner);

/**
 * Write the outer headers for an inner frame of @p inner_len bytes into
 * @p out (room for GENEVE_ENCAP_MAX). The outer IPv4 header gets DF and
 * its checksum; the UDP checksum is computed over @p inner when @p p->csum
 * asks (IPv6 always has one), else left zero. With @p p->offload the port
 * computes them (DPDK's convention): the IPv4 checksum is left zero and
 * the UDP checksum field holds the pseudo-header sum, not complemented.
 * @return the number of bytes written.
 */
unsigned geneve_encap(uint8_t *out, const struct geneve_path *p, const struct geneve_meta *m,
                      const uint8_t *inner, uint32_t inner_len);

/*
 * The same headers prepared once per peer (per snapshot): everything that
 * does not change per packet written, and the checksums' constant parts
 * summed, so that a packet costs a copy, a few stores and the inner
 * frame's sum. geneve_tmpl_apply() writes exactly what geneve_encap()
 * writes for the same path and meta.
 */
struct geneve_tmpl {
	uint8_t hdr[GENEVE_ENCAP_MAX];
	uint8_t len; /* GENEVE_ENCAP_LEN4 or GENEVE_ENCAP_LEN6 */
	bool ip6, csum, offload;
	uint32_t ip_sum;  /* IPv4 header without its total length and checksum */
	uint32_t ph_sum;  /* the pseudo-header's addresses and protocol */
	uint32_t hdr_sum; /* UDP's destination port, Geneve's fixed words, the
	                   * option's header */
};

void geneve_tmpl_init(struct geneve_tmpl *t, const struct geneve_path *p);

/** As geneve_encap() for the path @p t was prepared from. */
unsigned geneve_tmpl_apply(uint8_t *out, const struct geneve_tmpl *t, const struct geneve_meta *m,
                           const uint8_t *inner, uint32_t inner_len);

#endif
