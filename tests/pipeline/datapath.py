#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Frames for tests/pipeline/datapath.sh, and what must come out of ferryd
for each of them, computed here from RFC 791/768/793/792/826 and the
logical flows' documented effect (ovn-sb(5), ovn-northd(8)), with nothing
taken from ferry: header fields are packed by hand and every checksum is
computed from scratch.

  datapath.py gen DIR     write DIR/in.pcap and DIR/expect.json
  datapath.py send DIR IF send DIR/in.pcap's frames, in order, on IF
                          (AF_PACKET, the bytes as they are)
  datapath.py check DIR   compare DIR/out-PORT.pcap with the expectation,
                          frame by frame and byte for byte; exit 1 and
                          print the differences otherwise

The topology (datapath.sh builds it with ovn-nbctl):
  sw0: vm1 10.0.0.11, vm2 10.0.0.12 (both with port security), lr0-sw0
  lr0: lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24, lr0-sw1 00:00:00:00:ff:02 10.0.1.1/24
  sw1: vm3 10.0.1.13
"""
import json
import os
import socket
import struct
import sys

MAC = {"vm1": "50:54:00:00:00:01", "vm2": "50:54:00:00:00:02", "vm3": "50:54:00:00:00:03",
       "lr0-sw0": "00:00:00:00:ff:01", "lr0-sw1": "00:00:00:00:ff:02"}
IP = {"vm1": "10.0.0.11", "vm2": "10.0.0.12", "vm3": "10.0.1.13",
      "lr0-sw0": "10.0.0.1", "lr0-sw1": "10.0.1.1"}
OUTPUTS = ("vm1", "vm2", "vm3")


def mac(s):
    return bytes.fromhex(s.replace(":", ""))


def ip(s):
    return socket.inet_aton(s)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, etype, payload):
    f = mac(dst) + mac(src) + struct.pack("!H", etype) + payload
    return f + bytes(max(0, 60 - len(f)))  # padded to the 60-byte minimum, as on a wire


def ip4(src, dst, proto, l4, ttl=64, ident=1, tos=0, df=True):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(l4), ident, 0x4000 if df else 0,
                    ttl, proto, 0, ip(src), ip(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + l4


def l4_csum(src, dst, proto, seg):
    return csum(ip(src) + ip(dst) + struct.pack("!BBH", 0, proto, len(seg)) + seg)


def udp(src, dst, sport, dport, payload, zero_csum=False):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = 0 if zero_csum else (l4_csum(src, dst, 17, seg) or 0xFFFF)
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def tcp(src, dst, sport, dport, payload, flags=0x18):
    seg = struct.pack("!HHIIBBHHH", sport, dport, 1000, 2000, 5 << 4, flags, 8192, 0, 0) + payload
    return seg[:16] + struct.pack("!H", l4_csum(src, dst, 6, seg)) + seg[18:]


def icmp(typ, code, rest, payload):
    m = struct.pack("!BBH", typ, code, 0) + rest + payload
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, mac(sha), ip(spa), mac(tha), ip(tpa))


def ip_frame(dst_mac, src, dst, proto, l4, src_mac=None, **kw):
    return eth(dst_mac, src_mac or MAC["vm1"], 0x0800, ip4(src, dst, proto, l4, **kw))


def routed(frame, out_port, dst):
    """What a router does to a forwarded IPv4 frame: eth.src = its port's MAC,
    eth.dst = the next hop's, TTL - 1, IPv4 header checksum recomputed."""
    ihl = (frame[14] & 15) * 4
    hdr = bytearray(frame[14:14 + ihl])
    hdr[8] -= 1
    hdr[10:12] = b"\0\0"
    hdr[10:12] = struct.pack("!H", csum(bytes(hdr)))
    return mac(MAC[dst]) + mac(MAC[out_port]) + frame[12:14] + bytes(hdr) + frame[14 + ihl:]


def time_exceeded(f):
    """lr0's ICMP time exceeded for frame F (from vm1, TTL 1, to sw1)."""
    orig = f[14:14 + struct.unpack("!H", f[16:18])[0]]
    df = bool(f[20] & 0x40)
    return eth(MAC["vm1"], MAC["lr0-sw0"], 0x0800,
               ip4(IP["lr0-sw0"], IP["vm1"], 1, icmp(11, 0, bytes(4), orig), ttl=254, ident=0, tos=f[15],
                   df=df))


