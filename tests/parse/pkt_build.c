/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "tests/parse/pkt_build.h"

const uint8_t pkt_mac_a[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
const uint8_t pkt_mac_b[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};
const uint8_t pkt_ip6_a[16] = {0xfd, 0x00, [15] = 0x0a};
const uint8_t pkt_ip6_b[16] = {0xfd, 0x00, [15] = 0x0b};

void pkt_init(struct pkt *b)
{
	memset(b, 0, sizeof(*b));
}

uint32_t pkt_put(struct pkt *b, const void *bytes, uint32_t n)
{
	uint32_t at = b->len;

	/* Builders are called with constants: overflowing is a test bug. */
	if (n > PKT_MAX - b->len)
		abort();
	if (n)
		memcpy(b->buf + at, bytes, n);
	b->len += n;
	return at;
}

uint32_t pkt_zero(struct pkt *b, uint32_t n)
{
	uint32_t at = b->len;

	if (n > PKT_MAX - b->len)
		abort();
	memset(b->buf + at, 0, n);
	b->len += n;
	return at;
}

void pkt_w8(struct pkt *b, uint32_t at, uint8_t v)
{
	b->buf[at] = v;
}

void pkt_w16(struct pkt *b, uint32_t at, uint16_t v)
{
	b->buf[at] = (uint8_t)(v >> 8);
	b->buf[at + 1] = (uint8_t)v;
}

void pkt_w32(struct pkt *b, uint32_t at, uint32_t v)
{
	pkt_w16(b, at, (uint16_t)(v >> 16));
	pkt_w16(b, at + 2, (uint16_t)v);
}

static void add_fix(struct pkt *b, uint32_t start, uint8_t kind, uint8_t ip6)
{
	if (b->n_fix == sizeof(b->fix) / sizeof(b->fix[0]))
		abort();
	b->fix[b->n_fix++] = (struct pkt_fix){.start = start, .kind = kind, .ip6 = ip6};
}

uint32_t pkt_eth(struct pkt *b, uint16_t type)
{
	uint32_t at = pkt_put(b, pkt_mac_a, 6);

	pkt_put(b, pkt_mac_b, 6);
	pkt_w16(b, pkt_zero(b, 2), type);
	return at;
}

uint32_t pkt_vlan(struct pkt *b, uint16_t tci, uint16_t type)
{
	uint32_t at = pkt_zero(b, 4);

	pkt_w16(b, at, tci);
	pkt_w16(b, at + 2, type);
	return at;
}

uint32_t pkt_arp(struct pkt *b, uint16_t op, const uint8_t sha[6], uint32_t spa,
                 const uint8_t tha[6], uint32_t tpa)
{
	uint32_t at = pkt_zero(b, 28);

	pkt_w16(b, at, 1);
	pkt_w16(b, at + 2, 0x0800);
	pkt_w8(b, at + 4, 6);
	pkt_w8(b, at + 5, 4);
	pkt_w16(b, at + 6, op);
	memcpy(b->buf + at + 8, sha, 6);
	pkt_w32(b, at + 14, spa);
	memcpy(b->buf + at + 18, tha, 6);
	pkt_w32(b, at + 24, tpa);
	return at;
}

uint32_t pkt_ip4(struct pkt *b, uint8_t proto, uint32_t src, uint32_t dst, unsigned opt_words)
{
	uint32_t at = pkt_zero(b, 20);

	pkt_w8(b, at, (uint8_t)(0x45 + opt_words));
	pkt_w16(b, at + 4, 0x1234);
	pkt_w8(b, at + 8, 64);
	pkt_w8(b, at + 9, proto);
	pkt_w32(b, at + 12, src);
	pkt_w32(b, at + 16, dst);
	memset(b->buf + pkt_zero(b, opt_words * 4), 0x01, opt_words * 4);
	add_fix(b, at, PKT_FIX_IP, 0);
	return at;
}

uint32_t pkt_ip6(struct pkt *b, uint8_t nh, const uint8_t src[16], const uint8_t dst[16])
{
	uint32_t at = pkt_zero(b, 40);

	pkt_w8(b, at, 0x60);
	pkt_w8(b, at + 6, nh);
	pkt_w8(b, at + 7, 64);
	memcpy(b->buf + at + 8, src, 16);
	memcpy(b->buf + at + 24, dst, 16);
	add_fix(b, at, PKT_FIX_IP, 1);
	return at;
}

uint32_t pkt_ip6_ext(struct pkt *b, uint8_t type, uint8_t nh, uint32_t size)
{
	uint32_t at = pkt_zero(b, size);

	pkt_w8(b, at, nh);
	if (type == 51) /* AH counts 4-byte words, minus 2 */
		pkt_w8(b, at + 1, (uint8_t)(size / 4 - 2));
	else
		pkt_w8(b, at + 1, (uint8_t)(size / 8 - 1));
	if (type == 0 || type == 60) { /* options: one PadN covering the rest */
		pkt_w8(b, at + 2, 1);
		pkt_w8(b, at + 3, (uint8_t)(size - 4));
	}
	return at;
}

uint32_t pkt_ip6_frag(struct pkt *b, uint8_t nh, uint16_t offset, int more)
{
	uint32_t at = pkt_zero(b, 8);

	pkt_w8(b, at, nh);
	pkt_w16(b, at + 2, (uint16_t)(offset << 3 | (more ? 1 : 0)));
	pkt_w32(b, at + 4, 0xdeadbeef);
	return at;
}

uint32_t pkt_tcp(struct pkt *b, uint16_t sport, uint16_t dport, uint16_t flags, unsigned doff)
{
	uint32_t at = pkt_zero(b, 20);

	pkt_w16(b, at, sport);
	pkt_w16(b, at + 2, dport);
	pkt_w32(b, at + 4, 1000);
	pkt_w16(b, at + 12, (uint16_t)(doff << 12 | (flags & 0x0fff)));
	pkt_w16(b, at + 14, 65535);
	if (doff > 5)
		memset(b->buf + pkt_zero(b, (doff - 5) * 4), 0x01, (doff - 5) * 4);
	return at;
}

uint32_t pkt_udp(struct pkt *b, uint16_t sport, uint16_t dport)
{
	uint32_t at = pkt_zero(b, 8);

	pkt_w16(b, at, sport);
	pkt_w16(b, at + 2, dport);
	add_fix(b, at, PKT_FIX_UDP, 0);
	return at;
}

uint32_t pkt_sctp(struct pkt *b, uint16_t sport, uint16_t dport)
{
	uint32_t at = pkt_zero(b, 12);

	pkt_w16(b, at, sport);
	pkt_w16(b, at + 2, dport);
	pkt_w32(b, at + 4, 0x01020304);
	return at;
}

uint32_t pkt_icmp4(struct pkt *b, uint8_t type, uint8_t code)
{
	uint32_t at = pkt_zero(b, 8);

	pkt_w8(b, at, type);
	pkt_w8(b, at + 1, code);
	return at;
}

uint32_t pkt_icmp6(struct pkt *b, uint8_t type, uint8_t code)
{
	return pkt_icmp4(b, type, code);
}

uint32_t pkt_nd(struct pkt *b, uint8_t type, const uint8_t target[16])
{
	uint32_t at = pkt_zero(b, 24);

	pkt_w8(b, at, type);
	if (type == 136)
		pkt_w8(b, at + 4, 0x60); /* solicited, override */
	memcpy(b->buf + at + 8, target, 16);
	return at;
}

uint32_t pkt_nd_opt(struct pkt *b, uint8_t type, uint8_t len8, const uint8_t mac[6])
{
	uint32_t at = pkt_zero(b, len8 ? len8 * 8u : 8u);

	pkt_w8(b, at, type);
	pkt_w8(b, at + 1, len8);
	memcpy(b->buf + at + 2, mac, 6);
	return at;
}

uint32_t pkt_geneve(struct pkt *b, uint32_t vni, uint16_t proto, uint8_t flags)
{
	uint32_t at = pkt_zero(b, 8);

	pkt_w8(b, at + 1, flags);
	pkt_w16(b, at + 2, proto);
	pkt_w32(b, at + 4, vni << 8);
	b->geneve = at;
	return at;
}

uint32_t pkt_geneve_opt(struct pkt *b, uint16_t cls, uint8_t type, const void *data, uint32_t dlen)
{
	uint32_t at = pkt_zero(b, 4);

	pkt_w16(b, at, cls);
	pkt_w8(b, at + 2, type);
	pkt_w8(b, at + 3, (uint8_t)(dlen / 4));
	pkt_put(b, data, dlen);
	b->buf[b->geneve] += (uint8_t)(1 + dlen / 4);
	return at;
}

uint32_t pkt_geneve_ovn(struct pkt *b, uint16_t in, uint16_t out)
{
	uint8_t data[4] = {(uint8_t)(in >> 8), (uint8_t)in, (uint8_t)(out >> 8), (uint8_t)out};

	return pkt_geneve_opt(b, 0x0102, 0x80, data, sizeof(data));
}

static void apply_fix(struct pkt *b, const struct pkt_fix *f, uint32_t end)
{
	uint32_t at = f->start + (f->kind == PKT_FIX_UDP ? 4 : f->ip6 ? 4 : 2);
	uint32_t v = end - f->start;

	if (at + 2 > end)
		return;
	if (f->ip6)
		v = v >= 40 ? v - 40 : 0;
	pkt_w16(b, at, (uint16_t)v);
}

void pkt_finish(struct pkt *b)
{
	for (unsigned i = 0; i < b->n_fix; i++)
		apply_fix(b, &b->fix[i], b->len);
}

void pkt_pad(struct pkt *b, uint32_t len)
{
	if (b->len < len)
		pkt_zero(b, len - b->len);
}

void pkt_refit(struct pkt *b, uint32_t len, unsigned mask)
{
	if (len < b->len)
		b->len = len;
	for (unsigned i = 0; i < b->n_fix; i++)
		if (b->fix[i].kind & mask)
			apply_fix(b, &b->fix[i], b->len);
}
