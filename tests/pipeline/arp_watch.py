#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ARP on one interface, for tests/pipeline/underlay-static.sh (RFC 826,
packed by hand).

usage: arp_watch.py watch IFACE LOG        one JSON line per ARP frame seen
                                           ({"op", "sha", "spa", "tpa"}), until killed
       arp_watch.py ask IFACE SHA SPA TPA  send one ARP request claiming SPA is at SHA
"""
import json
import socket
import struct
import sys

ETH_P_ARP = 0x0806


def mac(b):
    return ":".join(f"{x:02x}" for x in b)


def watch(iface, log_path):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    s.bind((iface, ETH_P_ARP))
    with open(log_path, "a", buffering=1) as log:
        while True:
            f = s.recv(2048)
            if len(f) < 42:
                continue
            op = struct.unpack("!H", f[20:22])[0]
            log.write(json.dumps({"op": op, "sha": mac(f[22:28]), "spa": socket.inet_ntoa(f[28:32]),
                                  "tpa": socket.inet_ntoa(f[38:42])}) + "\n")


def ask(iface, sha, spa, tpa):
    sha_b = bytes.fromhex(sha.replace(":", ""))
    f = (b"\xff" * 6 + sha_b + struct.pack("!H", ETH_P_ARP) + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1)
         + sha_b + socket.inet_aton(spa) + b"\0" * 6 + socket.inet_aton(tpa))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    s.send(f + b"\0" * (60 - len(f)))


if sys.argv[1] == "watch":
    watch(sys.argv[2], sys.argv[3])
else:
    ask(*sys.argv[2:6])