def build():
    v1, v2, v3, r0, r1 = IP["vm1"], IP["vm2"], IP["vm3"], IP["lr0-sw0"], IP["lr0-sw1"]
    inp, exp = [], {p: [] for p in OUTPUTS}

    def send(frame, port=None, out=None):
        inp.append(frame)
        if port:
            exp[port].append(out if out is not None else frame)

    # (a) one switch: every byte unchanged.
    send(ip_frame(MAC["vm2"], v1, v2, 17, udp(v1, v2, 5000, 5001, b"a1 udp vm1 to vm2 ...")), "vm2")
    send(ip_frame(MAC["vm2"], v1, v2, 6, tcp(v1, v2, 40000, 80, b"a2 tcp vm1 to vm2")), "vm2")
    send(ip_frame(MAC["vm2"], v1, v2, 1, icmp(8, 0, struct.pack("!HH", 7, 1), b"a3 ping")), "vm2")
    send(ip_frame(MAC["vm2"], v1, v2, 17, udp(v1, v2, 5000, 5001, b"a4 ttl 1"), ttl=1), "vm2")
    send(ip_frame(MAC["vm2"], v1, v2, 17, udp(v1, v2, 5000, 5001, b"a5 no udp csum", zero_csum=True)),
         "vm2")
    # A large frame: no padding, 1,000 bytes of UDP payload.
    send(ip_frame(MAC["vm2"], v1, v2, 17, udp(v1, v2, 5000, 5001, bytes(range(250)) * 4)), "vm2")

    # (b) across lr0: rewritten MACs, TTL - 1, the IPv4 checksum recomputed,
    # the L4 checksum unchanged (and still right: TTL is not in the
    # pseudo-header).
    for l4, proto in ((udp(v1, v3, 5000, 53, b"b1 udp across the router"), 17),
                      (udp(v1, v3, 5000, 53, b"b2 no udp checksum", zero_csum=True), 17),
                      (tcp(v1, v3, 40000, 80, b"b3 tcp across the router", flags=0x02), 6)):
        f = ip_frame(MAC["lr0-sw0"], v1, v3, proto, l4)
        send(f, "vm3", routed(f, "lr0-sw1", "vm3"))
    f = ip_frame(MAC["lr0-sw0"], v1, v3, 17, udp(v1, v3, 6000, 7000, b"b4 tos ident no df"), tos=0xb8,
                 ident=0xbeef, df=False, ttl=2)
    send(f, "vm3", routed(f, "lr0-sw1", "vm3"))

    # (c) ping to the router's IPs: an echo reply to vm1, addresses swapped,
    # TTL 255 then routed back (- 1), type 0, ICMP checksum recomputed.
    for rip, seq in ((r0, 1), (r1, 2)):
        rest, data = struct.pack("!HH", 0x1234, seq), b"c ping the router %d" % seq
        f = ip_frame(MAC["lr0-sw0"], v1, rip, 1, icmp(8, 0, rest, data), ident=0x4242)
        reply = eth(MAC["vm1"], MAC["lr0-sw0"], 0x0800,
                    ip4(rip, v1, 1, icmp(0, 0, rest, data), ttl=254, ident=0x4242))
        send(f, "vm1", reply)

    # (d) ARP for vm2 and for the router port, answered to vm1 by the
    # logical switch (ARP responder) and the router: op 2, sha/spa the
    # target's, tha/tpa vm1's; the frame's padding is kept.
    for who in ("vm2", "lr0-sw0"):
        req = eth("ff:ff:ff:ff:ff:ff", MAC["vm1"], 0x0806,
                  arp(1, MAC["vm1"], v1, "00:00:00:00:00:00", IP[who]))
        rep = eth(MAC["vm1"], MAC[who], 0x0806, arp(2, MAC[who], IP[who], MAC["vm1"], v1))
        send(req, "vm1", rep)

    # (e) TTL 1 across the router: time exceeded (11/0) from lr0-sw0's IP,
    # TTL 254 as northd's flow sets it, identification 0, quoting the
    # original datagram as received (RFC 1122 3.2.2): its IP total length,
    # never the Ethernet padding after it.
    for l4, proto in ((udp(v1, v3, 5000, 53, b"e1 ttl 1 udp, no padding"), 17),
                      (icmp(8, 0, struct.pack("!HH", 9, 9), b"e2 ttl 1 ping, no padding"), 1)):
        f = ip_frame(MAC["lr0-sw0"], v1, v3, proto, l4, ttl=1, ident=0x77, df=False)
        send(f, "vm1", time_exceeded(f))
    # A padded original: the quote must stop at its IP total length.
    f = ip_frame(MAC["lr0-sw0"], v1, v3, 17, udp(v1, v3, 5000, 53, b"e3 pad"), ttl=1, df=False)
    send(f, "vm1", time_exceeded(f))
    # DF set on the original: "IPv4 fields not listed here are not
    # changed" (ovn-sb(5), icmp4), so the error keeps DF.
    f = ip_frame(MAC["lr0-sw0"], v1, v3, 17, udp(v1, v3, 5000, 53, b"e4 ttl 1 with DF set"), ttl=1)
    send(f, "vm1", time_exceeded(f))

    # (f) spoofed sources from vm1: port security drops them, nothing leaves.
    spoofed = [ip_frame(MAC["vm2"], "10.0.0.99", v2, 17, udp("10.0.0.99", v2, 1, 2, b"f1 spoofed ip")),
               ip_frame(MAC["lr0-sw0"], "10.0.0.99", v3, 17, udp("10.0.0.99", v3, 1, 2, b"f2 spoofed ip")),
               ip_frame(MAC["vm2"], v1, v2, 17, udp(v1, v2, 1, 2, b"f3 spoofed mac"),
                        src_mac="50:54:00:00:00:99")]
    for f in spoofed:
        send(f)
    return inp, exp, len(spoofed)


