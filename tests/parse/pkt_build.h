/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Packet builders for parser tests and fuzz seeds.
 *
 * Each pkt_*() call appends one header to the packet and returns the offset
 * where it starts. Length fields (IPv4 total length, IPv6 payload length, UDP
 * length) are left for pkt_finish(), which sets every one of them to cover
 * everything appended after its header; Geneve option lengths are kept up to
 * date by pkt_geneve_opt(). A test breaks a packet on purpose by writing
 * bytes at the returned offsets after pkt_finish().
 */
#ifndef FERRY_TESTS_PKT_BUILD_H
#define FERRY_TESTS_PKT_BUILD_H

#include <stdint.h>

#define PKT_MAX 2048

/* pkt_refit() masks */
#define PKT_FIX_IP  0x01 /* IPv4 total length, IPv6 payload length */
#define PKT_FIX_UDP 0x02 /* UDP length */

struct pkt_fix {
	uint32_t start; /* header offset */
	uint8_t kind;   /* PKT_FIX_IP or PKT_FIX_UDP */
	uint8_t ip6;
};

struct pkt {
	uint8_t buf[PKT_MAX];
	uint32_t len;
	uint32_t geneve; /* offset of the last Geneve header, for its options */
	unsigned n_fix;
	struct pkt_fix fix[8];
};

extern const uint8_t pkt_mac_a[6], pkt_mac_b[6];
extern const uint8_t pkt_ip6_a[16], pkt_ip6_b[16];
#define PKT_IP4_A 0x0a000001 /* 10.0.0.1 */
#define PKT_IP4_B 0x0a000002 /* 10.0.0.2 */

void pkt_init(struct pkt *b);
uint32_t pkt_put(struct pkt *b, const void *bytes, uint32_t n);
uint32_t pkt_zero(struct pkt *b, uint32_t n);
void pkt_w8(struct pkt *b, uint32_t at, uint8_t v);
void pkt_w16(struct pkt *b, uint32_t at, uint16_t v);
void pkt_w32(struct pkt *b, uint32_t at, uint32_t v);

/* Ethernet from pkt_mac_b to pkt_mac_a; type is what the next header is. */
uint32_t pkt_eth(struct pkt *b, uint16_t type);
uint32_t pkt_vlan(struct pkt *b, uint16_t tci, uint16_t type);
uint32_t pkt_arp(struct pkt *b, uint16_t op, const uint8_t sha[6], uint32_t spa,
                 const uint8_t tha[6], uint32_t tpa);

/* TTL 64, TOS 0, no fragment bits; opt_words 32-bit words of NOP options. */
uint32_t pkt_ip4(struct pkt *b, uint8_t proto, uint32_t src, uint32_t dst, unsigned opt_words);
/* Hop limit 64, traffic class 0, flow label 0. */
uint32_t pkt_ip6(struct pkt *b, uint8_t nh, const uint8_t src[16], const uint8_t dst[16]);
/* Hop-by-hop, routing, destination options or AH, of size bytes (multiple of 8). */
uint32_t pkt_ip6_ext(struct pkt *b, uint8_t type, uint8_t nh, uint32_t size);
uint32_t pkt_ip6_frag(struct pkt *b, uint8_t nh, uint16_t offset, int more);

/* doff in 32-bit words; extra words are NOP options. */
uint32_t pkt_tcp(struct pkt *b, uint16_t sport, uint16_t dport, uint16_t flags, unsigned doff);
uint32_t pkt_udp(struct pkt *b, uint16_t sport, uint16_t dport);
uint32_t pkt_sctp(struct pkt *b, uint16_t sport, uint16_t dport);
/* 8 bytes: type, code, checksum, 4 bytes of zeros (echo id/sequence). */
uint32_t pkt_icmp4(struct pkt *b, uint8_t type, uint8_t code);
uint32_t pkt_icmp6(struct pkt *b, uint8_t type, uint8_t code);
/* NS or NA fixed part (24 bytes). */
uint32_t pkt_nd(struct pkt *b, uint8_t type, const uint8_t target[16]);
/* A link-layer address option of len8 * 8 bytes (the MAC, then zeros). */
uint32_t pkt_nd_opt(struct pkt *b, uint8_t type, uint8_t len8, const uint8_t mac[6]);

/* Geneve header, no options yet; flags is the second byte (O, C bits). */
uint32_t pkt_geneve(struct pkt *b, uint32_t vni, uint16_t proto, uint8_t flags);
/* One option of dlen bytes (multiple of 4); grows the Geneve opt length. */
uint32_t pkt_geneve_opt(struct pkt *b, uint16_t cls, uint8_t type, const void *data, uint32_t dlen);
/* OVN's metadata option: ingress and egress logical port keys. */
uint32_t pkt_geneve_ovn(struct pkt *b, uint16_t in, uint16_t out);

/* Set every length field to cover the rest of the packet. */
void pkt_finish(struct pkt *b);
/* Zero-pad to at least len bytes, after pkt_finish() (Ethernet padding). */
void pkt_pad(struct pkt *b, uint32_t len);
/*
 * Cut the packet to len bytes and make the length fields named by mask
 * agree with the cut, as a sender of the shorter packet would have.
 */
void pkt_refit(struct pkt *b, uint32_t len, unsigned mask);

#endif
