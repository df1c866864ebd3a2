/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Packet parser: one frame in, one flow key out.
 *
 * The parser reads only [data, data + len): every header is length-checked
 * before it is read, so a truncated or malformed frame costs a named drop
 * reason (dataplane/api/drop.h), never a read past the buffer. It allocates
 * nothing, logs nothing and keeps no state, so it runs on worker lcores and
 * under a fuzzer alike.
 */
#ifndef FERRY_DP_PARSE_H
#define FERRY_DP_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/api/drop.h"
#include "dataplane/api/flow_key.h"

/* parse_packet() flags */
#define PARSE_F_TUNNEL 0x01 /* decode Geneve (UDP 6081) and describe the inner frame */

/* At most this many IPv6 extension headers are walked before giving up. */
#define PARSE_IP6_EXT_MAX 8

/**
 * Parse one Ethernet frame.
 *
 * @param data   first byte of the frame
 * @param len    bytes available at @p data
 * @param flags  PARSE_F_*
 * @param key    zeroed, then filled; the caller sets key->in_port after
 * @param ofs    filled with header offsets (may be NULL)
 * @param tnl    filled when a Geneve header was decoded (may be NULL only
 *               without PARSE_F_TUNNEL)
 * @return DROP_NONE, or why the frame is malformed. On a geneve-* reason
 *         @p key still holds the outer headers (addresses included), so
 *         that the sender can be charged with it.
 */
enum drop_reason parse_packet(const uint8_t *data, uint32_t len, unsigned flags,
                              struct flow_key *key, struct flow_offsets *ofs,
                              struct flow_tunnel *tnl);

/**
 * Geneve as a peer chassis almost always sends it (Ethernet, IPv4 without
 * options or fragments, UDP to 6081, one option: OVN's), parsed in one
 * go. @return false, touching nothing, for any other frame (use
 * parse_packet()); true with @p key, @p ofs, @p tnl and *@p r exactly as
 * parse_packet(..., PARSE_F_TUNNEL, ...) would set them.
 */
bool parse_geneve4_fast(const uint8_t *data, uint32_t len, struct flow_key *key,
                        struct flow_offsets *ofs, struct flow_tunnel *tnl, enum drop_reason *r);

#endif