def pcap_write(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 0, i, len(fr), len(fr)) + fr)


def pcap_read(path):
    d = open(path, "rb").read()
    if len(d) < 24:
        return []
    endian = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    d, out = d[24:], []
    while len(d) >= 16:
        _, _, cap, _ = struct.unpack(endian + "IIII", d[:16])
        out.append(d[16:16 + cap])
        d = d[16 + cap:]
    return out


def describe(f):
    """A short human description of a frame, for failure messages."""
    if len(f) >= 34 and f[12:14] == b"\x08\x00":
        return "ip4 %s > %s proto %d ttl %d len %d" % (socket.inet_ntoa(f[26:30]), socket.inet_ntoa(f[30:34]),
                                                     f[23], f[22], len(f))
    if len(f) >= 42 and f[12:14] == b"\x08\x06":
        return "arp op %d %s > %s" % (f[21], socket.inet_ntoa(f[28:32]), socket.inet_ntoa(f[38:42]))
    return "%d bytes" % len(f)


def short(f):
    h = f.hex()
    return h if len(h) <= 200 else h[:200] + "... (%d bytes)" % len(f)


def check(d):
    exp = json.load(open(d + "/expect.json"))
    bad = 0
    for port in OUTPUTS:
        want = [bytes.fromhex(h) for h in exp[port]]
        got = pcap_read("%s/out-%s.pcap" % (d, port))
        missing = list(want)
        extra = []
        for g in got:
            if g in missing:
                missing.remove(g)
            else:
                extra.append(g)
        print("%s: %d frames expected, %d out, %d match" % (port, len(want), len(got),
                                                          len(want) - len(missing)))
        for m in missing:
            bad += 1
            print("  missing  %s\n    want %s" % (describe(m), short(m)))
            # The frame that differs least, to show where.
            near = min(extra, key=lambda g: sum(a != b for a, b in zip(g, m)) + abs(len(g) - len(m)),
                       default=None)
            if near is not None:
                diff = [i for i in range(max(len(m), len(near)))
                        if i >= len(m) or i >= len(near) or m[i] != near[i]]
                print("    near %s\n    bytes differing at offsets %s" % (short(near), diff[:24]))
        for e in extra:
            bad += 1
            print("  unexpected %s\n    %s" % (describe(e), short(e)))
    return 1 if bad else 0


def main():
    cmd, d = sys.argv[1], sys.argv[2]
    if cmd == "gen":
        inp, exp, n_spoofed = build()
        pcap_write(d + "/in.pcap", inp)
        json.dump({**{p: [f.hex() for f in exp[p]] for p in OUTPUTS}, "frames": len(inp),
                   "spoofed": n_spoofed}, open(d + "/expect.json", "w"))
        return 0
    if cmd == "send":
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((sys.argv[3], 0))
        for f in pcap_read(d + "/in.pcap"):
            s.send(f)
        return 0
    if cmd == "check":
        return check(d)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
