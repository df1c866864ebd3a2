#!/usr/bin/env python3
"""Write a pcap of UDP/IPv4 frames for the benchmarks (no dependencies).

usage: gen_pcap.py OUT.pcap [--flows N] [--size BYTES]
                   [--eth-src MAC] [--eth-dst MAC] [--ip-src IP --ip-dst IP]
                   [--reply] [--tcp-syn]
                   [--geneve OUTER_SRC_MAC,OUTER_DST_MAC,OUTER_SRC_IP,OUTER_DST_IP
                    --vni N --in-key N --out-key N]
Frames are BYTES long without FCS (default 60: a 64-byte frame on the wire),
one per flow, flows differing in source address and port. With --ip-src and
--ip-dst (a port with port security allows one source address) flows differ
in UDP source and destination ports instead.

--reply writes the same flows' replies: each frame's ports swapped (give
the addresses swapped too). --tcp-syn writes a TCP SYN (no options, a
window of 64,240, a sequence number per flow) instead of a UDP datagram:
each flow a new connection for a tracker.

With --geneve each frame is the inner frame of a Geneve packet as an OVN
chassis sends it (ovn-architecture(7), RFC 8926): outer Ethernet, IPv4
(DF, TTL 64), UDP to 6081 with a source port from a hash of the inner
flow (so it varies with the flows, as a real peer's does) and the UDP
checksum, Geneve with VNI N and one option, class 0x0102 type 0x80, of
the logical ingress (15 bits) and egress (16 bits) port keys. The frame
on the wire is then BYTES + 58.
"""
import argparse
import socket
import struct
import zlib


def csum16(b: bytes) -> int:
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def mac(text: str) -> bytes:
    return bytes.fromhex(text.replace(":", ""))


def ipv4(src: bytes, dst: bytes, proto: int, payload_len: int, ident: int, df: bool = False) -> bytes:
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, ident & 0xFFFF, 0x4000 if df else 0,
                     64, proto, 0, src, dst)
    return ip[:10] + struct.pack("!H", csum16(ip)) + ip[12:]


def frame(i: int, size: int, a) -> bytes:
    eth = mac(a.eth_dst) + mac(a.eth_src) + struct.pack("!H", 0x0800)
    l4_len = 20 if a.tcp_syn else 8
    payload_len = max(size - 14 - 20 - l4_len, 0)
    if a.ip_src:
        src, dst = socket.inet_aton(a.ip_src), socket.inet_aton(a.ip_dst)
        sport, dport = 1024 + i % 60000, 5001 + i // 60000
    else:
        sport, dport = 1024 + (i & 0xFFFF), 5001
        src = bytes([10, (i >> 8) & 255, i & 255, 1])
        dst = bytes([10, 255, 0, 1])
    if a.reply:
        sport, dport = dport, sport
    if a.tcp_syn:
        # The IP length covers the header alone: what pads the frame to
        # its size is Ethernet padding, not TCP payload.
        tcp = struct.pack("!HHIIBBHHH", sport, dport, i * 7919 & 0xFFFFFFFF, 0, 5 << 4, 0x02,
                          64240, 0, 0)
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", csum16(pseudo + tcp)) + tcp[18:]
        return eth + ipv4(src, dst, 6, len(tcp), i) + tcp + bytes(payload_len)
    udp = struct.pack("!HHHH", sport, dport, 8 + payload_len, 0)
    return eth + ipv4(src, dst, 17, 8 + payload_len, i) + udp + bytes(payload_len)


def geneve(i: int, inner: bytes, a) -> bytes:
    smac, dmac, sip, dip = a.geneve.split(",")
    src, dst = socket.inet_aton(sip), socket.inet_aton(dip)
    opt = struct.pack("!HBB", 0x0102, 0x80, 1) + struct.pack("!HH", a.in_key & 0x7FFF, a.out_key)
    gnv = struct.pack("!BBH", len(opt) // 4, 0, 0x6558) + struct.pack("!I", a.vni << 8) + opt
    # Source port from the inner 5-tuple (its Ethernet and IP headers
    # and UDP ports), in the ephemeral range as OVS picks it.
    sport = 49152 + zlib.crc32(inner[:38]) % 16384
    ulen = 8 + len(gnv) + len(inner)
    udp = struct.pack("!HHHH", sport, 6081, ulen, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, ulen)
    c = csum16(pseudo + udp + gnv + inner) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", c)
    eth = mac(dmac) + mac(smac) + struct.pack("!H", 0x0800)
    return eth + ipv4(src, dst, 17, ulen, i, df=True) + udp + gnv + inner


ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--flows", type=int, default=1024)
ap.add_argument("--size", type=int, default=60)
ap.add_argument("--eth-src", default="02:00:00:00:00:01")
ap.add_argument("--eth-dst", default="02:00:00:00:00:02")
ap.add_argument("--ip-src")
ap.add_argument("--ip-dst")
ap.add_argument("--reply", action="store_true")
ap.add_argument("--tcp-syn", action="store_true")
ap.add_argument("--geneve", metavar="SMAC,DMAC,SIP,DIP")
ap.add_argument("--vni", type=int, default=0)
ap.add_argument("--in-key", type=int, default=0)
ap.add_argument("--out-key", type=int, default=0)
a = ap.parse_args()
if bool(a.ip_src) != bool(a.ip_dst) or (a.ip_src and a.flows > 60000 * 60000):
    ap.error("--ip-src and --ip-dst go together (and at most 3.6e9 flows)")
if a.geneve and (len(a.geneve.split(",")) != 4 or not 0 < a.vni < 1 << 24
                 or not 0 < a.in_key < 1 << 15 or not 0 < a.out_key < 1 << 16):
    ap.error("--geneve SMAC,DMAC,SIP,DIP needs --vni (24 bits), --in-key (15) and --out-key (16)")
with open(a.out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i in range(a.flows):
        fr = frame(i, a.size, a)
        if a.geneve:
            fr = geneve(i, fr, a)
        f.write(struct.pack("<IIII", 0, i, len(fr), len(fr)))
        f.write(fr)
