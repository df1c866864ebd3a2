#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A stand-in for another chassis at the far end of the underlay, for
tests/pipeline/tunnel.sh: it receives Geneve on UDP 6081 (the kernel hands
over the Geneve header and the inner frame), records what each packet
carried (VNI, the OVN option's class, type and port keys, the inner frame's
kind), and answers for one instance "behind" it, as its chassis would: an
ARP request for the instance's IP gets a reply, an ICMP echo request to it
gets a reply, both sent back in Geneve with the option's keys swapped.
Everything here is packed by hand from RFC 8926, 826, 791 and 792.

usage: geneve_peer.py LOG INSTANCE_MAC INSTANCE_IP INSTANCE_PORT_KEY [ipv6]   (runs until killed)
With ipv6, the Geneve arrives and leaves over IPv6 (the kernel checks and
writes the outer UDP checksum, mandatory there).
"""
import json
import socket
import struct
import sys

log_path, inst_mac, inst_ip = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), sys.argv[3]
inst_key = int(sys.argv[4])
inst_ip4 = socket.inet_aton(inst_ip)
OVN_CLASS, OVN_TYPE = 0x0102, 0x80


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def geneve(vni, in_key, out_key, inner):
    opt = struct.pack("!HBB", OVN_CLASS, OVN_TYPE, 1) + struct.pack("!HH", in_key & 0x7fff, out_key)
    return struct.pack("!BBH", len(opt) // 4, 0, 0x6558) + struct.pack("!I", vni << 8) + opt + inner


def answer(inner):
    dst, src, etype = inner[:6], inner[6:12], struct.unpack("!H", inner[12:14])[0]
    if etype == 0x0806:
        op = struct.unpack("!H", inner[20:22])[0]
        sha, spa, tpa = inner[22:28], inner[28:32], inner[38:42]
        if op == 1 and tpa == inst_ip4:
            arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + inst_mac + inst_ip4 + sha + spa
            return "arp-request", src + inst_mac + b"\x08\x06" + arp
        return "arp", None
    if etype == 0x0800:
        ihl = (inner[14] & 0xf) * 4
        ip, l4 = inner[14:14 + ihl], inner[14 + ihl:]
        total = struct.unpack("!H", ip[2:4])[0]
        l4 = inner[14 + ihl:14 + total]
        if ip[9] == 1 and l4[0] == 8 and ip[16:20] == inst_ip4:
            icmp = b"\x00\x00\x00\x00" + l4[4:]
            icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
            hdr = bytearray(ip[:20])
            hdr[8] = 64
            hdr[12:16], hdr[16:20] = ip[16:20], ip[12:16]
            hdr[10:12] = b"\0\0"
            hdr[10:12] = struct.pack("!H", csum(bytes(hdr)))
            return "icmp-echo", src + inst_mac + b"\x08\x00" + bytes(hdr) + icmp
        return "ip4", None
    return "other", None


ipv6 = len(sys.argv) > 5 and sys.argv[5] == "ipv6"
s = socket.socket(socket.AF_INET6 if ipv6 else socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("::" if ipv6 else "0.0.0.0", 6081))
log = open(log_path, "a", buffering=1)
while True:
    data, src = s.recvfrom(65535)
    addr = src[0]
    optlen = (data[0] & 0x3f) * 4
    proto = struct.unpack("!H", data[2:4])[0]
    vni = struct.unpack("!I", data[4:8])[0] >> 8
    rec = {"from": addr, "vni": vni, "proto": proto, "options": []}
    off, in_key, out_key = 8, None, None
    while off < 8 + optlen:
        cls, typ, ln = struct.unpack("!HBB", data[off:off + 4])
        dlen = (ln & 0x1f) * 4
        rec["options"].append({"class": cls, "type": typ, "len": dlen})
        if cls == OVN_CLASS and typ == OVN_TYPE and dlen == 4:
            in_key, out_key = struct.unpack("!HH", data[off + 4:off + 8])
        off += 4 + dlen
    rec["in"], rec["out"] = in_key, out_key
    kind, reply = answer(data[8 + optlen:])
    rec["inner"] = kind
    log.write(json.dumps(rec) + "\n")
    if reply is not None and in_key is not None:
        s.sendto(geneve(vni, inst_key, in_key, reply), (addr, 6081))
