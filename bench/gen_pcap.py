#!/usr/bin/env python3
"""Write a pcap of UDP/IPv4 frames for the benchmarks (no dependencies).

usage: gen_pcap.py OUT.pcap [--flows N] [--size BYTES]
                   [--eth-src MAC] [--eth-dst MAC] [--ip-src IP --ip-dst IP]
Frames are BYTES long without FCS (default 60: a 64-byte frame on the wire),
one per flow, flows differing in source address and port. With --ip-src and
--ip-dst (a port with port security allows one source address) flows differ
in UDP source and destination ports instead.
"""
import argparse
import socket
import struct


def ip_checksum(hdr: bytes) -> int:
    s = sum(struct.unpack("!10H", hdr))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(i: int, size: int, a) -> bytes:
    eth = bytes.fromhex(a.eth_dst.replace(":", "") + a.eth_src.replace(":", "")) + struct.pack("!H", 0x0800)
    payload_len = max(size - 14 - 20 - 8, 0)
    if a.ip_src:
        src, dst = socket.inet_aton(a.ip_src), socket.inet_aton(a.ip_dst)
        udp = struct.pack("!HHHH", 1024 + i % 60000, 5001 + i // 60000, 8 + payload_len, 0)
    else:
        udp = struct.pack("!HHHH", 1024 + (i & 0xFFFF), 5001, 8 + payload_len, 0)
        src = bytes([10, (i >> 8) & 255, i & 255, 1])
        dst = bytes([10, 255, 0, 1])
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + payload_len, i & 0xFFFF, 0, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    return eth + ip + udp + bytes(payload_len)


ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--flows", type=int, default=1024)
ap.add_argument("--size", type=int, default=60)
ap.add_argument("--eth-src", default="02:00:00:00:00:01")
ap.add_argument("--eth-dst", default="02:00:00:00:00:02")
ap.add_argument("--ip-src")
ap.add_argument("--ip-dst")
a = ap.parse_args()
if bool(a.ip_src) != bool(a.ip_dst) or (a.ip_src and a.flows > 60000 * 60000):
    ap.error("--ip-src and --ip-dst go together (and at most 3.6e9 flows)")
with open(a.out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i in range(a.flows):
        fr = frame(i, a.size, a)
        f.write(struct.pack("<IIII", 0, i, len(fr), len(fr)))
        f.write(fr)
