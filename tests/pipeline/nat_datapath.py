#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Frames for tests/pipeline/nat_datapath.sh, and what must come out of
ferryd for each, computed here from RFC 791/768/793/792 and the NAT rules'
documented effect (ovn-nb(5), ovn-northd(8)), with nothing taken from
ferry: every header is packed by hand, every checksum computed from
scratch (the quotes of ICMP errors too: a translated quote is built anew
for its new addresses, never patched).

  nat_datapath.py gen DIR             write DIR/in-PHASE-PORT.pcap, DIR/expect.json
  nat_datapath.py send DIR PHASE IF   send that phase's frames on IF
  nat_datapath.py check DIR           compare DIR/out-PORT.pcap, byte for byte

The topology (nat_datapath.sh builds it):
  sw0: port "in" (every inside address below) - gw0-sw0 00:00:00:00:ff:11 10.0.0.254/24
  gw0 (options:chassis=hv1): snat 172.16.0.100 for 10.0.0.0/24, ports 7000-7003;
       dnat_and_snat 172.16.0.101 <-> 10.0.0.12
  out0: port "ext" (172.16.0.10, and a router behind it, 172.16.0.20)
        - gw0-out 00:00:00:00:ff:12 172.16.0.1/24
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from datapath import csum, eth, ip, l4_csum, mac, pcap_read, pcap_write, short  # noqa: E402

MAC = {"in": "50:54:00:00:00:01", "ext": "50:54:00:00:00:0e",
       "gw0-sw0": "00:00:00:00:ff:11", "gw0-out": "00:00:00:00:ff:12"}
EXT, ROUTER, SNAT, FIP, VM2 = "172.16.0.10", "172.16.0.20", "172.16.0.100", "172.16.0.101", "10.0.0.12"
INSIDE = ["10.0.0.11", VM2, "10.0.0.21", "10.0.0.22", "10.0.0.23", "10.0.0.24", "10.0.0.25"]
PORTS = ("in", "ext")
PHASES = (("1", "in"), ("2", "ext"), ("3", "in"), ("4", "ext"))


def ip4(src, dst, proto, l4, ttl=64, ident=1):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident, 0x4000, ttl, proto, 0,
                    ip(src), ip(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + l4


def udp(src, dst, sport, dport, payload, zero=False):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = 0 if zero else (l4_csum(src, dst, 17, seg) or 0xFFFF)
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def tcp_syn(src, dst, sport, dport):
    seg = struct.pack("!HHIIBBHHH", sport, dport, 0x01020304, 0, 5 << 4, 0x02, 29200, 0, 0)
    return seg[:16] + struct.pack("!H", l4_csum(src, dst, 6, seg)) + seg[18:]


def icmp(typ, code, rest, payload):
    m = struct.pack("!BBH", typ, code, 0) + rest + payload
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]


def echo(typ, ident, seq, data):
    return icmp(typ, 0, struct.pack("!HH", ident, seq), data)


def frame(dst_mac, src_mac, datagram):
    return eth(MAC[dst_mac], MAC[src_mac], 0x0800, datagram)


def to_gw(port, datagram):
    """A frame from PORT's host to the router."""
    return frame("gw0-sw0" if port == "in" else "gw0-out", port, datagram)


def routed(port, datagram):
    """What leaves the router toward PORT's host: the router port's MAC,
    the host's, and DATAGRAM (built with the TTL already one less)."""
    return frame(port, "gw0-out" if port == "ext" else "gw0-sw0", datagram)


