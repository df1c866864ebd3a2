#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Frames for the multi-chassis tests, run inside an instance's namespace.

  frames.py send DSTMAC DSTIP MARKER   one IPv4/UDP frame from eth0 to
                                       DSTMAC (broadcast, unknown unicast)
                                       carrying MARKER
  frames.py listen MARKER OUT          append a line to OUT for each frame
                                       received on eth0 carrying MARKER;
                                       OUT.ready appears once listening; it
                                       stops when OUT.stop appears
  frames.py answer PORT NAME           a UDP server answering NAME
  frames.py ask IP PORT SECONDS        ask it once; print the answer
"""
import os
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def send(dst_mac, dst_ip, marker):
    src_mac = open("/sys/class/net/eth0/address").read().strip()
    src_ip = None
    for line in os.popen("ip -4 -o addr show dev eth0"):
        src_ip = line.split()[3].split("/")[0]
    payload = marker.encode()
    udp = struct.pack("!HHHH", 40000, 9, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                     socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes.fromhex(dst_mac.replace(":", "")) + bytes.fromhex(src_mac.replace(":", ""))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind(("eth0", 0))
    s.send(eth + b"\x08\x00" + ip + udp)


def listen(marker, out):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind(("eth0", 0))
    m = marker.encode()
    open(out, "w").close()
    open(out + ".ready", "w").close()
    deadline = time.monotonic() + 30
    s.settimeout(0.1)
    while time.monotonic() < deadline and not os.path.exists(out + ".stop"):
        try:
            frame, addr = s.recvfrom(65536)
        except socket.timeout:
            continue
        if addr[2] != PACKET_OUTGOING and m in frame:
            with open(out, "a") as f:
                f.write(frame[:12].hex() + "\n")


def answer(port, name):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(port)))
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(name.encode(), peer)


def ask(ip, port, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(float(seconds))
    s.sendto(b"who", (ip, int(port)))
    try:
        print(s.recv(2048).decode())
    except socket.timeout:
        sys.exit(1)


if __name__ == "__main__":
    cmds = {"send": send, "listen": listen, "answer": answer, "ask": ask}
    cmds[sys.argv[1]](*sys.argv[2:])
