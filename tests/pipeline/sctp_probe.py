# SPDX-License-Identifier: Apache-2.0
# One SCTP packet to DST:PORT from this namespace (scapy; the kernel here
# has no SCTP) and the ABORT that answers it, checked field by field:
#   sctp_probe.py DST PORT init|data
# init: an INIT with Initiate Tag 0x11223344 (tag 0): the ABORT must carry
# that tag with the T bit clear. data: a DATA chunk with tag 0x55667788:
# the ABORT reflects it with the T bit set (only where nothing tracks the
# sender: a tracker takes DATA out of the blue as invalid). Both: ports
# and addresses swapped, one ABORT chunk of 4 bytes, a right CRC32c.
# Exit 0 when so.
import struct
import sys

from scapy.all import IP, SCTP, conf, raw, sr1
from scapy.layers.sctp import SCTPChunkData, SCTPChunkInit, crc32c

dst, dport, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
conf.verb = 0
if kind == "init":
    sport, want_tag, want_t = 40000, 0x11223344, 0
    pkt = IP(dst=dst) / SCTP(sport=sport, dport=dport, tag=0) / SCTPChunkInit(
        init_tag=want_tag, a_rwnd=65535, n_out_streams=1, n_in_streams=1, init_tsn=1)
else:
    sport, want_tag, want_t = 40001, 0x55667788, 1
    pkt = IP(dst=dst) / SCTP(sport=sport, dport=dport, tag=want_tag) / SCTPChunkData(
        tsn=1, data=b"ferry")
ans = sr1(pkt, timeout=3)
if ans is None or SCTP not in ans:
    print("no answer")
    sys.exit(1)
s = bytearray(raw(ans[SCTP]))
got_crc = bytes(s[8:12])
s[8:12] = b"\0\0\0\0"
checks = {
    "from the destination": ans[IP].src == dst,
    "ports swapped": ans[SCTP].sport == dport and ans[SCTP].dport == sport,
    "tag": ans[SCTP].tag == want_tag,
    "one ABORT chunk": len(s) == 16 and s[12] == 6 and s[14:16] == b"\0\x04",
    "T bit": (s[13] & 1) == want_t,
    "CRC32c": struct.pack(">I", crc32c(bytes(s))) == got_crc,
}
bad = [k for k, ok in checks.items() if not ok]
print("ABORT tag=%#x flags=%#x: %s" % (ans[SCTP].tag, s[13], "ok" if not bad else "wrong " + ", ".join(bad)))
sys.exit(1 if bad else 0)