def build():
    inp = {p: [] for p, _ in PHASES}
    exp = {p: [] for p in PORTS}
    n = {"ident": 0x100}

    def dg(src, dst, proto, l4, ttl=64):
        # The same identification for a datagram and its translation.
        return ip4(src, dst, proto, l4, ttl=ttl, ident=n["ident"])

    def send(phase, f, out_port=None, out=None, times=1):
        """F sent TIMES times (a second time: a cache hit, whose bytes
        must be the same), OUT expected on OUT_PORT for each."""
        for _ in range(times):
            inp[phase].append(f)
            if out_port:
                exp[out_port].append(out)

    def udp_out(phase, src, sport, dport, payload, nat_sport, zero=False):
        """Inside SRC:SPORT -> EXT:DPORT, leaving from SNAT:NAT_SPORT
        (None: exhausted, nothing leaves)."""
        n["ident"] += 1
        f = to_gw("in", dg(src, EXT, 17, udp(src, EXT, sport, dport, payload, zero)))
        out = None
        if nat_sport is not None:
            out = routed("ext", dg(SNAT, EXT, 17, udp(SNAT, EXT, nat_sport, dport, payload, zero), ttl=63))
        send(phase, f, "ext" if out else None, out)
        return out

    # Phase 1, from the inside. SNAT over 10.0.0.0/24 with ports
    # 7000-7003: a port in the range is kept when free, one outside it
    # takes the range's first; four clients to one server take the four
    # ports, the fifth finds none (dropped, nat_exhausted).
    a1 = udp_out("1", "10.0.0.11", 7000, 9999, b"a1 snat, port kept", 7000)
    udp_out("1", "10.0.0.21", 7001, 9999, b"a2 snat, port kept", 7001)
    a3 = udp_out("1", "10.0.0.22", 7002, 9999, b"a3 no udp checksum", 7002, zero=True)
    udp_out("1", "10.0.0.23", 7003, 9999, b"a4 the last port", 7003)
    udp_out("1", "10.0.0.24", 7000, 9999, b"a5 no port left", None)
    udp_out("1", "10.0.0.25", 40000, 9998, b"a6 out of the range", 7000)
    n["ident"] += 1
    syn = to_gw("in", dg("10.0.0.11", EXT, 6, tcp_syn("10.0.0.11", EXT, 7002, 80)))
    a7 = dg(SNAT, EXT, 6, tcp_syn(SNAT, EXT, 7002, 80), ttl=63)
    send("1", syn, "ext", routed("ext", a7))
    # ICMP echo: the identifier is the port (40000: out of the range, 7000).
    for src, ident, nat_ident in (("10.0.0.11", 40000, 7000), ("10.0.0.21", 7001, 7001)):
        n["ident"] += 1
        data = b"a8 ping %d" % ident
        send("1", to_gw("in", dg(src, EXT, 1, echo(8, ident, 1, data))), "ext",
             routed("ext", dg(SNAT, EXT, 1, echo(8, nat_ident, 1, data), ttl=63)), times=2)

    # Phase 2, from outside: answers, errors about the translated
    # datagrams, and DNAT to vm2 through its floating IP.
    n["ident"] += 1
    send("2", to_gw("ext", dg(EXT, SNAT, 17, udp(EXT, SNAT, 9999, 7001, b"b1 answer"))), "in",
         routed("in", dg(EXT, "10.0.0.21", 17, udp(EXT, "10.0.0.21", 9999, 7001, b"b1 answer"), ttl=63)))
    n["ident"] += 1
    send("2", to_gw("ext", dg(EXT, SNAT, 1, echo(0, 7000, 1, b"a8 ping 40000"))), "in",
         routed("in", dg(EXT, "10.0.0.11", 1, echo(0, 40000, 1, b"a8 ping 40000"), ttl=63)))

    def error(src, dst, typ, code, quote, ttl=64):
        """An ICMP error; its translation keeps the identification (the
        caller moves to a new one before each error it sends)."""
        return dg(src, dst, 1, icmp(typ, code, bytes(4), quote), ttl=ttl)

    def ip_of(f):
        """The IP datagram of frame F, without its Ethernet padding."""
        return f[14:14 + struct.unpack("!H", f[16:18])[0]]

    # Port unreachable from the server, quoting a1 whole, as it arrived:
    # back to 10.0.0.11, the quote as 10.0.0.11 sent it (its TTL as it
    # arrived: only addresses, ports and checksums change).
    q = ip_of(a1)
    back = ip4("10.0.0.11", EXT, 17, udp("10.0.0.11", EXT, 7000, 9999, b"a1 snat, port kept"), ttl=63,
               ident=struct.unpack("!H", q[4:6])[0])
    n["ident"] += 1
    send("2", to_gw("ext", error(EXT, SNAT, 3, 3, q)), "in", routed("in", error(EXT, "10.0.0.11", 3, 3, back, ttl=63)),
         times=2)
    # Time exceeded from a router past the server, quoting the SYN's IP
    # header and first 8 bytes (RFC 792): its checksum is not quoted.
    back = ip4("10.0.0.11", EXT, 6, tcp_syn("10.0.0.11", EXT, 7002, 80), ttl=63,
               ident=struct.unpack("!H", a7[4:6])[0])
    n["ident"] += 1
    send("2", to_gw("ext", error(ROUTER, SNAT, 11, 0, a7[:28])), "in",
         routed("in", error(ROUTER, "10.0.0.11", 11, 0, back[:28], ttl=63)), times=2)
    # Quoting a datagram without a UDP checksum: it stays without.
    q = ip_of(a3)
    back = ip4("10.0.0.22", EXT, 17, udp("10.0.0.22", EXT, 7002, 9999, b"a3 no udp checksum", True),
               ttl=63, ident=struct.unpack("!H", q[4:6])[0])
    n["ident"] += 1
    send("2", to_gw("ext", error(EXT, SNAT, 3, 3, q)), "in",
         routed("in", error(EXT, "10.0.0.22", 3, 3, back, ttl=63)))
    # DNAT: to the floating IP, UDP and an echo (its id unchanged).
    n["ident"] += 1
    b6 = to_gw("ext", dg(EXT, FIP, 17, udp(EXT, FIP, 5555, 8080, b"b6 to the floating ip")))
    b6_in = dg(EXT, VM2, 17, udp(EXT, VM2, 5555, 8080, b"b6 to the floating ip"), ttl=63)
    send("2", b6, "in", routed("in", b6_in))
    n["ident"] += 1
    send("2", to_gw("ext", dg(EXT, FIP, 1, echo(8, 77, 3, b"b7 ping the fip"))), "in",
         routed("in", dg(EXT, VM2, 1, echo(8, 77, 3, b"b7 ping the fip"), ttl=63)))

    # Phase 3, from vm2: its answer leaves from the floating IP; its port
    # unreachable about b6 (quoting it as vm2 got it) reaches the sender
    # from the floating IP, quoting b6 as the sender sent it.
    n["ident"] += 1
    c1 = dg(FIP, EXT, 17, udp(FIP, EXT, 8080, 5555, b"c1 answer from vm2"), ttl=63)
    send("3", to_gw("in", dg(VM2, EXT, 17, udp(VM2, EXT, 8080, 5555, b"c1 answer from vm2"))), "ext",
         routed("ext", c1))
    # (The quote keeps the TTL vm2 saw: NAT puts back addresses and ports.)
    b6_sent = ip4(EXT, FIP, 17, udp(EXT, FIP, 5555, 8080, b"b6 to the floating ip"), ttl=63,
                  ident=struct.unpack("!H", ip_of(b6)[4:6])[0])
    n["ident"] += 1
    send("3", to_gw("in", error(VM2, EXT, 3, 3, b6_in)), "ext",
         routed("ext", error(FIP, EXT, 3, 3, b6_sent, ttl=63)), times=2)

    # Phase 4, from outside: an error quoting a reply (c1 as translated):
    # to vm2, quoting c1 as vm2 sent it.
    c1_sent = ip4(VM2, EXT, 17, udp(VM2, EXT, 8080, 5555, b"c1 answer from vm2"), ttl=63,
                  ident=struct.unpack("!H", c1[4:6])[0])
    n["ident"] += 1
    send("4", to_gw("ext", error(EXT, FIP, 3, 3, c1)), "in",
         routed("in", error(EXT, VM2, 3, 3, c1_sent, ttl=63)), times=2)
    return inp, exp


