#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A container behind a VLAN tag, in user space, for kernels built without
802.1Q devices (no `ip link add ... type vlan`). It stands where a VLAN
subinterface would: on IFACE, with its own MAC and IP, in VLAN VID.

  vlan_peer.py serve IFACE VID MAC IP COUNTS
      answer ARP requests and ICMP echo requests for IP that arrive tagged
      VID, with replies tagged VID; keep COUNTS up to date with two numbers:
      frames received tagged VID, and frames for MAC that arrived untagged
      or with another tag (a delivery that forgot or mangled the tag).
  vlan_peer.py ping IFACE VID MAC IP DST_MAC DST_IP
      send one echo request tagged VID; succeed on the tagged reply (2 s).

The kernel moves a received tag out of the frame into metadata even with
no VLAN device; packet sockets get it back as PACKET_AUXDATA.
"""
import os
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
ETH_P_8021Q = 0x8100
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 0x10


def mac_bytes(s):
    return bytes(int(x, 16) for x in s.split(":"))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def open_sock(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((iface, ETH_P_ALL))
    return s


def receive(s):
    """(vid or None, untagged frame), or None for what we sent ourselves."""
    data, anc, _, addr = s.recvmsg(65535, socket.CMSG_SPACE(20))
    if addr[2] == PACKET_OUTGOING:
        return None
    vid = None
    for level, kind, cd in anc:
        if level == SOL_PACKET and kind == PACKET_AUXDATA and len(cd) >= 20:
            status, _, _, _, _, tci, _ = struct.unpack("IIIHHHH", cd[:20])
            if status & TP_STATUS_VLAN_VALID:
                vid = tci & 0xFFF
    if vid is None and struct.unpack("!H", data[12:14])[0] == ETH_P_8021Q:
        vid = struct.unpack("!H", data[14:16])[0] & 0xFFF
        data = data[:12] + data[16:]
    return vid, data


def send(s, vid, dst, src, ethertype, payload):
    s.send(dst + src + struct.pack("!HHH", ETH_P_8021Q, vid, ethertype) + payload)


def ip4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0,
                    src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def icmp(kind, ident, seq, data):
    h = struct.pack("!BBHHH", kind, 0, 0, ident, seq) + data
    return h[:2] + struct.pack("!H", csum(h)) + h[4:]


def serve(iface, vid, mac, ip, counts):
    s = open_sock(iface)
    tagged = wrong = 0

    def publish():
        with open(counts + ".tmp", "w") as f:
            f.write("%d %d\n" % (tagged, wrong))
        os.rename(counts + ".tmp", counts)

    publish()
    while True:
        try:
            r = receive(s)
        except OSError:
            return  # the interface went away: the test is over
        if r is None:
            continue
        v, f = r
        dst, src, et = f[0:6], f[6:12], struct.unpack("!H", f[12:14])[0]
        if v == vid:
            tagged += 1
        elif dst == mac:
            wrong += 1
        publish()
        if v != vid:
            continue
        if et == ETH_P_ARP and len(f) >= 42:
            op, sha, spa, tpa = struct.unpack("!6xH6s4s6x4s", f[14:42])
            if op == 1 and tpa == ip:
                arp = struct.pack("!HHBBH6s4s6s4s", 1, ETH_P_IP, 6, 4, 2, mac, ip, sha, spa)
                send(s, vid, sha, mac, ETH_P_ARP, arp)
        elif et == ETH_P_IP and dst == mac and len(f) >= 42:
            ihl = (f[14] & 0xF) * 4
            proto, sip, dip = f[23], f[26:30], f[30:34]
            body = f[14 + ihl:14 + struct.unpack("!H", f[16:18])[0]]
            if proto == 1 and dip == ip and body[0] == 8:
                ident, seq = struct.unpack("!HH", body[4:8])
                send(s, vid, src, mac, ETH_P_IP, ip4(ip, sip, 1, icmp(0, ident, seq, body[8:])))


def ping(iface, vid, mac, ip, dst_mac, dst_ip):
    s = open_sock(iface)
    ident = os.getpid() & 0xFFFF
    send(s, vid, dst_mac, mac, ETH_P_IP, ip4(ip, dst_ip, 1, icmp(8, ident, 1, b"ferry" * 8)))
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        s.settimeout(max(deadline - time.monotonic(), 0.01))
        try:
            r = receive(s)
        except socket.timeout:
            break
        if r is None or r[0] != vid:
            continue
        f = r[1]
        if (f[0:6] == mac and struct.unpack("!H", f[12:14])[0] == ETH_P_IP and f[23] == 1 and
                f[26:30] == dst_ip and f[30:34] == ip):
            body = f[14 + (f[14] & 0xF) * 4:]
            if body[0] == 0 and struct.unpack("!H", body[4:6])[0] == ident:
                return 0
    return 1


def main(argv):
    if len(argv) == 7 and argv[1] == "serve":
        serve(argv[2], int(argv[3]), mac_bytes(argv[4]), socket.inet_aton(argv[5]), argv[6])
        return 0
    if len(argv) == 8 and argv[1] == "ping":
        return ping(argv[2], int(argv[3]), mac_bytes(argv[4]), socket.inet_aton(argv[5]),
                    mac_bytes(argv[6]), socket.inet_aton(argv[7]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
