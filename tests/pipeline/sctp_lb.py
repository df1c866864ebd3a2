# SPDX-License-Identifier: Apache-2.0
# SCTP through a load balancer, with scapy on both ends (the kernel here
# has no SCTP):
#   sctp_lb.py serve PORT ID SECONDS   answer every INIT to PORT with an
#                                      INIT-ACK whose Initiate Tag carries
#                                      ID (0x5c000000 | ID), for SECONDS
#   sctp_lb.py ask VIP PORT N          N INITs from distinct ports; for each,
#                                      the ID of the INIT-ACK that came back
#                                      from VIP:PORT to the right port, with
#                                      our tag and a right CRC32c, or "none"
import struct
import sys

from scapy.all import IP, SCTP, conf, raw, send, sniff, sr1
from scapy.layers.sctp import SCTPChunkInit, SCTPChunkInitAck, crc32c

conf.verb = 0


def serve(port, ident, seconds):
    def answer(p):
        if SCTP not in p or p[SCTP].dport != port or not p.haslayer(SCTPChunkInit):
            return
        init = p[SCTPChunkInit]
        send(IP(src=p[IP].dst, dst=p[IP].src)
             / SCTP(sport=port, dport=p[SCTP].sport, tag=init.init_tag)
             / SCTPChunkInitAck(init_tag=0x5C000000 | ident, a_rwnd=65535,
                                n_out_streams=1, n_in_streams=1, init_tsn=1))

    sniff(iface="eth0", filter="sctp", prn=answer, store=False, timeout=seconds)


def ask(vip, port, n):
    for i in range(n):
        sport, tag = 41000 + i, 0x11220000 + i
        ans = sr1(IP(dst=vip) / SCTP(sport=sport, dport=port, tag=0)
                  / SCTPChunkInit(init_tag=tag, a_rwnd=65535, n_out_streams=1,
                                  n_in_streams=1, init_tsn=1),
                  filter="sctp", timeout=2, retry=2)
        ok = (ans is not None and SCTP in ans and ans.haslayer(SCTPChunkInitAck)
              and ans[IP].src == vip and ans[SCTP].sport == port
              and ans[SCTP].dport == sport and ans[SCTP].tag == tag)
        if ok:
            s = bytearray(raw(ans[SCTP]))
            got = bytes(s[8:12])
            s[8:12] = b"\0\0\0\0"
            ok = struct.pack(">I", crc32c(bytes(s))) == got
        print(ans[SCTPChunkInitAck].init_tag & 0xFFFFFF if ok else "none")


if sys.argv[1] == "serve":
    serve(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
else:
    ask(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