def check(d):
    exp = json.load(open(d + "/expect.json"))
    bad = 0
    for port in PORTS:
        want = [bytes.fromhex(h) for h in exp[port]]
        got = pcap_read("%s/out-%s.pcap" % (d, port))
        print("%s: %d frames expected, %d out" % (port, len(want), len(got)))
        # In order: each phase's frames leave in the order they came.
        for i in range(max(len(want), len(got))):
            w = want[i] if i < len(want) else None
            g = got[i] if i < len(got) else None
            if w == g:
                continue
            bad += 1
            print("  frame %d differs\n    want %s\n    got  %s" % (i, short(w) if w else "-",
                                                                   short(g) if g else "-"))
            if w and g:
                print("    bytes differing at offsets %s" %
                      [j for j in range(max(len(w), len(g)))
                       if j >= len(w) or j >= len(g) or w[j] != g[j]][:24])
    return 1 if bad else 0


def main():
    cmd, d = sys.argv[1], sys.argv[2]
    if cmd == "gen":
        inp, exp = build()
        for ph, _ in PHASES:
            pcap_write("%s/in-%s.pcap" % (d, ph), inp[ph])
        json.dump({**{p: [f.hex() for f in exp[p]] for p in PORTS},
                   "phases": {ph: len(inp[ph]) for ph, _ in PHASES},
                   "inside": INSIDE}, open(d + "/expect.json", "w"))
        return 0
    if cmd == "send":
        import socket
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((sys.argv[4], 0))
        for f in pcap_read("%s/in-%s.pcap" % (d, sys.argv[3])):
            s.send(f)
        return 0
    if cmd == "check":
        return check(d)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
